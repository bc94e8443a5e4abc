"""`kubealign deploy`, `kubealign status`, `kubealign rollback`: one environment through Helm."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from kubealign.actions.deploy import (
    DeployRequest,
    Preflight,
    check_migration_order,
    deployed_release,
    diff_release,
    environment_target,
    execute_deploy,
    missing_prerequisites,
    prepare_deploy,
    recreate_statefulsets,
    rejected,
    release_state,
    rollback_release,
    rollback_revision,
    rollback_server_check,
    server_side_check,
)
from kubealign.cli.base import app, diagnostic_lines, err, out, write_document
from kubealign.deploy.helm_adapter import (
    BinaryHelmClient,
    HelmClient,
    Target,
    UpgradeOptions,
    select_helm_client,
)
from kubealign.deploy.prerequisites import (
    missing_crds_line,
    missing_stores_line,
    stores_not_rendered,
)
from kubealign.deploy.recreate import PROPAGATION, deletion_line, recreate_plan
from kubealign.deploy.server_check import ObjectChange, ServerCheck
from kubealign.errors import MissingPrerequisite, UsageError
from kubealign.model.contracts import document, dumps
from kubealign.model.findings import Severity

_DEFAULT_DIR = Path("kubealign-out")
_POLICY_LINES = 12  # enough to act on; the rest are counted

DirOption = Annotated[
    Path, typer.Option("--dir", "-d", help="Converted output folder (holding chart/).")
]
EnvOption = Annotated[str, typer.Option("--env", "-e", help="Environment (values-<env>.yaml).")]
ContextOption = Annotated[
    str | None,
    typer.Option("--kube-context", help="kubeconfig context (default: the plan's, else current)."),
]
NamespaceOption = Annotated[
    str | None,
    typer.Option("--namespace", "-n", help="Namespace (default: the plan's, else the env name)."),
]
ReleaseOption = Annotated[
    str | None, typer.Option("--release", help="Release name (default: the plan's, else chart).")
]
PlanOption = Annotated[
    Path | None,
    typer.Option("--plan", help="Plan file (default: DIR/kubealign.yaml or ../kubealign.yaml)."),
]
YesOption = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (production).")
]
TimeoutOption = Annotated[
    int, typer.Option("--timeout", min=1, help="Seconds Helm waits for the release.")
]
RecreateOption = Annotated[
    bool,
    typer.Option(
        "--recreate-statefulsets",
        help="When the server-side dry run refuses only StatefulSet fields that never "
        "change in place (volumeClaimTemplates, selector, serviceName), delete those "
        "StatefulSets with propagationPolicy Orphan (their claims stay), then their pods, "
        "and go on: Helm creates them anew on the same claims. Each deletion is named on "
        "stderr; any other refusal still stops.",
    ),
]


def confirm_production(action: str, target: Target, environment: str, yes: bool) -> None:
    """Ask before changing production; without a terminal, refuse unless ``--yes``."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise UsageError(
            f"refusing to {action} production environment {environment!r} without "
            "confirmation: no terminal to ask on; pass --yes"
        )
    question = f"{action} environment {environment!r} (production) in {target.describe()}?"
    if not typer.confirm(question, default=False, err=True):
        raise typer.Exit(1)


def _print_objects(preflight: Preflight) -> None:
    """One line per object (plain text, so nothing is cut when piped)."""
    out.print(
        f"would install release {preflight.target.release} ({preflight.request.environment}) "
        f"in {preflight.target.describe()}:",
        style="bold",
        markup=False,
    )
    items = sorted(preflight.objects, key=lambda o: (o.kind, o.namespace, o.name))
    width = max((len(f"{o.kind}/{o.name}") for o in items), default=0)
    for item in items:
        label = f"{item.kind}/{item.name}"
        out.print(f"  {label:<{width}}  namespace {item.namespace}", markup=False)
    out.print(f"{len(items)} objects", markup=False)


def _print_policy(preflight: Preflight) -> None:
    """POL findings as warnings (they block only from --fail-on-policy up)."""
    if not preflight.policy:
        err.print("policies: no POL violation", style="green", markup=False)
        return
    counts: dict[str, int] = {}
    for violation in preflight.policy:
        counts[str(violation.severity)] = counts.get(str(violation.severity), 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    err.print(f"policies: {len(preflight.policy)} POL finding(s) ({summary}); not blocking "
              "(see --fail-on-policy)", style="yellow", markup=False)
    hidden = len(preflight.policy) - _POLICY_LINES
    for violation in preflight.policy[:_POLICY_LINES]:
        err.print(f"  {violation.rule} [{violation.severity}] {violation.kind}/{violation.name}: "
                  f"{violation.path}: {violation.message}", style="yellow", markup=False)
    if hidden > 0:
        err.print(f"  … and {hidden} more", style="yellow", markup=False)


def _print_order(preflight: Preflight, client: HelmClient | None) -> None:
    if preflight.plan.path is None:
        return
    err.print(f"plan {preflight.plan.path}: {preflight.order.describe()}", markup=False)
    if client is None or not preflight.order.earlier:
        return
    for earlier in check_migration_order(preflight, client):
        style = "green" if earlier.deployed else "yellow"
        err.print(f"  earlier environment {earlier.name}: {earlier.state}", style=style,
                  markup=False)


def _print_server_check(check: ServerCheck) -> None:
    if check.skipped is not None:
        err.print(f"server-side dry run skipped: {check.skipped}", style="yellow", markup=False)
        return
    for note in check.notes:
        err.print(f"server-side dry run: {note}", style="yellow", markup=False)
    if not check.rejections:
        err.print(f"server-side dry run ({check.server}): all {check.accepted} objects "
                  "accepted", style="green", markup=False)
        return
    err.print(f"server-side dry run ({check.server}): {len(check.rejections)} refusal(s)",
              style="red", markup=False)
    for rejection in check.rejections:
        err.print(f"  {rejection.describe()}", markup=False)


def statefulsets_to_recreate(check: ServerCheck, namespace: str, recreate: bool,
                             command: str) -> tuple[str, ...]:
    """The StatefulSets ``--recreate-statefulsets`` deletes; raise the refusal as before
    when there are refusals and the option is absent or cannot cure all of them."""
    if not check.rejections:
        return ()
    names = recreate_plan(check.rejections).names
    if not recreate or not names:
        raise rejected(check, namespace, command)
    return names


def _say_recreate(line: str) -> None:
    err.print(line, style="yellow", markup=False)


def _print_live_diff(check: ServerCheck) -> None:
    changed = [c for c in check.changes if c.change != "unchanged"]
    if not changed:
        out.print("no changes against the live cluster", markup=False)
    for change in changed:
        style = "green" if change.change == "added" else "yellow"
        out.print(f"{change.change}: {change.kind}/{change.name} (namespace {change.namespace}, "
                  "against the live object)", style=style, markup=False)
        if change.diff:
            out.print(change.diff, markup=False)


def _print_diff(preflight: Preflight, client: HelmClient) -> None:
    changes = diff_release(preflight, deployed_release(preflight, client))
    if not changes:
        out.print("no changes against the deployed release", markup=False)
    for change in changes:
        style = {"added": "green", "removed": "red", "changed": "yellow"}[change.change]
        out.print(f"{change.change}: {change.kind}/{change.name} (namespace {change.namespace})",
                  style=style, markup=False)
        if change.diff:
            out.print(change.diff, markup=False)


def _stores_missing(preflight: Preflight) -> dict[str, Any] | None:
    """``secrets_not_connected`` of the JSON contract: the secret stores the release's
    ExternalSecrets use but does not render (None when there are none)."""
    missing = stores_not_rendered(preflight.manifests)
    if not missing:
        return None
    waiting = sum(m.get("kind") == "ExternalSecret" for m in preflight.manifests)
    return {"stores": [{"kind": kind, "name": name} for kind, name in missing],
            "external_secrets": waiting, "message": missing_stores_line(missing, waiting)}


def dry_run_json(preflight: Preflight, check: ServerCheck,
                 changes: Sequence[ObjectChange] | None,
                 command: list[str] | None,
                 recreate: Sequence[str] = ()) -> dict[str, Any]:
    """The ``deploy --dry-run --format json`` contract (docs/json-output.md)."""
    target = preflight.target
    return document("deploy", {
        "environment": preflight.request.environment,
        "release": target.release,
        "namespace": target.namespace,
        "kube_context": target.kube_context,
        "production": preflight.production,
        "chart": str(preflight.chart),
        "value_files": [str(path) for path in preflight.value_files],
        "secrets_not_connected": _stores_missing(preflight),
        "migration_order": {"order": list(preflight.order.order),
                            "position": preflight.order.position,
                            "description": preflight.order.describe()},
        "objects": [{"api_version": o.api_version, "kind": o.kind, "name": o.name,
                     "namespace": o.namespace, "source": o.source}
                    for o in sorted(preflight.objects, key=lambda o: (o.kind, o.namespace,
                                                                     o.name))],
        "policy": [{"rule": v.rule, "severity": str(v.severity), "kind": v.kind,
                    "name": v.name, "path": v.path, "message": v.message}
                   for v in preflight.policy],
        "server_check": {
            "server": check.server or None, "skipped": check.skipped, "accepted": check.accepted,
            "rejections": [{"kind": r.kind, "name": r.name, "field": r.field,
                            "message": r.message} for r in check.rejections],
            "notes": list(check.notes),
        },
        "changes": None if changes is None else [
            {"change": c.change, "kind": c.kind, "namespace": c.namespace, "name": c.name,
             "diff": c.diff} for c in changes if c.change != "unchanged"],
        "recreate_statefulsets": [
            {"kind": "StatefulSet", "name": name, "namespace": target.namespace,
             "propagation_policy": PROPAGATION} for name in recreate],
        "would_run": command,
    })


@app.command("deploy")
def deploy_command(
    env: EnvOption,
    directory: DirOption = _DEFAULT_DIR,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Print what would be installed; no cluster needed (when one is "
            "reachable, its API server also dry-runs every object).",
        ),
    ] = False,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff",
            help="Show the changes: against the live objects when a cluster is "
            "reachable, else against the deployed release.",
        ),
    ] = False,
    timeout: TimeoutOption = 300,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Wait until the release is ready.")
    ] = True,
    kube_context: ContextOption = None,
    namespace: NamespaceOption = None,
    release: ReleaseOption = None,
    create_namespace: Annotated[
        bool, typer.Option("--create-namespace", help="Create the namespace when missing.")
    ] = False,
    plan: PlanOption = None,
    kube_version: Annotated[
        str, typer.Option("--kube-version", help="Kubernetes schemas of the pre-flight.")
    ] = "1.31",
    fail_on_policy: Annotated[
        str | None,
        typer.Option("--fail-on-policy", metavar="SEVERITY",
                     help="Stop when a POL rule fails at or above this severity "
                     "(low, medium, high, critical); default: report only."),
    ] = None,
    recreate: RecreateOption = False,
    yes: YesOption = False,
    output_format: Annotated[
        str, typer.Option("--format", help="With --dry-run: text, or json (the documented "
                          "contract, docs/json-output.md) on stdout.")
    ] = "text",
) -> None:
    """Pre-flight (render, validate, policies, migration order) then `helm upgrade --install`
    of DIR/chart with values.yaml + values-ENV.yaml, rolling back on failure."""
    if output_format not in {"text", "json"}:
        raise UsageError(f"unknown format {output_format!r}; expected text or json")
    if output_format == "json" and not dry_run:
        raise UsageError("--format json describes a dry run: add --dry-run")
    try:
        threshold = Severity.parse(fail_on_policy) if fail_on_policy else None
    except ValueError as exc:
        raise UsageError(f"--fail-on-policy: {exc}") from None
    request = DeployRequest(
        directory=directory,
        environment=env,
        namespace=namespace,
        kube_context=kube_context,
        release=release,
        plan=plan,
        kube_version=kube_version,
        options=UpgradeOptions(
            timeout=timeout, wait=wait, rollback_on_failure=True,
            create_namespace=create_namespace,
        ),
        fail_on_policy=threshold,
    )
    with err.status("pre-flight…") as status:
        preflight = prepare_deploy(request, progress=status.update)
    missing = stores_not_rendered(preflight.manifests)
    if missing:
        # First line of the output: without a store no ExternalSecret ever becomes a Secret.
        waiting = sum(m.get("kind") == "ExternalSecret" for m in preflight.manifests)
        for line in diagnostic_lines(missing_stores_line(missing, waiting)):
            err.print(line, style="bold yellow", markup=False)
    err.print(f"rendered {len(preflight.objects)} objects; Kubernetes and CRD schemas, API "
              "server rules: all valid", style="green", markup=False)
    _print_policy(preflight)
    crds = missing_prerequisites(preflight)
    if crds:
        # Before Helm runs: without the CRDs it fails halfway, with a message about one object.
        raise MissingPrerequisite(missing_crds_line(crds))
    with err.status("server-side dry run…"):
        check = server_side_check(preflight, with_diff=diff)
    _print_server_check(check)
    to_recreate = statefulsets_to_recreate(check, preflight.target.namespace, recreate, "deploy")
    live_diff = diff and check.skipped is None
    if live_diff and output_format == "text":
        _print_live_diff(check)
    if dry_run:
        client = select_helm_client()
        command = (client.upgrade_command(preflight.target, preflight.chart,
                                          preflight.value_files, request.options)
                   if isinstance(client, BinaryHelmClient) else None)
        if output_format == "json":
            changes = (check.changes if live_diff else
                       diff_release(preflight, deployed_release(preflight, client)) if diff
                       else None)
            write_document(dumps(dry_run_json(preflight, check, changes, command,
                                              to_recreate)))
            return
        for name in to_recreate:
            _say_recreate(deletion_line(name, preflight.target.namespace, would=True))
        _print_order(preflight, None)
        _print_objects(preflight)
        if command is not None:
            out.print("would run: " + " ".join(command), markup=False)
        if diff and not live_diff:
            _print_diff(preflight, client)
        return
    client = select_helm_client()
    _print_order(preflight, client)
    if diff and not live_diff:
        _print_diff(preflight, client)
    if preflight.production:
        confirm_production("deploy", preflight.target, env, yes)
    if to_recreate:
        recreate_statefulsets(preflight.target, to_recreate, _say_recreate)
    with err.status(f"helm upgrade --install {preflight.target.release} "
                    f"({preflight.target.describe()})…"):
        info = execute_deploy(preflight, client)
    out.print(f"release {info.name} revision {info.revision} in namespace {info.namespace}: "
              f"{info.status} ({info.chart})", markup=False)


@app.command("status")
def status_command(
    env: EnvOption,
    directory: DirOption = _DEFAULT_DIR,
    kube_context: ContextOption = None,
    namespace: NamespaceOption = None,
    release: ReleaseOption = None,
    plan: PlanOption = None,
) -> None:
    """The release of an environment as Helm reports it, with its revision history."""
    target, _ = environment_target(
        directory, env, namespace=namespace, kube_context=kube_context, release=release,
        plan=plan,
    )
    state = release_state(target, select_helm_client())
    info = state.release
    out.print(f"release {info.name} in {target.describe()}: {info.status}, revision "
              f"{info.revision} ({info.chart}){', ' + info.updated if info.updated else ''}",
              markup=False)
    table = Table(show_edge=False)
    for column in ("revision", "status", "chart", "updated", "description"):
        table.add_column(column)
    for row in sorted(state.history, key=lambda r: r.revision):
        table.add_row(str(row.revision), row.status, row.chart, row.updated, row.description)
    out.print(table)


@app.command("rollback")
def rollback_command(
    env: EnvOption,
    directory: DirOption = _DEFAULT_DIR,
    revision: Annotated[
        int | None, typer.Option("--revision", help="Revision to return to (default: previous).")
    ] = None,
    timeout: TimeoutOption = 300,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Wait for the rollback.")] = True,
    kube_context: ContextOption = None,
    namespace: NamespaceOption = None,
    release: ReleaseOption = None,
    plan: PlanOption = None,
    recreate: RecreateOption = False,
    yes: YesOption = False,
) -> None:
    """Roll the environment's release back through Helm (to --revision, else the previous).
    The revision's objects are first dry-run on the cluster, as deploy does."""
    target, production = environment_target(
        directory, env, namespace=namespace, kube_context=kube_context, release=release,
        plan=plan,
    )
    if production:
        # Asked first, as before the check existed: without a terminal it refuses at once.
        confirm_production("roll back", target, env, yes)
    client = select_helm_client()
    back_to = rollback_revision(target, client, revision)
    with err.status(f"server-side dry run of revision {back_to}…"):
        check = rollback_server_check(target, client, back_to)
    _print_server_check(check)
    to_recreate = statefulsets_to_recreate(check, target.namespace, recreate, "rollback")
    if to_recreate:
        recreate_statefulsets(target, to_recreate, _say_recreate)
    with err.status(f"helm rollback {target.release} ({target.describe()})…"):
        info = rollback_release(target, client, revision, timeout=timeout, wait=wait)
    out.print(f"release {info.name} rolled back: now revision {info.revision}, {info.status}",
              markup=False)
