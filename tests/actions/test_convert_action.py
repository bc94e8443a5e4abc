"""`convert` end to end: real loader, real Helm, strict schemas, semantic check."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from fidelity_checks import fidelity_defects, sprawl_compose_files

from kubealign.actions.convert import ConvertOutcome, ConvertRequest, convert
from kubealign.model.ledger import Disposition
from kubealign.transform.convert.project import UNHANDLED_NOTE

REPO = Path(__file__).resolve().parents[2]
SOPHIA = REPO / "examples" / "sophia"
CORPUS = REPO / ".." / "shared" / "corpus" / "awesome-compose"
SAMPLES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []


def _convert(project_dir: Path, out: Path, *files: str) -> ConvertOutcome:
    return convert(ConvertRequest(out=out, project_directory=project_dir,
                                  files=tuple(project_dir / f for f in files),
                                  environ={}))


def _objects(outcome: ConvertOutcome, kind: str) -> dict[str, Mapping[str, Any]]:
    return {o["metadata"]["name"]: o for o in outcome.objects if o["kind"] == kind}


def _container(workload: Mapping[str, Any]) -> Mapping[str, Any]:
    containers: list[Mapping[str, Any]] = workload["spec"]["template"]["spec"]["containers"]
    return containers[0]


@pytest.fixture(scope="module")
def sophia(tmp_path_factory: pytest.TempPathFactory) -> ConvertOutcome:
    return _convert(SOPHIA, tmp_path_factory.mktemp("sophia") / "out",
                    "docker-compose.cloud.yml")


def test_sophia_swarm_stack_converts_renders_and_validates(sophia: ConvertOutcome) -> None:
    assert sophia.invalid == ()
    assert sophia.semantic == ()
    kinds = {o["kind"] for o in sophia.objects}
    assert {"Deployment", "StatefulSet", "Service", "Ingress", "ExternalSecret",
            "NetworkPolicy", "ConfigMap", "PersistentVolumeClaim"} <= kinds
    unhandled = [e for e in sophia.ledger.entries if e.note == UNHANDLED_NOTE]
    assert unhandled == []


def test_sophia_gpu_and_secret_facts(sophia: ConvertOutcome) -> None:
    deployments = _objects(sophia, "Deployment")
    ai_core = deployments["ai-core"]
    assert _container(ai_core)["resources"]["limits"]["nvidia.com/gpu"] == 1
    tolerations = ai_core["spec"]["template"]["spec"]["tolerations"]
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in tolerations
    mounts = {m["mountPath"] for m in _container(deployments["sophia-backend"])["volumeMounts"]}
    assert any(m.startswith("/run/secrets/") for m in mounts)
    assert "postgres" in _objects(sophia, "StatefulSet")
    # Databases reached by name keep working: the Service exists with the port in use.
    postgres = _objects(sophia, "Service")["postgres"]
    assert 5432 in {p["port"] for p in postgres["spec"]["ports"]}


def test_sophia_llm_gateway_config_arrives_byte_identical(sophia: ConvertOutcome) -> None:
    original = (SOPHIA / "config" / "llm" / "portkey-config.json").read_text()
    configmaps = [o for o in sophia.objects if o["kind"] == "ConfigMap"]
    contents = [v for cm in configmaps for v in (cm.get("data") or {}).values()]
    assert original in contents


def test_traefik_becomes_ingress_not_a_workload(sophia: ConvertOutcome) -> None:
    assert "traefik" not in _objects(sophia, "Deployment")
    hosts = {rule["host"] for ing in _objects(sophia, "Ingress").values()
             for rule in ing["spec"]["rules"]}
    assert any(h.startswith("api.") for h in hosts)


def test_output_is_deterministic(tmp_path: Path) -> None:
    first = _convert(SOPHIA, tmp_path / "a", "docker-compose.cloud.yml")
    second = _convert(SOPHIA, tmp_path / "b", "docker-compose.cloud.yml")
    assert first.files == second.files
    for rel in first.files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_ledger_json_lists_every_entry(sophia: ConvertOutcome) -> None:
    data = json.loads((sophia.out / "conversion.json").read_text())
    assert data["schema_version"] == 2
    assert len(data["entries"]) == len(sophia.ledger.entries)
    assert data["summary"]["converted"] == sophia.ledger.count(Disposition.CONVERTED)


@pytest.mark.corpus
@pytest.mark.parametrize("sample", SAMPLES)
def test_every_corpus_sample_converts_renders_and_validates(sample: str, tmp_path: Path) -> None:
    if not SAMPLES:
        pytest.skip("the shared corpus is absent")
    outcome = _convert(CORPUS / sample, tmp_path / "out")
    assert outcome.invalid == (), [r.violations for r in outcome.invalid]
    assert outcome.semantic == ()
    assert [e for e in outcome.ledger.entries if e.note == UNHANDLED_NOTE] == []
    assert fidelity_defects(outcome) == []


SPRAWL = REPO / ".." / "shared" / "corpus" / "sprawl"
SPRAWL_FILES = sprawl_compose_files(SPRAWL) if SPRAWL.is_dir() else []


@pytest.mark.corpus
@pytest.mark.parametrize("compose", SPRAWL_FILES,
                         ids=[f"{p.parent.name}/{p.name}" for p in SPRAWL_FILES])
def test_sprawl_environments_have_no_fidelity_defects(compose: Path, tmp_path: Path) -> None:
    """Issue 11's classes over every top-level environment of the sprawl repositories: values
    files parse, no empty node selector value, every hostAliases IP parses, every name another
    service uses has a Service, every mounted claim exists, bind-mounted config folders are
    mounted, a disabled edge router leaves Ingress rules for the services it proxied to. A
    conversion that fails for another reason (another area's defect) is not this test's
    subject."""
    try:
        outcome = _convert(compose.parent, tmp_path / "out", compose.name)
    except Exception as err:
        # Helm refusing the values file itself is this test's class (the emitter's `...`).
        assert "cannot load values.yaml" not in str(err), str(err)
        pytest.skip(f"conversion did not finish: {type(err).__name__}")
    assert fidelity_defects(outcome) == []


def _corpus(sample: str, tmp_path: Path) -> ConvertOutcome:
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is absent")
    return _convert(CORPUS / sample, tmp_path / "out")


def test_corpus_facts(tmp_path: Path) -> None:
    wordpress = _corpus("wordpress-mysql", tmp_path / "wp")
    wp = _container(_objects(wordpress, "Deployment")["wordpress"])
    assert wp["image"] == "wordpress:latest"
    assert {"name": "WORDPRESS_DB_HOST", "value": "db"} in wp["env"]
    db = _objects(wordpress, "StatefulSet")["db"]
    assert _container(db)["args"] == ["--default-authentication-plugin=mysql_native_password"]

    gitea = _corpus("gitea-postgres", tmp_path / "gitea")
    assert {m["mountPath"] for m in _container(_objects(gitea, "Deployment")["gitea"])[
        "volumeMounts"]} >= {"/data"}
    assert 3000 in {p["containerPort"] for p in
                    _container(_objects(gitea, "Deployment")["gitea"])["ports"]}

    prom = _corpus("prometheus-grafana", tmp_path / "prom")
    assert _container(_objects(prom, "Deployment")["prometheus"])["args"] == [
        "--config.file=/etc/prometheus/prometheus.yml"]

    elk = _corpus("elasticsearch-logstash-kibana", tmp_path / "elk")
    es = _container(_objects(elk, "Deployment")["elasticsearch"])
    assert es["readinessProbe"]["httpGet"] == {"path": "/_cluster/health", "port": 9200,
                                               "scheme": "HTTP"}
    logstash_ports = {(p["containerPort"], p["protocol"]) for p in
                      _container(_objects(elk, "Deployment")["logstash"])["ports"]}
    assert {(5000, "TCP"), (5000, "UDP"), (5044, "TCP")} <= logstash_ports

    minecraft = _corpus("minecraft", tmp_path / "mc")
    limits = _container(_objects(minecraft, "Deployment")["minecraft"])["resources"]["limits"]
    assert limits["memory"] == "1536Mi"

    traefik = _corpus("traefik-golang", tmp_path / "tg")
    assert "frontend" not in _objects(traefik, "Deployment")  # the edge router is replaced

    nextcloud = _corpus("nextcloud-redis-mariadb", tmp_path / "nc")
    # redis admits pods of its one network; only nc (and redis itself) carry that label.
    policy = _objects(nextcloud, "NetworkPolicy")["redis"]
    selectors = [frm["podSelector"]["matchLabels"] for rule in policy["spec"]["ingress"]
                 for frm in rule.get("from", []) if "podSelector" in frm]
    assert selectors == [{"network.kubealign.io/redisnet": "true",
                          "app.kubernetes.io/instance": "nextcloud-redis-mariadb"}]
    members = {name for name, obj in {**_objects(nextcloud, "Deployment"),
                                      **_objects(nextcloud, "StatefulSet")}.items()
               if obj["spec"]["template"]["metadata"]["labels"].get(
                   "network.kubealign.io/redisnet") == "true"}
    assert members == {"nc", "redis"}

    pihole = _corpus("pihole-cloudflared-DoH", tmp_path / "ph")
    svc = _objects(pihole, "Service")["pihole"]
    assert {(p["port"], p["protocol"]) for p in svc["spec"]["ports"]} >= {(53, "UDP"),
                                                                           (53, "TCP")}

    flask = _corpus("nginx-flask-mysql", tmp_path / "nfm")
    backend = _container(_objects(flask, "Deployment")["backend"])
    assert "/run/secrets/db-password" in {m["mountPath"] for m in backend["volumeMounts"]}
    assert "db-password" in _objects(flask, "ExternalSecret")

    angular = _corpus("angular", tmp_path / "ng")
    assert _objects(angular, "Deployment")
