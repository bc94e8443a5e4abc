"""An edge router kubealign replaces -> the Ingress rules of the services it routed to.

Kubernetes' ingress controller takes over from an nginx or Traefik gateway only if the
routing its configuration held arrives as Ingress rules: each ``server_name``/``location``
(nginx) or file-provider router (Traefik) becomes a host/path rule on the Ingress of the
service it proxied to, on the port it used. A router whose configuration yields no route
stays a workload: disabling it would leave the services unreachable.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from kubealign.model.compose import Service
from kubealign.model.source import strip_root
from kubealign.transform import values_model as vm
from kubealign.transform.convert.context import ProjectContext
from kubealign.transform.convert.implicit_ports import names_of
from kubealign.transform.convert.network import ingress_spec
from kubealign.transform.gateway_routes import gateway_routes
from kubealign.transform.naming import port_name
from kubealign.transform.roles import config_texts


@dataclass
class GatewayOutcome:
    """What one router's configuration gave: the updated target services and notes."""

    services: dict[str, vm.ServiceValues] = field(default_factory=dict)
    routed: list[str] = field(default_factory=list)
    """``host/path -> service:port`` descriptions, one per route converted."""
    notes: list[str] = field(default_factory=list)
    config_key: str = "volumes"


def route_gateway(router: Service, ctx: ProjectContext,
                  services: dict[str, vm.ServiceValues]) -> GatewayOutcome:
    """The Ingress rules ``router``'s configuration holds, merged into the target services'
    values (returned, not changed in place)."""
    outcome = GatewayOutcome()
    texts = config_texts(router, ctx.project, ctx.options.read_file, ctx.options.read_refusal)
    if router.configs and not any(m.type == "bind" for m in router.volumes):
        outcome.config_key = "configs"
    config = gateway_routes(texts, router.image or "")
    shown_root = ctx.project.project_directory
    outcome.notes.extend(strip_root(n, shown_root) for n in config.notes)
    by_name: dict[str, Service] = {}
    for service in ctx.project.services:
        if service.name != router.name:
            for name in names_of(service):
                by_name.setdefault(name, service)
    grouped: dict[str, tuple[dict[str | None, list[vm.IngressPathSpec]], list[str]]] = {}
    for route in config.routes:
        target = by_name.get(route.target)
        if target is None:
            outcome.notes.append(f"route {route.host or '*'}{route.path} proxies to "
                                 f"{route.target}, which is no service of the project")
            continue
        key = ctx.key_of(target.name)
        values = outcome.services.get(key) or services[key]
        port = route.port or _first_port(values)
        if port is None:
            outcome.notes.append(f"route {route.host or '*'}{route.path} -> {target.name}: no "
                                 f"port known; set services.{key}.ports")
            continue
        if port not in {p.container_port for p in values.ports or ()}:
            values = dataclasses.replace(values, ports=(*(values.ports or ()), vm.Port(
                name=port_name("TCP", port), container_port=port)))
        outcome.services[key] = values
        hosts, tls_hosts = grouped.setdefault(key, ({}, []))
        spec = vm.IngressPathSpec(path=route.path, path_type=route.path_type, port=port)
        bucket = hosts.setdefault(route.host, [])
        if spec not in bucket:
            bucket.append(spec)
        if route.tls and route.host is not None and route.host not in tls_hosts:
            tls_hosts.append(route.host)
        outcome.routed.append(f"{route.host or '*'}{route.path} -> {target.name}:{port}")
    for key, (hosts, tls_hosts) in grouped.items():
        values = outcome.services[key]
        target_name = next(s.name for s in ctx.project.services if ctx.key_of(s.name) == key)
        merged = _merge(values.ingress, ingress_spec(ctx, target_name, hosts, tls_hosts, set()))
        outcome.services[key] = dataclasses.replace(values, ingress=merged)
    return outcome


def _first_port(values: vm.ServiceValues) -> int | None:
    return values.ports[0].container_port if values.ports else None


def _merge(current: vm.IngressSpec | None, new: vm.IngressSpec) -> vm.IngressSpec:
    """Rules from labels (already there) keep their place; the router's rules are added."""
    if current is None or not current.enabled:
        return new
    hosts = {h.host: list(h.paths or ()) for h in current.hosts or ()}
    for host in new.hosts or ():
        bucket = hosts.setdefault(host.host, [])
        bucket.extend(p for p in host.paths or () if p not in bucket)
    ordered = sorted(hosts.items(), key=lambda item: (item[0] is None, item[0] or ""))
    tls = current.tls or new.tls
    return dataclasses.replace(current, hosts=tuple(
        vm.IngressHost(host=h, paths=tuple(p)) for h, p in ordered), tls=tls)
