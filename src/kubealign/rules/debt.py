"""Technical debt: files the consolidation makes redundant, before/after counts, action plan."""

from __future__ import annotations

from collections.abc import Iterable

from kubealign.model.artifacts import DeployCommand, DeployKind, ScriptInfo
from kubealign.model.audit import ActionItem, ActionPhase, BeforeAfter, TechDebtItem
from kubealign.model.findings import Finding
from kubealign.model.inventory import ArtifactKind
from kubealign.rules.context import AuditContext
from kubealign.rules.dockerfile_rules import dockerfile_groups
from kubealign.rules.liveness import liveness
from kubealign.rules.variants import compose_role

K = ArtifactKind


def _item(
    ctx: AuditContext,
    path: str,
    reason: str,
    action: str = "delete",
    destination: str | None = None,
) -> TechDebtItem:
    live = liveness(ctx)
    referrers = live.live_referrers(path)
    return TechDebtItem(
        path=path,
        reason=reason,
        action=action,
        destination=destination,
        referenced_by_live=bool(referrers),
        referenced_by=tuple(
            sorted({f"{e.source}:{e.line}" if e.line else e.source for e in referrers})
        ),
    )


#: Commands that deploy by themselves; calling another script or make target, pulling an
#: image or logging in to a registry does not make a file deployment debt.
_DEPLOYING = frozenset(DeployKind) - {
    DeployKind.SCRIPT_CALL,
    DeployKind.MAKE_CALL,
    DeployKind.DOCKER_PULL,
    DeployKind.DOCKER_LOGIN,
    # ``kubectl get``, ``helm lint``, ``docker compose logs``, ``argocd app list``: reads.
    DeployKind.KUBECTL_OTHER,
    DeployKind.HELM_OTHER,
    DeployKind.COMPOSE_OTHER,
    DeployKind.ARGOCD_OTHER,
}


#: Pulumi sub-commands that change infrastructure; ``pulumi env``/``config``/``stack ls``
#: read settings and secrets, which deploys nothing.
_PULUMI_CHANGES = frozenset({"up", "update", "destroy", "refresh", "import"})


def _deploys(command: DeployCommand) -> bool:
    if command.kind not in _DEPLOYING:
        return False
    if command.kind is DeployKind.PULUMI:
        return any(word in _PULUMI_CHANGES for word in command.argv[1:3])
    return True


def deploying_commands(script: ScriptInfo) -> tuple[DeployCommand, ...]:
    """The commands of ``script`` that build, ship or start a deployment."""
    return tuple(c for c in script.deploy_commands if _deploys(c))


def deploy_evidence(script: ScriptInfo) -> str | None:
    """``path:line `command``` of the first deploying command, None when it deploys nothing."""
    commands = deploying_commands(script)
    if not commands:
        return None
    first = min(commands, key=lambda c: c.line)
    shown = " ".join(first.argv[:4])
    return f"{script.path}:{first.line} `{shown}`"


def _replacement(script: ScriptInfo) -> str:
    """What takes over the job this script does, from the kinds of its commands."""
    kinds = {c.kind for c in deploying_commands(script)}
    builds = {DeployKind.DOCKER_BUILD, DeployKind.DOCKER_PUSH, DeployKind.COMPOSE_BUILD}
    secrets = {DeployKind.DOCKER_SECRET_CREATE, DeployKind.KUBECTL_CREATE_SECRET}
    if kinds and kinds <= builds:
        return "the CI image build and push"
    if kinds and kinds <= secrets:
        return "External Secrets (the chart's ExternalSecret objects)"
    return "helm upgrade / Argo CD sync"


def _kept_compose(ctx: AuditContext) -> set[str]:
    """The plain base file stays for local development (no Swarm, no instance pinning)."""
    return {p for p, d in ctx.compose.items() if compose_role(p, d) in {"base"}}


def tech_debt(ctx: AuditContext) -> tuple[TechDebtItem, ...]:
    items: list[TechDebtItem] = []
    kept = _kept_compose(ctx)
    for path in sorted(ctx.compose):
        if path in kept:
            continue
        role = compose_role(path, ctx.compose[path])
        items.append(
            _item(ctx, path, f"compose {role} file: replaced by values-<env>.yaml of one chart")
        )
    for group in dockerfile_groups(ctx):
        for variant in group.variants:
            if variant.path != group.recommended:
                items.append(
                    _item(
                        ctx,
                        variant.path,
                        f"Dockerfile variant of {group.recommended}: "
                        "merge into one multi-stage Dockerfile",
                    )
                )
    for path in sorted(ctx.scripts):
        evidence = deploy_evidence(ctx.scripts[path])
        if evidence is None:
            # Git hooks, environment activation, formatters, push helpers: they deploy
            # nothing, so the chart replaces nothing in them; they are left alone.
            continue
        items.append(
            _item(
                ctx,
                path,
                f"deploy script ({evidence}): replaced by {_replacement(ctx.scripts[path])}",
            )
        )
    chart_dirs = [
        a.helm_chart.directory for a in ctx.inventory.by_kind(K.HELM_CHART) if a.helm_chart
    ]
    for artifact in ctx.inventory:
        if artifact.has(K.KUBERNETES_MANIFEST) or artifact.has(K.KUSTOMIZATION):
            if artifact.has(K.ARGOCD_APPLICATION):
                continue
            items.append(
                _item(ctx, artifact.path, "hand-written manifest: replaced by the generated chart")
            )
    for directory in chart_dirs:
        members = [
            a.path for a in ctx.inventory if directory and a.path.startswith(directory + "/")
        ]
        for path in members:
            items.append(
                _item(ctx, path, "undeployed hand-written chart: replaced by the generated chart")
            )
    unique = {i.path: i for i in items}
    return tuple(unique[p] for p in sorted(unique))


def before_after(ctx: AuditContext) -> tuple[tuple[BeforeAfter, ...], float]:
    inv = ctx.inventory
    manifests = [a for a in inv if a.has(K.KUBERNETES_MANIFEST) or a.has(K.KUSTOMIZATION)]
    scripts_before = len(ctx.scripts)
    # One deployment entry point remains, plus scripts that deploy nothing (helpers).
    helpers = sum(1 for s in ctx.scripts.values() if not deploying_commands(s))
    scripts_after = min(scripts_before, helpers + (1 if scripts_before > helpers else 0))
    argo = len(inv.by_kind(K.ARGOCD_APPLICATION))
    counts = (
        BeforeAfter("compose", len(ctx.compose), len(_kept_compose(ctx))),
        BeforeAfter("dockerfiles", len(ctx.dockerfiles), len(dockerfile_groups(ctx))),
        BeforeAfter("scripts", scripts_before, scripts_after),
        BeforeAfter(
            "manifests", len(manifests), min(len(manifests), max(argo, 1)) if manifests else 0
        ),
        BeforeAfter("helm-charts", len(inv.by_kind(K.HELM_CHART)), 1),
    )
    reduction = (
        round(100.0 * (scripts_before - scripts_after) / scripts_before, 1)
        if scripts_before
        else 0.0
    )
    return counts, reduction


_PHASES: tuple[tuple[str, str, tuple[tuple[str, str, tuple[str, ...]], ...]], ...] = (
    (
        "Immediate",
        "Week 1",
        (
            (
                "Rotate and remove committed secrets",
                "Treat every committed credential as leaked: "
                "rotate it, delete it from the files, load it from the secret store.",
                ("SEC001", "SEC002"),
            ),
            (
                "Choose a single orchestrator",
                "Several strategies deploy the same services; pick the "
                "Helm chart + GitOps target and freeze the others.",
                ("STR001", "STR003"),
            ),
            (
                "Fix routes Swarm ignores",
                "Traefik labels outside deploy.labels create no route.",
                ("CMP201",),
            ),
            (
                "Consolidate Docker images",
                "One multi-stage Dockerfile per service (GPU target where "
                "needed); delete the variants.",
                ("DKF004", "DKF005"),
            ),
            ("Remove hard-coded addresses", "Call services by name, not IP.", ("DSC001", "DSC002")),
        ),
    ),
    (
        "Short-term",
        "Weeks 2-3",
        (
            (
                "Migrate to Kubernetes",
                "Convert the compose variants to one chart with values per "
                "environment (kubealign convert); retire the dead trees.",
                ("STR002", "CMP103", "CMP104", "CMP105", "K8S002", "K8S003", "K8S004"),
            ),
            (
                "Implement GitOps",
                "Argo CD syncs the chart; CI only bumps tags in Git.",
                ("STR004", "K8S005"),
            ),
            (
                "Standardize secrets",
                "External Secrets into Kubernetes Secrets, one mechanism per service.",
                ("SEC003", "SEC004", "SEC005"),
            ),
            (
                "Unify deployment scripts",
                "Replace ssh/scp scripts and manual docker commands by one deployment path.",
                ("SH002", "SH003", "SH004", "SH005"),
            ),
            (
                "Align service names",
                "One name per service so DNS works the same everywhere.",
                ("DSC003", "DSC004", "K8S001"),
            ),
        ),
    ),
    (
        "Medium-term",
        "Month 2",
        (
            (
                "GPU scheduling",
                "Request GPUs explicitly per environment (nvidia.com/gpu, node selectors).",
                ("GPU001", "GPU002"),
            ),
            (
                "Resource management",
                "Limits and requests for every workload, sized per environment.",
                ("RES001", "RES002"),
            ),
            (
                "Networking",
                "One ingress controller; NetworkPolicies replace overlay isolation.",
                ("NET001", "NET002", "NET003", "CMP107"),
            ),
            (
                "Harden images",
                "Non-root users, pinned bases, health checks.",
                ("DKF001", "DKF002", "DKF003", "CMP102", "K8S006"),
            ),
            (
                "Script hygiene and clean-up",
                "Strict mode for what remains; remove the debt list (kubealign cleanup).",
                ("SH001", "CMP202", "CMP203", "CMP204", "CMP106", "SUP001"),
            ),
        ),
    ),
)


def action_plan(findings: Iterable[Finding]) -> tuple[ActionPhase, ...]:
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    phases = []
    for name, horizon, items in _PHASES:
        chosen = []
        for title, detail, rules in items:
            fired = [r for r in rules if r in by_rule]
            if not fired:
                continue
            paths = sorted({f.path for r in fired for f in by_rule[r] if f.path})
            chosen.append(ActionItem(title, detail, tuple(fired), tuple(paths)))
        phases.append(ActionPhase(name, horizon, tuple(chosen)))
    return tuple(phases)
