"""Technical debt: files the consolidation makes redundant, before/after counts, action plan."""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath

from kubealign.model.artifacts import DeployCommand, DeployKind, ScriptInfo
from kubealign.model.audit import (
    ActionItem,
    ActionPhase,
    BeforeAfter,
    KeptFile,
    ScriptReplacement,
    TechDebtItem,
)
from kubealign.model.findings import Finding
from kubealign.model.inventory import ArtifactKind
from kubealign.rules.app_config import app_configs
from kubealign.rules.context import AuditContext
from kubealign.rules.dockerfile_rules import dockerfile_groups
from kubealign.rules.liveness import liveness
from kubealign.rules.manifest_coverage import manifest_verdicts
from kubealign.rules.script_purpose import says_deploy, tooling_folder, tooling_reason
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


#: Commands that change a running deployment by themselves. Calling another script or make
#: target, pulling an image, logging in, reading (``kubectl get``, ``helm lint``, ``docker
#: compose logs``) deploy nothing; Terraform, Pulumi and Ansible provision the machines and
#: clusters the chart runs on, which the chart does not replace; ``ssh`` alone runs whatever
#: it is given (its remote commands are classified by their own kind).
_DEPLOYING = frozenset({
    DeployKind.SCP, DeployKind.RSYNC,
    DeployKind.STACK_DEPLOY, DeployKind.STACK_RM,
    DeployKind.COMPOSE_UP, DeployKind.COMPOSE_DOWN, DeployKind.COMPOSE_PULL,
    DeployKind.COMPOSE_BUILD, DeployKind.DOCKER_RUN, DeployKind.DOCKER_BUILD,
    DeployKind.DOCKER_PUSH, DeployKind.DOCKER_SECRET_CREATE, DeployKind.DOCKER_SERVICE_CREATE,
    DeployKind.DOCKER_SERVICE_UPDATE,
    DeployKind.KUBECTL_APPLY, DeployKind.KUBECTL_DELETE, DeployKind.KUBECTL_SET_IMAGE,
    DeployKind.KUBECTL_CREATE_SECRET, DeployKind.KUBECTL_ROLLOUT,
    DeployKind.HELM_UPGRADE, DeployKind.HELM_INSTALL, DeployKind.ARGOCD_SYNC,
})

_BUILDS = frozenset({DeployKind.DOCKER_BUILD, DeployKind.COMPOSE_BUILD})
_COMPOSE_RUNS = frozenset({DeployKind.COMPOSE_UP, DeployKind.COMPOSE_DOWN,
                           DeployKind.COMPOSE_PULL, DeployKind.COMPOSE_BUILD})
#: A web server started in-process by a program whose name says it deploys.
_SERVER_START = re.compile(r"\b(?:uvicorn|hypercorn|gunicorn|waitress)\.(?:run|serve)\s*\(")


def _local_compose(ctx: AuditContext, script: ScriptInfo, command: DeployCommand) -> bool:
    """Compose run on the developer's machine: the default file or the kept base file, or a
    development/test file, from a script whose name does not say it deploys."""
    if command.remote_host is not None or says_deploy(script.path):
        return False
    kept = _kept_compose(ctx)
    base = posixpath.dirname(script.path)
    for word in command.files:
        name = PurePosixPath(word.strip("'\"")).name.lower()
        candidates = {posixpath.normpath(posixpath.join(base, word)), posixpath.normpath(word)}
        if candidates & kept:
            continue
        if any(w in _LOCAL_ENVIRONMENTS for w in re.findall(r"[a-z0-9]+", name)):
            continue
        return False
    return True


_LOCAL_ENVIRONMENTS = frozenset({"dev", "development", "local", "test", "tests", "testing", "ci",
                                 "e2e", "integration"})


def _deploys(ctx: AuditContext, script: ScriptInfo, command: DeployCommand) -> bool:
    kind = command.kind
    if kind not in _DEPLOYING:
        return False
    if kind in {DeployKind.SCP, DeployKind.RSYNC}:
        return bool(command.hosts)  # a local copy ships nothing
    if kind is DeployKind.DOCKER_RUN:
        # ``docker run --rm tool`` runs a tool; a detached or restarting container is a
        # service started by hand.
        # service started by hand: on a server (through ssh, with a restart policy, or from
        # a script named for production) rather than a developer's local database.
        if command.param("restart") is not None or command.remote_host is not None:
            return True
        return command.param("detach") == "true" and says_deploy(script.path)
    return not (kind in _COMPOSE_RUNS and _local_compose(ctx, script, command))


#: Cloud command-line tools and the verbs with which they create or change infrastructure.
_CLOUD_CLIS = frozenset({"az", "gcloud", "aws", "eksctl", "doctl", "oci", "ibmcloud"})
_PROVISIONING_VERBS = frozenset({"create", "add", "update", "attach", "assign", "register",
                                 "enable", "set-iam-policy", "create-cluster", "run-instances"})
_PROVISIONING_TOOLS = {DeployKind.TERRAFORM: "apply", DeployKind.PULUMI: "up"}
#: Commands that carry the application to its hosts: a script running one ships it.
_SHIPPING = frozenset({DeployKind.SSH, DeployKind.SCP, DeployKind.RSYNC,
                       DeployKind.STACK_DEPLOY, DeployKind.COMPOSE_UP,
                       DeployKind.DOCKER_SERVICE_CREATE, DeployKind.DOCKER_SERVICE_UPDATE})


def provisions_cloud(script: ScriptInfo) -> bool:
    """The script creates cloud infrastructure (``az aks nodepool add``, ``az acr create``,
    ``terraform apply``, ``eksctl create cluster``) and carries the application to no host:
    it builds the cluster the chart runs on, which the chart does not replace, even when it
    also applies a manifest or installs a cluster add-on on the way. A script that
    provisions an instance and then ships the application to it over ssh is deployment."""
    if any(c.kind in _SHIPPING for c in script.deploy_commands):
        return False
    if any(c.kind in _PROVISIONING_TOOLS and c.param("subcommand") == _PROVISIONING_TOOLS[c.kind]
           for c in script.deploy_commands):
        return True
    for command in script.commands:
        words = command.words
        if words and PurePosixPath(words[0]).name in _CLOUD_CLIS and any(
                w in _PROVISIONING_VERBS for w in words[1:6]):
            return True
    return False


def deploying_commands(ctx: AuditContext, script: ScriptInfo) -> tuple[DeployCommand, ...]:
    """The commands of ``script`` that ship or start a deployment; none for tooling (hooks,
    tests, checks, backups, provisioning) and for scripts that only build images locally."""
    if tooling_reason(script.path) is not None or provisions_cloud(script):
        return ()
    commands = tuple(c for c in script.deploy_commands if _deploys(ctx, script, c))
    if commands and all(
        c.kind in _BUILDS and c.param("push") != "true" for c in commands
    ):
        return ()  # a local image build: CI builds images, nothing here deploys
    return commands


def server_launch(ctx: AuditContext, path: str) -> tuple[int, str] | None:
    """(line, text) where a Python program named as a deployment starts a web server itself
    (``deploy_x.py`` running ``uvicorn.run``): a hand-rolled launcher the chart's Deployment
    replaces. Application entry points (``main.py``, ``app.py``) are not named so."""
    if not path.endswith(".py") or not says_deploy(path) or tooling_reason(path) is not None:
        return None
    for number, text in enumerate(ctx.lines(path), start=1):
        match = _SERVER_START.search(text)
        if match and not text.lstrip().startswith("#"):
            return number, text.strip()[:60]
    return None


def deploy_evidence(ctx: AuditContext, script: ScriptInfo) -> str | None:
    """``path:line `command``` of the first deploying command, None when it deploys nothing."""
    commands = deploying_commands(ctx, script)
    if not commands:
        launch = server_launch(ctx, script.path)
        if launch is None:
            return None
        return f"{script.path}:{launch[0]} `{launch[1]}`"
    # The command that ships or starts something says more than the image build before it.
    shipping = [c for c in commands if c.kind not in _BUILDS] or list(commands)
    first = min(shipping, key=lambda c: c.line)
    shown = " ".join(first.argv[:4])
    return f"{script.path}:{first.line} `{shown}`"


def _replacement(ctx: AuditContext, script: ScriptInfo) -> str:
    """What takes over the job this script does, from the kinds of its commands."""
    kinds = {c.kind for c in deploying_commands(ctx, script)}
    builds = {DeployKind.DOCKER_BUILD, DeployKind.DOCKER_PUSH, DeployKind.COMPOSE_BUILD}
    secrets = {DeployKind.DOCKER_SECRET_CREATE, DeployKind.KUBECTL_CREATE_SECRET}
    if not kinds:
        return "the chart's Deployment of the service (helm upgrade / Argo CD sync)"
    if kinds <= builds:
        return "the CI image build and push"
    if kinds <= secrets:
        return "External Secrets (the chart's ExternalSecret objects)"
    return "helm upgrade / Argo CD sync"


def _kept_compose(ctx: AuditContext) -> set[str]:
    """The plain base file stays for local development (no Swarm, no instance pinning)."""
    return {p for p, d in ctx.compose.items() if compose_role(p, d) in {"base"}}


def _chart_directories(ctx: AuditContext) -> list[str]:
    return [a.helm_chart.directory for a in ctx.inventory.by_kind(K.HELM_CHART)
            if a.helm_chart and a.helm_chart.directory]


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
        evidence = deploy_evidence(ctx, ctx.scripts[path])
        if evidence is None:
            # Git hooks, environment activation, formatters, push helpers: they deploy
            # nothing, so the chart replaces nothing in them; they are left alone.
            continue
        items.append(
            _item(
                ctx,
                path,
                f"deploy script ({evidence}): replaced by {_replacement(ctx, ctx.scripts[path])}",
            )
        )
    for artifact in ctx.inventory:
        # Python programs that run no commands are not scripts to the loaders, but one named
        # as a deployment that starts the web server itself is still a launcher to retire.
        if artifact.path in ctx.scripts:
            continue
        launch = server_launch(ctx, artifact.path)
        if launch is not None:
            items.append(_item(
                ctx, artifact.path,
                f"deploy script ({artifact.path}:{launch[0]} `{launch[1]}`): replaced by the "
                "chart's Deployment of the service (helm upgrade / Argo CD sync)",
            ))
    chart_dirs = _chart_directories(ctx)
    # A manifest is debt only when the chart makes every object it holds (the rest is kept,
    # see kept_files): each item names what replaces each object.
    for path, verdict in manifest_verdicts(ctx).items():
        if verdict.replaced:
            items.append(dataclasses.replace(
                _item(ctx, path, verdict.reason()),
                evidence=tuple(o.line() for o in verdict.objects)))
    for directory in chart_dirs:
        members = [
            a.path for a in ctx.inventory if directory and a.path.startswith(directory + "/")
        ]
        for path in members:
            items.append(
                _item(ctx, path, "undeployed hand-written chart: replaced by the generated chart")
            )
    for registry in app_configs(ctx).registries:
        items.append(_item(
            ctx, registry.path,
            f"service registry ({registry.evidence()}): replaced by Kubernetes Services (each "
            "service's DNS name) and the chart's values",
        ))
    # Dev containers, tests, provisioning trees: tooling the chart does not replace.
    unique = {i.path: i for i in items if tooling_folder(i.path) is None}
    return tuple(unique[p] for p in sorted(unique))


def kept_files(ctx: AuditContext) -> tuple[KeptFile, ...]:
    """Files the new path keeps as they are: application configuration (the LLM gateway's
    providers, models and routing are what the application does, not how it is deployed),
    and hand-written manifests holding objects the chart does not make (each object says
    whether it must move into the values or stay)."""
    kept = [
        KeptFile(g.path, "LLM gateway configuration (model providers, models and routing: "
                 f"{', '.join(g.keys[:4])}): the application's own settings; the new path "
                 "keeps the file as it is")
        for g in app_configs(ctx).gateways
    ]
    charts = _chart_directories(ctx)
    for path, verdict in manifest_verdicts(ctx).items():
        # A hand-written chart's files go or stay with their chart (tech_debt).
        inside_chart = any(path.startswith(d + "/") for d in charts)
        if not verdict.replaced and tooling_folder(path) is None and not inside_chart:
            kept.append(KeptFile(path, verdict.reason(),
                                 tuple(o.line() for o in verdict.objects)))
    unique = {k.path: k for k in kept}
    return tuple(unique[p] for p in sorted(unique))


def deploy_script_replacements(ctx: AuditContext) -> dict[str, str | None]:
    """Every script that deploys -> what replaces it, None for one the chart does not
    replace (dev containers, tests, provisioning trees keep theirs). Helpers that deploy
    nothing (git hooks, activation, formatters) are not deploy scripts and are not here."""
    found: dict[str, str | None] = {}
    for path, script in ctx.scripts.items():
        if deploy_evidence(ctx, script) is not None:
            found[path] = _replacement(ctx, script)
    for artifact in ctx.inventory:
        if artifact.path not in ctx.scripts and server_launch(ctx, artifact.path) is not None:
            found[artifact.path] = "the chart's Deployment of the service (helm upgrade / " \
                "Argo CD sync)"
    return {path: (None if tooling_folder(path) is not None else replacement)
            for path, replacement in sorted(found.items())}


def script_replacements(replacements: Mapping[str, str | None]
                        ) -> tuple[ScriptReplacement, ...]:
    """How many deploy scripts each replacement takes over, most first."""
    counts = Counter(r for r in replacements.values() if r is not None)
    return tuple(ScriptReplacement(replaced_by, n)
                 for replaced_by, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def before_after(ctx: AuditContext) -> tuple[tuple[BeforeAfter, ...], float]:
    inv = ctx.inventory
    manifests = [a for a in inv if a.has(K.KUBERNETES_MANIFEST) or a.has(K.KUSTOMIZATION)]
    replacements = deploy_script_replacements(ctx)
    scripts_before = len(replacements)
    # What stays: the deploy scripts the chart does not replace, and one entry point (the
    # deploy command) when any script is replaced.
    kept = sum(1 for r in replacements.values() if r is None)
    scripts_after = kept + (1 if scripts_before > kept else 0)
    argo = len(inv.by_kind(K.ARGOCD_APPLICATION))
    counts = (
        BeforeAfter("compose", len(ctx.compose), len(_kept_compose(ctx))),
        BeforeAfter("dockerfiles", len(ctx.dockerfiles), len(dockerfile_groups(ctx))),
        BeforeAfter("deploy-scripts", scripts_before, scripts_after),
        BeforeAfter("manifests", len(manifests), _manifests_after(ctx, len(manifests), argo)),
        BeforeAfter("helm-charts", len(inv.by_kind(K.HELM_CHART)), 1),
    )
    reduction = (
        round(100.0 * (scripts_before - scripts_after) / scripts_before, 1)
        if scripts_before
        else 0.0
    )
    return counts, reduction


def _manifests_after(ctx: AuditContext, before: int, argo: int) -> int:
    """The manifests that stay (objects the chart does not make, Argo CD applications,
    tooling) plus the generated Argo CD ApplicationSet when any is deleted and the
    repository had no Argo CD application."""
    deleted = sum(1 for path, verdict in manifest_verdicts(ctx).items()
                  if verdict.replaced and tooling_folder(path) is None)
    return before - deleted + (1 if deleted and not argo else 0)


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
            # Each title names what its first rules find: the first page shows the most
            # severe finding of an action, the first-named rule's among equals.
            (
                "Converge the compose variants into one chart",
                "One chart with a values file per environment (kubealign convert) replaces "
                "the copies and their drifting tags and settings.",
                ("CMP104", "CMP105", "CMP103", "K8S003"),
            ),
            (
                "Retire the dead deployment trees",
                "Delete (or wire into GitOps) the strategies, manifests and charts nothing "
                "deploys.",
                ("STR002", "K8S002", "K8S004"),
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
                "Align service names and namespaces",
                "One name per service and one namespace per environment, so DNS works the "
                "same everywhere.",
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
            paths = sorted({o.path for r in fired for f in by_rule[r] for o in f.places()
                            if o.path})
            chosen.append(ActionItem(title, detail, tuple(fired), tuple(paths)))
        phases.append(ActionPhase(name, horizon, tuple(chosen)))
    return tuple(phases)
