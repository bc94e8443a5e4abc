"""One Service name, one workload.

Compose answers a name that several services claim (the same network alias, hostname or
container_name) with all of them, and a name that is another service's own with both. A
Kubernetes Service selects one workload, and two Services of one name in a release are
refused by the API server (Helm's apply fails, the release is rolled back): a shared name
is given to no one, and each claimant says so with the file:line of its claim.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from kubealign.model.compose import Project, Service
from kubealign.model.findings import Finding, Severity
from kubealign.transform import values_model as vm
from kubealign.transform.convert.context import ProjectContext
from kubealign.transform.convert.recorder import Recorder


def _claimed_by(service: Service, alias: str, ctx: ProjectContext) -> str:
    """The compose key the alias came from, for the finding's file:line."""
    if service.hostname and ctx.key_of(service.hostname) == alias:
        return "hostname"
    if service.container_name and ctx.key_of(service.container_name) == alias:
        return "container_name"
    return "networks"


def unique_service_names(project: Project, ctx: ProjectContext,
                         services: Mapping[str, vm.ServiceValues],
                         findings: list[Finding]) -> dict[str, vm.ServiceValues]:
    """``services`` with every alias that another service also claims, or that is another
    service's own name, taken from all its claimants (a finding each)."""
    claims: dict[str, list[str]] = {}
    for key, values in services.items():
        for alias in (values.service.aliases or ()) if values.service else ():
            claims.setdefault(alias, []).append(key)
    shared = {alias: keys for alias, keys in claims.items()
              if len(keys) > 1 or alias in services}
    if not shared:
        return dict(services)
    by_key = {ctx.key_of(s.name): s for s in project.services}
    result = dict(services)
    for alias, keys in sorted(shared.items()):
        for key in keys:
            values = result[key]
            spec = values.service
            assert spec is not None and spec.aliases  # it claimed the alias
            kept = tuple(a for a in spec.aliases if a != alias)
            narrowed = dataclasses.replace(spec, aliases=kept or None)
            empty = all(getattr(narrowed, f.name) is None for f in dataclasses.fields(narrowed))
            result[key] = dataclasses.replace(values, service=None if empty else narrowed)
            service = by_key[key]
            rec = Recorder(service)
            others = [k for k in keys if k != key]
            if alias in services:
                why = f"it is service {alias!r}'s own Service name"
            else:
                why = f"services {', '.join(repr(k) for k in others)} claim it too"
            rec.finding("CNV206", Severity.MEDIUM,
                        f"no Service alias {alias!r}: {why}; compose answered it with every "
                        "claimant, a Kubernetes Service selects one workload and two Services "
                        "of one name are refused", _claimed_by(service, alias, ctx),
                        fix=f"point clients at one service's own name, or give "
                        f"services.{key}.service.aliases a name of its own")
            findings.extend(rec.findings)
    return result
