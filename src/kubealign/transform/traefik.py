"""Traefik labels (Docker and Swarm providers, v2 and v3 rule syntax) to Ingress routes.

The rule language is parsed into an expression tree and expanded into disjunctive normal
form: each conjunction becomes one (host, path) pair of an Ingress. Matchers with no portable
Ingress equivalent (``HostRegexp``, ``Header``, ``Query``, ``ClientIP``, negation...) are
dropped from their conjunction with a note, so the approximation is always reported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

PathType = Literal["Prefix", "Exact", "ImplementationSpecific"]

_ROUTER_KEY = re.compile(r"^traefik\.http\.routers\.([^.]+)\.(.+)$")
_SERVICE_PORT_KEY = re.compile(r"^traefik\.http\.services\.([^.]+)\.loadbalancer\.server\.port$")
_MIDDLEWARE_KEY = re.compile(r"^traefik\.http\.middlewares\.([^.]+)\.([^.]+)(?:\..+)?$")
_TCP_UDP_KEY = re.compile(r"^traefik\.(tcp|udp)\.routers\.([^.]+)\.")


class RuleSyntaxError(ValueError):
    """A Traefik rule that does not parse."""


@dataclass(frozen=True, slots=True)
class IngressPath:
    path: str
    path_type: PathType


@dataclass(frozen=True, slots=True)
class IngressRule:
    host: str | None
    paths: tuple[IngressPath, ...]


@dataclass(frozen=True, slots=True)
class TraefikRoute:
    """One Traefik HTTP router, translated."""

    router: str
    rules: tuple[IngressRule, ...]
    entrypoints: tuple[str, ...] = ()
    tls: bool = False
    cert_resolver: str | None = None
    middlewares: tuple[str, ...] = ()
    service_port: int | None = None
    priority: int | None = None
    notes: tuple[str, ...] = ()

    @property
    def hosts(self) -> tuple[str, ...]:
        return tuple(sorted({r.host for r in self.rules if r.host is not None}))


@dataclass(frozen=True, slots=True)
class TraefikConfig:
    """Everything Traefik labels on one service say, translated or noted."""

    enabled: bool | None
    routes: tuple[TraefikRoute, ...]
    middlewares: tuple[tuple[str, str], ...] = ()  # (name, type) — options may hold secrets
    notes: tuple[str, ...] = ()
    keys: tuple[str, ...] = field(default=())  # every traefik.* label key seen

    @property
    def exposed(self) -> bool:
        return self.enabled is not False and bool(self.routes)


# --- rule expressions -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Matcher:
    name: str
    args: tuple[str, ...]
    negated: bool = False


@dataclass(frozen=True, slots=True)
class _Op:
    op: Literal["and", "or"]
    left: _Node
    right: _Node


@dataclass(frozen=True, slots=True)
class _Not:
    inner: _Node


_Node = _Matcher | _Op | _Not

_TOKEN = re.compile(
    r"\s*(?:(?P<and>&&)|(?P<or>\|\|)|(?P<not>!)|(?P<lp>\()|(?P<rp>\))|(?P<comma>,)"
    r"|`(?P<bt>[^`]*)`|\"(?P<dq>(?:[^\"\\]|\\.)*)\"|(?P<name>[A-Za-z][A-Za-z0-9]*))"
)


def _tokenize(rule: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = rule.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise RuleSyntaxError(f"unexpected text at column {pos + 1}: {text[pos:pos + 12]!r}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "dq":
            value = value.replace('\\"', '"')
        tokens.append(("str" if kind in ("bt", "dq") else kind, value))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def take(self, kind: str) -> str:
        if self.peek() != kind:
            found = self.peek() or "end of rule"
            raise RuleSyntaxError(f"expected {kind!r}, found {found!r}")
        value = self.tokens[self.pos][1]
        self.pos += 1
        return value

    def parse(self) -> _Node:
        node = self.parse_or()
        if self.peek() is not None:
            raise RuleSyntaxError(f"unexpected {self.tokens[self.pos][1]!r} after a complete rule")
        return node

    def parse_or(self) -> _Node:
        node = self.parse_and()
        while self.peek() == "or":
            self.take("or")
            node = _Op("or", node, self.parse_and())
        return node

    def parse_and(self) -> _Node:
        node = self.parse_unary()
        while self.peek() == "and":
            self.take("and")
            node = _Op("and", node, self.parse_unary())
        return node

    def parse_unary(self) -> _Node:
        if self.peek() == "not":
            self.take("not")
            return _Not(self.parse_unary())
        if self.peek() == "lp":
            self.take("lp")
            node = self.parse_or()
            self.take("rp")
            return node
        name = self.take("name")
        self.take("lp")
        args: list[str] = []
        if self.peek() != "rp":
            args.append(self.take("str"))
            while self.peek() == "comma":
                self.take("comma")
                args.append(self.take("str"))
        self.take("rp")
        return _Matcher(name, tuple(args))


def _dnf(node: _Node, negate: bool = False) -> list[list[_Matcher]]:
    """Disjunctive normal form as a list of conjunctions (De Morgan for negations)."""
    if isinstance(node, _Matcher):
        return [[_Matcher(node.name, node.args, negated=negate)]]
    if isinstance(node, _Not):
        return _dnf(node.inner, not negate)
    op = node.op if not negate else ("and" if node.op == "or" else "or")
    left, right = _dnf(node.left, negate), _dnf(node.right, negate)
    if op == "or":
        return left + right
    return [a + b for a in left for b in right]


def parse_rule(rule: str) -> tuple[tuple[IngressRule, ...], tuple[str, ...]]:
    """Translate one router rule into Ingress rules plus notes on what was approximated."""
    tree = _Parser(_tokenize(rule)).parse()
    rules: list[IngressRule] = []
    notes: list[str] = []
    for conjunction in _dnf(tree):
        hosts: list[str] = []
        paths: list[IngressPath] = []
        for matcher in conjunction:
            kind = matcher.name.lower()
            if matcher.negated:
                notes.append(f"negated matcher !{matcher.name}(...) has no Ingress equivalent")
                continue
            if kind == "host":
                hosts.extend(a.lower() for a in matcher.args)
            elif kind in ("pathprefix", "path"):
                for arg in matcher.args:
                    if "{" in arg:
                        notes.append(f"{matcher.name}({arg}) uses a v2 placeholder; kept as an "
                                     "ImplementationSpecific path")
                        paths.append(IngressPath(arg, "ImplementationSpecific"))
                    elif kind == "path":
                        paths.append(IngressPath(arg, "Exact"))
                    else:
                        paths.append(IngressPath(arg, "Prefix"))
                        if arg != "/" and not arg.endswith("/"):
                            notes.append(
                                f"PathPrefix({arg}) is a string prefix in Traefik but Ingress "
                                f"Prefix matches whole path elements: {arg}x no longer matches"
                            )
            else:
                notes.append(f"matcher {matcher.name}(...) has no portable Ingress equivalent")
        single_host_matchers = [m for m in conjunction if m.name.lower() == "host"]
        if len(set(hosts)) > 1 and all(len(m.args) == 1 for m in single_host_matchers):
            notes.append("a conjunction requires two different hosts and can never match")
        host_list: list[str | None] = list(dict.fromkeys(hosts)) or [None]
        for host in host_list:
            if host is not None and "*" in host and not host.startswith("*."):
                notes.append(f"host {host!r} is not a valid Ingress wildcard")
            rules.append(IngressRule(host, tuple(paths) or (IngressPath("/", "Prefix"),)))
    return _merge_rules(rules), tuple(dict.fromkeys(notes))


def _merge_rules(rules: list[IngressRule]) -> tuple[IngressRule, ...]:
    by_host: dict[str | None, list[IngressPath]] = {}
    for rule in rules:
        bucket = by_host.setdefault(rule.host, [])
        bucket.extend(p for p in rule.paths if p not in bucket)
    return tuple(IngressRule(host, tuple(paths)) for host, paths in by_host.items())


# --- labels -------------------------------------------------------------------------------


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("true", "1", "yes", "on")


def parse_traefik_labels(labels: Mapping[str, str]) -> TraefikConfig:
    """Read ``traefik.*`` labels (keys are case-insensitive for Traefik)."""
    lowered = {
        k.lower(): (k, str(v)) for k, v in labels.items() if k.lower().startswith("traefik.")
    }
    notes: list[str] = []
    enabled: bool | None = None
    if "traefik.enable" in lowered:
        enabled = _truthy(lowered["traefik.enable"][1])

    routers: dict[str, dict[str, str]] = {}
    ports: dict[str, int] = {}
    middlewares: dict[str, str] = {}
    for key, (original, value) in sorted(lowered.items()):
        if match := _ROUTER_KEY.match(key):
            routers.setdefault(match.group(1), {})[match.group(2)] = value
        elif match := _SERVICE_PORT_KEY.match(key):
            try:
                ports[match.group(1)] = int(value)
            except ValueError:
                notes.append(f"{original}: port {value!r} is not a number")
        elif match := _MIDDLEWARE_KEY.match(key):
            middlewares.setdefault(match.group(1), match.group(2))
        elif match := _TCP_UDP_KEY.match(key):
            notes.append(f"Traefik {match.group(1).upper()} router {match.group(2)!r} cannot be "
                         "an Ingress; expose it with a Service of type LoadBalancer instead")

    routes: list[TraefikRoute] = []
    for name in sorted(routers):
        settings = routers[name]
        route_notes: list[str] = []
        rule_text = settings.get("rule")
        if rule_text is None:
            route_notes.append(f"router {name!r} has no rule; Traefik's default Host rule "
                               "depends on the container name and is not converted")
            continue
        try:
            rules, rule_notes = parse_rule(rule_text)
        except RuleSyntaxError as exc:
            notes.append(f"router {name!r}: rule does not parse ({exc}); not converted")
            continue
        route_notes.extend(rule_notes)
        service = settings.get("service")
        port: int | None = None
        if service is not None:
            port = ports.get(service.lower())
        elif len(set(ports.values())) == 1:
            port = next(iter(ports.values()))
        elif name in ports:
            # Traefik itself refuses the router; the service named like it is the best guess.
            port = ports[name]
            route_notes.append(f"router {name!r} names no service and several are defined: "
                               f"assumed service {name!r} (port {port})")
        elif len(ports) > 1:
            route_notes.append(f"router {name!r} names no service and several are defined")
        resolver = settings.get("tls.certresolver")
        tls = _truthy(settings.get("tls", "false")) or resolver is not None
        mids = tuple(m.strip() for m in settings.get("middlewares", "").split(",") if m.strip())
        for mid in mids:
            kind = middlewares.get(mid.split("@")[0], "defined elsewhere")
            route_notes.append(
                f"middleware {mid!r} ({kind}) needs a controller-specific equivalent"
            )
        priority = settings.get("priority")
        routes.append(
            TraefikRoute(
                router=name,
                rules=rules,
                entrypoints=tuple(
                    e.strip() for e in settings.get("entrypoints", "").split(",") if e.strip()
                ),
                tls=tls,
                cert_resolver=resolver,
                middlewares=mids,
                service_port=port,
                priority=int(priority) if priority and priority.isdigit() else None,
                notes=tuple(route_notes),
            )
        )
    return TraefikConfig(
        enabled=enabled,
        routes=tuple(routes),
        middlewares=tuple(sorted(middlewares.items())),
        notes=tuple(notes),
        keys=tuple(original for original, _ in sorted(lowered.values())),
    )

