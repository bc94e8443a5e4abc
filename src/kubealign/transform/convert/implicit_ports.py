"""Ports and names compose never declared but other services use.

On a compose network every container port is reachable and every service name resolves, so
a database often has no ``ports``/``expose`` at all and the application simply connects to
``postgres:5432``. On Kubernetes that name only resolves through a Service with that port, so
the converter finds where other services reach a service by name: ``host:port`` and URLs in
their environment and command lines, ``*_HOST``/``*_PORT`` variable pairs, the configuration
files they mount (an nginx ``proxy_pass``, a Prometheus scrape target), and ``depends_on``.
The ports come from those references, then from the ``EXPOSE`` of the service's own
Dockerfile in the repository, then from the well-known port of common images.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kubealign.errors import LoadError
from kubealign.load.dockerfile import parse_dockerfile
from kubealign.model.compose import Project, Service
from kubealign.transform.naming import parse_image

# Listening ports of widely used images, used only when nothing else names a port.
WELL_KNOWN_PORTS: dict[str, tuple[int, ...]] = {
    "postgres": (5432,), "pgvector/pgvector": (5432,), "timescale/timescaledb": (5432,),
    "bitnami/postgresql": (5432,), "mysql": (3306,), "mariadb": (3306,), "mongo": (27017,),
    "redis": (6379,), "valkey/valkey": (6379,), "bitnami/redis": (6379,), "memcached": (11211,),
    "rabbitmq": (5672,), "qdrant/qdrant": (6333, 6334), "semitechnologies/weaviate": (8080,),
    "milvusdb/milvus": (19530,), "chromadb/chroma": (8000,), "elasticsearch": (9200, 9300),
    "opensearchproject/opensearch": (9200,), "prom/prometheus": (9090,),
    "grafana/grafana": (3000,), "minio/minio": (9000,), "nats": (4222,),
    "clickhouse/clickhouse-server": (8123, 9000), "influxdb": (8086,), "neo4j": (7474, 7687),
    "zookeeper": (2181,), "apache/kafka": (9092,), "bitnami/kafka": (9092,),
    "kibana": (5601,), "logstash": (5044,), "nginx": (80,), "httpd": (80,),
    "prom/node-exporter": (9100,), "prom/alertmanager": (9093,), "jaegertracing/all-in-one":
    (16686,), "otel/opentelemetry-collector": (4317, 4318), "otel/opentelemetry-collector-"
    "contrib": (4317, 4318), "ollama/ollama": (11434,), "mongo-express": (8081,),
}

# Ports a URL scheme implies when the URL names none.
SCHEME_PORTS: dict[str, int] = {
    "http": 80, "https": 443, "ws": 80, "wss": 443, "postgres": 5432, "postgresql": 5432,
    "mysql": 3306, "mariadb": 3306, "mongodb": 27017, "redis": 6379, "rediss": 6379,
    "amqp": 5672, "amqps": 5671, "nats": 4222, "grpc": 443, "bolt": 7687, "neo4j": 7687,
}

# Whole files of mounted configuration are scanned for references; folders only this far.
_MAX_CONFIG_FILES = 200
_MAX_CONFIG_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class InferredPort:
    port: int
    evidence: str


def names_of(service: Service) -> set[str]:
    """Every name compose resolves to ``service``: its name, container_name, hostname and
    network aliases."""
    names = {service.name}
    if service.container_name:
        names.add(service.container_name)
    if service.hostname:
        names.add(service.hostname)
    for network in service.networks:
        names.update(network.aliases)
    return names


def _texts(service: Service) -> list[tuple[str | None, str, str]]:
    """(variable or None, where, text) of every environment value and command line."""
    texts: list[tuple[str | None, str, str]] = [
        (name, f"{service.name} environment {name}", str(value))
        for name, value in service.environment.items() if value]
    for label, command in (("command", service.command), ("entrypoint", service.entrypoint)):
        if command is not None:
            texts.append((None, f"{service.name} {label}", " ".join(command.argv)))
    return texts


def _config_files(service: Service, project: Project,
                  refusal: Callable[[str], str | None]) -> Iterator[str]:
    """Host paths of the configuration a service mounts (files, files below folders, and
    ``configs`` files), at most a bounded number of them. Folders outside the read boundary
    are not even listed (``/:/rootfs`` is common in monitoring stacks)."""
    count = 0
    for mount in service.volumes:
        if mount.type != "bind" or not mount.source or refusal(mount.source) is not None:
            continue
        source = Path(mount.source)
        if source.is_file():
            count += 1
            yield mount.source
        elif source.is_dir():
            for folder, dirs, files in os.walk(source):  # symlinked folders are not followed
                dirs.sort()
                for name in sorted(files):
                    count += 1
                    if count > _MAX_CONFIG_FILES:
                        return
                    yield str(Path(folder) / name)
    by_name = {c.name: c for c in project.configs}
    for ref in service.configs:
        definition = by_name.get(ref.source)
        if definition is not None and definition.file is not None:
            yield definition.file


_HOST_PORT = re.compile(r"(?:^|[/@\s=,:;\"'(\[])([A-Za-z0-9_][A-Za-z0-9_.-]*):(\d{2,5})(?![\d.])")
_URL = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://(?:[^@/\s\"']*@)?([A-Za-z0-9_][A-Za-z0-9_.-]*)"
                  r"(?=[/?#\s\"',;)]|$)")
_HOST_VARIABLE = re.compile(r"^(.*?)_?(HOST|HOSTNAME|SERVER|ADDR|ADDRESS|SERVICE)$")
_NAME_VARIABLE = re.compile(r"(HOST|HOSTNAME|HOSTS|SERVER|SERVERS|ADDR|ADDRESS|ENDPOINT|"
                            r"BROKERS?|UPSTREAM|SERVICE)$")


@functools.lru_cache(maxsize=1024)
def _references_in(text: str) -> tuple[tuple[tuple[str, int], ...], tuple[tuple[str, str], ...]]:
    """``host:port`` pairs and ``scheme://host`` URLs of a text. Cached by content: every
    environment of a repository is converted alone and mounts the same configuration files
    (DeepStacker: 13,000 scans of the same texts were a fifth of its migrate)."""
    return (tuple((m.group(1), int(m.group(2))) for m in _HOST_PORT.finditer(text)),
            tuple((m.group(1), m.group(2)) for m in _URL.finditer(text)))


class PortReferences:
    """Every place another service reaches a host name, indexed by that name, read once per
    project (a per-service scan of every other service would cost O(services squared)).

    ``read_file`` reads mounted configuration through the read boundary (None: not read)."""

    def __init__(self, project: Project,
                 read_file: Callable[[str], str | None] | None = None,
                 refusal: Callable[[str], str | None] | None = None) -> None:
        self.project = project
        self._read_file = read_file
        self._refusal = refusal or (lambda _path: None)
        self._by_host: dict[str, list[tuple[int, str, str]]] = {}
        self._named: dict[str, list[tuple[str, str]]] = {}
        for service in project.services:
            self._scan_service(service)
            for dep in service.depends_on:
                self._named.setdefault(dep.service, []).append(
                    (service.name, f"{service.name} depends_on"))

    def _port(self, host: str, port: int, user: str, where: str) -> None:
        if 0 < port < 65536:
            self._by_host.setdefault(host, []).append((port, user, where))

    def _scan_text(self, text: str, user: str, where: str) -> None:
        host_ports, urls = _references_in(text)
        for host, port in host_ports:
            self._port(host, port, user, where)
        for scheme, host in urls:
            scheme_port = SCHEME_PORTS.get(scheme.lower())
            if scheme_port is not None:
                self._port(host, scheme_port, user, f"{where} ({scheme} URL)")
            else:
                self._named.setdefault(host, []).append((user, where))

    def _scan_service(self, service: Service) -> None:
        texts = _texts(service)
        env = {k: str(v) for k, v in service.environment.items() if v}
        for variable, where, text in texts:
            self._scan_text(text, service.name, where)
            if variable is None or not _NAME_VARIABLE.search(variable.upper()):
                continue
            for item in re.split(r"[,\s]+", text.strip()):
                host = item.split(":", 1)[0]
                if host:
                    self._named.setdefault(host, []).append((service.name, where))
                    pair = _paired_port(variable, env)
                    if pair is not None and ":" not in item:
                        self._port(host, pair[1], service.name, f"{where} with {pair[0]}")
        if self._read_file is None:
            return
        total = 0
        for path in _config_files(service, self.project, self._refusal):
            content = self._read_file(path)
            if content is None:
                continue
            total += len(content)
            if total > _MAX_CONFIG_BYTES:
                break
            self._scan_text(content, service.name, f"{service.name} config {Path(path).name}")

    def referenced_by(self, service: Service) -> list[str]:
        """Where other services reach ``service`` by one of its names (sorted, unique)."""
        found: set[str] = set()
        for name in names_of(service):
            for user, where in self._named.get(name, ()):
                if user != service.name:
                    found.add(where)
            for _port, user, where in self._by_host.get(name, ()):
                if user != service.name:
                    found.add(where)
        return sorted(found)

    def inferred_ports(self, service: Service,
                       exposed: tuple[int, ...] = ()) -> list[InferredPort]:
        """Ports of ``service`` other services use; when it declares none and nobody names
        one, ``exposed`` (its Dockerfile's EXPOSE) or its image's well-known port."""
        declared = {p.target for p in service.ports}
        for entry in service.expose:
            head = entry.split("/", 1)[0].split("-", 1)[0]
            if head.isdigit():
                declared.add(int(head))
        found: dict[int, str] = {}
        for name in sorted(names_of(service)):
            for port, user, where in self._by_host.get(name, ()):
                if user != service.name and port not in declared:
                    found.setdefault(port, f"used as {name}:{port} by {where}")
        if not declared and not found:
            for port in exposed:
                found[port] = "EXPOSE in its Dockerfile"
        if not declared and not found and service.image:
            path = parse_image(service.image).path
            for port in WELL_KNOWN_PORTS.get(path, ()):
                found[port] = f"the well-known port of {path}"
        return [InferredPort(p, e) for p, e in sorted(found.items())]


def _paired_port(variable: str, env: dict[str, str]) -> tuple[str, int] | None:
    """``DB_HOST`` -> the value of ``DB_PORT`` when it is a number."""
    match = _HOST_VARIABLE.match(variable.upper())
    if match is None:
        return None
    prefix = variable[: len(match.group(1))]
    for candidate in (f"{prefix}_PORT", f"{prefix}PORT"):
        value = env.get(candidate)
        if value is not None and value.strip().isdigit():
            return candidate, int(value.strip())
    return None


def dockerfile_exposed(service: Service,
                       read_file: Callable[[str], str | None]) -> tuple[int, ...]:
    """TCP ports the final stage of the service's own Dockerfile EXPOSEs (read through the
    read boundary; ports given by build arguments are skipped)."""
    build = service.build
    if build is None:
        return ()
    text = build.dockerfile_inline
    where = "dockerfile_inline"
    if text is None and build.context and "://" not in build.context:
        where = str(Path(build.context) / (build.dockerfile or "Dockerfile"))
        text = read_file(where)
    if not text:
        return ()
    try:
        info = parse_dockerfile(text, where)
    except LoadError:  # a broken Dockerfile is the audit's finding, not the conversion's
        return ()
    ports = []
    for entry in info.exposed_ports:
        number, _, protocol = entry.partition("/")
        if number.isdigit() and protocol.lower() in ("", "tcp") and 0 < int(number) < 65536:
            ports.append(int(number))
    return tuple(sorted(set(ports)))


def inferred_ports(service: Service, project: Project) -> list[InferredPort]:
    """Ports of ``service`` that compose never declared but other services use."""
    return PortReferences(project).inferred_ports(service)
