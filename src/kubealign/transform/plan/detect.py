"""Detect the plan of a repository: environments, base, order, matches, pools, GitOps."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kubealign.errors import KubealignError
from kubealign.model.compose import Project
from kubealign.model.inventory import ArtifactKind, Inventory
from kubealign.model.plan import (
    Ambiguity,
    Component,
    Environment,
    EnvironmentKind,
    GitOps,
    Plan,
    SeparateProject,
)
from kubealign.transform.naming import dns_label
from kubealign.transform.plan.environments import DetectedEnvironment, Grouping, group_files
from kubealign.transform.plan.evidence import environments_from_evidence
from kubealign.transform.plan.invocations import gather_invocations
from kubealign.transform.plan.matching import match_services
from kubealign.transform.plan.pools import assign_pools, models_near_names
from kubealign.transform.plan.sources import (
    ComposeFacts,
    TextLine,
    YamlReader,
    gather_compose,
    prose_lines,
)

ProjectLoader = Callable[[Sequence[str], str, Sequence[str]], Project]
"""(files, project directory, env files), all relative to the root -> the resolved project."""

DEFAULT_NODE_SELECTOR_KEY = "gpu-type"
_DEVELOPMENT = re.compile(r"^(dev|development|develop)$")
_EARLY = re.compile(r"^(local|test|qa|staging|stage|sandbox|preview)$")
_PRODUCTION = re.compile(r"prod")


@dataclass(frozen=True, slots=True)
class DetectedPlan:
    plan: Plan
    notes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Plan pointer (``/environments/dev``) -> comment lines explaining the decision."""


def detect_plan(inventory: Inventory, *, read_yaml: YamlReader,
                read_text: Callable[[str], str | None], load: ProjectLoader,
                root_name: str) -> DetectedPlan:
    facts, unreadable = gather_compose(inventory, read_yaml)
    grouping = group_files(facts, unique=False)
    scan = gather_invocations(inventory, read_text)
    evidence = environments_from_evidence(grouping, facts, scan)
    grouping = dataclasses.replace(grouping, environments=evidence.environments, components=[
        c for c in grouping.components if c[0].path not in evidence.claimed])
    ambiguous = [*grouping.ambiguous, *evidence.ambiguous]
    ambiguous.extend(Ambiguity(path, f"cannot be read: {problem}") for path, problem in unreadable)
    projects: dict[str, Project] = {}
    kept: list[DetectedEnvironment] = []
    for env in grouping.environments:
        try:
            projects[env.name] = load([f.path for f in env.files], env.project_directory,
                                      list(env.env_files))
        except KubealignError as exc:  # a file that does not load is listed, not fatal
            ambiguous.append(Ambiguity(env.primary.path, f"left out: does not load ({exc})"))
            continue
        kept.append(env)
    notes: dict[str, tuple[str, ...]] = {}
    base = _base(kept, notes)
    order = _migration_order(kept, base, projects, notes)
    lines = _all_lines(facts, prose_lines(inventory, read_text))
    matches, doubtful = match_services(projects, order, base,
                                       {e.name: e.primary.path for e in kept})
    ambiguous.extend(doubtful)
    renames = {env.name: {n: m.name for m in matches for e, n in m.names if e == env.name}
               for env in kept}
    pools = assign_pools(kept, projects, renames, lines,
                         models_near_names(scan.live_text, [f.path for f in facts]))
    ambiguous.extend(pools.ambiguous)
    environments = []
    for env in kept:
        assignment = pools.assignments.get(env.name)
        environments.append(Environment(
            name=env.name,
            files=tuple(f.path for f in env.files),
            project_directory=env.project_directory,
            env_files=env.env_files,
            profiles=env.profiles,
            kind=env.kind,
            status=env.status,
            invoked_by=env.invoked_by,
            node_pool=assignment.node_pool if assignment else None,
            service_pools=tuple(sorted(assignment.service_pools.items())) if assignment else (),
            gpus_for_all=assignment.gpus_for_all if assignment else None,
        ))
        notes[f"/environments/{env.name}"] = tuple(
            env.reasons + (assignment.reasons if assignment else []))
    for name, why in pools.pool_reasons.items():
        notes[f"/nodePools/{name}"] = tuple(why)
    components, separate = _components(grouping, kept)
    release, release_why = _release(facts, inventory, read_text, root_name)
    notes["/release"] = (release_why,)
    namespace, namespace_why = _namespace(inventory, release)
    notes["/namespace"] = (namespace_why,)
    gitops, gitops_why = _gitops(inventory)
    notes["/gitops"] = (gitops_why,)
    plan = Plan(
        release=release,
        namespace=namespace,
        base=base,
        environments=tuple(sorted(environments, key=lambda e: order.index(e.name))),
        migration_order=tuple(order),
        node_selector_key=DEFAULT_NODE_SELECTOR_KEY,
        node_pools=tuple(pools.pools),
        services=tuple(matches),
        components=tuple(components),
        separate_releases=tuple(separate),
        ambiguous=tuple(sorted(set(ambiguous), key=lambda a: (a.file, a.reason))),
        gitops=gitops,
    )
    return DetectedPlan(plan, notes)


def _components(grouping: Grouping, kept: Sequence[DetectedEnvironment]
                ) -> tuple[list[Component], list[SeparateProject]]:
    """Each component joins the environments built from the files that are its evidence; one
    whose evidence is in no environment is a release of its own."""
    components: list[Component] = []
    separate = [SeparateProject(f.path, why) for f, why in grouping.separate]
    for facts, why, evidence in grouping.components:
        targets = tuple(e.name for e in kept if any(f.path in evidence for f in e.files))
        if targets:
            components.append(Component(facts.path, facts.directory or ".", why, targets))
        else:
            separate.append(SeparateProject(facts.path, f"{why}, but no environment is built "
                                            "from that file"))
    separate.sort(key=lambda s: s.file)
    return components, separate


def _all_lines(facts: Sequence[ComposeFacts], prose: Sequence[TextLine]) -> list[TextLine]:
    lines = [TextLine(f.path, n, text) for f in facts for n, text in f.header]
    return sorted([*lines, *prose], key=lambda t: (t.path, t.line))


def _base(envs: Sequence[DetectedEnvironment], notes: dict[str, tuple[str, ...]]) -> str:
    if not envs:
        return "default"
    best = max(envs, key=lambda e: (e.live_invocations, e.status.synced,
                                    e.kind is EnvironmentKind.SWARM, len(e.primary.services),
                                    e.name))
    why = (f"run by {best.live_invocations} script(s)/workflow(s), more than any other"
           if best.live_invocations else "the variant with the most services")
    notes["/base"] = (f"{best.name}: {why}; chart/values.yaml is this environment's values "
                      "(installing it alone installs it), the other environments' overlays "
                      "hold their differences",)
    return best.name


def _migration_order(envs: Sequence[DetectedEnvironment], base: str,
                     projects: dict[str, Project], notes: dict[str, tuple[str, ...]]) -> list[str]:
    def rank(env: DetectedEnvironment) -> tuple[int, int, str]:
        size = len(projects[env.name].services) if env.name in projects else 0
        if _DEVELOPMENT.match(env.name):
            return (0, size, env.name)
        if _EARLY.match(env.name):
            return (1, size, env.name)
        if env.name == base:
            return (5, size, env.name)
        if _PRODUCTION.search(env.name):
            return (4, size, env.name)
        if not env.status.synced and env.kind is not EnvironmentKind.STANDALONE:
            return (3, size, env.name)
        return (2 if env.kind is EnvironmentKind.STANDALONE else 4, size, env.name)

    order = [e.name for e in sorted(envs, key=rank)]
    notes["/migrationOrder"] = (
        "development first (a change is tested on the development instance first), then "
        "local/staging, then single-instance environments (fewest services first), then "
        "undeployed variants, then production; the base environment last",)
    return order


def _release(facts: Sequence[ComposeFacts], inventory: Inventory,
             read_text: Callable[[str], str | None], root_name: str) -> tuple[str, str]:
    for f in sorted(facts, key=lambda f: (f.directory != "", f.path)):
        if f.name and not f.directory:
            return dns_label(f.name, limit=53), f"the `name:` of {f.path}"
    for artifact in inventory.by_kind(ArtifactKind.ENV_FILE):
        if artifact.path != ".env":
            continue
        for line in (read_text(artifact.path) or "").splitlines():
            key, _, value = line.partition("=")
            if key.strip() in ("COMPOSE_PROJECT_NAME", "STACK_NAME") and value.strip():
                return dns_label(value.strip(), limit=53), f"{key.strip()} in .env"
    return dns_label(root_name or "app", limit=53), "the repository folder's name"


def _namespace(inventory: Inventory, release: str) -> tuple[str, str]:
    seen: Counter[str] = Counter()
    for artifact in inventory.by_kind(ArtifactKind.ARGOCD_APPLICATION):
        for app in artifact.argocd.applications if artifact.argocd else ():
            if app.destination_namespace:
                seen[app.destination_namespace] += 3
    for artifact in inventory.by_kind(ArtifactKind.KUBERNETES_MANIFEST):
        for doc in artifact.kubernetes.documents if artifact.kubernetes else ():
            if doc.kind == "Namespace" and doc.name:
                seen[doc.name] += 1
    if seen:
        written, _ = sorted(seen.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        name = dns_label(written, limit=42)
        return name, (f"the namespace the repository's Kubernetes manifests and Argo CD "
                      f"applications use most; each environment gets `{name}-<environment>` "
                      "unless it names its own")
    return release, "no namespace in the repository's manifests: the release name"


def _gitops(inventory: Inventory) -> tuple[GitOps, str]:
    for artifact in inventory.by_kind(ArtifactKind.ARGOCD_APPLICATION):
        for app in artifact.argocd.applications if artifact.argocd else ():
            if app.repo_url:
                return (GitOps(repo_url=app.repo_url, target_revision=app.target_revision or
                               "HEAD"),
                        f"repository and revision of the existing Argo CD application in "
                        f"{artifact.path}")
    return GitOps(), "no Argo CD application found: set repoURL (or pass --repo-url)"
