"""Routing classes of issue 11 end to end on small projects: convert, render with Helm, and
check the rendered objects (names resolve, claims exist, config folders are mounted)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fidelity_checks import routing_defects

from kubealign.actions.convert import ConvertOutcome, ConvertRequest, convert


def _convert(tmp_path: Path, compose: str) -> ConvertOutcome:
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    (project / "compose.yaml").write_text(compose)
    return convert(ConvertRequest(out=tmp_path / "out", project_directory=project,
                                  files=(project / "compose.yaml",), environ={}))


def _objects(outcome: ConvertOutcome, kind: str) -> dict[str, Mapping[str, Any]]:
    return {o["metadata"]["name"]: o for o in outcome.objects if o["kind"] == kind}


def test_volume_shared_by_a_statefulset_is_one_rendered_claim(tmp_path: Path) -> None:
    outcome = _convert(tmp_path, """
services:
  db:
    image: postgres:16
    volumes: ["pgdata:/var/lib/postgresql/data"]
  exporter:
    image: ghcr.io/acme/exporter:1
    volumes: ["pgdata:/data:ro"]
volumes:
  pgdata: {}
""")
    assert routing_defects(outcome) == []
    assert "db-data" in _objects(outcome, "PersistentVolumeClaim")
    statefulset = _objects(outcome, "StatefulSet")["db"]
    assert "volumeClaimTemplates" not in statefulset["spec"]
    for workload in (statefulset, _objects(outcome, "Deployment")["exporter"]):
        claims = {v["persistentVolumeClaim"]["claimName"] for v in
                  workload["spec"]["template"]["spec"]["volumes"] if "persistentVolumeClaim" in v}
        assert claims == {"db-data"}


def test_names_other_services_use_resolve_and_config_folders_arrive(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "prometheus").mkdir(parents=True)
    (project / "prometheus" / "prometheus.yml").write_text(
        "scrape_configs:\n  - job_name: app\n    static_configs:\n"
        "      - targets: ['metrics-sidecar:9464']\n")
    outcome = _convert(tmp_path, """
services:
  app:
    image: ghcr.io/acme/app:1
    environment:
      CACHE_HOST: cache
      CACHE_PORT: "6380"
  cache:
    image: ghcr.io/acme/cache:1
  metrics-sidecar:
    image: ghcr.io/acme/metrics:1
  prometheus:
    image: prom/prometheus:v2.53.0
    volumes: ["./prometheus:/etc/prometheus:ro"]
""")
    assert routing_defects(outcome) == []
    services = _objects(outcome, "Service")
    assert {p["port"] for p in services["cache"]["spec"]["ports"]} == {6380}
    assert {p["port"] for p in services["metrics-sidecar"]["spec"]["ports"]} == {9464}
    config = _objects(outcome, "ConfigMap")["prometheus-config"]
    assert "scrape_configs" in config["data"]["prometheus.yml"]
    pod = _objects(outcome, "Deployment")["prometheus"]["spec"]["template"]["spec"]
    mounts = {m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
    assert "/etc/prometheus/prometheus.yml" in mounts


def test_disabled_nginx_gateway_leaves_its_routes_as_ingress_rules(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "proxy").mkdir(parents=True)
    (project / "proxy" / "nginx.conf").write_text(
        "server {\n  listen 80;\n  location / {\n    proxy_pass http://backend:80;\n  }\n"
        "  location /api/ {\n    proxy_pass http://api:8000;\n  }\n}\n")
    outcome = _convert(tmp_path, """
services:
  proxy:
    image: nginx
    ports: ["80:80"]
    volumes: ["./proxy/nginx.conf:/etc/nginx/conf.d/default.conf:ro"]
    depends_on: [backend, api]
  backend:
    image: ghcr.io/acme/backend:1
  api:
    image: ghcr.io/acme/api:1
""")
    assert routing_defects(outcome) == []
    assert "proxy" not in _objects(outcome, "Deployment")
    ingresses = _objects(outcome, "Ingress")
    rules = {(rule.get("host"), p["path"], p["backend"]["service"]["name"],
              p["backend"]["service"]["port"]["number"])
             for ing in ingresses.values() for rule in ing["spec"]["rules"]
             for p in rule["http"]["paths"]}
    assert rules == {(None, "/", "backend", 80), (None, "/api", "api", 8000)}
