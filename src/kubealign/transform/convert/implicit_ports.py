"""Ports compose never declared but other services use.

On a compose network every container port is reachable, so a database often has no
``ports``/``expose`` at all and the application simply connects to ``postgres:5432``. On
Kubernetes that name only resolves through a Service with that port, so the converter finds
the ports other services actually use (in their environment and command lines), the port of
the service's own HTTP healthcheck, and the well-known port of common images.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    "kibana": (5601,), "logstash": (5044,),
}


@dataclass(frozen=True, slots=True)
class InferredPort:
    port: int
    evidence: str


def _names(service: Service) -> set[str]:
    names = {service.name}
    if service.container_name:
        names.add(service.container_name)
    if service.hostname:
        names.add(service.hostname)
    for network in service.networks:
        names.update(network.aliases)
    return names


def _texts(service: Service) -> list[tuple[str, str]]:
    texts = [(f"{service.name} {name}", str(value)) for name, value in
             service.environment.items() if value]
    for label, command in (("command", service.command), ("entrypoint", service.entrypoint)):
        if command is not None:
            texts.append((f"{service.name} {label}", " ".join(command.argv)))
    return texts


_HOST_PORT = re.compile(r"(?:^|[/@\s=,:;\"'(])([A-Za-z0-9_][A-Za-z0-9_.-]*):(\d{2,5})(?![\d.])")


class PortReferences:
    """Every ``host:port`` other services write, indexed by host name, read once per project
    (a per-service scan of every other service would cost O(services squared))."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._by_host: dict[str, list[tuple[int, str, str]]] = {}
        for service in project.services:
            for where, text in _texts(service):
                for match in _HOST_PORT.finditer(text):
                    port = int(match.group(2))
                    if 0 < port < 65536:
                        self._by_host.setdefault(match.group(1), []).append(
                            (port, service.name, where))

    def inferred_ports(self, service: Service) -> list[InferredPort]:
        declared = {p.target for p in service.ports}
        for exposed in service.expose:
            head = exposed.split("/", 1)[0].split("-", 1)[0]
            if head.isdigit():
                declared.add(int(head))
        found: dict[int, str] = {}
        for name in sorted(_names(service)):
            for port, user, where in self._by_host.get(name, ()):
                if user != service.name and port not in declared:
                    found.setdefault(port, f"used as {name}:{port} by {where}")
        if not declared and not found and service.image:
            path = parse_image(service.image).path
            for port in WELL_KNOWN_PORTS.get(path, ()):
                found[port] = f"the well-known port of {path}"
        return [InferredPort(p, e) for p, e in sorted(found.items())]


def inferred_ports(service: Service, project: Project) -> list[InferredPort]:
    """Ports of ``service`` that compose never declared but other services use."""
    return PortReferences(project).inferred_ports(service)
