"""Compose ``depends_on`` -> ``services.<key>.dependsOn``: init containers that wait.

Compose starts a service only once its dependencies are started, healthy, or (for one-shot
tasks such as migrations) completed successfully. Kubernetes starts every pod at once, so an
application that does not retry fails, and one that depends on a migration may serve an old
schema. The chart renders one wait per dependency (docs/dependencies.md):

* ``service_completed_successfully``: the dependency is a Job; the pod waits until it succeeds
  (``kubectl wait``). Helm hook Jobs were the other choice, but a pre-install hook runs before
  the release's other objects exist, so a migration that itself waits for its database could
  never start; a plain Job with waiting dependents orders correctly on install and upgrade.
* ``service_healthy`` / ``service_started``: the pod waits until the dependency's Service
  accepts TCP connections. A Service routes only to ready pods, so with the healthcheck
  converted to a readiness probe this is "healthy"; for "started" it is a little stricter.

The wait is rendered only while the dependency is enabled, so an environment that disables
a dependency (or leaves its profile off) never blocks the services that use it.
"""

from __future__ import annotations

from typing import Literal

from kubealign.model.compose import Dependency, Service
from kubealign.transform import values_model as vm
from kubealign.transform.convert.context import ProjectContext
from kubealign.transform.convert.recorder import Recorder
from kubealign.transform.convert.workload import one_shot

Condition = Literal["started", "healthy", "completed"]
_CONDITIONS: dict[str, Condition] = {
    "service_started": "started",
    "service_healthy": "healthy",
    "service_completed_successfully": "completed",
}


def has_service_port(service: Service, ctx: ProjectContext) -> bool:
    """Whether the converted service gets a Service with a port another pod can wait for."""
    return bool(service.ports or service.expose or ctx.port_references.inferred_ports(service))


def convert_dependencies(service: Service, ctx: ProjectContext, rec: Recorder,
                         path: str) -> dict[str, vm.Dependency]:
    """The ``dependsOn`` entries of ``service``, one ledger entry saying how each waits."""
    if not service.depends_on:
        return {}
    waits: dict[str, vm.Dependency] = {}
    notes: list[str] = []
    approximate = False
    names = set(ctx.project.service_names)
    for dep in service.depends_on:
        condition = _CONDITIONS.get(dep.condition)
        key = ctx.key_of(dep.service)
        if dep.service not in names:
            notes.append(f"{dep.service}: not part of this project, not waited for")
            approximate = True
            continue
        if condition is None:
            notes.append(f"{dep.service}: condition {dep.condition!r} unknown, waits as "
                         "service_started")
            condition = "started"
            approximate = True
        other = ctx.project.service(dep.service)
        note, exact = _how(dep, condition, other, ctx)
        notes.append(f"{dep.service} ({dep.condition}): {note}")
        approximate = approximate or not exact
        if dep.restart:
            notes.append(f"{dep.service}: restart: true (restart this service when the "
                         "dependency restarts) has no Kubernetes equivalent")
            approximate = True
        waits[key] = vm.Dependency(condition=condition)
    record = rec.approximated if approximate else rec.converted
    record("depends_on", f"{path}.dependsOn", "; ".join(notes) + "; only while the "
           "dependency is enabled")
    return dict(sorted(waits.items()))


def _how(dep: Dependency, condition: Condition, other: Service,
         ctx: ProjectContext) -> tuple[str, bool]:
    """How the chart waits for ``other``, and whether that is what compose does."""
    is_job = one_shot(other, ctx) is not None
    if condition == "completed":
        if is_job:
            return "waits until its Job completes successfully", True
        return "it is no Job: waits for its Service port instead", False
    if is_job:
        return ("a Job has no Service to wait for: started together (the application must "
                "retry)", False)
    if not has_service_port(other, ctx):
        return ("it has no Service port to wait for: started together (the application must "
                "retry)", False)
    if condition == "healthy":
        exact = other.healthcheck is not None and not other.healthcheck.disable
        return ("waits until its Service accepts connections (a ready pod"
                + ("" if exact else "; it has no healthcheck, so ready means started") + ")",
                exact)
    return "waits until its Service accepts connections (stricter than started)", True
