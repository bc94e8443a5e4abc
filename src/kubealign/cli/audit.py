"""`kubealign audit`: the alignment report of a repository."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kubealign.actions.audit import RENDERERS, audit
from kubealign.cli.base import app, out
from kubealign.emit.atomic import write_text_atomic
from kubealign.emit.audit_formats import LINKED_RENDERERS, link_prefix
from kubealign.errors import UsageError
from kubealign.model.audit import AuditReport
from kubealign.model.findings import Severity

_CURRENT_DIRECTORY = Path()
_STYLES = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def _print_rich(report: AuditReport) -> None:
    strategies = Table(title="deployment strategies", title_justify="left")
    strategies.add_column("strategy")
    strategies.add_column("files", justify="right")
    strategies.add_column("live")
    for strategy in report.strategies:
        strategies.add_row(
            strategy.name, str(len(strategy.files)), "yes" if strategy.live else "no"
        )
    out.print(strategies)
    findings = Table(title=f"findings ({len(report.findings)})", title_justify="left")
    for column in ("severity", "rule", "location", "message"):
        findings.add_column(column, overflow="fold")
    for finding in report.findings:
        findings.add_row(
            str(finding.severity),
            finding.rule,
            finding.location(),
            finding.message,
            style=_STYLES[finding.severity],
        )
    out.print(findings)
    counts = ", ".join(f"{n} {s}" for s, n in report.summary.by_severity if n) or "none"
    out.print(f"findings: {counts}; suppressed: {len(report.suppressed)}", markup=False)
    for item in report.before_after:
        out.print(f"{item.kind}: {item.before} -> {item.after}", markup=False)
    out.print(
        f"deploy scripts: {report.script_reduction_percent:.1f}% fewer after consolidation",
        markup=False,
    )


@app.command(name="audit")
def audit_command(
    path: Annotated[
        Path, typer.Argument(help="Repository to audit (default: the current directory).")
    ] = _CURRENT_DIRECTORY,
    output_format: Annotated[
        str, typer.Option("--format", help=f"One of: {', '.join(sorted(RENDERERS))}.")
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to FILE atomically.")
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option("--fail-on", help="Exit 1 when a finding has this severity or higher."),
    ] = None,
) -> None:
    """Audit deployment sprawl: strategies, variants, drift, secrets, scripts, debt."""
    renderer = RENDERERS.get(output_format)
    if renderer is None:
        raise UsageError(
            f"unknown format {output_format!r}; expected one of {', '.join(sorted(RENDERERS))}"
        )
    try:
        threshold = Severity.parse(fail_on) if fail_on is not None else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not path.is_dir():
        raise UsageError("repository path is not a directory", path=path)
    report = audit(path)
    if output_format == "text" and output is None and out.is_terminal:
        _print_rich(report)
    else:
        linked = LINKED_RENDERERS.get(output_format)
        # File links are relative to where the report lands (stdout: the current folder).
        where = output.parent if output is not None else _CURRENT_DIRECTORY
        rendered = linked(report, link_prefix(path, where)) if linked else renderer(report)
        if output is not None:
            write_text_atomic(output, rendered)
        else:
            out.file.write(rendered)
    if threshold is not None and report.findings_at_or_above(threshold):
        raise typer.Exit(1)
