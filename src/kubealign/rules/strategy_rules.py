"""STR: which deployment strategies compete, which are dead, and what the docs claim."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kubealign.model.audit import strategy_state
from kubealign.model.findings import Finding, Severity
from kubealign.model.inventory import ArtifactKind
from kubealign.rules.base import Rule
from kubealign.rules.context import AuditContext
from kubealign.rules.liveness import liveness
from kubealign.rules.strategies import competing_strategies, compute_strategies

_DOC_CLAIM = re.compile(
    r"\b(?:use|runs? on|deployed (?:on|to|with)|is on)\b[^.\n]*?"
    r"\b(kubernetes|k8s|helm|swarm|argo ?cd)\b",
    re.IGNORECASE,
)
_DEPRECATED = re.compile(r"\b(deprecated|obsolete|no longer used|legacy)\b", re.IGNORECASE)
_STRATEGY_OF_WORD = {
    "kubernetes": ("kubernetes", "kustomize", "helm", "argocd"),
    "k8s": ("kubernetes", "kustomize", "helm", "argocd"),
    "helm": ("helm", "argocd"),
    "swarm": ("swarm",),
    "argocd": ("argocd",),
    "argo cd": ("argocd",),
}


class MultipleStrategies(Rule):
    """More than one deployment strategy lives in the repository.

    Compose variants, a Swarm stack, raw Kubernetes manifests, Kustomize, Helm, Argo CD and
    ssh scripts each describe the same services; every extra strategy is another place a
    setting can silently differ.

    Why:
        With several orchestrators nobody knows which file production runs from, fixes land
        in one place and not the others, and every change must be made N times.

    Fix:
        Choose one target (one Helm chart with a values file per environment, deployed by
        GitOps) and retire the other strategies; ``kubealign convert`` writes the chart.
    """

    id = "STR001"
    name = "multiple-deployment-strategies"
    severity = Severity.HIGH
    category = "strategy"
    targets = ("compose", "swarm-stack", "kubernetes-manifest", "helm-chart", "deploy-script")
    root_cause = "repository (its set of strategies)"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        strategies = list(competing_strategies(ctx))
        if len(strategies) < 2:
            return
        every = compute_strategies(ctx)  # a live carrier (ssh scripts) makes the others dead
        names = ", ".join(f"{s.name} ({strategy_state(s, every)})" for s in strategies)
        for strategy in strategies:
            yield self.finding(
                f"{len(strategies)} deployment strategies coexist: {names}",
                strategy.files[0],
                1,
                key="strategies",
                detail=f"{strategy.name} spans {len(strategy.files)} files",
            )


class DeadStrategy(Rule):
    """A deployment strategy that nothing runs, beside one that is live.

    No CI job, Makefile target or script reached from them applies these files, while
    another strategy is reached. A repository where nothing runs any strategy (a compose
    file started by hand) has no dead one: it is run by hand.

    Why:
        Dead deployment code looks authoritative: people edit it, copy from it and trust its
        values, while production runs from somewhere else.

    Fix:
        Delete the files, or wire them into CI if they are the intended future; the report's
        technical-debt list says which files can go.
    """

    id = "STR002"
    name = "dead-deployment-strategy"
    severity = Severity.MEDIUM
    category = "strategy"
    targets = ("kubernetes-manifest", "helm-chart", "kustomization", "argocd-application")
    root_cause = "strategy"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        strategies = compute_strategies(ctx)
        for strategy in strategies:
            # Not reached is dead only beside a live path; with none, people run it by hand.
            if strategy_state(strategy, strategies) == "dead":
                yield self.finding(
                    f"{strategy.name} strategy is dead: none of its {len(strategy.files)} files "
                    "is reached from CI, a Makefile target or a script they run",
                    strategy.files[0],
                    1,
                    key=strategy.name,
                )


class DocsContradictReality(Rule):
    """The documentation names a deployment strategy that nothing live uses.

    Documentation lines that say production runs on (or should use) Kubernetes, Helm, Swarm
    or Argo CD are compared with the strategies CI and Makefiles actually reach; a line that
    calls a live file deprecated is reported too.

    Why:
        Engineers follow the docs. When the docs describe a strategy that is not live, they
        deploy the wrong way or edit files production never reads.

    Fix:
        Update the documentation to describe the live path, or make the documented path live.
    """

    id = "STR003"
    name = "docs-contradict-reality"
    severity = Severity.HIGH
    category = "strategy"
    targets = ("docs",)
    root_cause = "claim (the strategy the docs name, or the live file they call deprecated)"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        strategies = compute_strategies(ctx)
        live_names = {s.name for s in strategies if s.live}
        live = liveness(ctx)
        live_files = [p for p in ctx.compose if live.is_live(p)]
        for artifact in ctx.inventory.by_kind(ArtifactKind.DOCS):
            for number, text in enumerate(ctx.lines(artifact.path), start=1):
                match = _DOC_CLAIM.search(text)
                if match and "production" in text.lower():
                    word = match.group(1).lower()
                    wanted = _STRATEGY_OF_WORD.get(word, (word,))
                    if not live_names.intersection(wanted):
                        yield self.finding(
                            f"docs say production uses {wanted[0]}, but no live path "
                            f"deploys with it (live: {', '.join(sorted(live_names)) or 'none'})",
                            artifact.path,
                            number,
                            key=f"uses {wanted[0]}",
                        )
                if _DEPRECATED.search(text):
                    for path in live_files:
                        if path in text:
                            yield self.finding(
                                f"docs call {path} deprecated, but it is live "
                                f"({live.evidence(path)})",
                                artifact.path,
                                number,
                                key=f"deprecated {path}",
                            )


class DisabledDeployJob(Rule):
    """A CI deploy job that can never run (``if: false``, ``when: never``).

    Why:
        A disabled job keeps a deployment path in CI that looks maintained but is not: its
        commands rot while readers assume they work.

    Fix:
        Delete the job, or enable it once the target it deploys to exists.
    """

    id = "STR004"
    name = "disabled-ci-deploy-job"
    severity = Severity.LOW
    category = "strategy"
    targets = ("ci-workflow",)
    root_cause = "CI job"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for path, workflow in sorted(ctx.workflows.items()):
            for job in workflow.jobs:
                deploys = [c for c in workflow.deploy_commands if c.function == job.name]
                if (job.disabled or workflow.disabled) and deploys:
                    kinds = ", ".join(sorted({c.kind.value for c in deploys}))
                    yield self.finding(
                        f"CI job {job.name!r} deploys ({kinds}) but can never run"
                        + (f": {job.disabled_reason}" if job.disabled_reason else ""),
                        path,
                        job.line,
                        key=f"{path} {job.name}",
                    )
