"""On the real repositories, a hand-written manifest is proposed for deletion only when the
chart makes every object in it, and each proposal and each kept manifest says why.

``NEVER``: manifests holding objects the chart never makes, each checked by opening it
(alert rules, VPAs, Pod Security labels, CronJobs, operators, RBAC, CSI secret providers,
storage and priority classes, cert-manager issuers, CRDs), or workloads no service of the
chart runs. ``PROPOSED``: manifests whose every object is the chart's (same service by image
or name, its Service by selector and name), which must stay in the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kubealign.actions.audit import audit

NEVER: dict[str, dict[str, str]] = {
    "ai-cherry+sophia-strategic-development": {
        "kubernetes/monitoring/prometheus-alert-rules.yaml": "Prometheus alert rules no "
        "compose-mounted file carries",
        "kubernetes/autoscaling/sophia-ai-vpa.yaml": "VerticalPodAutoscaler",
        "kubernetes/security/pod-security-standards.yaml": "Namespace with Pod Security labels",
        "kubernetes/security/docker-scout-cronjob.yaml": "CronJob: no compose service is one",
        "kubernetes/keel/keel-deployment.yaml": "the Keel operator and its RBAC",
        "kubernetes/production/mcp-github-deployment.yaml": "image sophia-mcp-github: no "
        "service of the chart runs it (the chart's github-mcp is another image)",
        "kubernetes/production/sophia-service.yaml": "a LoadBalancer Service",
        "kubernetes/production/sophia-hpa.yaml": "the converter leaves autoscaling off",
        "infrastructure/kubernetes/sophia-platform-secrets.yaml": "ClusterRoles, CronJobs",
    },
    "Dashboard4-0+MS5_App": {
        "k8s/05-rbac.yaml": "Roles and ClusterRoles",
        "k8s/04-keyvault-csi.yaml": "SecretProviderClass",
        "k8s/14-backend-hpa.yaml": "VerticalPodAutoscaler",
        "k8s/34-backend-monitoring.yaml": "ServiceMonitors",
        "k8s/cert-manager/02-cluster-issuer.yaml": "cert-manager ClusterIssuers",
        "k8s/monitoring/grafana/grafana-pvc.yaml": "StorageClasses",
        "k8s/06-postgres-statefulset.yaml": "a primary and a replica: the chart runs one postgres",
        "k8s/07-postgres-services.yaml": "Service names the chart does not give (postgres-primary)",
    },
    "vishnu2kmohan+mcp-server-langgraph": {
        "deployments/base/keycloak-vpa.yaml": "VerticalPodAutoscaler",
        "deployments/base/role.yaml": "Role",
        "monitoring/prometheus/alerts/langgraph-agent.yaml": "PrometheusRule",
        "deployments/kubernetes/kong/kong-jwks-updater-cronjob.yaml": "CronJob",
        "deployments/base/service.yaml": "the chart names the Service mcp-server-test",
    },
    "seanchatmangpt+erlmcp": {
        "k8s/priority-class.yaml": "PriorityClasses",
        "gitops/base/rbac.yaml": "Role and ClusterRole",
        "gitops/base/service-monitor.yaml": "ServiceMonitor and PrometheusRule",
        "k8s/production/serviceaccount.yaml": "Roles, a ClusterRole, a PriorityClass",
    },
    "bmsull560+ValueCanvas": {
        "k8s/cronjobs/webhook-retry.yaml": "CronJobs",
        "kubernetes/security/network-policies.yaml": "a namespace-wide default deny",
        "infrastructure/k8s/base/namespace.yaml": "Namespace with Istio labels",
    },
}

PROPOSED: dict[str, tuple[str, ...]] = {
    "ai-cherry+sophia-strategic-development": (
        "kubernetes/monitoring/grafana-deployment.yaml",
        "kubernetes/production/postgres-deployment.yaml",
        "kubernetes/production/redis-deployment.yaml",
        "kubernetes/production/sophia-backend-deployment.yaml",
    ),
    "vishnu2kmohan+mcp-server-langgraph": (
        "deployments/base/keycloak-deployment.yaml",
        "deployments/base/keycloak-service.yaml",
        "deployments/base/qdrant-deployment.yaml",
    ),
    "seanchatmangpt+erlmcp": ("gitops/base/statefulset.yaml", "gitops/base/service.yaml"),
}


@pytest.mark.corpus
@pytest.mark.parametrize("repository", sorted(NEVER))
def test_manifests_the_chart_does_not_replace_are_never_proposed(
        sprawl_repository: Callable[[str], Path], repository: str) -> None:
    root = sprawl_repository(repository)
    assert all((root / p).is_file() for p in NEVER[repository])
    report = audit(root)
    debt = {t.path: t for t in report.tech_debt}
    wrong = sorted(p for p in NEVER[repository] if p in debt)
    assert not wrong, [f"{p}: {debt[p].reason} ({NEVER[repository][p]})" for p in wrong]
    kept = {k.path: k for k in report.kept}
    for path in NEVER[repository]:
        assert path in kept, path
        assert kept[path].reason.startswith("hand-written manifest: "), kept[path].reason
        assert kept[path].objects, path
    for path in PROPOSED.get(repository, ()):
        assert path in debt, path
    # Every manifest proposal names, per object, what replaces it.
    for item in report.tech_debt:
        if item.reason.startswith("hand-written manifest"):
            assert item.evidence and all(" → " in line for line in item.evidence), item
