"""DSC002 on the real repositories of the sprawl corpus: the hosts their scripts deploy to
or call stay, the names that are no deployment target (file names, API groups, networks,
third-party sites, placeholders) never appear. Measured when the position and owner
classification landed: Dashboard4-0 110 -> 14 findings, erlmcp 152 -> 10,
mcp-server-langgraph 89 -> 1, Sophia 38 -> 14, Feustey 32 -> 3."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kubealign.actions.audit import audit

pytestmark = pytest.mark.corpus


#: repository -> (hosts that must stay, names that must never be a DSC002 finding)
EXPECTED: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "ai-cherry+sophia-strategic-development": (
        frozenset({"104.171.202.103", "104.171.202.117", "104.171.202.134", "192.222.58.232",
                   "192.222.51.122", "146.235.200.1", "155.248.194.183", "165.1.69.44",
                   "app.sophia-intel.ai", "api.sophia-intel.ai"}),
        frozenset({"requirements.in", "logger.info", "logging.info", "report.info", "self.app",
                   "get.pulumi.com", "get.pnpm.io", "ifconfig.me", "nvidia.github.io",
                   "www.pulumi.com", "nodejs.org", "google.com", "sentry.io"}),
    ),
    "Feustey+MCP": (
        frozenset({"147.79.101.32", "srv594809.hstgr.cloud", "api.dazno.de"}),
        frozenset({"172.20.0.0", "172.17.0.0", "requirements.in", "your-lnbits-instance.com",
                   "eu1-xxxxx.upstash.io", "gmail.com", "ifconfig.me", "api.telegram.org",
                   "containerd.io", "download.pytorch.org", "host.hostinger.com"}),
    ),
    "Dashboard4-0+MS5_App": (
        frozenset({"staging.ms5floor.com", "postgres-primary.ms5-production.svc.cluster.local"}),
        frozenset({"networking.istio.io", "secretproviderclasses.secrets-store.csi.x-k8s.io",
                   "monitoring.coreos.com", "10.0.0.0", "10.1.0.0", "logging.info",
                   "company.com", "ms5-dashboard.company.com", "charts.jetstack.io",
                   "azure.github.io", "portal.azure.com", "8.8.8.8", "9.4.1.1",
                   "kubernetes.default.svc.cluster.local"}),
    ),
    "seanchatmangpt+erlmcp": (
        frozenset({"192.168.1.100", "erlmcp.io", "vault.vault.svc.cluster.local"}),
        frozenset({"169.254.169.254", "203.0.113.1", "10.0.0.0", "172.25.0.0",
                   "hooks.slack.com", "run.googleapis.com", "prometheus-community.github.io",
                   "monitoring.coreos.com", "networking.istio.io", "erlang-solutions.com",
                   "company.com", "www.w3.org", "smtp.gmail.com"}),
    ),
    "vishnu2kmohan+mcp-server-langgraph": (
        frozenset(),
        frozenset({"iam.gke.io", "charts.bitnami.com", "openfga.github.io",
                   "externalsecrets.external-secrets.io", "docs.microsoft.com",
                   "www.terraform.io", "10.0.0.0", "35.235.240.0", "company.com",
                   "secretmanager.googleapis.com", "8.8.8.8"}),
    ),
    "teoat+Nexus": (
        frozenset(),
        frozenset({"terminal.app", "charts.bitnami.com", "grafana.github.io"}),
    ),
    "bmsull560+ValueCanvas": (
        frozenset({"app.valuecanvas.com"}),
        frozenset({"console.info", "logger.info", "www.terraform.io", "ifconfig.me",
                   "8.8.8.8", "nodejs.org", "stripe.com"}),
    ),
}


@pytest.mark.parametrize("repository", sorted(EXPECTED))
def test_hosts_that_stay_and_names_that_never_appear(
    repository: str, sprawl_repository: Callable[[str], Path]
) -> None:
    root = sprawl_repository(repository)
    stay, never = EXPECTED[repository]
    keys = {f.key for f in audit(root).findings if f.rule == "DSC002"}
    assert sorted(stay - keys) == [], "hosts the scripts deploy to or call are missing"
    assert sorted(never & keys) == [], "names that are no deployment target are reported"
