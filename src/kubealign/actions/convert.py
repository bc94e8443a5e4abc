"""Use case: compose files -> the fixed chart with generated values, the ledger, and the proof.

Pipeline: load and validate the compose project -> convert to values -> write the output tree
atomically (chart, values.yaml, conversion.md, conversion.json) -> render every object with the
real Helm engine -> validate against the Kubernetes schemas -> compare each rendered workload
with its compose service (the semantic check).
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from kubealign.actions.resolve import ResolveOptions, load_project, read_boundary
from kubealign.emit.atomic import output_session
from kubealign.emit.chart_readme import ChartEnvironment, chart_readme
from kubealign.emit.ledger_report import ledger_json, ledger_markdown
from kubealign.emit.secrets_report import secrets_markdown
from kubealign.emit.values_yaml import render_values
from kubealign.load.boundary import ReadBoundary
from kubealign.model.compose import Project
from kubealign.model.findings import Finding
from kubealign.model.ledger import Ledger
from kubealign.model.source import relative_to
from kubealign.transform.consolidate import deep_merge
from kubealign.transform.convert import ConversionOptions, ConversionResult, convert_project
from kubealign.transform.naming import dns_label
from kubealign.transform.secrets.providers import SecretsSettings
from kubealign.transform.values_model import to_values
from kubealign.validate.checks import SourcedObject, default_checks, run_checks
from kubealign.validate.helm import render_chart
from kubealign.validate.results import ObjectResult
from kubealign.validate.semantic import check_rendered

CHART_PACKAGE = "kubealign.chart"

__all__ = ["ConvertOutcome", "ConvertRequest", "build_files", "chart_files", "chart_tree",
           "convert", "deep_merge", "default_values", "release_name", "with_boundary"]


@dataclass(frozen=True, slots=True)
class ConvertRequest:
    out: Path
    files: tuple[Path, ...] = ()
    project_directory: Path | None = None
    env_files: tuple[Path, ...] = ()
    profiles: tuple[str, ...] = ()
    release: str | None = None
    environ: Mapping[str, str] | None = None  # None: the process environment
    options: ConversionOptions = field(default_factory=ConversionOptions)
    render: bool = True
    kube_version: str = "1.31"
    allow_paths: tuple[Path, ...] = ()
    """``--allow-path``: host paths outside the repository the user lets kubealign read."""


@dataclass(frozen=True, slots=True)
class ConvertOutcome:
    out: Path
    release: str
    files: tuple[str, ...]
    project: Project
    conversion: ConversionResult
    objects: tuple[dict[str, Any], ...]
    schema_results: tuple[ObjectResult, ...]
    semantic: tuple[Finding, ...]

    @property
    def ledger(self) -> Ledger:
        return self.conversion.ledger

    @property
    def invalid(self) -> tuple[ObjectResult, ...]:
        return tuple(r for r in self.schema_results if r.violations)


def chart_files() -> dict[str, bytes]:
    """The packaged chart, file by file (relative POSIX path -> bytes)."""
    root = resources.files(CHART_PACKAGE)
    found: dict[str, bytes] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for child in node.iterdir():
            name = f"{prefix}{child.name}"
            if child.is_dir():
                if child.name != "__pycache__":
                    walk(child, f"{name}/")
            elif not child.name.endswith((".py", ".pyc")):
                found[name] = child.read_bytes()

    walk(root, "")
    return found


def default_values() -> dict[str, Any]:
    data = yaml.safe_load(chart_files()["values.yaml"].decode("utf-8"))
    return data if isinstance(data, dict) else {}


def release_name(project: Project, requested: str | None) -> str:
    name = dns_label(requested or project.name or "app", limit=53)
    if not re.match(r"^[a-z]", name):
        name = f"r-{name}"[:53]
    return name


def _chart_yaml(original: bytes, release: str) -> bytes:
    text = original.decode("utf-8")
    text = re.sub(r"(?m)^name: .*$", f"name: {release}", text, count=1)
    return text.encode("utf-8")


def chart_tree(release: str) -> dict[str, bytes | str]:
    """The packaged chart under ``chart/``, named after the release, without values.yaml."""
    files: dict[str, bytes | str] = {}
    for rel, data in chart_files().items():
        if rel == "values.yaml":
            continue
        files[f"chart/{rel}"] = _chart_yaml(data, release) if rel == "Chart.yaml" else data
    return files


def with_boundary(options: ConversionOptions, boundary: ReadBoundary) -> ConversionOptions:
    """``options`` whose host-file readers ask ``boundary`` (None outside it)."""
    return dataclasses.replace(options, read_file=boundary.text_or_none,
                               read_bytes=boundary.bytes_or_none,
                               read_refusal=boundary.refusal)


def build_files(project: Project, result: ConversionResult, release: str,
                root_hint: str | None,
                secrets: SecretsSettings | None = None) -> dict[str, bytes | str]:
    files = chart_tree(release)
    values = deep_merge(default_values(), to_values(result.values))
    sources = ", ".join(relative_to(f, root_hint) for f in project.source_files) or "compose"
    header = (f"Values for release {release}, generated by `kubealign convert` from {sources}.\n"
              "Every compose key is accounted for in ../conversion.md. Reference: the "
              "chart's values.schema.json (Helm enforces it).")
    comments = {k.split(".", 1)[1]: v for k, v in result.comments.items()
                if k.startswith("services.") and k.count(".") == 1}
    files["chart/values.yaml"] = render_values(values, header=header, service_comments=comments)
    title = f"{release} ({sources})"
    files["conversion.md"] = ledger_markdown(result.ledger, result.findings, title=title,
                                             root=root_hint)
    files["conversion.json"] = ledger_json(result.ledger, result.findings, root=root_hint)
    settings = {"default": secrets or SecretsSettings()}
    files["secrets.md"] = secrets_markdown(result.secrets, settings, title=title, root=root_hint)
    files["chart/README.md"] = chart_readme(
        release, [ChartEnvironment("default", release, "", overlay=False)], base=None,
        settings=settings["default"], requirements=result.secrets)
    return files




def convert(request: ConvertRequest) -> ConvertOutcome:
    resolve_options = ResolveOptions(
        files=request.files,
        project_directory=request.project_directory,
        env_files=request.env_files,
        profiles=request.profiles,
        environ=dict(os.environ) if request.environ is None else request.environ,
        allow_paths=request.allow_paths,
        keep_inactive=True,  # services of other profiles stay in values, disabled
    )
    project, warnings = load_project(resolve_options)
    release = release_name(project, request.release)
    # Host files (bind mounts, configs/secrets file:) are read through the read boundary
    # only: a file outside the repository is never embedded in the chart.
    options = with_boundary(request.options, read_boundary(resolve_options))
    if options.release != release:
        options = dataclasses.replace(options, release=release)
    result = convert_project(project, options)
    if warnings:
        result = dataclasses.replace(result, findings=tuple(warnings) + result.findings)
    root_hint = project.project_directory
    files = build_files(project, result, release, root_hint, options.secrets)
    out = request.out
    protect = [Path(root_hint)] if root_hint else []
    # Staged beside --out and committed only once rendering succeeded: a late failure
    # (a values file Helm refuses) leaves the previous output as it was.
    with output_session(out, protect=protect) as session:
        session.write_files(files)
        objects: tuple[dict[str, Any], ...] = ()
        schema_results: tuple[ObjectResult, ...] = ()
        semantic: tuple[Finding, ...] = ()
        if request.render:
            rendered = render_chart(session.path("chart"), release=release, namespace=release)
            objects = tuple(rendered.objects)
            schema_results = tuple(run_checks(
                (SourcedObject(obj, origin, doc) for obj, origin, doc in
                 zip(rendered.objects, rendered.origins, rendered.documents, strict=True)),
                default_checks(request.kube_version),
                rendered.texts,
            ))
            values = to_values(result.values)
            enabled = {k: bool(v.get("enabled", True)) for k, v in values.get("services",
                                                                              {}).items()}
            semantic = tuple(check_rendered(project, rendered.objects, result.service_keys,
                                            enabled, gpu_count_for_all=options.gpu_count_for_all))
        session.commit()
    return ConvertOutcome(out, release, tuple(sorted(files)), project, result, objects,
                          schema_results, semantic)


def summarize_kinds(objects: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for obj in objects:
        kind = str(obj.get("kind", "?"))
        counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items()))
