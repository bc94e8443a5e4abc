"""Compose networks -> who may talk to whom, and Traefik labels -> Ingress."""

from __future__ import annotations

import re
from typing import Any

from kubealign.model.compose import Service
from kubealign.transform import values_model as vm
from kubealign.transform.convert.context import ProjectContext
from kubealign.transform.convert.recorder import Recorder
from kubealign.transform.naming import dns_label
from kubealign.transform.traefik import TraefikConfig, parse_traefik_labels

DEFAULT_NETWORK = "default"
_HOST = re.compile(r"^(\*\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


def service_networks(service: Service) -> set[str]:
    """Networks a service is attached to (compose puts it on `default` when none is named)."""
    if service.network_mode is not None:
        return set()
    return {n.name for n in service.networks} or {DEFAULT_NETWORK}


def network_policy(service: Service, ctx: ProjectContext, exposed: bool, rec: Recorder,
                   path: str) -> vm.NetworkPolicySpec | None:
    if not ctx.options.network_policies:
        return None
    networks = tuple(sorted({dns_label(n) for n in service_networks(service)}))
    internal = {n.name for n in ctx.project.networks if n.internal}
    nets = service_networks(service)
    spec = vm.NetworkPolicySpec(
        networks=networks or None,
        from_ingress_controller=True if exposed else None,
        restrict_egress=True if nets and nets <= internal else None,
    )
    if service.networks:
        note = "NetworkPolicy: ingress only from services sharing a network"
        if spec.restrict_egress:
            note += "; internal networks only -> egress restricted to them and DNS"
        fixed = sorted(f"{n.name}={n.ipv4_address or n.ipv6_address}" for n in service.networks
                       if n.ipv4_address or n.ipv6_address)
        if fixed:
            rec.approximated("networks", f"{path}.networkPolicy", note + "; static addresses "
                             f"{', '.join(fixed)} dropped: pods get cluster IPs, reach the "
                             "service by its name")
        else:
            rec.converted("networks", f"{path}.networkPolicy", note)
    return spec


def traefik_config(service: Service) -> TraefikConfig | None:
    labels: dict[str, str] = dict(service.labels.items())
    if service.deploy is not None:
        labels.update(service.deploy.labels.items())  # Swarm reads these; they win
    if not any(k.lower().startswith("traefik.") for k in labels):
        return None
    return parse_traefik_labels(labels)


def ingress_from_labels(service: Service, ctx: ProjectContext, ports: tuple[vm.Port, ...],
                        rec: Recorder, path: str) -> tuple[vm.IngressSpec | None, list[vm.Port]]:
    """The Ingress for a service's Traefik routers, plus any port Traefik targets that the
    service did not declare (Swarm gives Traefik no port detection, so it is in the label)."""
    config = traefik_config(service)
    explicit = _explicit_ingress(service, path, rec)
    if explicit is not None:
        return explicit, []
    if config is None:
        return None, []
    label_key = "deploy.labels" if service.deploy is not None and any(
        k.lower().startswith("traefik.") for k in service.deploy.labels) else "labels"
    if not config.exposed:
        rec.ignored(label_key, "traefik.enable=false or no router: not exposed")
        return None, []
    extra_ports: list[vm.Port] = []
    hosts: dict[str | None, list[vm.IngressPathSpec]] = {}
    tls_hosts: list[str] = []
    resolvers: set[str] = set()
    notes: list[str] = list(config.notes)
    known = {p.container_port for p in ports}
    for route in config.routes:
        port = route.service_port or (ports[0].container_port if ports else None)
        if port is None:
            notes.append(f"router {route.router!r}: no port known; set "
                         f"{path}.ingress.hosts[].paths[].port")
        elif port not in known:
            extra_ports.append(vm.Port(name=f"tcp-{port}", container_port=port))
            known.add(port)
        for rule in route.rules:
            if rule.host is not None and not _HOST.match(rule.host):
                notes.append(f"router {route.router!r}: {rule.host!r} is not a valid host "
                             "name; rule not converted")
                continue
            bucket = hosts.setdefault(rule.host, [])
            for p in rule.paths:
                path_spec = vm.IngressPathSpec(path=p.path, path_type=p.path_type, port=port)
                if path_spec not in bucket:
                    bucket.append(path_spec)
            if route.tls and rule.host is not None and rule.host not in tls_hosts:
                tls_hosts.append(rule.host)
        if route.cert_resolver:
            resolvers.add(route.cert_resolver)
        notes.extend(route.notes)
    if not hosts:
        rec.approximated(label_key, "", "; ".join(notes) or "no host to route")
        return None, extra_ports
    spec = ingress_spec(ctx, service.name, hosts, tls_hosts, resolvers)
    shown = sorted(h or "any host" for h in hosts)
    summary = (f"Traefik routers -> Ingress for {', '.join(shown)}"
               + (f"; cert resolver {', '.join(sorted(resolvers))} -> cert-manager "
                  "ClusterIssuer" if resolvers else ""))
    if notes:
        rec.approximated(label_key, f"{path}.ingress", summary + "; " + "; ".join(notes))
    else:
        rec.converted(label_key, f"{path}.ingress", summary)
    return spec, extra_ports


def ingress_spec(ctx: ProjectContext, service: str,
                 hosts: dict[str | None, list[vm.IngressPathSpec]], tls_hosts: list[str],
                 resolvers: set[str]) -> vm.IngressSpec:
    """The Ingress of one service: one rule per host (the host-less rule last, as any host
    matches it), TLS for the named hosts that had it."""
    key = ctx.key_of(service)
    tls = (vm.IngressTls(hosts=tuple(sorted(tls_hosts)), secret_name=f"{key}-tls"),) \
        if tls_hosts else None
    issuer = ctx.options.cluster_issuer or (sorted(resolvers)[0] if resolvers else None)
    ordered = sorted(hosts.items(), key=lambda item: (item[0] is None, item[0] or ""))
    return vm.IngressSpec(
        enabled=True,
        class_name=ctx.options.ingress_class or None,
        cluster_issuer=dns_label(issuer) if issuer and tls else None,
        hosts=tuple(vm.IngressHost(host=h, paths=tuple(p)) for h, p in ordered),
        tls=tls,
    )


def _explicit_ingress(service: Service, path: str, rec: Recorder) -> vm.IngressSpec | None:
    """``x-kubealign: {ingress: {host, path, port, tls}}`` on a service, for plain compose."""
    extension = service.extensions.get("x-kubealign")
    if not extension or "ingress" not in extension:
        return None
    data: Any = extension["ingress"]
    host = str(data.get("host", ""))
    if not host:
        return None
    port = data.get("port")
    paths = (vm.IngressPathSpec(path=str(data.get("path", "/")),
                                port=int(port) if port is not None else None),)
    tls = (vm.IngressTls(hosts=(host,), secret_name=f"{dns_label(service.name)}-tls"),) \
        if data.get("tls") else None
    rec.converted("x-kubealign", f"{path}.ingress", "explicit ingress extension")
    return vm.IngressSpec(enabled=True, hosts=(vm.IngressHost(host=host, paths=paths),), tls=tls)
