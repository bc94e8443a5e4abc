"""`kubealign inventory`: what deployment files a repository holds, and why we think so."""

from __future__ import annotations

import enum
import io
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kubealign.actions.inventory import build_inventory, inventory_to_json
from kubealign.cli.base import app, out, write_document
from kubealign.emit.atomic import write_text_atomic
from kubealign.errors import UsageError
from kubealign.model.inventory import Artifact, ArtifactKind, Inventory

K = ArtifactKind
_LIST_LIMIT = 6
_OUTPUT_WIDTH = 140
_CURRENT_DIRECTORY = Path()


class InventoryFormat(enum.Enum):
    TEXT = "text"
    JSON = "json"


def _listing(items: tuple[str, ...] | list[str]) -> str:
    shown = ", ".join(items[:_LIST_LIMIT])
    return shown + (f" (+{len(items) - _LIST_LIMIT} more)" if len(items) > _LIST_LIMIT else "")


def _compose(a: Artifact) -> str:
    info = a.compose
    if info is None:
        return ""
    missing = [r.path for r in info.references if not r.exists]
    text = f"{len(info.services)} services: {_listing(info.services)}"
    return text + (f"; missing files: {_listing(missing)}" if missing else "")


def _swarm(a: Artifact) -> str:
    return "; ".join(e.reason for e in a.evidence if e.kind is K.SWARM_STACK)


def _env(a: Artifact) -> str:
    return f"{len(a.env_file.variables)} variables" if a.env_file else ""


def _dockerfile(a: Artifact) -> str:
    if a.dockerfile is None:
        return ""
    stages = [s.base + (f" AS {s.name}" if s.name else "") for s in a.dockerfile.stages]
    return "FROM " + _listing(stages) if stages else "no FROM"


def _manifests(a: Artifact) -> str:
    if a.kubernetes is None:
        return ""
    docs = [
        f"{d.kind}/{d.name or '?'}" + (f" ({d.namespace})" if d.namespace else "")
        for d in a.kubernetes.documents
    ]
    return _listing(docs)


def _kustomization(a: Artifact) -> str:
    k = a.kustomization
    if k is None:
        return ""
    parts = [f"namespace {k.namespace}"] if k.namespace else []
    parts.append(f"{len(k.resources)} resources")
    if k.images:
        parts.append("images " + _listing([i.name for i in k.images]))
    return "; ".join(parts)


def _chart(a: Artifact) -> str:
    c = a.helm_chart
    if c is None:
        return ""
    return f"{c.name or '?'} {c.version or '?'}; values: {_listing(c.values_files) or 'none'}"


def _argo(a: Artifact) -> str:
    if a.argocd is None:
        return ""
    apps = [
        f"{app.kind}/{app.name or '?'} -> {app.path or app.chart or '?'}"
        + (f" ({app.destination_namespace})" if app.destination_namespace else "")
        for app in a.argocd.applications
    ]
    return _listing(apps)


def _script(a: Artifact) -> str:
    s = a.script
    if s is None:
        return ""
    parts = [s.language]
    if s.tools:
        parts.append("uses " + _listing(s.tools))
    if s.stack_deploys:
        parts.append("stack deploy " + _listing(s.stack_deploys))
    if s.targets:
        parts.append("targets " + _listing([t.name for t in s.targets]))
    return "; ".join(parts)


def _ci(a: Artifact) -> str:
    c = a.ci
    if c is None:
        return ""
    return f"{c.system}; jobs: {_listing(c.jobs) or '-'}" + (
        f"; uses {_listing(c.tools)}" if c.tools else ""
    )


def _mounted(a: Artifact) -> str:
    if a.mounted is None:
        return ""
    return "by " + _listing(sorted({f"{r.compose} ({r.key})" for r in a.mounted.referenced_by}))


def _docs(a: Artifact) -> str:
    return _listing(a.docs.topics) if a.docs else ""


def _evidence(kind: ArtifactKind) -> Callable[[Artifact], str]:
    def describe(a: Artifact) -> str:
        return "; ".join(e.reason for e in a.evidence if e.kind is kind)

    return describe


_DETAILS: dict[ArtifactKind, Callable[[Artifact], str]] = {
    K.COMPOSE: _compose,
    K.SWARM_STACK: _swarm,
    K.ENV_FILE: _env,
    K.DOCKERFILE: _dockerfile,
    K.KUBERNETES_MANIFEST: _manifests,
    K.KUSTOMIZATION: _kustomization,
    K.HELM_CHART: _chart,
    K.HELM_VALUES: _evidence(K.HELM_VALUES),
    K.HELM_TEMPLATE: _evidence(K.HELM_TEMPLATE),
    K.ARGOCD_APPLICATION: _argo,
    K.DEPLOY_SCRIPT: _script,
    K.SCRIPT: _script,
    K.CI_WORKFLOW: _ci,
    K.MOUNTED_CONFIG: _mounted,
    K.DOCS: _docs,
}


def render_text(inventory: Inventory, console: Console) -> None:
    """One table per kind present (files of kind ``other`` are only counted)."""
    for kind, describe in _DETAILS.items():
        artifacts = inventory.by_kind(kind)
        if not artifacts:
            continue
        table = Table(title=f"{kind.value} ({len(artifacts)})", title_justify="left", expand=False)
        table.add_column("path", no_wrap=True)
        table.add_column("details", overflow="fold")
        for artifact in artifacts:
            details = describe(artifact)
            if artifact.notes:
                details += (" | " if details else "") + "; ".join(artifact.notes)
            table.add_row(artifact.path, details, style="yellow" if artifact.notes else None)
        console.print(table)
    summary = Table(title=f"inventory of {inventory.root}", title_justify="left")
    summary.add_column("kind")
    summary.add_column("files", justify="right")
    for kind, count in inventory.counts().items():
        if count:
            summary.add_row(kind.value, str(count))
    summary.add_row("all files", str(len(inventory.artifacts)), style="bold")
    console.print(summary)
    for skipped in inventory.skipped:
        console.print(f"skipped {skipped.path}: {skipped.reason}", markup=False)


def _text_document(inventory: Inventory) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=_OUTPUT_WIDTH, no_color=True, highlight=False, soft_wrap=False,
        emoji=False,
    )
    render_text(inventory, console)
    # Rich pads table titles to the console width; files should not carry that padding.
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


@app.command()
def inventory(
    path: Annotated[
        Path, typer.Argument(help="Repository to walk (default: the current directory).")
    ] = _CURRENT_DIRECTORY,
    output_format: Annotated[
        InventoryFormat,
        typer.Option("--format", help="text (tables) or json (the documented contract)."),
    ] = InventoryFormat.TEXT,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to FILE atomically.")
    ] = None,
) -> None:
    """List and classify every deployment-related file of a repository."""
    if not path.exists():
        raise UsageError("repository path does not exist", path=path)
    result = build_inventory(path)
    if output_format is InventoryFormat.JSON:
        text = inventory_to_json(result)
    elif output is not None:
        text = _text_document(result)
    else:
        render_text(result, out)
        return
    if output is None:
        write_document(text)
    else:
        write_text_atomic(output, text)
