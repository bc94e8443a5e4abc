"""DSC: how services find each other (compose DNS names, hard-coded IPs and hosts)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kubealign.model.artifacts import HostRef
from kubealign.model.findings import Finding, Severity
from kubealign.rules.base import Rule
from kubealign.rules.context import AuditContext
from kubealign.rules.helpers import IPV4, is_routable_ip, raw_services
from kubealign.rules.variants import compose_facts

_URL_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/\s]+@)?([A-Za-z0-9_.-]+)")
_LOCAL = frozenset({"localhost", "0.0.0.0", "127.0.0.1", "host.docker.internal"})


class HardCodedIpInCompose(Rule):
    """A compose value points at a hard-coded IP address.

    Environment values, extra hosts and commands are scanned for IPv4 addresses.

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
        for service in raw_services(ctx):
            for name, value in sorted(service.environment().items()):
                for match in IPV4.finditer(str(value or "")):
                    if is_routable_ip(match.group(1)):
                        ip = match.group(1)
                        yield self.finding(
                            f"services reach hard-coded IP {ip} instead of a service name",
                            service.doc.path,
                            service.env_line(name),
                            key=ip,
                            detail=f"service {service.name!r} reaches {name}",
                        )


class HardCodedHostInScript(Rule):
    """A deploy script, Makefile or CI workflow names hosts by IP or DNS name.

    Why:
        Hosts baked into scripts make the script the inventory: replacing a machine means
        editing every copy, and the copies disagree.

    Fix:
        Deploy through the cluster API (Helm/Argo CD) so no script needs a host; until then,
        keep hosts in one inventory file.
    """

    id = "DSC002"
    name = "hard-coded-host-in-script"
    severity = Severity.MEDIUM
    category = "service-discovery"
    targets = ("deploy-script", "ci-workflow")
    root_cause = "host (IP address or DNS name)"

    def _hosts(self, path: str, hosts: tuple[HostRef, ...]) -> Iterator[Finding]:
        seen: set[str] = set()
        for host in sorted(hosts):
            if host.value in seen or host.value in _LOCAL:
                continue
            seen.add(host.value)
            yield self.finding(f"hard-coded {host.kind.value} {host.value}", path, host.line,
                               key=host.value)

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for path, script in sorted(ctx.scripts.items()):
            yield from self._hosts(path, script.hosts)
        for path, makefile in sorted(ctx.makefiles.items()):
            yield from self._hosts(path, makefile.hosts)
        for path, workflow in sorted(ctx.workflows.items()):
            yield from self._hosts(path, workflow.hosts)


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
