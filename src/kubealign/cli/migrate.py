"""`kubealign migrate`: the one-shot main job (inventory, plan, audit, convert, validate)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from kubealign.actions.migrate import MigrateOutcome, MigrateRequest, migrate
from kubealign.cli.base import app, diagnostic_lines, err, out, write_document
from kubealign.cli.progress import progress
from kubealign.errors import UsageError
from kubealign.model.contracts import document, dumps
from kubealign.transform.secrets.providers import check_settings

_STYLES = {"done": "green", "skipped": "yellow", "failed": "bold red"}


def _shown(path: Path) -> str:
    """Paths relative to the working directory when they are inside it (shorter to read)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def secrets_not_connected(outcome: MigrateOutcome) -> str | None:
    """One line when the secret provider lacks settings (SCV003): said before anything else,
    since every ExternalSecret of the chart waits for the store it leaves out."""
    if outcome.convert is None:
        return None
    for env in outcome.convert.environments:
        for finding in env.conversion.findings:
            if finding.rule == "SCV003":
                # migrate takes no --secrets-setting: the plan file is where to set them.
                return (f"secrets not connected: {finding.message}; set them under "
                        f"secrets.settings in {outcome.convert.plan_path} and run migrate "
                        "again (or kubealign convert --secrets-setting KEY=VALUE); see "
                        "secrets.md")
    return None


def secrets_status(outcome: MigrateOutcome) -> dict[str, Any] | None:
    """``secrets_not_connected`` of the JSON contract: None when every environment's secret
    store is rendered; else which environments wait, for which provider settings."""
    line = secrets_not_connected(outcome)
    if line is None or outcome.convert is None:
        return None
    waiting = [env.name for env in outcome.convert.environments
               if any(f.rule == "SCV003" for f in env.conversion.findings)]
    settings = outcome.convert.secrets
    check = check_settings(settings) if settings is not None else None
    return {"provider": settings.provider if settings is not None else None,
            "missing_settings": list(check.missing) if check is not None else [],
            "unknown_settings": list(check.unknown) if check is not None else [],
            "environments": waiting,
            "plan_file": _shown(Path(outcome.convert.plan_path)),
            "message": line}


def print_summary(outcome: MigrateOutcome) -> None:
    request = outcome.request
    warning = secrets_not_connected(outcome)
    if warning is not None:
        for line in diagnostic_lines(warning):
            out.print(line, style="bold yellow", markup=False)
    out.print(f"kubealign migrate {_shown(request.path)} -> {_shown(request.out)}",
              style="bold", markup=False)
    width = max(len(step.name) for step in outcome.steps)
    for step in outcome.steps:
        out.print(f"  {step.name:<{width}}  ", end="", markup=False)
        out.print(f"{step.status:<7}", style=_STYLES.get(step.status, ""), end="", markup=False)
        out.print(f"  {step.summary}", markup=False)
    artifacts = [path for step in outcome.steps for path in step.artifacts]
    overlays = [p for p in artifacts if p.name.startswith("values-") and p.suffix == ".yaml"]
    if artifacts:
        out.print("artifacts:", style="bold", markup=False)
    for path in artifacts:
        if path in overlays:
            if path == overlays[0]:
                names = ", ".join(p.name[len("values-"):-len(".yaml")] for p in overlays)
                out.print(f"  {_shown(path.parent)}/values-<env>.yaml for {names}",
                          markup=False)
            continue
        out.print(f"  {_shown(path)}{'/' if path.is_dir() else ''}", markup=False)
    for result in outcome.invalid:
        for violation in (v for v in result.violations if not v.check.startswith("POL")):
            err.print(f"invalid: {result.ref.environment}: {result.ref.label()}: "
                      f"{violation.where}: {violation.message}", markup=False)
    if outcome.policy:
        counts: dict[str, int] = {}
        for _, violation in outcome.policy:
            counts[violation.check] = counts.get(violation.check, 0) + 1
        listed = ", ".join(f"{rule} x{n}" for rule, n in sorted(counts.items()))
        err.print(f"policy findings (not blocking): {listed}", style="yellow", markup=False)
    for step in outcome.failed:
        err.print(f"failed: {step.name}: {step.summary}", style="bold red", markup=False)
    if outcome.failed:
        kept = ", ".join(s.name for s in outcome.steps if s.status == "done") or "nothing"
        err.print(f"kept in {_shown(request.out)}: the output of {kept}", markup=False)
    command = _next_command(outcome)
    if command is not None:
        out.print(f"next: {command}", markup=False)


def _next_command(outcome: MigrateOutcome) -> str | None:
    if not outcome.ok or outcome.convert is None:
        return None
    order = outcome.convert.plan.migration_order or outcome.environments
    hint = f"--env {order[0]}" if order else "--env <name>"
    return f"kubealign deploy {hint} --dir {_shown(outcome.request.out)} --dry-run"


def migrate_json(outcome: MigrateOutcome) -> dict[str, Any]:
    """The ``migrate --format json`` contract (docs/json-output.md)."""
    counts: dict[str, int] = {}
    for _, violation in outcome.policy:
        counts[violation.check] = counts.get(violation.check, 0) + 1
    return document("migrate", {
        "repository": _shown(outcome.request.path),
        "out": _shown(outcome.request.out),
        "ok": outcome.ok,
        "secrets_not_connected": secrets_status(outcome),
        "steps": [{"name": step.name, "status": step.status, "summary": step.summary,
                   "artifacts": [_shown(path) for path in step.artifacts]}
                  for step in outcome.steps],
        "environments": list(outcome.environments),
        "invalid": [{"environment": result.ref.environment, "object": result.ref.label(),
                     "path": violation.where, "message": violation.message}
                    for result in outcome.invalid for violation in result.violations
                    if not violation.check.startswith("POL")],
        "policy": [{"rule": rule, "count": n} for rule, n in sorted(counts.items())],
        "refused": [{"environment": env.name, "reason": env.render_error}
                    for env in (outcome.convert.refused if outcome.convert else ())],
        "next": _next_command(outcome),
    })


@app.command("migrate")
def migrate_command(
    path: Annotated[Path, typer.Argument(help="Repository to migrate.")] = Path(),
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = Path(
        "kubealign-out"
    ),
    kube_version: Annotated[
        str, typer.Option("--kube-version", help="Kubernetes version of the schemas.")
    ] = "1.31",
    keep_plan: Annotated[
        bool,
        typer.Option("--keep-plan", help="Keep a detected plan in PATH/kubealign.yaml "
                     "(default: only DIR/kubealign.yaml; the repository is left unchanged)."),
    ] = False,
    allow_paths: Annotated[
        list[Path] | None,
        typer.Option("--allow-path", help="Let kubealign read this host file or folder outside "
                     "the repository (repeatable; normally refused, see docs/security.md)."),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="The summary as text, or json (the documented "
                          "contract, docs/json-output.md).")
    ] = "text",
) -> None:
    """Plan (if none) -> audit -> convert -> validate, then a summary of every artifact.

    Each step's artifacts land in --out as soon as it finishes, so a failed step keeps the
    inventory, audit and plan; the plan is kept as DIR/kubealign.yaml, which `kubealign
    convert --plan`, `cluster` and `deploy` read as is. Exit 1 when a step failed or a
    rendered object is invalid, 2 when PATH or --out is unusable."""
    if output_format not in {"text", "json"}:
        raise UsageError(f"unknown format {output_format!r}; expected text or json")
    with progress("migrate") as step:
        outcome = migrate(
            MigrateRequest(path=path, out=out_dir, kube_version=kube_version,
                           environ=dict(os.environ), keep_plan=keep_plan,
                           allow_paths=tuple(allow_paths or ())),
            progress=step,
        )
    if output_format == "json":
        write_document(dumps(migrate_json(outcome)))
    else:
        print_summary(outcome)
    if not outcome.ok:
        raise typer.Exit(1)
