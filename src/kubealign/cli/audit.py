"""`kubealign audit`: the alignment report of a repository."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kubealign.actions.audit import RENDERERS, audit
from kubealign.cli.base import app, out, write_document
from kubealign.cli.progress import progress
from kubealign.emit import audit_text
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
    """The text report, wrapped to the terminal's width, each finding in its severity's colour."""
    width = out.width
    for line in audit_text.header_lines(report, width):
        out.print(line, markup=False)
    for finding in report.findings:
        for line in audit_text.finding_lines(finding, width):
            out.print(line, style=_STYLES[finding.severity], markup=False)
    for line in audit_text.footer_lines(report, width):
        out.print(line, markup=False)


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
    with progress("audit") as step:
        report = audit(path, step)
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
            write_document(rendered)
    if threshold is not None and report.findings_at_or_above(threshold):
        raise typer.Exit(1)
