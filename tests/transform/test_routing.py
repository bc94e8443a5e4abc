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


# --- shared named volumes -----------------------------------------------------------------

SHARED_WITH_STATEFULSET = """
services:
  db:
    image: postgres:16
    volumes: ["pgdata:/var/lib/postgresql/data"]
  exporter:
    image: ghcr.io/acme/exporter:1
    volumes: ["pgdata:/data:ro"]
volumes:
  pgdata: {}
"""


def test_a_shared_volume_is_one_claim_for_every_user(tmp_path: Path) -> None:
    result, values = convert(SHARED_WITH_STATEFULSET, tmp_path)
    db, exporter = values["services"]["db"], values["services"]["exporter"]
    assert db["kind"] == "StatefulSet"
    # The owner's claim, named after its mount; each user mounts it under its own key.
    assert db["persistence"]["data"]["claimName"] == "db-data"
    assert exporter["persistence"]["data"]["claimName"] == "db-data"
    assert db["persistence"]["data"]["accessModes"] == ["ReadWriteMany"]
    [top] = [e for e in result.ledger.entries if not e.service and e.key == "volumes"]
    assert "one PersistentVolumeClaim 'db-data' created by db" in top.note


def test_a_single_statefulset_volume_is_its_claim_template(tmp_path: Path) -> None:
    result, values = convert("""
services:
  db:
    image: postgres:16
    volumes: ["pgdata:/var/lib/postgresql/data"]
volumes:
  pgdata: {}
""", tmp_path)
    assert "claimName" not in values["services"]["db"]["persistence"]["data"]
    [top] = [e for e in result.ledger.entries if not e.service and e.key == "volumes"]
    assert "volumeClaimTemplate of StatefulSet db" in top.note



def test_a_claim_is_named_after_its_mount_not_the_compose_volume(tmp_path: Path) -> None:
    """Variants of one repository name the database volume differently (``pgdata`` here,
    ``postgres_data_production`` there) but mount it where the image keeps its data: the
    claim key is the same in both, so an upgrade from one environment's values to the
    other's keeps the StatefulSet's volumeClaimTemplates (Kubernetes refuses to change them)."""
    keys = []
    for index, volume in enumerate(("pgdata", "postgres_data_production")):
        folder = tmp_path / str(index)
        folder.mkdir()
        _, values = convert(f"""
services:
  db:
    image: postgres:16
    volumes: ["{volume}:/var/lib/postgresql/data", "{volume}-logs:/var/log/postgresql/"]
volumes:
  {volume}: {{}}
  {volume}-logs: {{}}
""", folder)
        keys.append(sorted(values["services"]["db"]["persistence"]))
    assert keys[0] == keys[1] == ["data", "postgresql"]


def test_two_volumes_mounted_at_same_named_folders_get_distinct_keys(tmp_path: Path) -> None:
    result, values = convert("""
services:
  app:
    image: ghcr.io/acme/app:1
    volumes: ["cache:/app/data", "store:/srv/data", "cache:/opt/data"]
volumes:
  cache: {}
  store: {}
""", tmp_path)
    persistence = values["services"]["app"]["persistence"]
    assert sorted(persistence) == ["data", "data-2"]
    assert persistence["data"]["mountPath"] == "/app/data"  # not overwritten by /opt/data
    assert persistence["data-2"]["mountPath"] == "/srv/data"
    [entry] = [e for e in result.ledger.entries if e.service == "app" and e.key == "volumes"]
    assert entry.disposition.value == "not-convertible"
    assert "/opt/data: volume 'cache' is already mounted at /app/data" in entry.note


# --- bind-mounted folders -----------------------------------------------------------------


def _config_tree(tmp_path: Path) -> None:
    (tmp_path / "prometheus" / "rules").mkdir(parents=True)
    (tmp_path / "prometheus" / "prometheus.yml").write_text("scrape_configs: []\n")
    (tmp_path / "prometheus" / "rules" / "alerts.yml").write_text("groups: []\n")


def test_a_config_folder_becomes_one_configmap_entry_per_file(tmp_path: Path) -> None:
    _config_tree(tmp_path)
    (tmp_path / "prometheus" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    result, values = convert("""
services:
  prometheus:
    image: prom/prometheus:v2.53.0
    volumes: ["./prometheus:/etc/prometheus:ro"]
""", tmp_path)
    files = values["services"]["prometheus"]["configFiles"]
    assert {f["mountPath"]: f["content"] for f in files.values()} == {
        "/etc/prometheus/prometheus.yml": "scrape_configs: []\n",
        "/etc/prometheus/rules/alerts.yml": "groups: []\n"}
    assert "rules_alerts.yml" in files
    [binary] = _rules(result, "CNV204")
    assert "logo.png" in binary
    [entry] = [e for e in result.ledger.entries if e.key == "volumes" and e.service]
    assert "2 file(s)" in entry.note and "logo.png (binary)" in entry.note


def test_a_writable_data_folder_becomes_a_claim(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "state.json").write_text("{}")
    _, values = convert("""
services:
  api:
    image: ghcr.io/acme/api:1
    volumes: ["./data:/app/data"]
""", tmp_path)
    api = values["services"]["api"]
    assert api["persistence"]["data"]["mountPath"] == "/app/data"
    assert "configFiles" not in api


def test_a_folder_too_large_for_a_configmap_is_not_embedded(tmp_path: Path) -> None:
    _config_tree(tmp_path)
    result, values = convert("""
services:
  prometheus:
    image: prom/prometheus:v2.53.0
    volumes: ["./prometheus:/etc/prometheus:ro"]
""", tmp_path, max_config_bytes=16)
    assert "configFiles" not in values["services"]["prometheus"]
    [entry] = [e for e in result.ledger.entries if e.key == "volumes" and e.service]
    assert "too large" in entry.note


def test_a_refused_host_path_says_why_and_offers_a_claim_or_hostpath(tmp_path: Path) -> None:
    _config_tree(tmp_path)
    result, values = convert("""
services:
  prometheus:
    image: prom/prometheus:v2.53.0
    volumes: ["./prometheus:/etc/prometheus:ro"]
""", tmp_path, read_refusal=lambda path: "host path outside the repository")
    assert "configFiles" not in values["services"]["prometheus"]
    [entry] = [e for e in result.ledger.entries if e.key == "volumes" and e.service]
    assert "prometheus: host path outside the repository" in entry.note
    assert "PersistentVolumeClaim" in entry.note and "hostPath" in entry.note
    assert str(tmp_path) not in entry.note


# --- edge routers -------------------------------------------------------------------------


def _ingress(values: dict[str, Any], service: str) -> dict[str, Any]:
    ingress: dict[str, Any] = values["services"][service]["ingress"]
    return ingress


def test_nginx_gateway_becomes_the_ingress_rules_of_its_config(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "conf.d" / "site.conf").write_text("""
upstream api_pool { server api:8000; }
server {
  listen 443 ssl;
  server_name shop.example.com;
  location /api/ { proxy_pass http://api_pool; }
  location = /healthz { return 200 'ok'; }
  location / { proxy_pass http://web:3000; }
}
""")
    result, values = convert("""
services:
  proxy:
    image: nginx:1.27
    ports: ["443:443"]
    volumes: ["./conf.d:/etc/nginx/conf.d:ro"]
  api:
    image: ghcr.io/acme/api:1
  web:
    image: ghcr.io/acme/web:1
""", tmp_path)
    assert values["services"]["proxy"]["enabled"] is False
    assert _ingress(values, "api")["hosts"] == [
        {"host": "shop.example.com", "paths": [{"path": "/api", "pathType": "Prefix",
                                                "port": 8000}]}]
    assert _ingress(values, "web")["tls"][0]["hosts"] == ["shop.example.com"]
    assert _ports(values, "api") == {8000} and _ports(values, "web") == {3000}
    assert _rules(result, "CNV400") and not _rules(result, "CNV401")


def test_nginx_without_server_name_gives_a_host_less_rule(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(
        "server {\n  listen 80;\n  location / {\n    proxy_pass http://backend:80;\n  }\n}\n")
    _, values = convert("""
services:
  proxy:
    image: nginx
    volumes: ["./nginx.conf:/etc/nginx/conf.d/default.conf:ro"]
    depends_on: [backend]
  backend:
    build: ./backend
""", tmp_path)
    assert values["services"]["proxy"]["enabled"] is False
    assert _ingress(values, "backend")["hosts"] == [
        {"paths": [{"path": "/", "pathType": "Prefix", "port": 80}]}]


def test_a_router_whose_routes_cannot_be_translated_stays_a_workload(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text(
        "server {\n  location ~ ^/api/(.*)$ {\n    proxy_pass http://backend:80;\n  }\n}\n")
    result, values = convert("""
services:
  proxy:
    image: nginx
    ports: ["80:80"]
    volumes: ["./nginx.conf:/etc/nginx/conf.d/default.conf:ro"]
  backend:
    image: ghcr.io/acme/backend:1
    expose: ["80"]
""", tmp_path)
    assert values["services"]["proxy"].get("enabled") is not False
    [kept] = _rules(result, "CNV401")
    assert "regular expression" in kept


def test_traefik_file_provider_routers_become_ingress_rules(tmp_path: Path) -> None:
    (tmp_path / "dynamic.yml").write_text("""
http:
  routers:
    app:
      rule: Host(`app.example.com`) && PathPrefix(`/`)
      service: app-svc
  services:
    app-svc:
      loadBalancer:
        servers:
          - url: http://app:8080
""")
    _, values = convert("""
services:
  traefik:
    image: traefik:v3.1
    command: ["--providers.file.filename=/etc/traefik/dynamic.yml"]
    volumes: ["./dynamic.yml:/etc/traefik/dynamic.yml:ro"]
  app:
    image: ghcr.io/acme/app:1
""", tmp_path)
    assert values["services"]["traefik"]["enabled"] is False
    assert _ingress(values, "app")["hosts"] == [
        {"host": "app.example.com", "paths": [{"path": "/", "pathType": "Prefix",
                                               "port": 8080}]}]


def test_traefik_with_nothing_to_route_stays_a_workload(tmp_path: Path) -> None:
    result, values = convert("""
services:
  traefik:
    image: traefik:v3.1
    ports: ["80:80"]
  app:
    image: ghcr.io/acme/app:1
""", tmp_path)
    assert values["services"]["traefik"].get("enabled") is not False
    assert _rules(result, "CNV401")


def test_traefik_rule_without_host_gives_a_host_less_rule(tmp_path: Path) -> None:
    _, values = convert("""
services:
  frontend:
    image: traefik:2.6
    command: --providers.docker
  backend:
    build: backend
    labels:
      - "traefik.enable=true"
      - "traefik.http.routers.go.rule=Path(`/`)"
      - "traefik.http.services.go.loadbalancer.server.port=80"
""", tmp_path)
    assert values["services"]["frontend"]["enabled"] is False
    assert _ingress(values, "backend")["hosts"] == [
        {"paths": [{"path": "/", "pathType": "Exact", "port": 80}]}]
