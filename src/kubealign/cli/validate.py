"""`kubealign validate`: render each environment with Helm and check every object offline."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from kubealign.actions.validate import validate_chart_output, validate_manifests
from kubealign.cli.base import app, err, out, write_document
from kubealign.emit.atomic import write_text_atomic
from kubealign.errors import UsageError
from kubealign.validate.checks import default_checks
from kubealign.validate.formats import render_report
from kubealign.validate.policies import policy_checks
from kubealign.validate.results import ValidationReport
from kubealign.validate.schemas import DEFAULT_KUBE_VERSION

_CURRENT_DIRECTORY = Path()


class ReportFormat(enum.Enum):
    TEXT = "text"
    JSON = "json"
    JUNIT = "junit"
    SARIF = "sarif"


def _print_text(report: ValidationReport) -> None:
    """The text report with colour: red for violations, yellow for skips, a bold summary."""
    for line in render_report(report, "text").splitlines():
        if line.startswith("OK: "):
            out.print(line, style="bold green", markup=False)
        elif line.startswith("FAILED: "):
            out.print(line, style="bold red", markup=False)
        elif line.startswith("note: ") or ": skipped, " in line:
            out.print(line, style="yellow", markup=False)
        else:
            out.print(line, style="red", markup=False)


@app.command()
def validate(
    directory: Annotated[
        Path,
        typer.Argument(
            help="Converted output folder (with chart/), or manifests with --manifests."
        ),
    ] = _CURRENT_DIRECTORY,
    env: Annotated[
        list[str] | None,
        typer.Option("--env", "-e", help="Environment to render (repeatable); default: all."),
    ] = None,
    all_environments: Annotated[
        bool, typer.Option("--all", help="Render every values-<env>.yaml (the default).")
    ] = False,
    kube_version: Annotated[
        str, typer.Option("--kube-version", help="Kubernetes schemas to validate against.")
    ] = DEFAULT_KUBE_VERSION,
    manifests: Annotated[
        bool, typer.Option("--manifests", help="Validate plain manifest files under DIRECTORY.")
    ] = False,
    lenient: Annotated[
        bool, typer.Option("--no-strict", help="Allow fields the schemas do not know.")
    ] = False,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Report format.")] = (
        ReportFormat.TEXT
    ),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    policies: Annotated[
        bool,
        typer.Option("--policies", help="Also apply the POL rules (resources, probes, pinned "
                                        "tags, host namespaces, hostPath, pull policy, "
                                        "token automount, restricted security context...); "
                                        "a violation counts as invalid."),
    ] = False,
    server: Annotated[
        bool | None,
        typer.Option("--server/--offline",
                     help="Also dry-run every object on the kubeconfig's cluster (server-side "
                          "apply, nothing stored); a refusal counts as invalid. Default: when "
                          "a kubeconfig exists (skipped, with the reason, if unreachable)."),
    ] = None,
    kube_context: Annotated[
        str | None, typer.Option("--kube-context", help="kubeconfig context for --server.")
    ] = None,
) -> None:
    """Validate every rendered object against the Kubernetes schemas (strict), kubealign's
    CRD schemas and the API server's field rules (and, with --policies, the POL rules; where
    a cluster is reachable, its API server's dry run). Exit 1 when any object is invalid, 2
    on usage or input errors."""
    environments = list(env or [])
    if environments and all_environments:
        raise UsageError("--env and --all are mutually exclusive")
    if manifests and environments:
        raise UsageError("--env applies to a converted chart, not to --manifests")
    if manifests and server:
        raise UsageError("--server applies to a converted chart, not to --manifests")
    if not directory.exists():
        raise UsageError(f"{directory}: no such directory")
    checks = default_checks(kube_version, strict=not lenient)
    if policies:
        checks += policy_checks()
    if manifests:
        report = validate_manifests(directory, kube_version=kube_version, strict=not lenient,
                                    checks=checks)
    else:
        report = validate_chart_output(
            directory, environments=environments, kube_version=kube_version,
            strict=not lenient, checks=checks, server=server, kube_context=kube_context,
        )
    if output is not None:
        write_text_atomic(output, render_report(report, fmt.value))
        err.print(report.summary(), markup=False)
    elif fmt is ReportFormat.TEXT:
        _print_text(report)
    else:
        write_document(render_report(report, fmt.value))
    if not report.ok:
        raise typer.Exit(1)
