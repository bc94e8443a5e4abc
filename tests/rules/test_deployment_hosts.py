"""DSC002 reports where a script hard-codes where the deployment runs or is reached, one
class of reference at a time: what stays (ssh targets, own domains, cluster names) and what
never does (file names, API groups, CIDRs, Helm repositories, installers, docs links)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubealign.actions.audit import audit
from kubealign.load.hosts import AddressKind, address_kind
from kubealign.load.shell_script import scan_shell
from kubealign.model.artifacts import HostRole
from kubealign.model.findings import Finding, Severity
from kubealign.rules.hosts import cluster_namespace, is_placeholder, site


def _audit(root: Path, files: dict[str, str]) -> dict[str, Finding]:
    repo = root / "repo"  # a folder name no host below carries
    for rel, text in files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return {f.key: f for f in audit(repo).findings if f.rule == "DSC002"}


def _script(body: str) -> dict[str, str]:
    return {"deploy.sh": "#!/usr/bin/env bash\nset -euo pipefail\n" + body}


def test_an_ssh_target_stays_with_its_command_as_evidence(tmp_path: Path) -> None:
    found = _audit(tmp_path, _script("ssh deploy@51.15.20.30 'docker compose up -d'\n"))
    finding = found["51.15.20.30"]
    assert finding.severity is Severity.MEDIUM
    (place,) = finding.places()
    assert place.detail.startswith("commands run there: ssh deploy@51.15.20.30")


def test_a_variable_the_ssh_target_is_made_of_is_a_target(tmp_path: Path) -> None:
    found = _audit(tmp_path, _script(
        'HOST="srv1234.hosting-provider.cloud"\nTARGET="ubuntu@${HOST}"\n'
        'scp app.tar "$TARGET:/srv/"\n'
    ))
    assert list(found) == ["srv1234.hosting-provider.cloud"]
    assert found["srv1234.hosting-provider.cloud"].line == 3


def test_file_names_and_code_are_no_hosts(tmp_path: Path) -> None:
    found = _audit(tmp_path, {
        **_script("cat > requirements.in << EOF\nfastapi\nEOF\npip-compile requirements.in\n"),
        "scripts/fix.py": 'import logging\nlogger = logging.getLogger()\n'
        'path = "requirements.in"\nlogger.info("self.app started")\n',
    })
    assert found == {}


def test_api_groups_and_crd_names_are_no_hosts(tmp_path: Path) -> None:
    found = _audit(tmp_path, _script(
        "kubectl get crd secretproviderclasses.secrets-store.csi.x-k8s.io\n"
        "kubectl wait --for condition=established crd/virtualservices.networking.istio.io\n"
        "kubectl get servicemonitors.monitoring.coreos.com -A\n"
    ))
    assert found == {}


def test_networks_cidrs_and_metadata_are_no_hosts(tmp_path: Path) -> None:
    found = _audit(tmp_path, _script(
        'az network vnet create --address-prefix "10.0.0.0/16"\n'
        "docker network create --subnet 172.20.0.0/16 backend\n"
        'TUNNEL_OUTSIDE_IP="203.0.113.1"\n'
        "curl -s http://169.254.169.254/latest/meta-data/local-ipv4\n"
        "ping -c 1 8.8.8.8\n"
    ))
    assert found == {}


def test_helm_repositories_installers_and_docs_links_are_no_hosts(tmp_path: Path) -> None:
    found = _audit(tmp_path, _script(
        "helm repo add bitnami https://charts.bitnami.com/bitnami\n"
        "helm repo add grafana https://grafana.github.io/helm-charts\n"
        "curl -fsSL https://get.pulumi.com | sh\n"
        'echo "See https://docs.microsoft.com/azure/aks for details"\n'
        'CURRENT_IP=$(curl -s ifconfig.me)\n'
        'curl -s -X POST "https://api.telegram.org/bot$TOKEN/sendMessage"\n'
        'EMAIL="ops@gmail.com"\n'
        "gcloud services enable run.googleapis.com secretmanager.googleapis.com\n"
        'LNBITS_URL=https://your-lnbits-instance.com\n'
    ))
    assert found == {}


def test_an_own_domain_comes_from_a_traefik_rule(tmp_path: Path) -> None:
    compose = (
        "services:\n  api:\n    image: shop/api:1\n    labels:\n"
        '      - "traefik.http.routers.api.rule=Host(`api.shop-example.de`)"\n'
    )
    body = (
        "curl -sf https://api.shop-example.de/health\n"
        "curl -sf https://app.shop-example.de/\n"
        "curl -sf https://api.somebody-else.io/v1/ping\n"
    )
    found = _audit(tmp_path, {"docker-compose.yml": compose, **_script(body)})
    assert sorted(found) == ["api.shop-example.de", "app.shop-example.de"]
    assert found["app.shop-example.de"].places()[0].detail.startswith("called: curl")


def test_without_serving_it_a_fetched_name_is_a_third_party(tmp_path: Path) -> None:
    found = _audit(tmp_path, _script("curl -sf https://api.shop-example.de/health\n"))
    assert found == {}


def test_a_host_setting_keeps_an_address_and_its_literal_places(tmp_path: Path) -> None:
    found = _audit(tmp_path, {
        **_script('DEPLOY_HOST="${DEPLOY_HOST:-10.20.30.40}"\n'),
        "scripts/deploy_all.py": 'import subprocess\nINSTANCES = {"production": "10.20.30.40"}\n'
        'subprocess.run(["docker", "compose", "up", "-d"], check=True)\n',
    })
    places = found["10.20.30.40"].places()
    assert [(p.path, p.line) for p in places] == [("deploy.sh", 3), ("scripts/deploy_all.py", 2)]
    assert places[0].detail.startswith("setting DEPLOY_HOST: DEPLOY_HOST=")


def test_an_address_only_a_message_names_is_no_finding(tmp_path: Path) -> None:
    found = _audit(tmp_path, _script('echo "API: http://10.20.30.40:8000/"\n'
                                     "cat << EOF\nopen http://10.20.30.41/\nEOF\n"))
    assert found == {}


def test_a_cluster_name_is_low_and_says_its_namespace_is_baked_in(tmp_path: Path) -> None:
    found = _audit(tmp_path, _script(
        "kubectl exec deploy/api -- pg_isready -h postgres.prod.svc.cluster.local\n"
        "curl -k https://kubernetes.default.svc.cluster.local/healthz\n"
    ))
    assert list(found) == ["postgres.prod.svc.cluster.local"]
    finding = found["postgres.prod.svc.cluster.local"]
    assert finding.severity is Severity.LOW
    assert "namespace 'prod' is baked in" in finding.message


def test_docker_host_and_documentation_addresses_scripts_run_on(tmp_path: Path) -> None:
    found = _audit(tmp_path, _script(
        "export DOCKER_HOST=tcp://10.1.2.3:2376\n"
        "rsync -az ./ ubuntu@192.0.2.10:/srv/app/\n"  # an example's anonymised host
    ))
    assert sorted(found) == ["10.1.2.3", "192.0.2.10"]


def test_dsc001_skips_networks_and_reads_extra_hosts(tmp_path: Path) -> None:
    compose = (
        "services:\n  api:\n    image: shop/api:1\n    environment:\n"
        "      TRUSTED_PROXIES: 10.0.0.0/8,172.16.0.0/12\n"
        "      DNS: 8.8.8.8\n"
        "      AI_URL: http://10.20.30.40:8001/v1\n"
        "      EXAMPLE_URL: http://198.51.100.7/\n"
        "    extra_hosts:\n      - \"db.internal:10.20.30.41\"\n"
    )
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "docker-compose.yml").write_text(compose, encoding="utf-8")
    keys = sorted(f.key for f in audit(repo).findings if f.rule == "DSC001")
    assert keys == ["10.20.30.40", "10.20.30.41"]


def test_hosts_in_a_script_carry_their_role() -> None:
    facts = scan_shell(
        'echo "https://api.shop.de"\nSSH_HOST=10.1.1.1\ncurl http://10.1.1.2/\n'
        "helm repo add x https://charts.shop.de\n"
    )
    roles = {h.value: h.role for h in facts.hosts}
    assert roles == {
        "api.shop.de": HostRole.MESSAGE,
        "10.1.1.1": HostRole.REMOTE,
        "10.1.1.2": HostRole.CALL,
        "charts.shop.de": HostRole.LITERAL,
    }


@pytest.mark.parametrize(("value", "after", "kind"), [
    ("10.20.30.40", "", AddressKind.HOST),
    ("10.0.0.0", "", AddressKind.NETWORK),
    ("10.1.2.3", "/24", AddressKind.NETWORK),
    ("169.254.169.254", "", AddressKind.LINK_LOCAL),
    ("203.0.113.1", "", AddressKind.DOCUMENTATION),
    ("8.8.8.8", "", AddressKind.RESOLVER),
    ("239.1.1.1", "", AddressKind.MULTICAST),
    ("127.0.0.1", "", AddressKind.LOCAL),
])
def test_address_kinds(value: str, after: str, kind: AddressKind) -> None:
    assert address_kind(value, after) is kind


def test_sites_namespaces_and_placeholders() -> None:
    assert site("api.dazno.de") == "dazno.de"
    assert site("a.shop.co.uk") == "shop.co.uk"
    assert cluster_namespace("db.prod.svc.cluster.local") == "prod"
    assert cluster_namespace("db.prod.svc") == "prod"
    assert cluster_namespace("svc.cluster.local") is None
    assert is_placeholder("ms5-dashboard.company.com")
    assert is_placeholder("eu1-xxxxx.upstash.io")
    assert is_placeholder("your-server.com")
    assert not is_placeholder("api.dazno.de")
