"""Routing classes of issue 11 on small compose documents: names other services use, shared
volumes, bind-mounted config folders, edge routers."""

from pathlib import Path
from typing import Any

from kubealign.load.compose.normalize import normalize_data
from kubealign.load.yaml_safe import load_yaml_text
from kubealign.transform.convert import ConversionOptions, ConversionResult, convert_project
from kubealign.transform.values_model import to_values


def convert(text: str, tmp_path: Path, **options: Any) -> tuple[ConversionResult, dict[str, Any]]:
    (tmp_path / "compose.yaml").write_text(text)
    loaded = load_yaml_text(text, str(tmp_path / "compose.yaml"))
    project = normalize_data(loaded.data, name="demo", sources=loaded.sources,
                             project_directory=tmp_path, files=(tmp_path / "compose.yaml",))
    result = convert_project(project, ConversionOptions(release="demo", **options))
    return result, to_values(result.values)


def _ports(values: dict[str, Any], service: str) -> set[int]:
    return {p["containerPort"] for p in values["services"][service].get("ports", ())}


def _rules(result: ConversionResult, rule: str) -> list[str]:
    return [f.message for f in result.findings if f.rule == rule]


# --- names other services use ----------------------------------------------------------


def test_host_and_port_variable_pair_gives_the_service_its_port(tmp_path: Path) -> None:
    _, values = convert("""
services:
  app:
    image: ghcr.io/acme/app:1
    environment:
      CACHE_HOST: cache
      CACHE_PORT: "6380"
  cache:
    image: ghcr.io/acme/cache:1
""", tmp_path)
    assert _ports(values, "cache") == {6380}


def test_url_without_port_uses_the_scheme_port(tmp_path: Path) -> None:
    _, values = convert("""
services:
  app:
    image: ghcr.io/acme/app:1
    command: ["--upstream", "http://renderer/api"]
  renderer:
    image: ghcr.io/acme/renderer:1
""", tmp_path)
    assert _ports(values, "renderer") == {80}


def test_mounted_proxy_config_names_the_upstream_port(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(
        "server {\n  listen 80;\n  location / { proxy_pass http://backend:8000; }\n}\n")
    _, values = convert("""
services:
  proxy:
    image: nginx:1.27
    ports: ["80:80"]
    volumes: ["./nginx.conf:/etc/nginx/conf.d/default.conf:ro"]
  backend:
    build: ./backend
""", tmp_path)
    assert _ports(values, "backend") == {8000}


def test_dockerfile_expose_gives_a_referenced_service_its_port(tmp_path: Path) -> None:
    (tmp_path / "worker").mkdir()
    (tmp_path / "worker" / "Dockerfile").write_text("FROM python:3.12\nEXPOSE 7000\n")
    _, values = convert("""
services:
  app:
    image: ghcr.io/acme/app:1
    depends_on: [worker]
    environment:
      WORKER_HOST: worker
  worker:
    build: ./worker
""", tmp_path)
    assert _ports(values, "worker") == {7000}


def test_alias_reference_gives_the_target_a_port_and_keeps_the_alias(tmp_path: Path) -> None:
    _, values = convert("""
services:
  app:
    image: ghcr.io/acme/app:1
    environment:
      QUEUE_URL: amqp://broker-internal
  queue:
    image: ghcr.io/acme/queue:1
    networks:
      default:
        aliases: [broker-internal]
""", tmp_path)
    assert _ports(values, "queue") == {5672}
    assert values["services"]["queue"]["service"]["aliases"] == ["broker-internal"]


def test_name_reached_without_any_port_is_a_finding(tmp_path: Path) -> None:
    result, values = convert("""
services:
  app:
    image: ghcr.io/acme/app:1
    depends_on: [mystery]
    environment:
      MYSTERY_HOST: mystery
  mystery:
    image: ghcr.io/acme/mystery:1
""", tmp_path)
    assert "ports" not in values["services"]["mystery"]
    [message] = _rules(result, "CNV202")
    assert "mystery" in message and "app environment MYSTERY_HOST" in message


def test_unreferenced_service_without_ports_gets_no_finding(tmp_path: Path) -> None:
    result, _ = convert("""
services:
  worker:
    image: ghcr.io/acme/worker:1
""", tmp_path)
    assert _rules(result, "CNV202") == []


def test_route_without_any_port_is_dropped_with_a_finding(tmp_path: Path) -> None:
    result, values = convert("""
services:
  site:
    image: ghcr.io/acme/site:1
    labels:
      traefik.enable: "true"
      traefik.http.routers.site.rule: Host(`site.example.com`)
""", tmp_path)
    assert values["services"]["site"]["ingress"]["enabled"] is False
    assert _rules(result, "CNV203")


def test_router_naming_no_service_uses_the_shared_port(tmp_path: Path) -> None:
    _, values = convert("""
services:
  site:
    image: ghcr.io/acme/site:1
    labels:
      traefik.http.routers.site.rule: Host(`site.example.com`)
      traefik.http.services.site.loadbalancer.server.port: "4000"
      traefik.http.routers.site-api.rule: Host(`site.example.com`) && PathPrefix(`/api`)
      traefik.http.services.site-api.loadbalancer.server.port: "4000"
""", tmp_path)
    assert _ports(values, "site") == {4000}
    assert values["services"]["site"]["ingress"]["enabled"] is True
