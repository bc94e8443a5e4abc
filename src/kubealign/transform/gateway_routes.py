"""An edge router's own configuration -> the routes its Ingress rules must carry.

An nginx that proxies to the project's services (``server_name``, ``location``,
``proxy_pass``/``upstream``) and a Traefik reading routers from files (the file provider's
``http.routers`` and ``http.services``) say which host and path reach which service and
port. Kubernetes replaces the router with Ingress rules saying the same; what the Ingress
API cannot say (regex locations, prefix rewriting, redirects answered by nginx itself,
middlewares) is noted, never silently dropped.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from kubealign.transform.traefik import PathType, RuleSyntaxError, parse_rule

_VALID_HOST = re.compile(r"^(\*\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
_ACCESS_CONTROL = frozenset({"allow", "deny", "auth_basic", "auth_request", "satisfy"})
_DEFAULT_PORTS = {"http": 80, "https": 443, "grpc": 80, "grpcs": 443}


@dataclass(frozen=True, slots=True)
class GatewayRoute:
    """Requests for ``host`` (None: any host) and ``path`` go to ``target`` (a host name the
    router wrote: a service name, alias or container name) on ``port``."""

    host: str | None
    path: str
    path_type: PathType
    target: str
    port: int | None
    tls: bool = False


@dataclass
class GatewayConfig:
    routes: list[GatewayRoute] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --- nginx -------------------------------------------------------------------------------


@dataclass
class _Block:
    name: str
    args: list[str]
    children: list[_Block] = field(default_factory=list)


_TOKEN = re.compile(r"""#[^\n]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[{};]|[^\s{};"'#]+""")


def _tokens(text: str) -> Iterator[str]:
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token.startswith("#"):
            continue
        if token[0] in "\"'" and len(token) >= 2:
            token = token[1:-1]
        yield token


def parse_nginx(text: str) -> list[_Block]:
    """Directives as a tree (tolerant: a missing brace ends the block at end of file)."""
    root = _Block("", [])
    stack = [root]
    words: list[str] = []
    for token in _tokens(text):
        if token == ";":
            if words:
                stack[-1].children.append(_Block(words[0], words[1:]))
            words = []
        elif token == "{":
            block = _Block(words[0] if words else "", words[1:])
            stack[-1].children.append(block)
            stack.append(block)
            words = []
        elif token == "}":
            words = []
            if len(stack) > 1:
                stack.pop()
        else:
            words.append(token)
    return root.children


def _walk(blocks: list[_Block], name: str) -> Iterator[_Block]:
    for block in blocks:
        if block.name == name:
            yield block
        yield from _walk(block.children, name)


def _split_url(url: str) -> tuple[str, str, int | None, str] | None:
    """``http://backend:8000/api`` -> (scheme, host, port, path)."""
    match = re.match(r"^(https?|grpcs?)://([^/:$]+)(?::(\d+))?(/.*)?$", url)
    if match is None:
        return None
    port = int(match.group(3)) if match.group(3) else None
    return match.group(1), match.group(2), port, match.group(4) or ""


def nginx_routes(text: str, where: str) -> GatewayConfig:
    """Routes of every ``server`` block of an nginx configuration."""
    config = GatewayConfig()
    tree = parse_nginx(text)
    upstreams: dict[str, list[tuple[str, int | None]]] = {}
    for block in _walk(tree, "upstream"):
        if not block.args:
            continue
        servers = []
        for child in block.children:
            if child.name == "server" and child.args:
                host, _, port = child.args[0].partition(":")
                servers.append((host, int(port) if port.isdigit() else None))
        upstreams[block.args[0]] = servers
    for server in _walk(tree, "server"):
        if not server.children:
            continue  # `server host:port;` inside an upstream
        names = [a for c in server.children if c.name == "server_name" for a in c.args]
        hosts = sorted({n.lower() for n in names if _VALID_HOST.match(n.lower())
                        and n.lower() not in ("localhost", "_")})
        dropped = [n for n in names if n.lower() not in hosts and n not in ("_", "localhost")]
        if dropped:
            config.notes.append(f"{where}: server_name {' '.join(dropped)} is no Ingress host "
                                "(regex or partial wildcard): routed for the other names")
        tls = any(c.name == "listen" and "ssl" in c.args for c in server.children)
        for location in (c for c in server.children if c.name == "location"):
            config.routes.extend(_location_routes(location, hosts, tls, upstreams, where,
                                                  config.notes))
    return config


def _location_routes(location: _Block, hosts: list[str], tls: bool,
                     upstreams: dict[str, list[tuple[str, int | None]]], where: str,
                     notes: list[str]) -> list[GatewayRoute]:
    args = location.args
    modifier, path = (args[0], args[1]) if len(args) > 1 else ("", args[0] if args else "/")
    if modifier in ("~", "~*") or path.startswith("@"):
        if any(c.name in ("proxy_pass", "grpc_pass") for c in location.children):
            notes.append(f"{where}: location {' '.join(args)} is a regular expression or a "
                         "named location: no Ingress path; route it by hand")
        return []
    path_type: PathType = "Exact" if modifier == "=" else "Prefix"
    passes = [c for c in location.children if c.name in ("proxy_pass", "grpc_pass") and c.args]
    if not passes:
        return []  # answered by nginx itself (return, static files): nothing to route
    url = passes[0].args[0]
    parts = _split_url(url)
    if parts is None:
        notes.append(f"{where}: location {path}: proxy_pass {url} uses variables or a socket: "
                     "route it by hand")
        return []
    scheme, host, port, uri = parts
    targets = upstreams.get(host) if port is None else None
    if targets is None:
        targets = [(host, port or _DEFAULT_PORTS.get(scheme))]
    elif len(targets) > 1:
        notes.append(f"{where}: upstream {host} balances over {len(targets)} servers: the "
                     "Ingress routes to the first one's Service (scale that service instead)")
    target_host, target_port = targets[0] if targets else (host, None)
    if uri and uri != path.rstrip("/") + ("/" if path.endswith("/") else ""):
        notes.append(f"{where}: location {path} proxies to {url}: nginx rewrites the path, the "
                     "Ingress passes it unchanged (add your controller's rewrite annotation)")
    guarded = sorted({c.name for c in location.children if c.name in _ACCESS_CONTROL})
    if guarded:
        notes.append(f"{where}: location {path}: {', '.join(guarded)} (access control) is not "
                     "carried by the Ingress: add your controller's equivalent or a "
                     "NetworkPolicy")
    clean = path if path.startswith("/") else f"/{path}"
    if path_type == "Prefix" and len(clean) > 1:
        clean = clean.rstrip("/")
    named: list[str | None] = list(hosts) or [None]
    return [GatewayRoute(host=h, path=clean, path_type=path_type, target=target_host,
                         port=target_port, tls=tls and h is not None) for h in named]


# --- Traefik file provider ---------------------------------------------------------------


def _load_dynamic(text: str, where: str) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(text) if where.endswith(".toml") else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def traefik_file_routes(text: str, where: str) -> GatewayConfig:
    """Routes of a Traefik dynamic configuration file (``http.routers`` + ``http.services``)."""
    config = GatewayConfig()
    data = _load_dynamic(text, where)
    http = data.get("http") if data is not None else None
    if not isinstance(http, dict):
        return config
    routers = http.get("routers") or {}
    services = http.get("services") or {}
    if not isinstance(routers, dict) or not isinstance(services, dict):
        return config
    for name, router in sorted(routers.items()):
        if not isinstance(router, dict) or not isinstance(router.get("rule"), str):
            continue
        service = services.get(str(router.get("service", "")).split("@", 1)[0])
        servers = (((service or {}).get("loadBalancer") or {}).get("servers") or []) \
            if isinstance(service, dict) else []
        urls = [s.get("url") for s in servers if isinstance(s, dict) and s.get("url")]
        parts = _split_url(str(urls[0])) if urls else None
        if parts is None:
            config.notes.append(f"{where}: router {name!r} has no loadBalancer server URL "
                                "naming a host: route it by hand")
            continue
        scheme, host, port, _uri = parts
        try:
            rules, rule_notes = parse_rule(router["rule"])
        except RuleSyntaxError as exc:
            config.notes.append(f"{where}: router {name!r}: rule does not parse ({exc})")
            continue
        config.notes.extend(f"{where}: router {name!r}: {n}" for n in rule_notes)
        if router.get("middlewares"):
            config.notes.append(f"{where}: router {name!r}: middlewares need a "
                                "controller-specific equivalent")
        tls = bool(router.get("tls"))
        for rule in rules:
            for p in rule.paths:
                config.routes.append(GatewayRoute(
                    host=rule.host, path=p.path, path_type=p.path_type, target=host,
                    port=port or _DEFAULT_PORTS.get(scheme), tls=tls and rule.host is not None))
    return config


def gateway_routes(texts: list[tuple[str, str]], image: str) -> GatewayConfig:
    """The routes of every configuration text (``(text, where)``) of an edge router."""
    combined = GatewayConfig()
    traefik = "traefik" in image
    for text, where in texts:
        part = traefik_file_routes(text, where) if traefik else nginx_routes(text, where)
        combined.routes.extend(r for r in part.routes if r not in combined.routes)
        combined.notes.extend(part.notes)
    return combined
