"""Converter unit tests on small compose documents (normalised without the file loader)."""

import ipaddress
from pathlib import Path
from typing import Any

from kubealign.load.compose.normalize import normalize_data
from kubealign.load.yaml_safe import load_yaml_text
from kubealign.model.ledger import Disposition
from kubealign.transform.convert import ConversionOptions, ConversionResult, convert_project
from kubealign.transform.convert.service import platform_selector
from kubealign.transform.values_model import to_values


def convert(text: str, tmp_path: Path, **options: Any) -> tuple[ConversionResult, dict[str, Any]]:
    loaded = load_yaml_text(text, str(tmp_path / "compose.yaml"))
    project = normalize_data(loaded.data, name="demo", sources=loaded.sources,
                             project_directory=tmp_path, files=(tmp_path / "compose.yaml",))
    result = convert_project(project, ConversionOptions(release="demo", **options))
    return result, to_values(result.values)


def test_web_service_ports_env_and_probe(tmp_path: Path) -> None:
    result, values = convert(
        """
services:
  api:
    image: ghcr.io/acme/api:1.4.2
    command: ["uvicorn", "app:main", "--port", "8000"]
    ports: ["8080:8000"]
    environment:
      LOG_LEVEL: info
      POSTGRES_PASSWORD: hunter2-not-for-git
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]
      interval: 15s
""",
        tmp_path,
    )
    api = values["services"]["api"]
    assert api["image"] == {"repository": "ghcr.io/acme/api", "tag": "1.4.2"}
    assert api["args"] == ["uvicorn", "app:main", "--port", "8000"]
    assert api["ports"] == [{"name": "tcp-8000", "containerPort": 8000, "protocol": "TCP"}]
    assert api["env"] == {"LOG_LEVEL": "info"}
    assert api["secretEnv"] == {"POSTGRES_PASSWORD": {"secretName": "api-env",
                                                      "key": "POSTGRES_PASSWORD"}}
    assert api["probes"]["readiness"]["httpGet"] == {"port": 8000, "path": "/health",
                                                     "scheme": "HTTP"}
    assert "hunter2-not-for-git" not in repr(values)
    assert values["externalSecrets"]["api-env"]["data"][0]["remoteRef"] == {
        "key": "api.postgres_password"}
    ports = [e for e in result.ledger.entries if e.key == "ports"]
    assert ports[0].disposition is Disposition.APPROXIMATED and "8080->8000" in ports[0].note
    assert ports[0].source is not None and ports[0].source.line == 6


def test_gpu_swarm_service_with_placement_and_traefik(tmp_path: Path) -> None:
    _, values = convert(
        """
services:
  ai-core:
    image: scoobyjava15/sophia-ai-core:2025.01.10
    deploy:
      replicas: 2
      labels:
        traefik.enable: "true"
        traefik.http.routers.ai.rule: Host(`ai.sophia.example`) && PathPrefix(`/v1/`)
        traefik.http.routers.ai.tls.certresolver: letsencrypt
        traefik.http.services.ai.loadbalancer.server.port: "8001"
      placement:
        constraints: ["node.labels.gpu == gh200"]
      resources:
        limits: {memory: 64G, cpus: "16"}
        reservations:
          generic_resources:
            - discrete_resource_spec: {kind: NVIDIA-GPU, value: 2}
""",
        tmp_path,
        gpu_pool="NVIDIA-GH200-480GB",
    )
    svc = values["services"]["ai-core"]
    assert svc["gpu"] == {"count": 2, "pool": "NVIDIA-GH200-480GB"}
    assert svc["resources"]["limits"] == {"cpu": "16", "memory": "64Gi"}
    assert svc["nodeAffinity"]["required"] == [{"key": "gpu", "operator": "In",
                                                "values": ["gh200"]}]
    assert svc["replicas"] == 2 and svc["podDisruptionBudget"]["enabled"] is True
    ingress = svc["ingress"]
    assert ingress["hosts"] == [{"host": "ai.sophia.example",
                                 "paths": [{"path": "/v1/", "pathType": "Prefix", "port": 8001}]}]
    assert ingress["tls"] == [{"hosts": ["ai.sophia.example"], "secretName": "ai-core-tls"}]
    assert ingress["clusterIssuer"] == "letsencrypt"
    assert svc["ports"] == [{"name": "tcp-8001", "containerPort": 8001}]


def test_database_is_a_statefulset_and_traefik_is_disabled(tmp_path: Path) -> None:
    result, values = convert(
        """
services:
  postgres:
    image: postgres:16-alpine
    volumes: ["pgdata:/var/lib/postgresql/data"]
  traefik:
    image: traefik:v3.2
    volumes: ["/var/run/docker.sock:/var/run/docker.sock:ro"]
  web:
    image: ghcr.io/acme/web:1
    labels:
      traefik.http.routers.web.rule: Host(`web.example.com`)
      traefik.http.services.web.loadbalancer.server.port: "8080"
volumes:
  pgdata: {}
""",
        tmp_path,
    )
    assert values["services"]["postgres"]["kind"] == "StatefulSet"
    assert values["services"]["postgres"]["persistence"] == {
        "data": {"mountPath": "/var/lib/postgresql/data", "size": "1Gi"}}
    assert values["services"]["traefik"]["enabled"] is False
    assert result.roles["traefik"].replaced
    assert any(f.rule == "CNV201" for f in result.findings)


def test_one_shot_and_global_services(tmp_path: Path) -> None:
    _, values = convert(
        """
services:
  migrate:
    image: acme/migrate:3
    restart: "no"
  node-exporter:
    image: prom/node-exporter:v1.8.2
    deploy: {mode: global}
""",
        tmp_path,
    )
    assert values["services"]["migrate"]["kind"] == "Job"
    assert values["services"]["node-exporter"]["kind"] == "DaemonSet"


def test_read_only_file_bind_becomes_byte_identical_config(tmp_path: Path) -> None:
    config = tmp_path / "portkey-config.json"
    config.write_bytes(b'{\n  "default_provider": "openrouter"\n}\n')
    config.chmod(0o640)
    result, values = convert(
        f"""
services:
  gateway:
    image: portkeyai/gateway:1.8.0
    volumes:
      - {config}:/app/config/portkey-config.json:ro
      - {tmp_path}:/src
""",
        tmp_path,
    )
    files = values["services"]["gateway"]["configFiles"]
    assert files["portkey-config.json"] == {"mountPath": "/app/config/portkey-config.json",
                                            "content": config.read_text(), "mode": 0o440}
    # The writable folder bind becomes ConfigMap entries too (tests/transform/test_routing.py).
    assert files["portkey-config.json-2"]["mountPath"] == "/src/portkey-config.json"
    volumes = [e for e in result.ledger.entries if e.key == "volumes"]
    assert volumes[0].disposition is Disposition.APPROXIMATED
    assert "read-only now" in volumes[0].note


def test_every_written_key_is_in_the_ledger(tmp_path: Path) -> None:
    result, _ = convert(
        """
services:
  app:
    image: nginx:1.27
    container_name: legacy_app
    network_mode: host
    ulimits: {nofile: 65535}
    logging: {driver: json-file}
    privileged: true
""",
        tmp_path,
    )
    keys = {e.key: e.disposition for e in result.ledger.for_service("app")}
    assert keys["network_mode"] is Disposition.NOT_CONVERTIBLE
    assert keys["ulimits"] is Disposition.NOT_CONVERTIBLE
    assert keys["logging"] is Disposition.IGNORED
    assert keys["privileged"] is Disposition.APPROXIMATED
    assert keys["container_name"] is Disposition.CONVERTED


def test_no_written_key_falls_through_on_the_example(tmp_path: Path) -> None:
    from kubealign.transform.convert.project import UNHANDLED_NOTE

    repo = Path(__file__).resolve().parents[2]
    example = repo / "examples" / "sophia" / "docker-compose.cloud.yml"
    loaded = load_yaml_text(example.read_text(), str(example))
    project = normalize_data(loaded.data, name="sophia", sources=loaded.sources,
                             project_directory=example.parent, files=(example,))
    result = convert_project(project, ConversionOptions(release="sophia"))
    unhandled = [(e.service, e.key) for e in result.ledger.entries if e.note == UNHANDLED_NOTE]
    assert unhandled == []


def test_aliases_and_headless_describe_one_service(tmp_path: Path) -> None:
    _, values = convert(
        """
services:
  search:
    image: opensearchproject/opensearch:2.17.0
    container_name: legacy_search
    deploy: {endpoint_mode: dnsrr}
""",
        tmp_path,
    )
    assert values["services"]["search"]["service"] == {"headless": True,
                                                       "aliases": ["legacy-search"]}


# Issue 11: platform and extra_hosts that the API server or the scheduler refused.

def test_empty_platform_gives_no_node_selector(tmp_path: Path) -> None:
    result, values = convert(
        """
services:
  web:
    image: nginx:1.27
    platform: ""
""",
        tmp_path,
    )
    assert "nodeSelector" not in values["services"]["web"]
    assert any(e.key == "platform" for e in result.ledger.entries)


def test_platform_maps_to_os_and_arch_labels() -> None:
    assert platform_selector("linux/arm64") == {"kubernetes.io/os": "linux",
                                                "kubernetes.io/arch": "arm64"}
    assert platform_selector("linux/arm/v7") == {"kubernetes.io/os": "linux",
                                                 "kubernetes.io/arch": "arm"}
    assert platform_selector("Linux/x86_64") == {"kubernetes.io/os": "linux",
                                                 "kubernetes.io/arch": "amd64"}
    assert platform_selector("linux") == {"kubernetes.io/os": "linux"}
    assert platform_selector("") == {}
    assert platform_selector(" / ") == {}
    # Real (awesome-compose wasmedge-*): `platform: wasi/wasm` gave kubernetes.io/os: wasi,
    # which no node reports; the pods stayed Pending on the local cluster.
    assert platform_selector("wasi/wasm") == {}
    assert platform_selector("windows/amd64") == {"kubernetes.io/os": "windows",
                                                  "kubernetes.io/arch": "amd64"}


def test_a_webassembly_platform_asks_for_a_runtime_class(tmp_path: Path) -> None:
    result, values = convert(
        """
services:
  server:
    image: wasmedge/example-wasi-http:latest
    platform: wasi/wasm
    runtime: io.containerd.wasmedge.v1
""",
        tmp_path,
    )
    assert "nodeSelector" not in values["services"]["server"]
    platform = next(e for e in result.ledger.entries if e.key == "platform")
    assert platform.disposition is Disposition.APPROXIMATED
    assert "RuntimeClass" in platform.note


def test_host_gateway_extra_host_is_dropped_with_a_finding(tmp_path: Path) -> None:
    result, values = convert(
        """
services:
  web:
    image: nginx:1.27
    extra_hosts:
      - "host.docker.internal:host-gateway"
      - "db.local=10.0.0.5"
      - "v6.local=[::1]"
""",
        tmp_path,
    )
    aliases = values["services"]["web"]["hostAliases"]
    for alias in aliases:
        ipaddress.ip_address(alias["ip"])  # every emitted IP parses
    assert {a["ip"] for a in aliases} == {"10.0.0.5", "::1"}
    assert any("host-gateway" in f.message for f in result.findings)


def test_only_host_gateway_gives_no_host_aliases(tmp_path: Path) -> None:
    _, values = convert(
        """
services:
  web:
    image: nginx:1.27
    extra_hosts: ["host.docker.internal:host-gateway"]
""",
        tmp_path,
    )
    assert "hostAliases" not in values["services"]["web"]


def test_nvidia_reservation_without_gpu_capability_requests_gpus(tmp_path: Path) -> None:
    _, values = convert(
        """
services:
  llm:
    image: ollama/ollama:0.3.0
    deploy:
      resources:
        reservations:
          devices:
            - capabilities: [compute, utility]
              count: 2
  trainer:
    image: pytorch/pytorch:2.3.0
    deploy:
      resources:
        reservations:
          devices:
            - driver: nvidia
              count: all
              capabilities: [other]
  web:
    image: nginx:1.27
""",
        tmp_path,
        gpu_count_for_all=4,
    )
    assert values["services"]["llm"]["gpu"]["count"] == 2
    assert values["services"]["trainer"]["gpu"]["count"] == 4
    assert "gpu" not in values["services"]["web"]


def test_count_all_of_a_gpu_telemetry_agent_shares_instead_of_claiming(tmp_path: Path) -> None:
    """Defect (seen on the local cluster, examples/sophia ai-core): dcgm-exporter's
    `count: all` became an exclusive nvidia.com/gpu claim next to the model server's, so on
    the one-GPU GH200 node one of them stayed Pending forever. Docker shows all GPUs to a
    `count: all` container without taking them from its neighbours; NVIDIA runs dcgm-exporter
    on Kubernetes without a GPU request. The model server's own `count: all` still claims."""
    result, values = convert(
        """
services:
  model:
    image: vllm/vllm-openai:v0.6.0
    deploy:
      resources:
        reservations:
          devices: [{driver: nvidia, count: all, capabilities: [gpu]}]
  dcgm-exporter:
    image: nvcr.io/nvidia/k8s/dcgm-exporter:3.3.8-3.6.0-ubuntu22.04
    deploy:
      resources:
        reservations:
          devices: [{driver: nvidia, count: all, capabilities: [gpu, utility]}]
  metrics:
    image: utkuozdemir/nvidia_gpu_exporter:1.2.1
    gpus: all
  pinned-exporter:
    image: nvcr.io/nvidia/k8s/dcgm-exporter:3.3.8-3.6.0-ubuntu22.04
    deploy:
      resources:
        reservations:
          devices: [{driver: nvidia, count: 1, capabilities: [gpu]}]
""",
        tmp_path,
        gpu_count_for_all=1,
    )
    services = values["services"]
    assert services["model"]["gpu"]["count"] == 1
    assert services["dcgm-exporter"]["gpu"] == {"count": 0, "shared": True}
    assert services["metrics"]["gpu"] == {"count": 0, "shared": True}
    assert services["pinned-exporter"]["gpu"] == {"count": 1}  # a number is kept as written
    gpu = [e for e in result.ledger.for_service("dcgm-exporter") if e.target.endswith(".gpu")]
    assert gpu and "Docker shares every GPU" in gpu[0].note
    assert all(e.disposition is Disposition.APPROXIMATED for e in gpu)


def test_on_failure_task_is_a_job_and_on_failure_server_is_not(tmp_path: Path) -> None:
    _, values = convert(
        """
services:
  model-downloader:
    image: curlimages/curl:8.8.0
    restart: on-failure
  app:
    image: acme/app:1
    command: ["python", "manage.py", "migrate"]
    deploy:
      restart_policy: {condition: on-failure}
  api:
    image: acme/api:1
    restart: on-failure
""",
        tmp_path,
    )
    assert values["services"]["model-downloader"]["kind"] == "Job"
    assert values["services"]["app"]["kind"] == "Job"
    assert values["services"]["api"].get("kind", "Deployment") == "Deployment"


def test_on_failure_script_that_migrates_then_serves_stays_a_deployment(tmp_path: Path) -> None:
    _, values = convert(
        """
services:
  web:
    image: acme/web:1
    restart: on-failure
    command: sh -c "python manage.py migrate && gunicorn app:wsgi"
  db:
    image: mysql:8.4
    restart: on-failure
    command: ["mysqld", "--init-file=/docker-entrypoint-initdb.d/init.sql"]
""",
        tmp_path,
    )
    assert values["services"]["web"].get("kind", "Deployment") == "Deployment"
    assert values["services"]["db"].get("kind") != "Job"


def test_a_gpu_deployment_rolls_stop_first(tmp_path: Path) -> None:
    """Defect (seen on the local cluster, examples/sophia ai-core rolled back from cloud's
    values): the default 25% surge started a new GPU pod while the old one held the pool's
    only GPU, so the rollback never finished. Compose replaces containers stop-first."""
    _, values = convert(
        """
services:
  model:
    image: vllm/vllm-openai:v0.6.0
    deploy:
      resources:
        reservations:
          devices: [{driver: nvidia, count: 1, capabilities: [gpu]}]
  blue-green:
    image: vllm/vllm-openai:v0.6.0
    deploy:
      update_config: {order: start-first}
      resources:
        reservations:
          devices: [{driver: nvidia, count: 1, capabilities: [gpu]}]
  web:
    image: nginx:1.27
""",
        tmp_path,
    )
    services = values["services"]
    assert services["model"]["strategy"] == {"type": "RollingUpdate", "maxSurge": 0,
                                             "maxUnavailable": 1}
    assert services["blue-green"]["strategy"]["maxSurge"] == 1  # asked for, kept
    assert "strategy" not in services["web"]


def test_depends_on_becomes_waits_for_jobs_and_service_ports(tmp_path: Path) -> None:
    """Defect class of issue 11: depends_on was only a ledger note, so a service started
    before the migration it waits for (service_completed_successfully) or its database."""
    result, values = convert(
        """
services:
  db:
    image: postgres:16
    healthcheck: {test: ["CMD-SHELL", "pg_isready"]}
  migrate:
    image: acme/api:1.0
    command: [migrate]
    depends_on: {db: {condition: service_healthy}}
  api:
    image: acme/api:1.0
    ports: ["8080"]
    depends_on:
      db: {condition: service_healthy}
      migrate: {condition: service_completed_successfully}
      worker: {condition: service_started, restart: true}
  worker:
    image: acme/worker:1.0
""",
        tmp_path,
    )
    services = values["services"]
    assert services["migrate"]["kind"] == "Job"
    assert services["migrate"]["dependsOn"] == {"db": {"condition": "healthy"}}
    assert services["api"]["dependsOn"] == {"db": {"condition": "healthy"},
                                            "migrate": {"condition": "completed"},
                                            "worker": {"condition": "started"}}
    entry = next(e for e in result.ledger.entries if e.service == "api" and e.key == "depends_on")
    # worker has no port to wait for, and restart: true has no equivalent: both said.
    assert entry.disposition is Disposition.APPROXIMATED
    assert "no Service port" in entry.note and "restart: true" in entry.note
    assert "waits until its Job completes successfully" in entry.note
    migrate = next(e for e in result.ledger.entries
                   if e.service == "migrate" and e.key == "depends_on")
    assert migrate.disposition is Disposition.CONVERTED


def test_services_of_inactive_profiles_stay_in_values_disabled(tmp_path: Path) -> None:
    """Defect class of issue 11: services behind a profile that was not active vanished from
    values, so an environment differing by `--profile` missed a service instead of a flag."""
    import dataclasses

    text = """
services:
  web:
    image: nginx:1.27
    volumes: [shared:/srv]
  debug:
    image: acme/debug:1.0
    profiles: [debug]
    volumes: [shared:/data]
volumes: {shared: {}}
"""
    loaded = load_yaml_text(text, str(tmp_path / "compose.yaml"))
    project = normalize_data(loaded.data, name="demo", sources=loaded.sources,
                             project_directory=tmp_path, files=(tmp_path / "compose.yaml",))
    for active, enabled in (((), False), (("debug",), None), (("*",), None)):
        result = convert_project(dataclasses.replace(project, active_profiles=active),
                                 ConversionOptions(release="demo"))
        values = to_values(result.values)["services"]
        assert values["debug"].get("enabled") is enabled, active
        assert values["web"].get("enabled") is None
        if not active:
            # the enabled service owns the shared claim, never the disabled one
            assert values["debug"]["persistence"]["data"]["claimName"] == "web-srv"
            note = next(e.note for e in result.ledger.entries
                        if e.service == "debug" and e.key == "profiles")
            assert "not active" in note and "--profile debug" in note


def test_unknown_and_built_images_start_as_under_docker(tmp_path: Path) -> None:
    """Defect class of issue 11: every image kubealign had no facts for got runAsNonRoot and
    drop-ALL, so root images (and images whose USER is a name) never started. Built images
    run as their Dockerfile's USER; unknown ones keep Docker's defaults, hardening offered."""
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "Dockerfile").write_text(
        "FROM python:3.12-slim\nRUN useradd -u 10001 app\nUSER app\n")
    (tmp_path / "tool").mkdir()
    (tmp_path / "tool" / "Dockerfile").write_text("FROM debian:12\nCMD [\"run\"]\n")
    result, values = convert(
        """
services:
  api: {build: ./api, image: acme/api:1}
  tool: {build: ./tool, image: acme/tool:1, cap_drop: [NET_RAW]}
  mailer: {image: mailhog/mailhog:v1.0.1}
  named: {image: mailhog/mailhog:v1.0.1, user: mailhog}
  rooted: {image: postgres:16, user: root}
  db: {image: postgres:16}
""",
        tmp_path,
    )
    services = values["services"]
    assert services["api"]["securityContext"] == {"runAsUser": 10001,
                                                  "readOnlyRootFilesystem": False}
    assert services["tool"]["securityContext"] == {"defaults": "docker",
                                                   "capabilities": {"drop": ["NET_RAW"]}}
    assert services["mailer"]["securityContext"] == {"defaults": "docker"}
    assert services["named"]["securityContext"] == {"defaults": "docker", "runAsNonRoot": False}
    assert services["rooted"]["securityContext"]["defaults"] == "docker"
    assert services["db"]["securityContext"] == {"runAsUser": 999, "runAsGroup": 999}
    messages = {f.rule: f.message for f in result.findings if f.rule.startswith("HRD")}
    assert "USER app at api/Dockerfile:3" in messages["HRD004"]
    hints = [f.fix for f in result.findings if f.rule == "HRD001"]
    assert any("securityContext.defaults: restricted" in (h or "") for h in hints)
