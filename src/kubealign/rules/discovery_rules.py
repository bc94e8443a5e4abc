"""DSC: how services find each other (compose DNS names, hard-coded IPs and hosts)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kubealign.load.hosts import AddressKind, address_kind, host_refs
from kubealign.model.artifacts import HostKind, HostRole
from kubealign.model.findings import Finding, Severity
from kubealign.rules.base import Rule
from kubealign.rules.context import AuditContext
from kubealign.rules.helpers import raw_services
from kubealign.rules.hosts import DeploymentHost, HostClass, HostUse, deployment_hosts
from kubealign.rules.variants import compose_facts

_URL_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/\s]+@)?([A-Za-z0-9_.-]+)")
_LOCAL = frozenset({"localhost", "0.0.0.0", "127.0.0.1", "host.docker.internal"})


class HardCodedIpInCompose(Rule):
    """A compose value points at a hard-coded IP address.

    Environment values and extra hosts are scanned for IPv4 addresses of machines:
    networks and CIDRs (``10.0.0.0/8``), loopback, link-local metadata, multicast and
    public resolvers are no machine; a documentation address (RFC 5737) counts only when
    the repository's scripts also run commands on it (an anonymised example's host).

    Why:
        An IP bypasses service discovery: when the host is replaced, rescheduled or
        scaled, the service keeps calling the old address.

    Fix:
        Use the service name (compose DNS today, the Kubernetes Service name after
        conversion).
    """

    id = "DSC001"
    name = "hard-coded-ip-in-compose"
    severity = Severity.HIGH
    category = "service-discovery"
    targets = ("compose",)
    root_cause = "hard-coded IP address"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        remote = {h.host for h in deployment_hosts(ctx) if h.remote}
        for service in raw_services(ctx):
            values = [(name, str(value or ""), service.env_line(name))
                      for name, value in sorted(service.environment().items())]
            values += [(f"extra host {entry}", entry, line)
                       for entry, line in service.extra_hosts()]
            for name, value, line in values:
                for ip in _machine_addresses(value, remote):
                    yield self.finding(
                        f"services reach hard-coded IP {ip} instead of a service name",
                        service.doc.path,
                        line,
                        key=ip,
                        detail=f"service {service.name!r} reaches {name}",
                    )


def _machine_addresses(value: str, remote: set[str]) -> Iterator[str]:
    for ref in host_refs(value, 1, 1):
        if ref.kind is not HostKind.IPV4:
            continue
        kind = address_kind(ref.value)
        if kind is AddressKind.HOST or (
            kind is AddressKind.DOCUMENTATION and ref.value in remote
        ):
            yield ref.value


_ROLE_WORDS = {
    HostRole.REMOTE: "commands run there",
    HostRole.SETTING: "setting",
    HostRole.CALL: "called",
    HostRole.LITERAL: "named",
}


def _message(host: DeploymentHost) -> str:
    if host.klass is HostClass.CLUSTER:
        return (f"scripts call in-cluster name {host.host}: namespace {host.namespace!r} is "
                "baked in")
    if host.klass is HostClass.ADDRESS:
        return f"scripts reach host {host.host} by a hard-coded IP address"
    if host.klass is HostClass.OWN:
        return f"scripts reach {host.host}, a domain of this repository, by a hard-coded name"
    return f"scripts run commands on {host.host}, a host named in the scripts"


def _detail(use: HostUse, more: int) -> str:
    what = _ROLE_WORDS[use.role]
    if use.role is HostRole.SETTING and use.name:
        what = f"setting {use.name}"
    suffix = f" (and {more} more line{'s' if more > 1 else ''} here)" if more else ""
    return f"{what}: {use.evidence}{suffix}" if use.evidence else what + suffix


class HardCodedHostInScript(Rule):
    """A deploy script, Makefile or CI workflow hard-codes where the deployment runs or is
    reached.

    Kept: the hosts commands run on (ssh/scp/rsync targets, ``DOCKER_HOST``, ``docker
    -H``), and the IP addresses, the repository's own domains (from its Traefik rules,
    Ingress hosts, nginx ``server_name``, ``DOMAIN=`` settings, certbot domains, or its
    name) and in-cluster names (``db.prod.svc.cluster.local``, reported low: the namespace
    is baked in) that a ``*_HOST=``/``*_URL=`` setting, a ``--host`` option or a fetched
    URL (curl, wget, requests) names. Once a host is kept, its other literal places count
    too. Not kept: messages (echo, printf, print, logging), file names and code, API groups
    and CRD names, networks and CIDRs, link-local metadata, public resolvers, documentation
    addresses nothing runs on, placeholders, and third-party sites (Helm repositories,
    installers piped to a shell, package mirrors, SaaS APIs, documentation links). One
    place per file, at the strongest reference, with the command or setting as detail.

    Why:
        Hosts baked into scripts make the script the inventory: replacing a machine means
        editing every copy, and the copies disagree. The converged path names no machine:
        the chart's values carry the Ingress hosts and the Service names.

    Fix:
        Deploy through the cluster API (Helm/Argo CD) so no script needs a host; reach
        services by their Service name and the public entry by the Ingress host in the
        chart's values; until then, keep hosts in one inventory file.
    """

    id = "DSC002"
    name = "hard-coded-host-in-script"
    severity = Severity.MEDIUM
    category = "service-discovery"
    targets = ("deploy-script", "ci-workflow")
    root_cause = "host (IP address or DNS name)"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for host in deployment_hosts(ctx):
            severity = Severity.LOW if host.klass is HostClass.CLUSTER else self.severity
            by_path: dict[str, list[HostUse]] = {}
            for use in host.uses:
                by_path.setdefault(use.path, []).append(use)
            for path, uses in sorted(by_path.items()):
                strongest = min(uses, key=lambda u: (-u.role.rank, u.line))
                yield self.finding(
                    _message(host),
                    path,
                    strongest.line,
                    key=host.host,
                    detail=_detail(strongest, len({u.line for u in uses}) - 1),
                    severity=severity,
                )


class ServiceRenamedAcrossFiles(Rule):
    """The same service runs under different names in different compose files.

    Services are one when the plan says so (``kubealign.yaml``'s ``services:``: the same
    image repository, never both in one file), and the chart gives them one values key.

    Why:
        The service name is the DNS name other services call: ``http://backend:8000`` works
        in one environment and fails in the other.

    Fix:
        Use one name per service everywhere (the chart's service key).
    """

    id = "DSC003"
    name = "service-renamed-across-files"
    severity = Severity.MEDIUM
    category = "service-discovery"
    targets = ("compose",)
    root_cause = "service of the chart"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        facts = compose_facts(ctx)
        names: dict[str, dict[str, list[tuple[str, int | None]]]] = {}
        for path in sorted(facts):
            for key, fact in facts[path].items():
                names.setdefault(key, {}).setdefault(fact.name, []).append((path, fact.line))
        for key in sorted(names):
            variants = names[key]
            if len(variants) < 2:
                continue
            summary = ", ".join(f"{n} ({len(v)} files)" for n, v in sorted(variants.items()))
            for name, places in sorted(variants.items()):
                for path, line in places:
                    yield self.finding(
                        f"service {key!r} of the chart runs under {len(variants)} names: "
                        f"{summary}",
                        path,
                        line,
                        key=key,
                        detail=f"service {name!r}",
                    )


class UrlToUndefinedService(Rule):
    """An environment URL names a host that is not a service of the same compose file.

    Why:
        Compose DNS only resolves services of the same project (and network): the URL works
        only where another file happens to define that name.

    Fix:
        Define the service in the file, or point at the name the target environment uses.
    """

    id = "DSC004"
    name = "url-to-undefined-service"
    severity = Severity.MEDIUM
    category = "service-discovery"
    targets = ("compose",)
    root_cause = "host name called"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for service in raw_services(ctx):
            project = ctx.compose[service.doc.path].project
            if project is None:
                continue
            defined = set(project.service_names)
            for name, value in sorted(service.environment().items()):
                match = _URL_HOST.match(str(value or ""))
                if match is None:
                    continue
                host = match.group(1)
                if host in defined or host in _LOCAL or "." in host or "$" in host:
                    continue
                yield self.finding(
                    f"URLs call {host!r}, which the calling compose file does not define",
                    service.doc.path,
                    service.env_line(name),
                    key=host,
                    detail=f"service {service.name!r}: {name}",
                )
