"""Deployment strategies in use (compose, swarm, kubernetes, kustomize, helm, argocd, ssh)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kubealign.model.artifacts import DeployKind
from kubealign.model.audit import Strategy
from kubealign.model.inventory import ArtifactKind, Inventory
from kubealign.rules.context import AuditContext
from kubealign.rules.liveness import Liveness, liveness

K = ArtifactKind
_SSH_KINDS = frozenset({DeployKind.SSH, DeployKind.SCP, DeployKind.RSYNC})
_STACK_KINDS = frozenset({DeployKind.STACK_DEPLOY, DeployKind.DOCKER_SERVICE_UPDATE})


def _strategy(name: str, files: Iterable[str], live: Liveness,
              rank: Callable[[str], int] | None = None) -> Strategy | None:
    """``rank`` puts the files that define the strategy first (they are the ones the report
    names); ties, and every file without one, in path order."""
    paths = tuple(sorted(set(files), key=lambda p: (rank(p) if rank else 0, p)))
    if not paths:
        return None
    live_paths = [p for p in paths if live.is_live(p)]
    evidence = tuple(sorted(live.evidence(p) for p in live_paths))[:5]
    if not live_paths:
        evidence = (
            f"no CI workflow, Makefile target or live script reaches any of {len(paths)} files",
        )
        unconnected = sorted({f"{e.source}:{e.line}" for e in live.clusterless
                              if any(e.target == p or (e.target.endswith("/")
                                                       and p.startswith(e.target))
                                     for p in paths)})
        if unconnected:
            evidence += (
                f"{', '.join(unconnected[:3])} applies them, but that job never gives kubectl "
                "a cluster (no kubeconfig, context or credentials is set)",
            )
    return Strategy(name=name, files=paths, live=bool(live_paths), evidence=evidence)


_CHART_KIND_RANK = {K.HELM_CHART: 0, K.HELM_VALUES: 1, K.HELM_TEMPLATE: 2}
_OTHER_RANK = 4


def _chart_file_rank(inventory: Inventory) -> Callable[[str], int]:
    """Chart.yaml, values, the templates Helm renders, its partials (``_``-named, never
    rendered as objects), then whatever else sits in a chart's folder: a stray
    ``__init__.py`` is in the chart's tree, but it is not what the chart is."""
    kinds = {a.path: a.kinds for a in inventory}

    def rank(path: str) -> int:
        best = min((_CHART_KIND_RANK.get(kind, _OTHER_RANK) for kind in kinds.get(path, ())),
                   default=_OTHER_RANK)
        partial = best == _CHART_KIND_RANK[K.HELM_TEMPLATE] and path.rsplit("/", 1)[-1][:1] == "_"
        return best + 1 if partial else best

    return rank


def _stack_targets(ctx: AuditContext) -> set[str]:
    """Compose files that something deploys with ``docker stack deploy``."""
    live = liveness(ctx)
    targets: set[str] = set()
    for source, edges in live.edges.items():
        for edge in edges:
            if edge.how == DeployKind.STACK_DEPLOY.value and edge.target in ctx.compose:
                targets.add(edge.target)
        del source
    return targets


def compute_strategies(ctx: AuditContext) -> tuple[Strategy, ...]:
    def compute(c: AuditContext) -> tuple[Strategy, ...]:
        live = liveness(c)
        stacks = {p for p, d in c.compose.items() if d.swarm} | _stack_targets(c)
        compose_files = [p for p in c.compose if p not in stacks]
        inv = c.inventory
        charts = [a.path for a in inv.by_kind(K.HELM_CHART)]
        chart_dirs = [a.helm_chart.directory for a in inv.by_kind(K.HELM_CHART) if a.helm_chart]
        helm_files = list(charts)
        for directory in chart_dirs:
            helm_files += [a.path for a in inv if directory and a.path.startswith(directory + "/")]
        ssh_scripts = [
            p for p, s in c.scripts.items() if any(d.kind in _SSH_KINDS for d in s.deploy_commands)
        ]
        kustomize = [a.path for a in inv.by_kind(K.KUSTOMIZATION)]
        argo = [a.path for a in inv.by_kind(K.ARGOCD_APPLICATION)]
        manifests = [
            a.path
            for a in inv.by_kind(K.KUBERNETES_MANIFEST)
            if a.path not in argo and not any(a.path.startswith(d + "/") for d in chart_dirs if d)
        ]
        candidates = (
            _strategy("compose", compose_files, live),
            _strategy("swarm", stacks, live),
            _strategy("kubernetes", manifests, live),
            _strategy("kustomize", kustomize, live),
            _strategy("helm", helm_files, live, _chart_file_rank(inv)),
            _strategy("argocd", argo, live),
            _strategy("ssh-scripts", ssh_scripts, live),
        )
        return tuple(s for s in candidates if s is not None)

    return ctx.analysis("strategies", compute)


#: Strategies that orchestrate the services themselves; ssh-scripts only carry files to
#: one of them, so they do not compete with it.
ORCHESTRATORS = frozenset({"swarm", "kubernetes", "kustomize", "helm", "argocd", "compose"})


def competing_strategies(ctx: AuditContext) -> tuple[Strategy, ...]:
    """The strategies STR001 and the executive summary both count."""
    return tuple(s for s in compute_strategies(ctx) if s.name in ORCHESTRATORS)


def anything_live(ctx: AuditContext) -> bool:
    """Whether CI, a Makefile or a script of the repository runs any strategy. Without one,
    the repository is deployed by hand: "applied by no live path" then tells nothing about
    which tree is in use, and no tree is called dead (see ``strategy_state``)."""
    return any(strategy.live for strategy in compute_strategies(ctx))
