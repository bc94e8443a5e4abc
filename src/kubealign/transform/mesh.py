"""Optional service mesh output: Istio VirtualServices mirroring each Ingress, or Linkerd's
proxy injection annotation on every pod."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ISTIO_API = "networking.istio.io/v1"
LINKERD_INJECT = "linkerd.io/inject"
MESHES = ("istio", "linkerd")


def with_linkerd(values: Mapping[str, Any]) -> dict[str, Any]:
    """Every service's pods carry ``linkerd.io/inject: enabled`` (values, so Helm renders it)."""
    out = dict(values)
    services = values.get("services")
    if isinstance(services, Mapping):
        out["services"] = {
            key: {**svc, "podAnnotations": {**(svc.get("podAnnotations") or {}),
                                            LINKERD_INJECT: "enabled"}}
            for key, svc in services.items() if isinstance(svc, Mapping)
        }
    return out


def _first_port(svc: Mapping[str, Any]) -> int | None:
    for port in svc.get("ports") or []:
        if port.get("expose", True):
            return int(port.get("port") or port["containerPort"])
    return None


def _match(path: Mapping[str, Any]) -> dict[str, Any]:
    kind = path.get("pathType", "Prefix")
    text = str(path.get("path", "/"))
    if kind == "Exact":
        return {"uri": {"exact": text}}
    return {"uri": {"prefix": text}}


def virtual_services(values: Mapping[str, Any], namespace: str) -> list[dict[str, Any]]:
    """One VirtualService per enabled service with an enabled Ingress: same hosts and paths.

    Without ``gateways`` the routes apply to traffic inside the mesh; add the Istio ingress
    gateway to serve them from outside (the Ingress keeps doing that meanwhile).
    """
    out: list[dict[str, Any]] = []
    services = values.get("services") or {}
    for key, svc in sorted(services.items()):
        ingress = svc.get("ingress") or {}
        if svc.get("enabled", True) is False or not ingress.get("enabled"):
            continue
        target = (svc.get("service") or {}).get("name") or key
        default_port = _first_port(svc)
        hosts = ingress.get("hosts") or []
        routes = []
        for host in hosts:
            for path in host.get("paths") or [{"path": "/"}]:
                port = path.get("port") or default_port
                destination: dict[str, Any] = {"host": f"{target}.{namespace}.svc.cluster.local"}
                if port:
                    destination["port"] = {"number": int(port)}
                # A host-less Ingress rule matches any authority: no authority match.
                name = host.get("host")
                authority = {"authority": {"exact": name}} if name else {}
                routes.append({"name": f"{name or '*'}{path.get('path', '/')}",
                               "match": [{**_match(path), **authority}],
                               "route": [{"destination": destination}]})
        if not routes:
            continue
        out.append({
            "apiVersion": ISTIO_API,
            "kind": "VirtualService",
            "metadata": {"name": key, "namespace": namespace,
                         "labels": {"app.kubernetes.io/component": key,
                                    "app.kubernetes.io/managed-by": "kubealign"}},
            "spec": {"hosts": sorted({h.get("host") or target for h in hosts}),
                     "http": routes},
        })
    return out
