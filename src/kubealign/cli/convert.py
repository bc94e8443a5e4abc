"""`kubealign convert`: compose files -> one Helm chart with values, ledger and proof."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kubealign.actions.convert import ConvertRequest, convert, summarize_kinds
from kubealign.cli.base import app, err, out
from kubealign.model.ledger import Disposition
from kubealign.transform.convert import ConversionOptions


@app.command("convert")
def convert_command(
    path: Annotated[
        Path | None,
        typer.Argument(help="Project directory (default: the directory of the first -f file)."),
    ] = None,
    files: Annotated[
        list[Path] | None,
        typer.Option("--file", "-f", help="Compose file (repeatable; later files override)."),
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = Path(
        "kubealign-out"
    ),
    env_files: Annotated[
        list[Path] | None, typer.Option("--env-file", help="Variables file (repeatable).")
    ] = None,
    profiles: Annotated[
        list[str] | None, typer.Option("--profile", help="Profile to enable (repeatable).")
    ] = None,
    release: Annotated[
        str | None, typer.Option("--release", help="Release and chart name (default: project).")
    ] = None,
    ingress_class: Annotated[
        str, typer.Option("--ingress-class", help="IngressClass of every Ingress.")
    ] = "",
    cluster_issuer: Annotated[
        str,
        typer.Option("--cluster-issuer", help="cert-manager ClusterIssuer for TLS Ingresses."),
    ] = "",
    gpu_pool: Annotated[
        str | None, typer.Option("--gpu-pool", help="Node pool label value for GPU services.")
    ] = None,
    storage_class: Annotated[
        str | None, typer.Option("--storage-class", help="StorageClass of every volume.")
    ] = None,
    volume_size: Annotated[str, typer.Option("--volume-size", help="Size of each volume.")] = (
        "1Gi"
    ),
    keep_replaced: Annotated[
        bool,
        typer.Option("--keep-replaced", help="Also deploy edge routers, updaters and Docker UIs."),
    ] = False,
    no_network_policies: Annotated[
        bool, typer.Option("--no-network-policies", help="Do not render NetworkPolicies.")
    ] = False,
    no_render: Annotated[
        bool, typer.Option("--no-render", help="Write the chart without rendering it.")
    ] = False,
    kube_version: Annotated[
        str, typer.Option("--kube-version", help="Kubernetes version of the schemas.")
    ] = "1.31",
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 when any key is not convertible.")
    ] = False,
) -> None:
    """Convert Compose/Swarm services into the fixed Helm chart, with a per-key ledger.

    Writes OUT/chart/ (the chart and its generated values.yaml), OUT/conversion.md and
    OUT/conversion.json, then renders the chart with Helm, validates every object against
    the Kubernetes schemas and compares each workload with its compose service.
    """
    project_directory = path if path is not None and path.is_dir() else None
    compose_files = list(files or ())
    if path is not None and path.is_file():
        compose_files.insert(0, path)
    outcome = convert(
        ConvertRequest(
            out=out_dir,
            files=tuple(compose_files),
            project_directory=project_directory,
            env_files=tuple(env_files or ()),
            profiles=tuple(profiles or ()),
            release=release,
            environ=dict(os.environ),
            options=ConversionOptions(
                ingress_class=ingress_class,
                cluster_issuer=cluster_issuer,
                gpu_pool=gpu_pool,
                storage_class=storage_class,
                default_volume_size=volume_size,
                enable_replaced=keep_replaced,
                network_policies=not no_network_policies,
            ),
            render=not no_render,
            kube_version=kube_version,
        )
    )
    ledger = outcome.ledger
    table = Table(title=f"kubealign convert: release {outcome.release}", show_edge=False)
    table.add_column("service")
    table.add_column("kind")
    for status in Disposition:
        table.add_column(status.value, justify="right")
    values = outcome.conversion.values.services or {}
    for name, key in sorted(outcome.conversion.service_keys.items()):
        svc = values[key]
        kind: str = svc.kind or "Deployment"
        if svc.enabled is False:
            kind = f"disabled ({outcome.conversion.roles[name].role.value})"
        entries = ledger.for_service(name)
        table.add_row(name, kind, *(str(sum(1 for e in entries if e.disposition is d))
                                    for d in Disposition))
    out.print(table)
    for entry in ledger.not_convertible:
        where = f" ({entry.source.path}:{entry.source.line})" if entry.source else ""
        err.print(f"not convertible: {entry.service or 'project'}.{entry.key}: {entry.note}"
                  f"{where}", markup=False)
    if outcome.objects:
        kinds = ", ".join(f"{n} {k}" for k, n in summarize_kinds(outcome.objects).items())
        out.print(f"rendered with Helm: {kinds}", markup=False)
        out.print(f"schema validation (Kubernetes {kube_version}, strict): "
                  f"{len(outcome.schema_results) - len(outcome.invalid)} valid, "
                  f"{len(outcome.invalid)} invalid", markup=False)
        for result in outcome.invalid:
            for violation in result.violations:
                err.print(f"invalid: {result.ref.label()}: {violation.where}: "
                          f"{violation.message}", markup=False)
        out.print(f"semantic check: {len(outcome.semantic)} difference(s) between rendered "
                  "workloads and compose services", markup=False)
        for finding in outcome.semantic:
            err.print(f"difference: {finding.message}", markup=False)
    out.print(f"wrote {out_dir}/chart, {out_dir}/conversion.md, {out_dir}/conversion.json",
              markup=False)
    failed = bool(outcome.invalid or outcome.semantic)
    if failed or (strict and ledger.not_convertible):
        raise typer.Exit(1)
