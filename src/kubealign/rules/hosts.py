"""Whose host a script names: where the repository's own deployment runs or is reached.

The loaders give every host reference its position (:class:`HostRole`: an ssh target, a
``*_HOST=`` setting, a URL a command fetches, a plain word, a message). This module adds
whose host it is and keeps the ones a platform lead acts on:

- a literal IP address of a machine (not a network, a CIDR, loopback, link-local metadata,
  a public resolver; a documentation address only where a script runs commands on it, the
  way an anonymised example names its hosts);
- a name under a domain the repository itself serves: Traefik ``Host()`` rules and
  ``VIRTUAL_HOST`` in compose files, Ingress/HTTPRoute/VirtualService/Certificate hosts,
  nginx ``server_name``, ``DOMAIN=``-style settings, certbot domains, or a domain that
  carries the repository's name;
- an in-cluster DNS name with its namespace baked in (``db.prod.svc.cluster.local``);
- any name a script runs commands on (ssh, scp, rsync, ``DOCKER_HOST``), even a hosting
  provider's.

A host is kept when one reference stands in a position that reaches it (ssh target,
setting, fetched URL); its plain-word references then count as places too (the same host in
a Python dict of instances). Messages never do: ``echo "see https://…"`` reaches nothing.
Third-party names in settings and URLs (SaaS APIs, installers piped to a shell, Helm
repositories, documentation links) are the services the deployment uses, not where it runs.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kubealign.load.deploy_commands import scan_literal
from kubealign.load.host_positions import evidence
from kubealign.load.hosts import (
    AddressKind,
    address_kind,
    host_refs,
    is_ipv4,
    is_public_service,
)
from kubealign.model.artifacts import HostRef, HostRole
from kubealign.model.inventory import ArtifactKind
from kubealign.rules.context import AuditContext
from kubealign.rules.helpers import manifest_objects, raw_services


class HostClass(enum.Enum):
    ADDRESS = "address"  # a literal IP address of a machine
    OWN = "own"  # a name under a domain the repository serves
    CLUSTER = "cluster"  # an in-cluster name with its namespace
    THIRD_PARTY = "third-party"  # somebody else's name
    NOT_A_HOST = "not-a-host"  # a network, metadata, an example, a placeholder


@dataclass(frozen=True, slots=True)
class HostUse:
    """One reference a deployment host is kept for."""

    path: str
    line: int
    role: HostRole
    name: str
    evidence: str


@dataclass(frozen=True, slots=True)
class DeploymentHost:
    host: str
    klass: HostClass
    uses: tuple[HostUse, ...]  # in file and line order

    @property
    def namespace(self) -> str | None:
        return cluster_namespace(self.host)

    @property
    def remote(self) -> bool:
        return any(use.role is HostRole.REMOTE for use in self.uses)


_LOCAL_NAMES = frozenset({"localhost", "host.docker.internal", "gateway.docker.internal"})
_CLUSTER = re.compile(r"^(?:[a-z0-9\-]+\.)+?([a-z0-9\-]+)\.svc(?:\.cluster\.local)?$")
#: The API server's canonical name: every cluster has it, it names no deployment.
_API_SERVER = re.compile(r"^kubernetes\.default(?:\.svc(?:\.cluster\.local)?)?$")
_PLACEHOLDER_LABEL = re.compile(
    r"^(your|my|example|sample|placeholder|changeme|replace|dummy|fake|xxx+)([\-_]|$)|x{4,}",
    re.IGNORECASE,
)
#: Registrable domains that stand for "some domain" in examples.
_PLACEHOLDER_SITES = frozenset(
    {"company.com", "domain.com", "yourdomain.com", "mydomain.com", "test.com", "acme.com",
     "foo.com", "bar.com", "website.com", "site.com", "server.com", "host.com",
     "yourcompany.com", "mycompany.com", "organization.com", "org.com"}
)  # fmt: skip
_GENERIC_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "edu", "ac", "or", "ne"})
_DOMAIN_SETTING = re.compile(
    r"(?:^|_)(?:DOMAINS?|FQDN|SERVER_NAME|VIRTUAL_HOST|LETSENCRYPT_HOST)$|^certbot domain$",
    re.IGNORECASE,
)
#: Domain lists that name other people's domains (allow lists, CORS, mail, proxies).
_FOREIGN_DOMAINS = re.compile(
    r"ALLOW|TRUST|WHITE|BLOCK|BLACK|DENY|EXTERNAL|CORS|ORIGIN|PROXY|MAIL|SMTP|COOKIE|^NO_",
    re.IGNORECASE,
)
_TRAEFIK_HOST = re.compile(r"Host(?:SNI)?\(([^)]*)\)")
_NGINX_SERVER_NAME = re.compile(r"\bserver_name\s+([^;{]+)")
_NAME_TOKEN = re.compile(r"[a-z0-9]+")
_MIN_NAME_TOKEN = 4


def site(host: str) -> str:
    """The registrable domain of ``host`` (``api.dazno.de`` -> ``dazno.de``, ``a.b.co.uk``
    -> ``b.co.uk``), without the public-suffix list: a generic second level under a
    two-letter country domain takes one more label."""
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _GENERIC_SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def cluster_namespace(host: str) -> str | None:
    """``db.prod.svc.cluster.local`` -> ``prod`` (None for any other name)."""
    match = _CLUSTER.match(host)
    return match.group(1) if match else None


def is_placeholder(host: str) -> bool:
    return site(host) in _PLACEHOLDER_SITES or any(
        _PLACEHOLDER_LABEL.search(label) for label in host.split(".")
    )


# --------------------------------------------------------------------------- own domains


def _names_in(text: str) -> Iterator[str]:
    for ref in host_refs(text, 1, 1, mailboxes=True):
        if not is_ipv4(ref.value):
            yield ref.value


def _compose_names(ctx: AuditContext) -> Iterator[str]:
    for service in raw_services(ctx):
        for where in ((), ("deploy",)):
            for key, value, _ in service.labels(*where):
                if "traefik" in key and ".rule" in key:
                    for match in _TRAEFIK_HOST.finditer(value):
                        yield from _names_in(match.group(1))
                elif key == "caddy" or key.startswith("caddy_"):
                    yield from _names_in(value)
        for name, value in service.environment().items():
            if is_domain_setting(name):
                yield from _names_in(str(value or ""))


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [item for item in node if isinstance(item, str)]
    return []


def _manifest_names(ctx: AuditContext) -> Iterator[str]:
    for item in manifest_objects(ctx):
        spec = item.data.get("spec")
        if not isinstance(spec, Mapping):
            continue
        texts: list[str] = []
        if item.kind == "Ingress":
            texts += [str(r["host"]) for r in spec.get("rules") or []
                      if isinstance(r, Mapping) and isinstance(r.get("host"), str)]
            for tls in spec.get("tls") or []:
                texts += _strings(tls.get("hosts")) if isinstance(tls, Mapping) else []
        elif item.kind in {"HTTPRoute", "GRPCRoute", "TLSRoute"}:
            texts += _strings(spec.get("hostnames"))
        elif item.kind == "VirtualService":
            texts += _strings(spec.get("hosts"))
        elif item.kind == "Certificate":
            texts += _strings(spec.get("dnsNames"))
        elif item.kind == "IngressRoute":
            for route in spec.get("routes") or []:
                match = route.get("match") if isinstance(route, Mapping) else None
                texts += [m.group(1) for m in _TRAEFIK_HOST.finditer(str(match or ""))]
        for text in texts:
            yield from _names_in(text)


def _config_names(ctx: AuditContext) -> Iterator[str]:
    """nginx ``server_name`` in config files and in the scripts that write them, and
    ``DOMAIN=`` in env files."""
    for artifact in ctx.inventory:
        kinds = {ArtifactKind.MOUNTED_CONFIG, ArtifactKind.DEPLOY_SCRIPT, ArtifactKind.SCRIPT,
                 ArtifactKind.OTHER}  # fmt: skip
        if any(artifact.has(kind) for kind in kinds):
            for line in ctx.lines(artifact.path):
                if "server_name" in line:
                    for match in _NGINX_SERVER_NAME.finditer(line):
                        yield from _names_in(match.group(1))
        if artifact.has(ArtifactKind.ENV_FILE):
            for line in ctx.lines(artifact.path):
                name, equals, value = line.strip().removeprefix("export ").partition("=")
                if equals and is_domain_setting(name.strip()):
                    yield from _names_in(value)


def is_domain_setting(name: str) -> bool:
    """``DOMAIN``, ``APP_DOMAIN``, ``SERVER_NAME``: the repository's own domain."""
    return bool(_DOMAIN_SETTING.search(name)) and not _FOREIGN_DOMAINS.search(name)


def _setting_names(refs: Iterable[HostRef]) -> Iterator[str]:
    for ref in refs:
        if ref.role in {HostRole.SETTING, HostRole.REMOTE} and is_domain_setting(ref.name):
            yield ref.value


def _all_refs(ctx: AuditContext) -> Iterator[tuple[str, HostRef]]:
    for files in (ctx.scripts, ctx.makefiles, ctx.workflows):
        for path in sorted(files):
            for ref in files[path].hosts:
                yield path, ref


def _repository_tokens(ctx: AuditContext) -> frozenset[str]:
    """The words of the repository's folder name (``sophia-strategic-development``)."""
    name = ctx.root.resolve().name.lower()
    return frozenset(t for t in _NAME_TOKEN.findall(name) if len(t) >= _MIN_NAME_TOKEN)


def own_sites(ctx: AuditContext) -> frozenset[str]:
    """Registrable domains the repository serves (see the module docstring)."""
    names = [
        *_compose_names(ctx),
        *_manifest_names(ctx),
        *_config_names(ctx),
        *_setting_names(ref for _, ref in _all_refs(ctx)),
    ]
    return frozenset(
        site(name)
        for name in names
        if "." in name
        and name not in _LOCAL_NAMES
        and not is_public_service(name)
        and not is_placeholder(name)
        and cluster_namespace(name) is None
    )


# --------------------------------------------------------------------------- classes


@dataclass(frozen=True, slots=True)
class _Owners:
    sites: frozenset[str]
    name_tokens: frozenset[str]

    def owns(self, host: str) -> bool:
        domain = site(host)
        if domain in self.sites:
            return True
        label_tokens = set(_NAME_TOKEN.findall(domain.split(".", 1)[0]))
        return bool(label_tokens & self.name_tokens)


def classify(host: str, owners: _Owners) -> HostClass:
    if is_ipv4(host):
        kind = address_kind(host)
        ok = {AddressKind.HOST, AddressKind.DOCUMENTATION}
        return HostClass.ADDRESS if kind in ok else HostClass.NOT_A_HOST
    if host in _LOCAL_NAMES or _API_SERVER.match(host) or is_placeholder(host):
        return HostClass.NOT_A_HOST
    if cluster_namespace(host) is not None:
        return HostClass.CLUSTER
    if host.endswith(".cluster.local"):
        return HostClass.NOT_A_HOST  # no namespace in it (``svc.cluster.local``)
    return HostClass.OWN if owners.owns(host) else HostClass.THIRD_PARTY


def _reaches(ref: HostRef, klass: HostClass) -> bool:
    """Whether ``ref`` alone makes its host a deployment host."""
    if klass is HostClass.NOT_A_HOST or ref.role is HostRole.MESSAGE:
        return False
    if klass is HostClass.ADDRESS and address_kind(ref.value) is AddressKind.DOCUMENTATION:
        return ref.role is HostRole.REMOTE  # an example address, unless commands run on it
    if ref.role is HostRole.REMOTE:
        return True
    if ref.role in {HostRole.SETTING, HostRole.CALL}:
        return klass is not HostClass.THIRD_PARTY
    return klass is HostClass.CLUSTER


def _compute(ctx: AuditContext) -> tuple[DeploymentHost, ...]:
    owners = _Owners(own_sites(ctx), _repository_tokens(ctx))
    by_host: dict[str, list[tuple[str, HostRef]]] = {}
    for path, ref in _all_refs(ctx):
        by_host.setdefault(ref.value, []).append((path, ref))
    found: list[DeploymentHost] = []
    for host in sorted(by_host):
        klass = classify(host, owners)
        refs = by_host[host]
        if not any(_reaches(ref, klass) for _, ref in refs):
            continue
        uses = sorted(
            {
                HostUse(path, ref.line, ref.role, ref.name,
                        ref.evidence or _source_line(ctx, path, ref.line))
                for path, ref in refs
                if ref.role is not HostRole.MESSAGE
            },
            key=lambda u: (u.path, u.line, -u.role.rank),
        )
        found.append(DeploymentHost(host, klass, tuple(uses)))
    return tuple(found)


def _source_line(ctx: AuditContext, path: str, line: int) -> str:
    """The line a reference is on, secrets masked (a heredoc line, a Makefile variable)."""
    lines = ctx.lines(path)
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return evidence(scan_literal(text, line).masked)


def deployment_hosts(ctx: AuditContext) -> tuple[DeploymentHost, ...]:
    """The hosts scripts, Makefiles and CI workflows reach, by host (computed once)."""
    return ctx.analysis("deployment-hosts", _compute)


def hosts_by_path(ctx: AuditContext) -> dict[str, tuple[str, ...]]:
    """Each file's deployment hosts (the audit's scripts table)."""
    by_path: dict[str, set[str]] = {}
    for host in deployment_hosts(ctx):
        for use in host.uses:
            by_path.setdefault(use.path, set()).add(host.host)
    return {path: tuple(sorted(hosts)) for path, hosts in by_path.items()}
