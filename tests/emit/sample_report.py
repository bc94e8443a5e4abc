"""A hand-built audit report for the renderer tests.

Built by hand (not by the audit engine) so that the renderer tests do not depend on what the
engine finds today, and so that it can hold hostile text: a finding whose message carries
``<script>``, quotes, ampersands, pipes, backticks and a ``</script>`` breakout attempt.
Import it as ``from emit.sample_report import sample_report`` (``tests/`` is on ``sys.path``).
"""

from __future__ import annotations

from kubealign.model.audit import (
    AUDIT_SCHEMA_VERSION,
    ActionItem,
    ActionPhase,
    AuditReport,
    BeforeAfter,
    ChartEntry,
    ComposeAnalysis,
    ComposeVariant,
    DockerfileDiff,
    DockerfileGroup,
    DockerfileVariant,
    DriftEntry,
    DuplicateGroup,
    GeneratedFrom,
    InventorySummary,
    KeelAnnotation,
    KubernetesSection,
    ManifestEntry,
    MatrixCell,
    NamespaceUse,
    RuleMeta,
    ScriptEntry,
    ServiceDifference,
    ServiceMatrix,
    ServiceValue,
    SimilarityEntry,
    Strategy,
    Summary,
    SuppressedFinding,
    TechDebtItem,
)
from kubealign.model.findings import Finding, Occurrence, Severity

HOSTILE_MESSAGE = 'Image tag "latest" <script>alert("x")</script> & `tick` | pipe \'quote\''
HOSTILE_PATH = "deployment/we<ird> & \"odd\" name.yml"
BREAKOUT = "</script><script>document.title='pwned'</script>"


def _finding(rule: str, severity: Severity, category: str, message: str, path: str | None,
             line: int | None, fix: str | None = None) -> Finding:
    return Finding(rule=rule, severity=severity, message=message, path=path, line=line,
                   fix=fix, category=category)


FINDINGS: tuple[Finding, ...] = (
    _finding("STR001", Severity.CRITICAL, "strategy",
             "three deployment strategies in use: swarm (live), kubernetes (dead), compose",
             "docker-compose.cloud.yml", 1, "choose one orchestrator"),
    _finding("SEC010", Severity.HIGH, "secrets",
             "Secret data committed in kubernetes/production/secrets.yaml (value ****)",
             "kubernetes/production/secrets.yaml", 7, "use an ExternalSecret"),
    _finding("CMP104", Severity.MEDIUM, "compose", HOSTILE_MESSAGE, HOSTILE_PATH, 12,
             "pin a tag " + BREAKOUT),
    _finding("NET020", Severity.MEDIUM, "networking",
             "Traefik labels outside deploy.labels are ignored by Swarm",
             "docker-compose.cloud.yml", 88, "move the labels under deploy.labels"),
    _finding("SH001", Severity.LOW, "scripts", "missing set -euo pipefail",
             "scripts/deploy_enhanced_a.sh", 1, "add set -euo pipefail"),
    _finding("DKF001", Severity.INFO, "dockerfile", "no HEALTHCHECK", "Dockerfile.production",
             None, None),
    _finding("STR002", Severity.LOW, "strategy",
             "documentation says Kubernetes, scripts deploy with Swarm", None, None,
             "update docs/DEPLOYMENT.md"),
)
#: One root cause in three places (one of them with hostile text), as the audit groups them.
GROUPED = Finding(
    rule="DSC001", severity=Severity.HIGH, category="service-discovery",
    message="services reach hard-coded IP 192.0.2.10 instead of a service name",
    path="docker-compose.cloud.yml", line=20, fix="use the service name", key="192.0.2.10",
    occurrences=(
        Occurrence("docker-compose.cloud.yml", 20, "service 'backend' reaches AI_URL",
                   Severity.HIGH),
        Occurrence(HOSTILE_PATH, 9, "service 'x' reaches " + BREAKOUT, Severity.HIGH),
        Occurrence("scripts/deploy_enhanced_a.sh", 3, "", Severity.HIGH),
    ),
)
FINDINGS = (*FINDINGS[:2], GROUPED, *FINDINGS[2:])

RULES: tuple[RuleMeta, ...] = (
    RuleMeta("CMP104", "latest-tag", "medium", "compose", "Images use the mutable latest tag.",
             "docs/rules/CMP104.md"),
    RuleMeta("DSC001", "hard-coded-ip-in-compose", "high", "service-discovery",
             "A compose value points at a hard-coded IP address.", "docs/rules/DSC001.md"),
    RuleMeta("DKF001", "missing-healthcheck", "info", "dockerfile",
             "Dockerfile without HEALTHCHECK.", "docs/rules/DKF001.md"),
    RuleMeta("NET020", "traefik-labels-outside-deploy", "medium", "networking",
             "Swarm reads router labels from deploy.labels only.", "docs/rules/NET020.md"),
    RuleMeta("SEC010", "committed-secret-data", "high", "secrets",
             "A Secret manifest carries data in the repository.", "docs/rules/SEC010.md"),
    RuleMeta("SH001", "missing-strict-mode", "low", "scripts",
             "Shell script without set -euo pipefail.", "docs/rules/SH001.md"),
    RuleMeta("SH010", "direct-ssh-deploy", "medium", "scripts",
             "Deployment over ssh from a script.", "docs/rules/SH010.md"),
    RuleMeta("STR001", "competing-strategies", "critical", "strategy",
             "More than one deployment strategy is in use.", "docs/rules/STR001.md"),
    RuleMeta("STR002", "docs-contradict-scripts", "low", "strategy",
             "Documentation and scripts disagree on the orchestrator.", "docs/rules/STR002.md"),
)

SUPPRESSED = (
    SuppressedFinding(
        _finding("SH010", Severity.MEDIUM, "scripts", "ssh deployment to lambda.internal",
                 "scripts/legacy_deploy.sh", 14, "deploy through the chart"),
        reason="legacy host, removed in phase 2",
        suppressed_at="scripts/legacy_deploy.sh:13",
    ),
)

ENVIRONMENTS = ("ai-core", "cloud", "production")
SERVICES = ("backend", "frontend", "redis")


def _cell(service: str, env: str, file: str, line: int, tag: str, *, replicas: int = 1,
          gpus: str | None = None, memory: str | None = "2G") -> MatrixCell:
    return MatrixCell(service=service, environment=env, file=file, line=line,
                      image=f"scoobyjava15/sophia-{service}", tag=tag, replicas=replicas,
                      gpus=gpus, memory=memory, cpus="1.0", host=None)


def sample_report() -> AuditReport:
    cells = (
        _cell("backend", "ai-core", "deployment/docker-compose-ai-core.yml", 5, "2.1",
              gpus="1", memory="16G"),
        _cell("backend", "cloud", "docker-compose.cloud.yml", 10, "latest", replicas=3),
        _cell("backend", "production", HOSTILE_PATH, 4, "2.1"),
        _cell("frontend", "cloud", "docker-compose.cloud.yml", 40, "1.4", replicas=2),
        _cell("frontend", "production", HOSTILE_PATH, 30, "1.4", replicas=2),
        _cell("redis", "cloud", "docker-compose.cloud.yml", 70, "7", memory=None),
        _cell("redis", "production", HOSTILE_PATH, 50, "7", memory=None),
    )
    return AuditReport(
        schema_version=AUDIT_SCHEMA_VERSION,
        root="sophia",
        generated_from=GeneratedFrom("kubealign", "0.1.0", files_scanned=120, rules_run=42),
        summary=Summary(
            findings_total=len(FINDINGS),
            occurrences_total=sum(len(f.places()) for f in FINDINGS),
            suppressed_total=len(SUPPRESSED),
            by_severity=(("critical", 1), ("high", 2), ("medium", 2), ("low", 2), ("info", 1)),
            by_category=(("strategy", 2), ("compose", 1), ("secrets", 1), ("networking", 1),
                         ("service-discovery", 1), ("dockerfile", 1), ("scripts", 1)),
            inconsistencies=(("orchestration-confusion", 2), ("secret-management", 1),
                             ("service-discovery", 0), ("resource-management", 0),
                             ("networking", 1)),
            strategies_in_use=("compose", "kubernetes", "swarm"),
            live_strategies=("swarm",),
            dead_strategies=("compose", "kubernetes"),
        ),
        inventory=InventorySummary(
            total_files=120,
            by_kind=(("compose", 11), ("deploy-script", 18), ("dockerfile", 6),
                     ("kubernetes-manifest", 25), ("swarm-stack", 1)),
        ),
        strategies=(
            Strategy("compose", ("docker-compose.yml", HOSTILE_PATH), False,
                     ("no CI job or live script runs docker compose",)),
            Strategy("kubernetes", ("kubernetes/production/backend.yaml",), False,
                     ("no live script applies kubernetes/",)),
            Strategy("swarm", ("docker-compose.cloud.yml",), True,
                     (".github/workflows/deploy.yml:41 runs deploy_sophia_unified.sh",)),
        ),
        compose=ComposeAnalysis(
            variants=(
                ComposeVariant("deployment/docker-compose-ai-core.yml", "instance", "deployment",
                               ("backend",), False, False, ("docker-compose.cloud.yml",),
                               ("ai-core",), None, 60),
                ComposeVariant("docker-compose.cloud.yml", "stack", ".",
                               SERVICES, True, True, (), ("cloud",), None, 474),
                ComposeVariant(HOSTILE_PATH, "variant", "deployment", SERVICES, False, False,
                               ("docker-compose.cloud.yml",), ("production",), None, 90,
                               load_error=None),
            ),
            similarity=(
                SimilarityEntry("docker-compose.cloud.yml", HOSTILE_PATH, SERVICES, 100.0, 71.4,
                                False),
            ),
            differences=(
                ServiceDifference("backend", "image-tag", (
                    ServiceValue("docker-compose.cloud.yml", "latest", 10),
                    ServiceValue(HOSTILE_PATH, "2.1", 4),
                )),
            ),
        ),
        matrix=ServiceMatrix(services=SERVICES, environments=ENVIRONMENTS, cells=cells),
        dockerfiles=(
            DockerfileGroup(
                service="backend",
                variants=(
                    DockerfileVariant("Dockerfile.production", None, ("python:3.11",), 1,
                                      "root", False, False, ("docker-compose.cloud.yml:12",)),
                    DockerfileVariant("Dockerfile.production.2025", "docker/dockerfile:1.7",
                                      ("python:3.11-slim", "python:3.11-slim"), 2, "app",
                                      True, False, ()),
                    DockerfileVariant("docker/Dockerfile.gh200", None,
                                      ("nvcr.io/nvidia/pytorch:24.01-py3",), 1, "root", False,
                                      True, ()),
                ),
                differences=(
                    DockerfileDiff("Dockerfile.production", "Dockerfile.production.2025",
                                   "stages", "1", "2"),
                ),
                recommended="Dockerfile.production.2025",
                recommendation="one multi-stage Dockerfile with a gpu target",
            ),
        ),
        scripts=(
            ScriptEntry("deploy_sophia_unified.sh", "bash", (("docker-stack-deploy", 1),
                                                              ("ssh", 2)),
                        strict_mode=True, hosts=("lambda.internal",), live=True,
                        referenced_by=(".github/workflows/deploy.yml:41",)),
            ScriptEntry("scripts/deploy_enhanced_a.sh", "bash", (("ssh", 3),), live=False,
                        duplicate_group=0),
            ScriptEntry("scripts/deploy_enhanced_b.sh", "bash", (("ssh", 3),), live=False,
                        duplicate_group=0),
            ScriptEntry("scripts/deploy_lambda_labs_complete.py", "python", (("scp", 1),)),
        ),
        duplicate_groups=(
            DuplicateGroup(0, ("scripts/deploy_enhanced_a.sh", "scripts/deploy_enhanced_b.sh"),
                           92.5),
        ),
        kubernetes=KubernetesSection(
            namespaces=(
                NamespaceUse("sophia", ("kubernetes/production/backend.yaml:4",)),
                NamespaceUse("sophia-ai", ("kubernetes/gitops/kustomization.yaml:2",)),
            ),
            manifests=(
                ManifestEntry("kubernetes/production/backend.yaml", ("Deployment/backend",),
                              ("sophia",), False, ()),
                ManifestEntry("kubernetes/gitops/app.yaml", ("Application/sophia",),
                              ("argocd",), True, ("kubernetes/gitops/kustomization.yaml",)),
            ),
            drift=(
                DriftEntry("backend", "image-tag", "docker-compose.cloud.yml", 10, "latest",
                           "kubernetes/production/backend.yaml", 20, "2.0"),
            ),
            keel=(KeelAnnotation("kubernetes/keel/backend.yaml", 8, "Deployment/backend",
                                 "force"),),
            charts=(ChartEntry("kubernetes/helm/sophia", "sophia", False, ()),),
        ),
        findings=FINDINGS,
        suppressed=SUPPRESSED,
        rules=RULES,
        tech_debt=(
            TechDebtItem("docker-compose.enhanced.yml", "variant of docker-compose.cloud.yml, "
                         "not used by any live path", "delete", None, False, ()),
            TechDebtItem("scripts/deploy_enhanced_b.sh", "near-duplicate of "
                         "scripts/deploy_enhanced_a.sh", "delete", None, False, ()),
            TechDebtItem("Dockerfile.production.2025", "the recommended Dockerfile",
                         "move", "Dockerfile", False, ()),
            TechDebtItem("docker-compose.cloud.yml", "replaced by the chart's values",
                         "delete", None, True, (".github/workflows/deploy.yml:41",)),
        ),
        before_after=(
            BeforeAfter("compose", 11, 1),
            BeforeAfter("dockerfile", 6, 3),
            BeforeAfter("scripts", 18, 1),
            BeforeAfter("kubernetes-manifest", 25, 0),
        ),
        script_reduction_percent=94.4,
        action_plan=(
            ActionPhase("Immediate", "Week 1", (
                ActionItem("Choose a single orchestrator", "Kubernetes for all environments",
                           ("STR001",), ("docker-compose.cloud.yml",)),
                ActionItem("Consolidate Docker images", "keep Dockerfile.production.2025",
                           ("DKF001",), ("Dockerfile.production", "Dockerfile.production.2025")),
            )),
            ActionPhase("Short-term", "Weeks 2-3", (
                ActionItem("Migrate to Kubernetes", "kubealign convert; one values file per "
                           "environment", (), ()),
            )),
            ActionPhase("Medium-term", "Month 2", (
                ActionItem("GPU scheduling", "node selectors and the device plugin", ("GPU001",),
                           ()),
            )),
        ),
    )
