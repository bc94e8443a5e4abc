"""The audit report: everything ``kubealign audit`` found, as one frozen value.

Every renderer (text, JSON, Markdown, HTML, SARIF) reads this model and nothing else, so the
report is computed once and shown many ways. Frozen, slotted dataclasses holding tuples only:
a report compares, hashes and serialises deterministically. There are no timestamps and no
absolute paths in it (paths are POSIX, relative to the audited root), so two runs over the same
tree give byte-identical output. Secret values never enter it: secret findings carry a masked
preview only.

:meth:`AuditReport.to_json_dict` is the JSON contract documented in ``docs/audit-json.md``.
Fields marked with :data:`AS_MAPPING` hold ``(name, value)`` pairs and are written as JSON
objects; every other tuple is written as a JSON array.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubealign.model.findings import Finding, Severity

#: Bumped whenever the JSON contract (docs/audit-json.md) changes incompatibly.
#: 3: a finding is a root cause with its ``occurrences[]`` and ``key``; counts are of findings.
#: 4: environments and services carry the plan's names (``kubealign.yaml``, the chart).
AUDIT_SCHEMA_VERSION = 5

#: Field metadata: a tuple of ``(name, value)`` pairs written as a JSON object.
AS_MAPPING: Mapping[str, bool] = {"json_mapping": True}

#: The categories a rule belongs to, in display order.
CATEGORIES: tuple[str, ...] = (
    "strategy",
    "compose",
    "swarm",
    "secrets",
    "service-discovery",
    "resources",
    "gpu",
    "networking",
    "dockerfile",
    "kubernetes",
    "scripts",
    "debt",
)

#: The five inconsistency categories of an alignment review and the rule categories feeding each.
INCONSISTENCY_CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("orchestration-confusion", ("strategy", "swarm")),
    ("secret-management", ("secrets",)),
    ("service-discovery", ("service-discovery",)),
    ("resource-management", ("resources", "gpu")),
    ("networking", ("networking",)),
)


# --------------------------------------------------------------------------- header and summary


@dataclass(frozen=True, slots=True)
class GeneratedFrom:
    """What produced the report (no clock, no host: the output must be reproducible)."""

    tool: str
    version: str
    files_scanned: int
    rules_run: int


@dataclass(frozen=True, slots=True)
class Summary:
    #: Findings, i.e. root causes (one rule on one cause, however many places show it).
    findings_total: int
    #: The places of those findings (every occurrence).
    occurrences_total: int
    #: Suppressed occurrences.
    suppressed_total: int
    #: Every severity, highest first, zero included.
    by_severity: tuple[tuple[str, int], ...] = field(metadata=AS_MAPPING)
    #: Every category of :data:`CATEGORIES`, zero included.
    by_category: tuple[tuple[str, int], ...] = field(metadata=AS_MAPPING)
    #: The five inconsistency categories -> number of findings.
    inconsistencies: tuple[tuple[str, int], ...] = field(metadata=AS_MAPPING)
    #: The competing strategies, the one count STR001, the executive summary and the
    #: terminal give; live and dead split them.
    strategies_in_use: tuple[str, ...]
    live_strategies: tuple[str, ...]
    dead_strategies: tuple[str, ...]
    #: Ways of carrying files to hosts (``ssh-scripts``): in :attr:`AuditReport.strategies`
    #: but no strategy of their own (they feed one), so never counted with them.
    carriers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InventorySummary:
    total_files: int
    #: Files per artifact kind (inventory kinds: compose, swarm-stack, dockerfile, …), zero omitted.
    by_kind: tuple[tuple[str, int], ...] = field(metadata=AS_MAPPING)


# --------------------------------------------------------------------------- strategies


@dataclass(frozen=True, slots=True)
class Strategy:
    """A way this repository deploys: compose, swarm, kubernetes, kustomize, helm, argocd, ssh."""

    name: str
    files: tuple[str, ...]
    live: bool
    #: Why it is live or what it consists of, e.g. ``.github/workflows/deploy.yml:41 runs
    #: deploy_sophia_unified.sh``; sorted.
    evidence: tuple[str, ...]


def strategy_state(strategy: Strategy, strategies: Sequence[Strategy]) -> str:
    """``live``; ``dead`` when nothing reaches it while another strategy is live (the live
    path replaced it); ``run by hand`` when nothing in the repository runs any strategy (a
    compose file people start with ``docker compose up``): not reached is not dead then, as
    the audit cannot tell which one is used."""
    if strategy.live:
        return "live"
    return "dead" if any(other.live for other in strategies) else "run by hand"


# --------------------------------------------------------------------------- compose variants


@dataclass(frozen=True, slots=True)
class ComposeVariant:
    """One compose file, loaded on its own."""

    file: str
    #: base | override | variant | instance | stack
    role: str
    #: Directory the file was loaded with (its own folder), relative to the root.
    project_dir: str
    services: tuple[str, ...]
    swarm: bool
    live: bool
    #: Other compose files this one is a variant of (shared services or image repositories).
    variant_of: tuple[str, ...]
    #: The plan's environments built from this file (``kubealign.yaml``, the chart's
    #: ``values-<env>.yaml``), in migration order; empty when none is.
    environments: tuple[str, ...]
    #: Why no environment of the plan uses the file (None when one does).
    outside_plan: str | None
    lines: int
    load_error: str | None = None


@dataclass(frozen=True, slots=True)
class SimilarityEntry:
    """How alike two compose files are (only pairs sharing a service or image are listed)."""

    left: str
    right: str
    shared_services: tuple[str, ...]
    #: Shared services / union of services, in percent (0–100, one decimal).
    service_similarity: float
    #: Identical normalised settings / all settings of the shared services, in percent.
    settings_similarity: float
    #: The files differ only by values (same services, same keys): one chart, two values files.
    values_only: bool


@dataclass(frozen=True, slots=True)
class ServiceValue:
    """A service setting as one compose file writes it."""

    file: str
    value: str
    line: int | None


@dataclass(frozen=True, slots=True)
class ServiceDifference:
    """One setting of one service that differs between compose files."""

    service: str
    #: image-tag | replicas | memory | cpus | gpus | env | hosts | ports | networks
    aspect: str
    values: tuple[ServiceValue, ...]


@dataclass(frozen=True, slots=True)
class ComposeAnalysis:
    variants: tuple[ComposeVariant, ...]
    similarity: tuple[SimilarityEntry, ...]
    differences: tuple[ServiceDifference, ...]


@dataclass(frozen=True, slots=True)
class MatrixCell:
    #: The chart's values key; ``compose_service`` is the name ``file`` gives it.
    service: str
    #: An environment of the plan.
    environment: str
    file: str
    line: int | None
    image: str
    tag: str | None
    replicas: int | None
    gpus: str | None
    memory: str | None
    cpus: str | None
    #: Where it runs: placement constraints, hostname or the instance named by the file.
    host: str | None
    #: Networks the service joins in this file (``default`` when it names none).
    networks: tuple[str, ...] = ()
    compose_service: str = ""


@dataclass(frozen=True, slots=True)
class ServiceMatrix:
    """Services (rows) × environments (columns); a missing cell means "not deployed there"."""

    services: tuple[str, ...]
    #: The plan's environments, in migration order, but those in ``not_loaded``.
    environments: tuple[str, ...]
    cells: tuple[MatrixCell, ...]
    #: Environments of the plan none of whose compose files loads on its own (each file's
    #: ``load_error`` says why): no column, rather than a column that looks empty.
    not_loaded: tuple[str, ...] = ()


# --------------------------------------------------------------------------- Dockerfiles


@dataclass(frozen=True, slots=True)
class DockerfileVariant:
    path: str
    syntax: str | None
    bases: tuple[str, ...]
    stages: int
    user: str
    healthcheck: bool
    gpu: bool
    #: Compose files, CI workflows and scripts that build this file (``path:line``), sorted.
    built_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DockerfileDiff:
    left: str
    right: str
    aspect: str
    left_value: str
    right_value: str


@dataclass(frozen=True, slots=True)
class DockerfileGroup:
    """The Dockerfiles of one service (or image) and the one to keep."""

    service: str
    variants: tuple[DockerfileVariant, ...]
    differences: tuple[DockerfileDiff, ...]
    #: The file to keep (built by a live path, else the newest-looking, multi-stage one).
    recommended: str
    #: What the single Dockerfile should look like (multi-stage, GPU target, non-root…).
    recommendation: str


# --------------------------------------------------------------------------- scripts


@dataclass(frozen=True, slots=True)
class ScriptEntry:
    path: str
    language: str
    #: Deploy command kind (``ssh``, ``docker-stack-deploy``…) -> number of commands.
    commands: tuple[tuple[str, int], ...] = field(metadata=AS_MAPPING)
    strict_mode: bool = False
    hosts: tuple[str, ...] = ()
    live: bool = False
    #: Files that run this script (``path:line``), sorted.
    referenced_by: tuple[str, ...] = ()
    #: Index into :attr:`AuditReport.duplicate_groups`, when the script has near-duplicates.
    duplicate_group: int | None = None


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    id: int
    scripts: tuple[str, ...]
    #: Lowest pairwise Jaccard similarity of the group's fingerprints, percent.
    similarity: float


# --------------------------------------------------------------------------- Kubernetes


@dataclass(frozen=True, slots=True)
class NamespaceUse:
    name: str
    #: ``path:line`` of every object placed in (or declaring) this namespace, sorted.
    files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    path: str
    #: ``Kind/name`` of each document.
    objects: tuple[str, ...]
    namespaces: tuple[str, ...]
    applied: bool
    #: What applies it (live script, CI step, kustomization, Argo CD application), sorted.
    applied_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DriftEntry:
    """A compose service and the Kubernetes workload of the same name disagree."""

    service: str
    #: image-tag | env | ports | replicas
    aspect: str
    compose_file: str
    compose_line: int | None
    compose_value: str
    manifest_file: str
    manifest_line: int | None
    manifest_value: str


@dataclass(frozen=True, slots=True)
class KeelAnnotation:
    path: str
    line: int | None
    workload: str
    policy: str


@dataclass(frozen=True, slots=True)
class ChartEntry:
    directory: str
    name: str | None
    installed: bool
    installed_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class KubernetesSection:
    namespaces: tuple[NamespaceUse, ...]
    manifests: tuple[ManifestEntry, ...]
    drift: tuple[DriftEntry, ...]
    keel: tuple[KeelAnnotation, ...]
    charts: tuple[ChartEntry, ...]


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True, slots=True)
class RuleMeta:
    """Documentation of a rule that fired, so renderers (SARIF) need not import the registry."""

    id: str
    name: str
    severity: str
    category: str
    summary: str
    #: Path of the generated documentation page, relative to the kubealign repository.
    docs: str


@dataclass(frozen=True, slots=True)
class SuppressedFinding:
    #: One suppressed occurrence (suppressions match places; ``finding.key`` names its root
    #: cause, so a partly suppressed finding can be matched with its kept places).
    finding: Finding
    reason: str
    #: Where the suppression comment is (``path:line``).
    suppressed_at: str


# --------------------------------------------------------------------------- debt and plan


@dataclass(frozen=True, slots=True)
class TechDebtItem:
    path: str
    reason: str
    #: delete | move
    action: str
    #: For ``move``: where the content belongs.
    destination: str | None
    #: Still referenced by a live path: cleanup must not touch it yet.
    referenced_by_live: bool
    referenced_by: tuple[str, ...]
    #: What makes it debt, one line per piece of evidence (a manifest: each object and what
    #: replaces it, ``Deployment/x → chart service x (image org/x)``).
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KeptFile:
    """A file the new path keeps as it is (application configuration, a manifest holding
    objects the chart does not make), and what it is."""

    path: str
    reason: str
    #: For a manifest: each object, what replaces it or why it must move or stay.
    objects: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BeforeAfter:
    """Deployment files of one kind today and after the consolidation."""

    kind: str
    before: int
    after: int


@dataclass(frozen=True, slots=True)
class ScriptReplacement:
    """What takes over from a number of today's deploy scripts."""

    replaced_by: str
    scripts: int


@dataclass(frozen=True, slots=True)
class ActionItem:
    title: str
    detail: str
    rules: tuple[str, ...]
    paths: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ActionPhase:
    #: Immediate | Short-term | Medium-term
    name: str
    #: Week 1 | Weeks 2-3 | Month 2
    horizon: str
    items: tuple[ActionItem, ...]


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True, slots=True)
class AuditReport:
    schema_version: int
    #: Name of the audited directory (not its absolute path: output must not depend on it).
    root: str
    generated_from: GeneratedFrom
    summary: Summary
    inventory: InventorySummary
    strategies: tuple[Strategy, ...]
    compose: ComposeAnalysis
    matrix: ServiceMatrix
    dockerfiles: tuple[DockerfileGroup, ...]
    scripts: tuple[ScriptEntry, ...]
    duplicate_groups: tuple[DuplicateGroup, ...]
    kubernetes: KubernetesSection
    #: One per rule and root cause, with its occurrences; sorted by severity (highest
    #: first), then path, line and rule id of its primary place.
    findings: tuple[Finding, ...]
    suppressed: tuple[SuppressedFinding, ...]
    rules: tuple[RuleMeta, ...]
    tech_debt: tuple[TechDebtItem, ...]
    before_after: tuple[BeforeAfter, ...]
    #: (deploy scripts before - after) / deploy scripts before, percent, one decimal: over
    #: the scripts that deploy (build/push images, run compose/stack/kubectl/helm, copy to
    #: hosts, start servers), never over helpers that deploy nothing.
    script_reduction_percent: float
    action_plan: tuple[ActionPhase, ...]
    #: What replaces the deploy scripts the consolidation removes, most scripts first.
    script_replacements: tuple[ScriptReplacement, ...] = ()
    #: Application configuration the new path keeps (never in ``tech_debt``).
    kept: tuple[KeptFile, ...] = ()

    def findings_at_or_above(self, threshold: Severity) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity >= threshold)

    def findings_in(self, category: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.category == category)

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON contract (docs/audit-json.md): plain dicts, lists, str, int, float, bool."""
        result = to_jsonable(self)
        assert isinstance(result, dict)
        return result


# --------------------------------------------------------------------------- JSON


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": str(finding.severity),
        "category": finding.category,
        "key": finding.key or finding.location(),
        "path": finding.path,
        "line": finding.line,
        "message": finding.message,
        "fix": finding.fix,
        "occurrences": [
            {"path": o.path, "line": o.line, "detail": o.detail, "severity": str(o.severity)}
            for o in finding.places()
        ],
    }


def to_jsonable(value: object) -> object:
    """Dataclasses to dicts (field order kept), tuples to lists, enums to their JSON names."""
    if isinstance(value, Finding):
        return _finding_json(value)
    if isinstance(value, Severity):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        result: dict[str, Any] = {}
        for item in dataclasses.fields(value):
            raw = getattr(value, item.name)
            if item.metadata.get("json_mapping"):
                result[item.name] = {str(k): to_jsonable(v) for k, v in raw}
            else:
                result[item.name] = to_jsonable(raw)
        return result
    if isinstance(value, tuple | list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(to_jsonable(v) for v in value)  # type: ignore[type-var]
    return value
