"""Give a service its canonical name (from the plan) before conversion, keeping the old name
reachable: the service joins its networks under the old name as an alias, which the
converter turns into an extra Service, so ``http://backend:8000`` keeps resolving."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from kubealign.errors import PlanError
from kubealign.model.compose import Project, Service, ServiceNetwork

DEFAULT_NETWORK = "default"


def rename_services(project: Project, renames: Mapping[str, str], *,
                    plan_path: str | None = None) -> Project:
    """``project`` with services renamed (compose name -> canonical name)."""
    active = {old: new for old, new in renames.items() if old != new and old in
              project.service_names}
    if not active:
        return project
    names = set(project.service_names)
    for old, new in sorted(active.items()):
        if new in names and new not in active:
            raise PlanError(f"services: {old!r} cannot be renamed {new!r} in project "
                            f"{project.name!r}: a service of that name exists there",
                            path=plan_path)
    services = [_renamed(s, active) for s in project.services]
    return dataclasses.replace(project, services=tuple(sorted(services, key=lambda s: s.name)))


def _renamed(service: Service, renames: Mapping[str, str]) -> Service:
    depends = tuple(dataclasses.replace(d, service=renames.get(d.service, d.service))
                    for d in service.depends_on)
    changes: dict[str, object] = {"depends_on": depends}
    old = service.name
    new = renames.get(old)
    if new is not None:
        changes["name"] = new
        if service.network_mode is None:
            changes["networks"] = _with_alias(service.networks, old)
    return dataclasses.replace(service, **changes)  # type: ignore[arg-type]


def _with_alias(networks: tuple[ServiceNetwork, ...], alias: str) -> tuple[ServiceNetwork, ...]:
    if not networks:
        return (ServiceNetwork(name=DEFAULT_NETWORK, aliases=(alias,), short=False),)
    return tuple(dataclasses.replace(n, aliases=(*n.aliases, alias) if alias not in n.aliases
                                     else n.aliases, short=False) for n in networks)

