"""Configuration files of the application, told apart by what they hold.

Two kinds matter to the consolidation:

* a **service registry**: a hand-kept list of where the repository's own services answer
  (``http://github-mcp:3002``, ``https://mcp-snowflake.${CLUSTER_FQDN}``). Kubernetes
  Services give every service a DNS name and the chart's values carry the rest, so the
  registry is deployment debt.
* **LLM gateway configuration**: which model providers and models the application calls,
  how requests are routed and what they fall back to (Portkey, OpenRouter, LiteLLM). It is
  the application's own behaviour: the new path keeps it as it is (the chart mounts it from
  a ConfigMap), and the audit says so rather than leaving it unmentioned.

Only data files (JSON and YAML that are no compose file, manifest, workflow or chart) are
read; a name decides nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from kubealign.errors import KubealignError
from kubealign.load.yaml_safe import load_yaml_text
from kubealign.model.inventory import ArtifactKind
from kubealign.rules.context import AuditContext
from kubealign.rules.script_purpose import tooling_folder

K = ArtifactKind
_DATA_KINDS = frozenset({K.MOUNTED_CONFIG, K.OTHER})
_SUFFIXES = (".json", ".yaml", ".yml")
_MAX_BYTES = 256 * 1024
#: Folders of data that is no configuration of a running application.
_NOT_CONFIG = frozenset({"node_modules", "docs", "doc", "fixtures", "testdata", "dashboards",
                         "grafana", "schemas", "reports", "backups", "backup"})

#: ``http://name:port`` with a bare service name (compose and Kubernetes DNS short names),
#: or a name under the cluster's domain (``mcp-x.${CLUSTER_FQDN}``): an in-cluster address.
_SERVICE_URL = re.compile(
    r"^(?:https?|wss?|grpc)://(?P<host>[a-z][a-z0-9_-]*(?::\d+)?"
    r"|[a-z0-9-]+\.\$\{[A-Z_]*CLUSTER[A-Z_]*\}(?::\d+)?)(?:/\S*)?$"
)
_LOCAL = frozenset({"localhost", "host.docker.internal"})
_MIN_SERVICES = 3

_MODEL_KEYS = frozenset({"model", "models", "route_to", "default_model", "model_list",
                         "model_name", "fallback_models"})
_ROUTING_KEYS = frozenset({"provider", "providers", "default_provider", "routing",
                           "routing_rules", "fallback", "fallbacks", "fallback_providers",
                           "virtual_key", "litellm_params", "targets", "strategy",
                           "load_balancing", "retry"})
_LLM_KEYS = _MODEL_KEYS | _ROUTING_KEYS | frozenset({"max_tokens", "temperature",
                                                     "context_window", "cost_per_1k_tokens",
                                                     "api_base", "base_url", "guardrails",
                                                     "cache", "caching"})
_MIN_LLM_KEYS = 4
_SPECIFICATION_KEYS = frozenset({"openapi", "swagger", "$schema", "asyncapi"})


@dataclass(frozen=True, slots=True)
class ServiceRegistry:
    path: str
    #: The service addresses it lists, in file order.
    addresses: tuple[str, ...]
    line: int
    first: str

    def evidence(self) -> str:
        return (f"{self.path}:{self.line} `{self.first}`; {len(self.addresses)} service "
                "addresses")


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    path: str
    #: The model-routing keys that make it one (sorted).
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AppConfigs:
    registries: tuple[ServiceRegistry, ...]
    gateways: tuple[GatewayConfig, ...]


def _walk(value: Any) -> Iterator[tuple[str | None, Any]]:
    """(key, value) of every mapping entry and list item below ``value``."""
    stack: list[tuple[str | None, Any]] = [(None, value)]
    while stack:
        key, current = stack.pop()
        yield key, current
        if isinstance(current, dict):
            stack.extend((str(k), v) for k, v in reversed(list(current.items())))
        elif isinstance(current, list):
            stack.extend((key, v) for v in reversed(current))


def _address(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    match = _SERVICE_URL.match(value.strip())
    if match is None or match.group("host").split(":")[0] in _LOCAL:
        return None
    return value.strip()


def _entry_address(child: Any) -> tuple[str, str] | None:
    """(key, address) of one registry entry: a mapping holding a service's address."""
    if not isinstance(child, dict) or {"op", "path"} <= set(child):
        return None  # not a mapping, or a JSON patch operation
    return next(((str(k), a) for k, v in child.items() if (a := _address(v)) is not None), None)


def _service_addresses(data: Any) -> list[str]:
    """The addresses of the largest collection most of whose entries describe one service
    alike (the same key holds the address, another key is shared: ``{name, url}``); none
    when addresses are scattered over a settings file."""
    best: list[str] = []
    for _, value in _walk(data):
        children = list(value.values()) if isinstance(value, dict) else value
        if not isinstance(children, list) or len(children) < _MIN_SERVICES:
            continue
        by_key: dict[str, list[tuple[dict[str, Any], str]]] = {}
        for child in children:
            found = _entry_address(child)
            if found is not None:
                by_key.setdefault(found[0], []).append((child, found[1]))
        for entries in by_key.values():
            shared = set.intersection(*(set(map(str, e)) for e, _ in entries))
            if (2 * len(entries) > len(children) and len(shared) >= 2
                    and len(entries) > len(best)):
                best = [a for _, a in entries]
    return best


def _gateway_keys(data: Any) -> tuple[str, ...]:
    keys = {k.lower() for k, _ in _walk(data) if k is not None}
    hits = keys & _LLM_KEYS
    if len(hits) >= _MIN_LLM_KEYS and hits & _MODEL_KEYS and hits & _ROUTING_KEYS:
        return tuple(sorted(hits))
    return ()


def _candidates(ctx: AuditContext) -> Iterator[str]:
    for artifact in ctx.inventory:
        path = artifact.path
        if not path.lower().endswith(_SUFFIXES) or not set(artifact.kinds) <= _DATA_KINDS:
            continue
        parts = {p.lower() for p in PurePosixPath(path).parts[:-1]}
        if parts & _NOT_CONFIG or tooling_folder(path) is not None or any(
                p.startswith(".") for p in parts):
            continue  # a tool's own settings (.taskmaster/, .cursor/) configure no service
        if PurePosixPath(path).name.startswith(("package", "tsconfig", ".")):
            continue  # package manifests and tool settings
        if artifact.size > _MAX_BYTES:
            continue
        yield path


def _line_of(lines: tuple[str, ...], value: str) -> int:
    return next((n for n, text in enumerate(lines, start=1) if value in text), 1)


def app_configs(ctx: AuditContext) -> AppConfigs:
    def compute(c: AuditContext) -> AppConfigs:
        registries: list[ServiceRegistry] = []
        gateways: list[GatewayConfig] = []
        for path in sorted(_candidates(c)):
            lines = c.lines(path)
            try:
                data = load_yaml_text("\n".join(lines), path).data
            except KubealignError:
                continue
            if isinstance(data, dict) and _SPECIFICATION_KEYS & set(map(str, data)):
                continue  # an API description or a schema describes, it configures nothing
            keys = _gateway_keys(data)
            if keys:
                gateways.append(GatewayConfig(path, keys))
                continue
            addresses = _service_addresses(data)
            hosts = {_SERVICE_URL.match(a).group("host").split(":")[0]  # type: ignore[union-attr]
                     for a in addresses}
            if len(hosts) >= _MIN_SERVICES:
                registries.append(ServiceRegistry(path, tuple(addresses),
                                                  _line_of(lines, addresses[0]), addresses[0]))
        return AppConfigs(tuple(registries), tuple(gateways))

    return ctx.analysis("app-configs", compute)
