"""SH: deploy scripts (bash and Python), their near-duplicates, and dead ones."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from kubealign.load.shell_script import similarity
from kubealign.model.artifacts import DeployKind, ScriptInfo
from kubealign.model.audit import DuplicateGroup
from kubealign.model.findings import Finding, Severity
from kubealign.rules.base import Rule
from kubealign.rules.context import AuditContext
from kubealign.rules.liveness import liveness

#: Jaccard similarity of fingerprints above which two scripts count as near-duplicates.
DUPLICATE_THRESHOLD = 0.3
_SHELLS = frozenset({"bash", "sh", "zsh", "ksh"})
_SSH = frozenset({DeployKind.SSH, DeployKind.SCP, DeployKind.RSYNC})
_MANUAL = frozenset(
    {DeployKind.DOCKER_RUN, DeployKind.DOCKER_SERVICE_UPDATE, DeployKind.DOCKER_SERVICE_CREATE}
)


def duplicate_groups(ctx: AuditContext) -> tuple[DuplicateGroup, ...]:
    """Connected components of the "similar enough" relation, same language only."""

    def compute(c: AuditContext) -> tuple[DuplicateGroup, ...]:
        paths = sorted(c.scripts)
        parent = {p: p for p in paths}
        scores: dict[tuple[str, str], float] = {}

        def find(p: str) -> str:
            while parent[p] != p:
                parent[p] = parent[parent[p]]
                p = parent[p]
            return p

        for a, b in itertools.combinations(paths, 2):
            left, right = c.scripts[a], c.scripts[b]
            if (left.language == "python") != (right.language == "python"):
                continue
            if not left.fingerprint or not right.fingerprint:
                continue
            score = similarity(left, right)
            if score >= DUPLICATE_THRESHOLD:
                scores[(a, b)] = score
                parent[find(a)] = find(b)
        members: dict[str, list[str]] = {}
        for p in paths:
            members.setdefault(find(p), []).append(p)
        groups = sorted(tuple(m) for m in members.values() if len(m) > 1)
        result = []
        for index, group in enumerate(groups, start=1):
            pair_scores = [
                scores[(a, b)] for a, b in itertools.combinations(group, 2) if (a, b) in scores
            ]
            result.append(DuplicateGroup(index, group, round(100.0 * min(pair_scores), 1)))
        return tuple(result)

    return ctx.analysis("duplicate-groups", compute)


class MissingStrictMode(Rule):
    """A shell deploy script without ``set -euo pipefail``.

    Why:
        Without it a failed ``docker pull`` or ``scp`` is ignored and the script carries on
        deploying a half-updated system, reporting success.

    Fix:
        Start the script with ``set -euo pipefail``.
    """

    id = "SH001"
    name = "missing-strict-mode"
    severity = Severity.LOW
    category = "scripts"
    targets = ("deploy-script",)
    root_cause = "repository (one sweep: every kept shell script starts the same way)"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for path, script in sorted(ctx.scripts.items()):
            if script.language not in _SHELLS or script.strict.complete:
                continue
            missing = [
                flag
                for flag, on in (
                    ("-e", script.strict.errexit),
                    ("-u", script.strict.nounset),
                    ("-o pipefail", script.strict.pipefail),
                )
                if not on
            ]
            yield self.finding(
                "shell scripts run without set -euo pipefail", path,
                script.strict.line or 1, key="strict-mode", detail=f"missing {' '.join(missing)}",
            )


def _first(script: ScriptInfo, kinds: frozenset[DeployKind]) -> int | None:
    lines = [c.line for c in script.deploy_commands if c.kind in kinds]
    return min(lines) if lines else None


class DirectSshDeployment(Rule):
    """A script deploys by ssh/scp/rsync to individual hosts.

    Why:
        Push-over-ssh deployments have no desired state, no rollback and no audit trail; each
        host ends up with whatever the last person copied.

    Fix:
        Deploy through the cluster API: Argo CD syncing the chart, or ``helm upgrade`` in CI.
    """

    id = "SH002"
    name = "direct-ssh-deployment"
    severity = Severity.MEDIUM
    category = "scripts"
    targets = ("deploy-script",)
    root_cause = "repository (its one push-over-ssh deployment path, whatever the script)"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for path, script in sorted(ctx.scripts.items()):
            line = _first(script, _SSH)
            if line is not None:
                count = sum(1 for c in script.deploy_commands if c.kind in _SSH)
                yield self.finding("scripts deploy to hosts over ssh/scp/rsync", path, line,
                                   key="push-over-ssh",
                                   detail=f"{count} ssh/scp/rsync deployment commands")


class ManualDockerCommands(Rule):
    """A script runs containers or updates services by hand (``docker run``, ``docker service
    update``).

    Why:
        Containers started by hand are invisible to the orchestrator's desired state: they
        survive deployments, hold ports and drift silently.

    Fix:
        Describe the workload in the chart and let the orchestrator run it.
    """

    id = "SH003"
    name = "manual-docker-commands"
    severity = Severity.MEDIUM
    category = "scripts"
    targets = ("deploy-script",)
    root_cause = "command kind (docker run, docker service update…)"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for path, script in sorted(ctx.scripts.items()):
            for command in script.deploy_commands:
                if command.kind in _MANUAL:
                    yield self.finding(
                        f"scripts run {command.kind.value} by hand, outside the orchestrator",
                        path, command.line, key=command.kind.value,
                    )


class NearDuplicateScripts(Rule):
    """Scripts that do nearly the same thing (shingle similarity of their commands).

    Commands are abstracted (hosts, paths and variables removed) so copies that differ only
    in targets still match.

    Why:
        Each copy gets different fixes; which one is correct depends on who you ask.

    Fix:
        Replace the group by one deployment path (``helm upgrade``/Argo CD) and delete the
        copies.
    """

    id = "SH004"
    name = "near-duplicate-scripts"
    severity = Severity.LOW
    category = "scripts"
    targets = ("deploy-script",)
    root_cause = "group of near-duplicate scripts"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for group in duplicate_groups(ctx):
            for path in group.scripts:
                yield self.finding(
                    f"{len(group.scripts)} near-duplicate scripts (group {group.id}, "
                    f">= {group.similarity:.1f}% similar)",
                    path,
                    1,
                    key=f"group {group.id}",
                )


class DeadDeployScript(Rule):
    """A deploy script nothing live runs (no CI job, Makefile target or live script).

    Why:
        Dead scripts still get run by hand "because they worked last time", with stale hosts
        and files.

    Fix:
        Delete it (the report's technical-debt list), or call it from CI if it is needed.
    """

    id = "SH005"
    name = "dead-deploy-script"
    severity = Severity.INFO
    category = "debt"
    targets = ("deploy-script",)
    root_cause = "repository (one clean-up: the technical-debt list removes them)"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        live = liveness(ctx)
        for path in sorted(ctx.scripts):
            if not live.is_live(path):
                yield self.finding("deploy scripts nothing runs (no CI job, Makefile target or "
                                   "live script)", path, 1, key="dead-scripts")
