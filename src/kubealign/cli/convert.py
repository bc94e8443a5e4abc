"""`kubealign convert`: compose files -> one Helm chart with values, ledger and proof."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kubealign.actions.convert import ConvertRequest, convert, summarize_kinds
from kubealign.actions.convert_plan import (
    GITOPS_FORMS,
    PlanConvertOutcome,
    PlanConvertRequest,
    convert_plan,
)
from kubealign.cli.base import app, err, out
from kubealign.cli.progress import progress
from kubealign.errors import UsageError
from kubealign.model.ledger import Disposition
from kubealign.model.plan import PLAN_FILE_NAME
from kubealign.transform.convert import ConversionOptions
from kubealign.transform.secrets.providers import PROVIDERS, SecretsSettings


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
    secrets_provider: Annotated[
        str,
        typer.Option("--secrets-provider",
                     help="Where secrets live: pulumi (default), vault, aws, gcp, or none "
                          "(bring your own Secrets)."),
    ] = "pulumi",
    secrets_settings: Annotated[
        list[str] | None,
        typer.Option("--secrets-setting",
                     help="Provider setting KEY=VALUE (repeatable), e.g. organization=acme "
                          "for Pulumi ESC; see docs/secrets.md."),
    ] = None,
    secret_store: Annotated[
        str | None,
        typer.Option("--secret-store", help="Use this existing (Cluster)SecretStore instead "
                                            "of rendering one."),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 when any key is not convertible.")
    ] = False,
    plan_file: Annotated[
        Path | None,
        typer.Option("--plan", help="Environment plan (default: PATH/kubealign.yaml when "
                                    "present and no -f is given)."),
    ] = None,
    repo_url: Annotated[
        str | None, typer.Option("--repo-url", help="Git repository Argo CD reads (plan mode).")
    ] = None,
    revision: Annotated[
        str | None, typer.Option("--revision", help="Git revision Argo CD follows (plan mode).")
    ] = None,
    chart_path: Annotated[
        str | None,
        typer.Option("--chart-path", help="Path of OUT/chart inside that repository."),
    ] = None,
    mesh: Annotated[
        str | None,
        typer.Option("--mesh", help="istio: a VirtualService per Ingress; linkerd: injection."),
    ] = None,
    gitops_form: Annotated[
        str,
        typer.Option("--gitops-form", help="Plan mode, with a repository URL: gitops/ holds "
                     "one ApplicationSet (applicationset) or one Application per environment "
                     "(applications); never both, they share Application names."),
    ] = GITOPS_FORMS[0],
    no_prove: Annotated[
        bool,
        typer.Option("--no-prove", help="Plan mode: skip rendering each variant alone."),
    ] = False,
    allow_paths: Annotated[
        list[Path] | None,
        typer.Option("--allow-path", help="Let kubealign read this host file or folder outside "
                     "the repository (repeatable; normally refused, see docs/security.md)."),
    ] = None,
) -> None:
    """Convert Compose/Swarm services into the fixed Helm chart, with a per-key ledger.

    Writes OUT/chart/ (the chart and its generated values.yaml), OUT/conversion.md and
    OUT/conversion.json, then renders the chart with Helm, validates every object against
    the Kubernetes schemas and compares each workload with its compose service.

    With a plan (kubealign.yaml, see `kubealign plan`), converts every environment and writes
    one chart with chart/values.yaml (what the environments share) and one
    chart/values-<env>.yaml each, environments.md, gitops/ (Argo CD), cluster/ (node pools)
    and, with --mesh istio, mesh/; every environment is rendered and validated, and proven to
    render exactly what its variant converted alone renders.
    """
    chosen_plan = plan_file or _default_plan(path, files)
    options = ConversionOptions(
        ingress_class=ingress_class,
        cluster_issuer=cluster_issuer,
        gpu_pool=gpu_pool,
        storage_class=storage_class,
        default_volume_size=volume_size,
        enable_replaced=keep_replaced,
        network_policies=not no_network_policies,
        secrets=_secrets_settings(secrets_provider, secrets_settings or [], secret_store),
    )
    if chosen_plan is not None:
        with progress("convert") as step:
            step(f"converting, rendering and proving every environment of {chosen_plan}")
            plan_outcome = convert_plan(PlanConvertRequest(
                out=out_dir, plan=chosen_plan, repo_url=repo_url, revision=revision,
                chart_path=chart_path, mesh=mesh, gitops_form=gitops_form,
                environ=dict(os.environ), options=options,
                render=not no_render, prove=not no_render and not no_prove,
                kube_version=kube_version, allow_paths=tuple(allow_paths or ())))
        report_plan_outcome(plan_outcome, kube_version)
        if plan_outcome.failed or (strict and any(
                e.conversion.ledger.not_convertible for e in plan_outcome.environments)):
            raise typer.Exit(1)
        return
    project_directory = path if path is not None and path.is_dir() else None
    compose_files = list(files or ())
    if path is not None and path.is_file():
        compose_files.insert(0, path)
    with progress("convert") as step:
        step("converting, rendering and checking the compose services")
        outcome = convert(ConvertRequest(
            out=out_dir,
            files=tuple(compose_files),
            project_directory=project_directory,
            env_files=tuple(env_files or ()),
            profiles=tuple(profiles or ()),
            release=release,
            environ=dict(os.environ),
            options=options,
            render=not no_render,
            kube_version=kube_version,
            allow_paths=tuple(allow_paths or ()),
        ))
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


def _default_plan(path: Path | None, files: list[Path] | None) -> Path | None:
    """PATH/kubealign.yaml (or ./kubealign.yaml) when no compose file is named."""
    if files or (path is not None and path.is_file()):
        return None
    candidate = (path or Path()) / PLAN_FILE_NAME
    return candidate if candidate.is_file() else None


def report_plan_outcome(outcome: PlanConvertOutcome, kube_version: str) -> None:
    table = Table(title=f"kubealign convert: release {outcome.plan.release}, plan "
                        f"{outcome.plan_path}", show_edge=False)
    for column in ("environment", "namespace", "services", "overlay keys", "objects",
                   "invalid", "differences", "proof"):
        table.add_column(column)
    for env in outcome.environments:
        services = sum(1 for svc in (env.variant.get("services") or {}).values()
                       if svc.get("enabled", True) is not False)
        overlay = outcome.consolidation.overlays.get(env.name, {})
        proof = "-" if env.proof is None else ("identical" if not env.proof else "DIFFERS")
        table.add_row(env.name, env.namespace, str(services), str(_leaves(overlay)),
                      str(len(env.objects)) if env.objects else "-", str(len(env.invalid)),
                      str(len(env.semantic)), proof)
    out.print(table)
    for env in outcome.environments:
        for result in env.invalid:
            for violation in result.violations:
                err.print(f"invalid ({env.name}, Kubernetes {kube_version}): "
                          f"{result.ref.label()}: {violation.where}: {violation.message}",
                          markup=False)
        for finding in env.semantic:
            err.print(f"difference ({env.name}): {finding.message}", markup=False)
        for problem in env.proof or ():
            err.print(f"not proven ({env.name}): {problem}", markup=False)
    for problem in outcome.extra_problems:
        err.print(f"invalid: {problem}", markup=False)
    for note in outcome.notes:
        out.print(note, markup=False)
    out.print(f"wrote {outcome.out}/chart (values.yaml + {len(outcome.environments)} overlays), "
              f"{outcome.out}/environments.md, conversion/, cluster/"
              + (", gitops/" if any(p.startswith("gitops/") for p in outcome.files) else "")
              + (", mesh/" if any(p.startswith("mesh/") for p in outcome.files) else ""),
              markup=False)


def _leaves(data: object) -> int:
    if isinstance(data, dict):
        return sum(_leaves(v) for v in data.values())
    return 1


def _secrets_settings(provider: str, pairs: list[str], store: str | None) -> SecretsSettings:
    if provider not in PROVIDERS:
        raise UsageError(f"--secrets-provider {provider!r}: expected one of "
                         f"{', '.join(sorted(PROVIDERS))}")
    settings: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--secrets-setting {pair!r}: expected KEY=VALUE")
        settings[key.strip()] = value.strip()
    return SecretsSettings(provider=provider, settings=settings, store_name=store)
