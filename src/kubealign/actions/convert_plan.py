"""Use case: convert every environment of a plan into one chart, a base and overlays.

Pipeline: read the plan (every named file checked) -> per environment: load its compose
files, give matched services their canonical names, convert, write the GPU pools in ->
consolidate (base = the base environment, overlays = differences) and check the law ->
write chart/values.yaml, chart/values-<env>.yaml, environments.md, conversion/<env>.md|json,
gitops/, cluster/, mesh/ -> render every environment with Helm, validate, compare with its
compose services, and (``prove``) render each variant alone and require identical manifests.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubealign.actions.cluster import cluster_files
from kubealign.actions.convert import chart_tree, default_values, with_boundary
from kubealign.actions.plan import load_plan, plan_root
from kubealign.actions.resolve import ResolveOptions, load_project
from kubealign.actions.secrets_settings import with_repository_secrets
from kubealign.emit.atomic import OutputSession, output_session, write_tree_atomic
from kubealign.emit.chart_readme import ChartEnvironment, chart_readme
from kubealign.emit.gitops_readme import gitops_readme
from kubealign.emit.ledger_report import ledger_json, ledger_markdown
from kubealign.emit.secrets_report import secrets_markdown
from kubealign.emit.values_yaml import dump_yaml, render_values
from kubealign.errors import ConvertError, HelmError, UsageError
from kubealign.load.boundary import ReadBoundary
from kubealign.model.compose import Project
from kubealign.model.findings import Finding, Severity
from kubealign.model.inventory import Inventory
from kubealign.model.plan import Environment, Plan, PlanSource
from kubealign.transform.cluster import apply_node_pools, environment_gpus_for_all
from kubealign.transform.consolidate import (
    Consolidation,
    consolidate,
    deep_merge,
    expected_merge,
)
from kubealign.transform.consolidate_report import environments_markdown
from kubealign.transform.convert import ConversionOptions, ConversionResult, convert_project
from kubealign.transform.gitops import (
    EnvironmentTarget,
    GitSource,
    KeelWorkload,
    application,
    application_set,
    image_updater,
)
from kubealign.transform.mesh import MESHES, virtual_services, with_linkerd
from kubealign.transform.node_preparation import node_preparation
from kubealign.transform.plan.codec import read_plan_file
from kubealign.transform.plan.rename import rename_services
from kubealign.transform.secrets.providers import SecretsSettings
from kubealign.transform.values_model import to_values
from kubealign.validate.checks import SourcedObject, default_checks, run_checks
from kubealign.validate.crds import crd_catalog
from kubealign.validate.helm import render_chart
from kubealign.validate.policies import policy_checks
from kubealign.validate.results import ObjectResult, Violation
from kubealign.validate.semantic import check_rendered

#: The two ways to hand the chart to Argo CD (``convert --gitops-form``), default first.
GITOPS_FORMS = ("applicationset", "applications")


@dataclass(frozen=True, slots=True)
class PlanConvertRequest:
    out: Path
    plan: Path
    repo_url: str | None = None
    revision: str | None = None
    chart_path: str | None = None
    mesh: str | None = None
    environ: Mapping[str, str] | None = None  # None: the process environment
    options: ConversionOptions = field(default_factory=ConversionOptions)
    render: bool = True
    prove: bool = True
    """Render each variant alone too and require the same manifests as base + overlay."""
    kube_version: str = "1.31"
    allow_paths: tuple[Path, ...] = ()
    """``--allow-path``: host paths outside the repository the user lets kubealign read."""
    policies: bool = False
    """Also run the POL rules on every rendered object (reported, never making it invalid)."""
    gitops_form: str = "applicationset"
    """``applicationset`` (one ApplicationSet) or ``applications`` (one Application per
    environment). Only one is written: both create Applications with the same names."""
    inventory: Inventory | None = None
    """The repository's inventory when the caller already walked it (migrate)."""


def is_policy(violation: Violation) -> bool:
    return violation.check.startswith("POL")


@dataclass(frozen=True, slots=True)
class EnvironmentOutcome:
    name: str
    namespace: str
    project: Project
    conversion: ConversionResult
    variant: dict[str, Any]
    """The values of converting this environment alone (chart defaults included)."""
    objects: tuple[dict[str, Any], ...] = ()
    schema_results: tuple[ObjectResult, ...] = ()
    semantic: tuple[Finding, ...] = ()
    proof: tuple[str, ...] | None = None
    """None: not proven; ``()``: base + overlay renders exactly what the variant renders."""
    render_error: str | None = None
    """Helm refused this environment (its message); the other environments still render."""

    @property
    def invalid(self) -> tuple[ObjectResult, ...]:
        """Objects with schema or CRD violations (POL findings are reported, not fatal)."""
        return tuple(r for r in self.schema_results
                     if any(not is_policy(v) for v in r.violations))


@dataclass(frozen=True, slots=True)
class PlanConvertOutcome:
    out: Path
    plan: Plan
    plan_path: str
    consolidation: Consolidation
    environments: tuple[EnvironmentOutcome, ...]
    files: tuple[str, ...]
    extra_objects: tuple[tuple[str, dict[str, Any]], ...]
    """(file, object) for gitops/ and mesh/ output."""
    extra_problems: tuple[str, ...]
    keel: tuple[KeelWorkload, ...]
    notes: tuple[str, ...]
    secrets: SecretsSettings | None = None
    """The secret-provider settings every environment was converted with."""

    @property
    def failed(self) -> bool:
        return bool(self.extra_problems) or any(
            e.invalid or e.semantic or e.proof or e.render_error for e in self.environments)

    @property
    def refused(self) -> tuple[EnvironmentOutcome, ...]:
        """The environments Helm refused to render (their ``render_error`` says why)."""
        return tuple(env for env in self.environments if env.render_error)


# --------------------------------------------------------------------------- conversion


def _in_migration_order(plan: Plan) -> list[Environment]:
    """The plan's environments, those of its migration order first, in that order."""
    order = {name: index for index, name in enumerate(plan.migration_order)}
    return sorted(plan.environments, key=lambda env: order.get(env.name, len(order)))


def _environ(request: PlanConvertRequest) -> Mapping[str, str]:
    return dict(os.environ) if request.environ is None else request.environ


def plan_boundary(root: Path, request: PlanConvertRequest) -> ReadBoundary:
    """A plan's files are the repository's, not the user's: all must stay inside it."""
    return ReadBoundary.for_project(root, allow=request.allow_paths)


def _load(root: Path, files: Sequence[str], directory: str, env_files: Sequence[str],
          profiles: Sequence[str], environ: Mapping[str, str], boundary: ReadBoundary
          ) -> tuple[Project, list[Finding]]:
    return load_project(ResolveOptions(
        files=tuple(root / f for f in files), project_directory=root / directory,
        env_files=tuple(root / e for e in env_files), profiles=tuple(profiles),
        environ=environ, boundary=boundary, tolerant=True, keep_inactive=True))


def convert_environment(source: PlanSource, root: Path, env: Environment,
                        request: PlanConvertRequest) -> tuple[Project, ConversionResult,
                                                              dict[str, Any]]:
    """One environment alone: its project (canonical names), conversion and plain values."""
    plan = source.plan
    environ = _environ(request)
    boundary = plan_boundary(root, request)
    project, warnings = _load(root, env.files, env.project_directory, env.env_files,
                              env.profiles, environ, boundary)
    project = rename_services(project, plan.renames(env.name), plan_path=source.path)
    options = dataclasses.replace(
        with_boundary(request.options, boundary), release=plan.release,
        gpu_count_for_all=env.gpus_for_all or request.options.gpu_count_for_all,
        gpus_for_all=environment_gpus_for_all(plan, env, project.service_names))
    result = convert_project(project, options)
    if warnings:
        result = dataclasses.replace(result, findings=tuple(warnings) + result.findings)
    values = deep_merge(default_values(), to_values(result.values))
    folded: list[Finding] = []
    for component in plan.components:
        if not component.folds_into(env.name):
            continue
        comp_project, comp_warnings = _load(root, (component.file,),
                                            component.project_directory, (), (), environ,
                                            boundary)
        values, clashes = fold_component(
            values, to_values(convert_project(comp_project, options).values), component.file,
            env.name)
        folded += [*comp_warnings, *clashes]
    if folded:
        result = dataclasses.replace(result, findings=result.findings + tuple(folded))
    values = apply_node_pools(values, plan, env)
    if request.mesh == "linkerd":
        values = with_linkerd(values)
    return project, result, values


def fold_component(values: dict[str, Any], component: Mapping[str, Any], file: str,
                   env: str) -> tuple[dict[str, Any], list[Finding]]:
    """``values`` with the component's services added. A service both define is one service:
    an identical definition is simply shared; a different one keeps the environment's own
    definition and is reported (every clash at once), never fatal."""
    out = dict(values)
    clashes: list[Finding] = []
    for section in ("services", "externalSecrets"):
        mine = dict(out.get(section) or {})
        for key, value in (component.get(section) or {}).items():
            if key not in mine:
                mine[key] = value
            elif mine[key] != value:
                clashes.append(Finding(
                    rule="PLAN001", severity=Severity.MEDIUM, category="plan", path=file,
                    message=f"{section}.{key} is defined both by environment {env!r} and by "
                    f"the component {file}, differently; the environment's own definition is "
                    "kept",
                    fix="list the component under only the environments it belongs to "
                        "(`components[].environments` in kubealign.yaml), or rename one"))
        if mine:
            out[section] = dict(sorted(mine.items()))
    return out, clashes


def convert_plan(request: PlanConvertRequest, *, session: OutputSession | None = None,
                 checkpoint: Callable[[], None] = lambda: None) -> PlanConvertOutcome:
    """Convert every environment; all or nothing into ``request.out``.

    Without ``session`` the output is staged and committed here once every environment
    rendered. With one (migrate), the files are staged into it and the caller commits;
    ``checkpoint`` (migrate: ``session.commit``) is called each time a part is complete (an
    environment's conversion report, then the chart with its values), so a later failure
    keeps it.
    """
    if session is not None:
        return _convert_plan(request, session, checkpoint)
    # The repository the plan names (its `root`) and the plan's own folder must survive.
    repository = plan_root(request.plan, read_plan_file(request.plan).plan)
    with output_session(request.out, protect=[repository, request.plan.parent]) as own:
        outcome = _convert_plan(request, own, lambda: None)
        own.commit()
    return outcome


def _convert_plan(request: PlanConvertRequest, session: OutputSession,
                  checkpoint: Callable[[], None]) -> PlanConvertOutcome:
    if request.mesh is not None and request.mesh not in MESHES:
        raise UsageError(f"--mesh {request.mesh!r}: expected one of {', '.join(MESHES)}")
    source, root = load_plan(request.plan)
    plan = source.plan
    request = dataclasses.replace(request, options=with_repository_secrets(request.options,
                                                                           Path(root)))
    converted: dict[str, tuple[Project, ConversionResult, dict[str, Any]]] = {}
    for env in plan.environments:
        converted[env.name] = convert_environment(source, root, env, request)
        session.write_files(_ledger_files(plan, env.name, converted[env.name][1], root))
        checkpoint()
    variants = {name: values for name, (_, _, values) in converted.items()}
    result = consolidate(variants, prefer=plan.base)
    for name, values in variants.items():
        if result.merged(name) != expected_merge(values, result.base):
            raise ConvertError(f"consolidation of environment {name!r} does not reproduce its "
                               "values: a kubealign defect, please report it")
    files = chart_tree(plan.release)
    files.update(_values_files(plan, source.path, result, converted))
    files["environments.md"] = environments_markdown(plan.release, variants, result,
                                                     plan.migration_order, plan.base)
    for name, (_, conversion, _) in converted.items():
        files.update(_ledger_files(plan, name, conversion, root))
    requirements = [r for (_, conversion, _) in converted.values() for r in conversion.secrets]
    files["secrets.md"] = secrets_markdown(
        requirements, dict.fromkeys(converted, request.options.secrets),
        title=f"{plan.release}", root=str(root))
    projects = {n: p for n, (p, _, _) in converted.items()}
    nodes = node_preparation(plan, projects)
    files.update(cluster_files(nodes))
    keel = _keel_workloads(root, request.inventory)
    extra, notes, gitops_doc = _gitops_files(plan, request, root, variants, keel)
    if gitops_doc is not None:
        files["gitops/README.md"] = gitops_doc
    files["chart/README.md"] = chart_readme(
        plan.release,
        [ChartEnvironment(env.name, plan.namespace_of(env), env.status.value)
         for env in _in_migration_order(plan)],
        base=result.base_environment, settings=request.options.secrets,
        requirements=requirements, node_pools=plan.node_pools,
        selector_key=plan.node_selector_key, gitops=gitops_doc is not None,
        time_slicing={name: entry.replicas for name, entry in nodes.sharing.items()})
    if request.mesh == "istio":
        for env in plan.environments:
            objects = virtual_services(result.merged(env.name), plan.namespace_of(env))
            extra.extend((f"mesh/{env.name}.yaml", obj) for obj in objects)
    for path in sorted({p for p, _ in extra}):
        files[path] = "---\n".join(dump_yaml(obj) for p, obj in extra if p == path)
    out = request.out
    session.write_files(files)
    checkpoint()  # the chart and every values file, before the (long) rendering
    problems = _check_extra(extra)
    outcomes = []
    for env in plan.environments:
        project, conversion, values = converted[env.name]
        outcome = EnvironmentOutcome(env.name, plan.namespace_of(env), project, conversion,
                                     values)
        if request.render:
            try:
                outcome = _render(outcome, session.staging, plan, result, request, files)
            except HelmError as exc:
                # One environment Helm refuses (a schema violation, a template `fail`) must not
                # cost the others their proof: it is reported and its files stay written.
                outcome = dataclasses.replace(outcome,
                                              render_error=session.final_text(str(exc.message)))
        outcomes.append(outcome)
    return PlanConvertOutcome(out, plan, source.path, result, tuple(outcomes),
                              tuple(sorted(files)), tuple(extra), tuple(problems), tuple(keel),
                              tuple(notes), request.options.secrets)


# --------------------------------------------------------------------------- output


def _ledger_files(plan: Plan, name: str, conversion: ConversionResult, root: Path
                  ) -> dict[str, str]:
    title = f"{plan.release}, environment {name} ({', '.join(plan.environment(name).files)})"
    return {f"conversion/{name}.md": ledger_markdown(conversion.ledger, conversion.findings,
                                                     title=title, root=str(root)),
            f"conversion/{name}.json": ledger_json(conversion.ledger, conversion.findings,
                                                   root=str(root))}


def _values_files(plan: Plan, plan_path: str, result: Consolidation,
                  converted: Mapping[str, tuple[Project, ConversionResult, dict[str, Any]]]
                  ) -> dict[str, str]:
    comments: dict[str, str] = {}
    for name in (plan.base, *[e.name for e in plan.environments]):
        for path, note in converted[name][1].comments.items():
            if path.startswith("services.") and path.count(".") == 1:
                comments.setdefault(path.split(".", 1)[1], f"{note} [{name}]")
    envs = ", ".join(e.name for e in plan.environments)
    header = (f"Base values of release {plan.release}, generated by `kubealign convert` from "
              f"{Path(plan_path).name} (environments: {envs}).\nThese are the values of "
              f"the base environment {result.base_environment}: installing this file alone "
              "installs it; the services only other environments run are here once, "
              "switched off (enabled: false). Each values-<env>.yaml holds only what its "
              "environment does differently (a key it does not set: null, which Helm "
              "removes). See ../environments.md.")
    files = {"chart/values.yaml": render_values(result.base, header=header,
                                                service_comments=comments)}
    for env in plan.environments:
        required = required_values(converted[env.name][2])
        files[f"chart/values-{env.name}.yaml"] = render_values(
            result.overlays[env.name],
            header=(f"Environment {env.name} of release {plan.release}: only what differs from "
                    f"values.yaml, the base environment {result.base_environment} (null: not "
                    "set here; Helm removes the base's key).\n"
                    f"Compose files: {', '.join(env.files)} (project directory "
                    f"{env.project_directory}). Namespace: {plan.namespace_of(env)}."
                    + "".join(f"\nREQUIRED: {line}" for line in required)))
    return files


def required_values(values: Mapping[str, Any]) -> list[str]:
    """What the user must set before a service of this environment can run: a service with
    no image repository (neither image nor build in compose) is disabled until it has one."""
    out = []
    for key, svc in sorted((values.get("services") or {}).items()):
        if not (svc.get("image") or {}).get("repository"):
            out.append(f"services.{key}.image.repository (compose service {key!r} has neither "
                       f"image nor build; it stays disabled until this is set together with "
                       f"services.{key}.enabled: true)")
    return out


def _keel_workloads(root: Path, inventory: Inventory | None) -> list[KeelWorkload]:
    from kubealign.actions.inventory import build_inventory
    from kubealign.load.yaml_safe import load_yaml_documents, read_text_file
    from kubealign.model.inventory import ArtifactKind
    from kubealign.transform.gitops import keel_workloads

    documents: list[tuple[str, int | None, Mapping[str, Any]]] = []
    walked = inventory if inventory is not None else build_inventory(root)
    for artifact in walked.by_kind(ArtifactKind.KUBERNETES_MANIFEST):
        text = read_text_file(root / artifact.path, display=artifact.path)
        if "keel.sh/" not in text:
            continue
        for loaded in load_yaml_documents(text, artifact.path):
            if isinstance(loaded.data, Mapping):
                span = loaded.sources.nearest("/metadata")
                documents.append((artifact.path, span.line if span else None, loaded.data))
    return keel_workloads(documents)


def _chart_path(plan: Plan, request: PlanConvertRequest, root: Path) -> tuple[str, bool]:
    """The chart folder relative to the repository root, and whether it is only a guess.

    Given (``--chart-path``, the plan's ``gitops.chartPath``) or known (the output folder is
    inside the repository) it is exact; otherwise the output folder's name is a guess the
    user must confirm, so the caller says so."""
    if request.chart_path or plan.gitops.chart_path:
        return str(request.chart_path or plan.gitops.chart_path).strip("/"), False
    chart = (request.out / "chart").resolve()
    try:
        return chart.relative_to(root.resolve()).as_posix(), False
    except ValueError:
        return posixpath.join(request.out.name, "chart"), True


def _gitops_files(plan: Plan, request: PlanConvertRequest, root: Path,
                  variants: Mapping[str, Mapping[str, Any]], keel: Sequence[KeelWorkload]
                  ) -> tuple[list[tuple[str, dict[str, Any]]], list[str], str | None]:
    """(gitops/ objects, notes for the user, gitops/README.md or None without a repository)."""
    repo = request.repo_url or plan.gitops.repo_url
    if not repo:
        return [], ["no gitops/ written: set gitops.repoURL in the plan or pass --repo-url"], None
    chart_path, guessed = _chart_path(plan, request, root)
    git = GitSource(repo, request.revision or plan.gitops.target_revision, chart_path)
    targets = [EnvironmentTarget(e.name, plan.namespace_of(e),
                                 ("values.yaml", f"values-{e.name}.yaml"), e.status.synced)
               for e in plan.environments]
    if request.gitops_form not in GITOPS_FORMS:
        raise UsageError(f"unknown GitOps form {request.gitops_form!r}; expected one of "
                         f"{', '.join(GITOPS_FORMS)}")
    extra: list[tuple[str, dict[str, Any]]]
    if request.gitops_form == "applications":
        extra = [(f"gitops/applications/{t.name}.yaml", application(plan, git, t))
                 for t in targets]
    else:
        extra = [("gitops/applicationset.yaml", application_set(plan, git, targets))]
    images: dict[str, str] = {}
    for values in variants.values():
        for key, svc in (values.get("services") or {}).items():
            repository = (svc.get("image") or {}).get("repository")
            if repository:
                images.setdefault(str(repository), key)
    updater = image_updater(plan, git, keel, images, [e.name for e in plan.environments])
    notes = []
    waiting = [f"{e.name} ({e.status.value})" for e in plan.environments if not e.status.synced]
    if waiting:
        notes.append(f"gitops: not synced automatically (nothing deploys them today; their "
                     f"Applications wait for a manual sync, the ApplicationSet leaves them "
                     f"out): {', '.join(waiting)}")
    if guessed:
        notes.append(f"gitops: the output folder is outside the repository, so Argo CD's chart "
                     f"path {chart_path!r} is a guess; commit the chart and pass --chart-path "
                     "(or set gitops.chartPath in the plan)")
    if updater is not None:
        extra.append(("gitops/image-updater.yaml", updater))
    readme = gitops_readme(plan, git, targets, guessed_path=guessed,
                           image_updater=updater is not None, form=request.gitops_form)
    if keel:
        notes.append(f"Keel annotations on {len(keel)} workload(s) "
                     f"({', '.join(f'{k.path}:{k.line}' for k in keel)}): replaced by "
                     "gitops/image-updater.yaml (Argo CD Image Updater, git write-back)")
    return extra, notes, readme


def _check_extra(extra: Sequence[tuple[str, Mapping[str, Any]]]) -> list[str]:
    problems = []
    catalog = crd_catalog()
    for path, obj in extra:
        issues = catalog.validate(obj)
        for issue in issues or []:
            problems.append(f"{path}: {obj.get('kind')} {obj['metadata']['name']}: "
                            f"{'.'.join(str(p) for p in issue.path) or '(object)'}: "
                            f"{issue.message}")
    return problems


# --------------------------------------------------------------------------- proof


def _render(outcome: EnvironmentOutcome, out: Path, plan: Plan, result: Consolidation,
            request: PlanConvertRequest, files: Mapping[str, bytes | str]
            ) -> EnvironmentOutcome:
    chart = out / "chart"
    rendered = render_chart(chart, [chart / f"values-{outcome.name}.yaml"],
                            release=plan.release, namespace=outcome.namespace,
                            kube_version=request.kube_version)
    schema = tuple(run_checks(
        (SourcedObject(obj, origin, doc, outcome.name) for obj, origin, doc in
         zip(rendered.objects, rendered.origins, rendered.documents, strict=True)),
        [*default_checks(request.kube_version), *(policy_checks() if request.policies else ())],
        rendered.texts))
    merged = result.merged(outcome.name)
    enabled = {k: bool(v.get("enabled", True)) for k, v in merged.get("services", {}).items()}
    options = outcome.conversion
    semantic = tuple(check_rendered(
        outcome.project, rendered.objects, options.service_keys, enabled,
        gpu_count_for_all=plan.environment(outcome.name).gpus_for_all
        or request.options.gpu_count_for_all,
        gpus_for_all=dict(environment_gpus_for_all(plan, plan.environment(outcome.name),
                                                   outcome.project.service_names))))
    proof: tuple[str, ...] | None = None
    if request.prove:
        alone = _render_alone(outcome.name, outcome.variant, plan, outcome.namespace, files,
                              request.kube_version)
        proof = tuple(_differences(alone, rendered.objects))
    return dataclasses.replace(outcome, objects=tuple(rendered.objects), schema_results=schema,
                               semantic=semantic, proof=proof)


def _render_alone(name: str, values: Mapping[str, Any], plan: Plan, namespace: str,
                  files: Mapping[str, bytes | str], kube_version: str) -> list[dict[str, Any]]:
    """The objects of the chart with ``name``'s variant as its only values (the proof that
    base + overlay render the same)."""
    with tempfile.TemporaryDirectory(prefix="kubealign-variant-") as tmp:
        tree = {k: v for k, v in files.items() if k.startswith("chart/")
                and not k.startswith("chart/values")}
        tree["chart/values.yaml"] = dump_yaml(dict(values))
        write_tree_atomic(Path(tmp), tree)
        try:
            rendered = render_chart(Path(tmp) / "chart", [], release=plan.release,
                                    namespace=namespace, kube_version=kube_version)
        except HelmError as exc:
            # Helm names the scratch copy; the user knows the chart and the environment.
            where = f"chart (values of {name} alone)"
            raise HelmError(exc.message.replace(str(Path(tmp) / "chart"), where)
                            .replace(tmp, where)) from exc
        return rendered.objects


def _label(obj: Mapping[str, Any]) -> str:
    return f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}"


def _differences(alone: Sequence[Mapping[str, Any]], merged: Sequence[Mapping[str, Any]]
                 ) -> list[str]:
    if list(alone) == list(merged):
        return []
    mine = {_label(o): o for o in merged}
    theirs = {_label(o): o for o in alone}
    out = [f"{label}: only with base + overlay" for label in sorted(set(mine) - set(theirs))]
    out += [f"{label}: only when the variant is converted alone"
            for label in sorted(set(theirs) - set(mine))]
    out += [f"{label}: differs" for label in sorted(set(mine) & set(theirs))
            if mine[label] != theirs[label]]
    return out or ["same objects in a different order"]
