"""Use case: deploy one environment of a converted output through Helm, safely.

Pipeline: pre-flight (render the chart for the environment with the real Helm engine,
validate every object against the Kubernetes schemas and kubealign's CRD schemas, run the
POL rules (reported; blocking from ``fail_on_policy`` up), and place the environment in the
plan's migration order) ->
``helm upgrade --install`` with rollback on failure and a wait -> the release as Helm stored
it. ``prepare_deploy`` needs no cluster, so ``--dry-run`` and ``--diff`` start from it; the
CLI asks for confirmation between the two steps for production environments.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kubealign.actions.validate import chart_environments, find_chart
from kubealign.deploy.helm_adapter import (
    HelmClient,
    HelmDeployError,
    ReleaseInfo,
    ReleaseRevision,
    Target,
    UpgradeOptions,
)
from kubealign.deploy.kube_api import ClusterUnavailable, KubeApi
from kubealign.deploy.prerequisites import missing_crds
from kubealign.deploy.recreate import delete_orphaning, recreate_plan
from kubealign.deploy.server_check import ObjectChange, ServerCheck, server_check
from kubealign.errors import DeployError, HelmError, PlanError, UsageError, ValidationFailed
from kubealign.load.yaml_safe import load_yaml_file
from kubealign.model.findings import Severity
from kubealign.transform.naming import dns_label
from kubealign.validate.checks import SourcedObject, default_checks, run_checks
from kubealign.validate.helm import render_chart
from kubealign.validate.policies import PolicyViolation, check_policies
from kubealign.validate.results import ObjectResult
from kubealign.validate.schemas import DEFAULT_KUBE_VERSION, resolve_version

PLAN_FILE = "kubealign.yaml"
PRODUCTION_NAMES = frozenset({"prod", "production", "prd", "live"})
_BASE_VALUES = ("values.yaml", "values.yml")


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True, slots=True)
class PlanEnvironment:
    """What deploy needs to know about one environment of the plan."""

    name: str
    namespace: str | None = None
    production: bool = False
    kube_context: str | None = None


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """The parts of ``kubealign.yaml`` deploy uses; everything else is ignored."""

    path: Path | None = None
    release: str | None = None
    environments: Mapping[str, PlanEnvironment] | None = None
    migration_order: tuple[str, ...] = ()
    namespace: str | None = None
    """The plan-wide namespace: environments without their own get ``<namespace>-<env>``."""

    def environment(self, name: str) -> PlanEnvironment | None:
        return (self.environments or {}).get(name)

    def namespace_of(self, name: str) -> str | None:
        entry = self.environment(name)
        if entry is not None and entry.namespace:
            return entry.namespace
        if self.namespace and entry is not None:
            return dns_label(f"{self.namespace}-{name}")
        return None


def find_plan(directory: Path, explicit: Path | None = None) -> Path | None:
    """``explicit``, else ``DIR/kubealign.yaml``, else the one next to ``DIR``."""
    if explicit is not None:
        if not explicit.is_file():
            raise UsageError(f"{explicit}: plan file not found")
        return explicit
    for candidate in (directory / PLAN_FILE, directory.parent / PLAN_FILE):
        if candidate.is_file():
            return candidate
    return None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _truthy_production(name: str, entry: Mapping[str, Any]) -> bool:
    # Accept the spellings a hand-edited plan is likely to use.
    for key in ("production", "protected", "confirm"):
        if isinstance(entry.get(key), bool):
            return bool(entry[key])
    tier = _text(entry.get("tier")) or _text(entry.get("stage")) or _text(entry.get("kind"))
    return (tier or "").lower() in PRODUCTION_NAMES or name.lower() in PRODUCTION_NAMES


def _plan_environment(name: str, entry: Any) -> PlanEnvironment:
    entry = entry if isinstance(entry, Mapping) else {}
    cluster = entry.get("cluster") if isinstance(entry.get("cluster"), Mapping) else {}
    return PlanEnvironment(
        name=name,
        namespace=_text(entry.get("namespace")) or _text(cluster.get("namespace")),
        production=_truthy_production(name, entry),
        kube_context=_text(entry.get("kube_context"))
        or _text(entry.get("kubeContext"))
        or _text(entry.get("context"))
        or _text(cluster.get("context")),
    )


def _environment_entries(raw: Any) -> list[tuple[str, Any]]:
    """Environments as a mapping (name -> entry) or a list of entries with ``name``."""
    if isinstance(raw, Mapping):
        return [(str(name), entry) for name, entry in raw.items()]
    if isinstance(raw, list):
        return [
            (str(entry["name"]), entry)
            for entry in raw
            if isinstance(entry, Mapping) and _text(entry.get("name"))
        ]
    return []


def _migration_order(data: Mapping[str, Any]) -> tuple[str, ...]:
    raw: Any = data.get("migration_order", data.get("migrationOrder"))
    migration = data.get("migration")
    if raw is None and isinstance(migration, Mapping):
        raw = migration.get("order")
    if raw is None and isinstance(migration, list):
        raw = migration
    if isinstance(raw, list):
        return tuple(str(item) for item in raw if isinstance(item, str | int))
    # No explicit order: an ``order:`` number on each environment, when the plan has them.
    entries = _environment_entries(data.get("environments"))
    ordered = [
        (entry["order"], name)
        for name, entry in entries
        if isinstance(entry, Mapping) and isinstance(entry.get("order"), int)
    ]
    return tuple(name for _, name in sorted(ordered)) if ordered else ()


def read_plan(path: Path) -> PlanFacts:
    """Read the plan defensively: unknown keys are ignored, a wrong shape is a PlanError."""
    data = load_yaml_file(path).data
    if data is None:
        return PlanFacts(path=path, environments={})
    if not isinstance(data, Mapping):
        raise PlanError("expected a mapping at the top of the plan", path=path, line=1)
    environments = {
        name: _plan_environment(name, entry)
        for name, entry in _environment_entries(data.get("environments"))
    }
    release = _text(data.get("release"))
    chart = data.get("chart")
    if release is None and isinstance(chart, Mapping):
        release = _text(chart.get("release")) or _text(chart.get("name"))
    order = _migration_order(data)
    return PlanFacts(path, release, environments, order, _text(data.get("namespace")))


# --------------------------------------------------------------------------- pre-flight


@dataclass(frozen=True, slots=True)
class DeployRequest:
    directory: Path
    environment: str
    namespace: str | None = None
    kube_context: str | None = None
    release: str | None = None
    plan: Path | None = None
    kube_version: str = DEFAULT_KUBE_VERSION
    options: UpgradeOptions = field(default_factory=UpgradeOptions)
    fail_on_policy: Severity | None = None
    """POL violations at or above this severity stop the deploy (None: report only)."""


@dataclass(frozen=True, slots=True)
class PlannedObject:
    kind: str
    name: str
    namespace: str
    api_version: str
    source: str


@dataclass(frozen=True, slots=True)
class OrderCheck:
    """Where the environment stands in the plan's migration order."""

    order: tuple[str, ...]
    position: int | None  # 1-based; None when the environment is not in the order

    @property
    def earlier(self) -> tuple[str, ...]:
        return self.order[: self.position - 1] if self.position else ()

    def describe(self) -> str:
        if not self.order:
            return "no migration order in the plan"
        chain = " -> ".join(self.order)
        if self.position is None:
            return f"not in the plan's migration order ({chain})"
        return f"step {self.position} of {len(self.order)} in the migration order ({chain})"


@dataclass(frozen=True, slots=True)
class Preflight:
    """Everything known before touching a cluster."""

    request: DeployRequest
    chart: Path
    value_files: tuple[Path, ...]
    target: Target
    production: bool
    plan: PlanFacts
    order: OrderCheck
    objects: tuple[PlannedObject, ...]
    manifests: tuple[dict[str, Any], ...]
    results: tuple[ObjectResult, ...]
    checks: tuple[str, ...]
    policy: tuple[PolicyViolation, ...] = ()

    @property
    def invalid(self) -> tuple[ObjectResult, ...]:
        return tuple(r for r in self.results if r.violations)

    def blocking_policy(self) -> tuple[PolicyViolation, ...]:
        threshold = self.request.fail_on_policy
        if threshold is None:
            return ()
        return tuple(v for v in self.policy if v.severity >= threshold)


def is_production(environment: str, plan: PlanFacts) -> bool:
    entry = plan.environment(environment)
    return environment.lower() in PRODUCTION_NAMES or (entry is not None and entry.production)


def _chart_name(chart: Path) -> str | None:
    try:
        data = yaml.safe_load((chart / "Chart.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    return _text(data.get("name")) if isinstance(data, Mapping) else None


def similar_names(typed: str, names: Iterable[str], limit: int = 3) -> list[str]:
    """Names a mistyped environment probably meant: those containing what was typed
    (``production`` -> ``root-production``), then close spellings (``prodution``)."""
    known = sorted(names)
    containing = [n for n in known if typed.lower() in n.lower()]
    close = difflib.get_close_matches(typed, known, n=limit, cutoff=0.75)
    return list(dict.fromkeys([*containing, *close]))[:limit]


def value_files_for(chart: Path, environment: str) -> tuple[Path, ...]:
    overlays = chart_environments(chart)
    if environment not in overlays:
        names = ", ".join(overlays) or "none"
        near = similar_names(environment, overlays)
        hint = f" (did you mean {' or '.join(near)}?)" if near else ""
        raise UsageError(
            f"no values-{environment}.yaml in {chart}; environments available: {names}{hint}"
        )
    base = [chart / name for name in _BASE_VALUES if (chart / name).is_file()][:1]
    return (*base, overlays[environment])


def deploy_target(request: DeployRequest, chart: Path, plan: PlanFacts) -> Target:
    """Explicit options win, then the plan, then safe defaults (namespace = the env name)."""
    entry = plan.environment(request.environment)
    release = request.release or plan.release or _chart_name(chart) or chart.parent.name
    namespace = request.namespace or plan.namespace_of(request.environment)
    return Target(
        release=dns_label(release, limit=53),
        namespace=namespace or dns_label(request.environment),
        kube_context=request.kube_context or (entry.kube_context if entry else None),
    )


def _planned(obj: Mapping[str, Any], source: str, namespace: str) -> PlannedObject:
    raw = obj.get("metadata")
    metadata: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    return PlannedObject(
        kind=str(obj.get("kind") or "?"),
        name=str(metadata.get("name") or "?"),
        namespace=str(metadata.get("namespace") or namespace),
        api_version=str(obj.get("apiVersion") or ""),
        source=source,
    )


def prepare_deploy(
    request: DeployRequest,
    *,
    progress: Callable[[str], None] = lambda _: None,
) -> Preflight:
    """Render and validate the environment; raise before any cluster call when it is unfit.

    A values file that violates ``values.schema.json`` raises ``HelmError`` (exit 2) with
    Helm's message naming the key; invalid objects raise ``ValidationFailed`` (exit 1).
    """
    chart = find_chart(request.directory)
    value_files = value_files_for(chart, request.environment)
    plan_path = find_plan(request.directory, request.plan)
    plan = read_plan(plan_path) if plan_path else PlanFacts(environments={})
    target = deploy_target(request, chart, plan)
    version = resolve_version(request.kube_version)
    progress(f"rendering {chart} with {', '.join(p.name for p in value_files)}")
    try:
        rendered = render_chart(
            chart,
            value_files,
            release=target.release,
            namespace=target.namespace,
            kube_version=version,
        )
    except HelmError as exc:
        # Name the files Helm read: its message names the key but not where it was set.
        files = " + ".join(p.name for p in value_files)
        raise HelmError(f"{files}: {exc.message}", path=exc.path) from None
    objects = tuple(
        _planned(obj, origin, target.namespace)
        for obj, origin in zip(rendered.objects, rendered.origins, strict=True)
    )
    progress(f"rendered {len(objects)} objects")
    checks = default_checks(version)
    results = run_checks(
        (
            SourcedObject(obj, origin, document, request.environment)
            for obj, origin, document in zip(
                rendered.objects, rendered.origins, rendered.documents, strict=True
            )
        ),
        checks,
        rendered.texts,
    )
    order = OrderCheck(
        plan.migration_order,
        plan.migration_order.index(request.environment) + 1
        if request.environment in plan.migration_order
        else None,
    )
    preflight = Preflight(
        request=request,
        chart=chart,
        value_files=value_files,
        target=target,
        production=is_production(request.environment, plan),
        plan=plan,
        order=order,
        objects=objects,
        manifests=tuple(rendered.objects),
        results=tuple(results),
        checks=(*dict.fromkeys(check.name for check in checks), "POL rules"),
        policy=tuple(check_policies(rendered.objects)),
    )
    if preflight.invalid:
        first = preflight.invalid[0]
        violation = first.violations[0]
        where = f"{first.ref.source}:{violation.line}" if violation.line else first.ref.source
        raise ValidationFailed(
            f"pre-flight failed: {len(preflight.invalid)} invalid object(s); first: "
            f"{first.ref.label()} ({where}) {violation.where}: {violation.message}"
        )
    blocking = preflight.blocking_policy()
    if blocking:
        rule = blocking[0]
        raise ValidationFailed(
            f"pre-flight failed: {len(blocking)} policy violation(s) at or above "
            f"{request.fail_on_policy}; first: {rule.rule} [{rule.severity}] "
            f"{rule.kind}/{rule.name}: {rule.path}: {rule.message}"
        )
    progress(f"validated {len(results)} objects ({', '.join(preflight.checks)})")
    return preflight


# --------------------------------------------------------------------------- cluster steps


@dataclass(frozen=True, slots=True)
class EarlierEnvironment:
    name: str
    state: str  # "deployed (revision N)", "not deployed", "unknown: <reason>"

    @property
    def deployed(self) -> bool:
        return self.state.startswith("deployed")


def check_migration_order(preflight: Preflight, client: HelmClient) -> list[EarlierEnvironment]:
    """The release state of every environment the plan migrates before this one."""
    states: list[EarlierEnvironment] = []
    for name in preflight.order.earlier:
        entry = preflight.plan.environment(name)
        target = Target(
            release=preflight.target.release,
            namespace=preflight.plan.namespace_of(name) or dns_label(name),
            kube_context=(entry.kube_context if entry else None)
            or preflight.target.kube_context,
        )
        try:
            info = client.status(target)
        except HelmDeployError as exc:
            state = "not deployed" if exc.reason == "not-found" else f"unknown: {exc.reason}"
            states.append(EarlierEnvironment(name, state))
            continue
        states.append(EarlierEnvironment(name, f"{info.status} (revision {info.revision})"))
    return states


def execute_deploy(preflight: Preflight, client: HelmClient) -> ReleaseInfo:
    """``helm upgrade --install`` of the checked chart with the environment's values."""
    return client.upgrade_install(
        preflight.target, preflight.chart, preflight.value_files, preflight.request.options
    )


# --------------------------------------------------------------------------- server side


def server_side_check(preflight: Preflight, *, with_diff: bool = False) -> ServerCheck:
    """The rendered objects dry-run on the target cluster (skipped when none is reachable)."""
    return server_check(
        preflight.manifests,
        preflight.target.namespace,
        kube_context=preflight.target.kube_context,
        with_diff=with_diff,
    )


def missing_prerequisites(preflight: Preflight) -> tuple[str, ...]:
    """External Secrets CRDs the target cluster does not serve; ``()`` when it serves them or
    no cluster answers (the server-side check then says it was skipped)."""
    try:
        api = KubeApi.connect(None, preflight.target.kube_context)
        return missing_crds(preflight.manifests,
                            lambda api_version, kind: api.resource(api_version, kind) is not None)
    except ClusterUnavailable:
        return ()


def rejected(check: ServerCheck, namespace: str, command: str = "deploy") -> ValidationFailed:
    """The deploy-stopping error for what the API server refused, first refusal named, and
    what to do when the refusal is a StatefulSet field that never changes in place.
    ``command`` is the kubealign command to run again (``deploy`` or ``rollback``)."""
    first = check.rejections[0]
    message = (f"the API server ({check.server}) refuses {len(check.rejections)} field(s) of "
               f"the rendered objects; first: {first.describe()}")
    fixed = sorted({r.name for r in check.rejections if r.immutable_statefulset})
    if fixed:
        # Helm cannot replace a StatefulSet either; the usual way is to delete the object but
        # not its claims, then its pods (an adopted pod never takes the new claim templates:
        # deploy/recreate.py), so the upgrade creates both anew on the same claims.
        commands = "; ".join(f"kubectl delete statefulset {name} -n {namespace} "
                             "--cascade=orphan" for name in fixed)
        option = (f"or run kubealign {command} again with --recreate-statefulsets, which does "
                  "that through the API" if recreate_plan(check.rejections).names else
                  "(--recreate-statefulsets does that once the other refusals are fixed)")
        message += (f". StatefulSet {', '.join(fixed)}: the new values change fields a "
                    "StatefulSet never changes in place (volumeClaimTemplates, selector, "
                    "serviceName); delete the object but keep its claims ("
                    f"{commands}), then its pods, then {command} again, {option}: new pods "
                    "mount their claims again and those of the new template, the old claims "
                    "stay until you delete them")
    return ValidationFailed(message)


def recreate_statefulsets(target: Target, names: tuple[str, ...],
                          say: Callable[[str], None]) -> None:
    """Delete ``names`` in the target namespace with Orphan propagation, each one said."""
    try:
        api = KubeApi.connect(None, target.kube_context)
    except ClusterUnavailable as exc:
        raise DeployError(f"cannot recreate StatefulSet {', '.join(names)}: {exc}") from None
    delete_orphaning(api, target.namespace, names, say=say)


def rollback_revision(target: Target, client: HelmClient, revision: int | None) -> int:
    """The revision a rollback returns to: ``revision``, else the one before the current
    (what ``helm rollback`` picks)."""
    if revision is not None:
        if revision < 1:
            raise UsageError(f"--revision {revision}: revisions start at 1")
        return revision
    current = client.status(target).revision
    if current < 2:
        raise UsageError(f"release {target.release!r} has only revision {current}: nothing to "
                         "roll back to (expected --revision N of an earlier revision)")
    return current - 1


def rollback_server_check(target: Target, client: HelmClient, revision: int) -> ServerCheck:
    """The objects of ``revision`` dry-run on the cluster, as the rollback would apply them:
    going back meets the same StatefulSet refusals as the upgrade did."""
    try:
        manifest = client.status(target, revision=revision).manifest
    except HelmDeployError as exc:
        if exc.reason != "not-found":
            raise
        raise UsageError(f"--revision {revision}: release {target.release!r} has no such "
                         f"revision in {target.describe()} (kubealign status lists them)"
                         ) from None
    return server_check(_documents(manifest), target.namespace,
                        kube_context=target.kube_context)


# --------------------------------------------------------------------------- diff


def _object_key(obj: Mapping[str, Any], namespace: str) -> tuple[str, str, str]:
    planned = _planned(obj, "", namespace)
    return (planned.kind, planned.namespace, planned.name)


def _documents(manifest: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(manifest) if isinstance(doc, dict)]


def diff_release(preflight: Preflight, deployed: ReleaseInfo | None) -> list[ObjectChange]:
    """What the deploy would change, object by object, against the deployed manifest."""
    namespace = preflight.target.namespace
    old = {_object_key(d, namespace): d for d in _documents(deployed.manifest if deployed else "")}
    new = {_object_key(d, namespace): d for d in preflight.manifests}
    changes: list[ObjectChange] = []
    for key in sorted(old.keys() | new.keys()):
        if key not in old:
            changes.append(ObjectChange("added", *key))
        elif key not in new:
            changes.append(ObjectChange("removed", *key))
        elif old[key] != new[key]:
            before = yaml.safe_dump(old[key], sort_keys=True).splitlines()
            after = yaml.safe_dump(new[key], sort_keys=True).splitlines()
            label = f"{key[0]}/{key[2]}"
            text = "\n".join(
                difflib.unified_diff(
                    before, after, f"deployed {label}", f"new {label}", lineterm=""
                )
            )
            changes.append(ObjectChange("changed", *key, diff=text))
    return changes


def deployed_release(preflight: Preflight, client: HelmClient) -> ReleaseInfo | None:
    """The release in the cluster, ``None`` when it was never installed."""
    try:
        return client.status(preflight.target)
    except HelmDeployError as exc:
        if exc.reason == "not-found":
            return None
        raise


# --------------------------------------------------------------------------- status, rollback


@dataclass(frozen=True, slots=True)
class ReleaseState:
    target: Target
    release: ReleaseInfo
    history: tuple[ReleaseRevision, ...]


def environment_target(
    directory: Path,
    environment: str,
    *,
    namespace: str | None = None,
    kube_context: str | None = None,
    release: str | None = None,
    plan: Path | None = None,
) -> tuple[Target, bool]:
    """The release target of an environment and whether it is production (no rendering)."""
    chart = find_chart(directory)
    plan_path = find_plan(directory, plan)
    facts = read_plan(plan_path) if plan_path else PlanFacts(environments={})
    request = DeployRequest(
        directory, environment, namespace=namespace, kube_context=kube_context, release=release
    )
    return deploy_target(request, chart, facts), is_production(environment, facts)


def release_state(target: Target, client: HelmClient) -> ReleaseState:
    return ReleaseState(target, client.status(target), tuple(client.history(target)))


def rollback_release(
    target: Target, client: HelmClient, revision: int | None, *, timeout: int, wait: bool
) -> ReleaseInfo:
    """Roll back (to ``revision``, else the previous one) and return the release afterwards."""
    if revision is not None and revision < 1:
        raise UsageError(f"--revision {revision}: revisions start at 1")
    client.rollback(target, revision, timeout=timeout, wait=wait)
    return client.status(target)
