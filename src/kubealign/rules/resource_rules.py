"""RES/GPU/NET: resources, GPU requests and networking across variants."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from kubealign.model.findings import Finding, Severity
from kubealign.rules.base import Rule
from kubealign.rules.context import AuditContext
from kubealign.rules.helpers import image_repository_name, manifest_objects, raw_services
from kubealign.rules.variants import (
    compose_facts,
    compose_role,
    differences,
    service_of_image,
)

_GPU_ENV = {"NVIDIA_VISIBLE_DEVICES", "CUDA_VISIBLE_DEVICES"}


class MissingMemoryLimit(Rule):
    """A deployed service (stack or instance file, or Kubernetes container) has no memory limit.

    Base and override files for laptops are not checked.

    Why:
        Without a limit one leaking service takes the whole host down with it; the
        scheduler cannot place work sensibly either.

    Fix:
        Set ``resources.limits.memory`` (and requests) per environment in the values files.
    """

    id = "RES001"
    name = "missing-memory-limit"
    severity = Severity.MEDIUM
    category = "resources"
    targets = ("compose", "kubernetes-manifest")
    root_cause = "service (its values key in the chart)"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        facts = compose_facts(ctx)
        for path in sorted(facts):
            if compose_role(path, ctx.compose[path]) not in {"stack", "instance"}:
                continue
            for fact in sorted(facts[path].values(), key=lambda f: f.name):
                if fact.values["memory"] is None:
                    yield self.finding(
                        f"{fact.key!r} has no memory limit", path, fact.line, key=fact.key,
                        detail=f"service {fact.name!r}",
                    )
        for obj in manifest_objects(ctx):
            for tokens, container in obj.containers():
                resources = container.get("resources")
                limits = resources.get("limits") if isinstance(resources, Mapping) else None
                if not (isinstance(limits, Mapping) and "memory" in limits):
                    # Keyed like compose services (the values key of the compose service
                    # running the image), so a service without a limit anywhere is one
                    # finding whichever files run it.
                    image = container.get("image")
                    repository = (image_repository_name(image)
                                  if isinstance(image, str) and image else None)
                    key = ((service_of_image(ctx, repository) or repository) if repository
                           else f"{obj.name}/{container.get('name')}")
                    yield self.finding(
                        f"{key!r} has no memory limit",
                        obj.path,
                        obj.line(*tokens),
                        key=key,
                        detail=f"{obj.kind} {obj.name!r} container {container.get('name')!r}",
                    )


class ResourceLimitsDiffer(Rule):
    """The same service has different memory or CPU limits in different compose files.

    Why:
        Differences may be intended (a bigger box) or accidental (a forgotten copy); nothing
        in the files says which, so capacity planning works from guesses.

    Fix:
        Write the intended size per environment once, in that environment's values file.
    """

    id = "RES002"
    name = "resource-limits-differ"
    severity = Severity.LOW
    category = "resources"
    targets = ("compose",)
    root_cause = "service (its values key in the chart)"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for difference in differences(ctx):
            if difference.aspect not in {"memory", "cpus"}:
                continue
            summary = ", ".join(f"{v.file}={v.value}" for v in difference.values)
            first = difference.values[0]
            yield self.finding(
                f"service {difference.service!r} is sized differently across files",
                first.file,
                first.line,
                key=difference.service,
                detail=f"{difference.aspect} limit: {summary}",
            )


class GpuRequestedInconsistently(Rule):
    """A service reserves GPUs in some compose files and not in others.

    Why:
        Where the reservation is missing the service either runs on CPU (slowly) or grabs
        a GPU the scheduler does not know about and collides with other workloads.

    Fix:
        Request GPUs explicitly per environment (``nvidia.com/gpu`` after conversion), with
        ``0`` where CPU is intended.
    """

    id = "GPU001"
    name = "gpu-requested-inconsistently"
    severity = Severity.MEDIUM
    category = "gpu"
    targets = ("compose",)
    root_cause = "service (its values key in the chart)"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for difference in differences(ctx):
            if difference.aspect != "gpus":
                continue
            with_gpu = [v for v in difference.values if v.value != "-"]
            without = [v for v in difference.values if v.value == "-"]
            if not with_gpu or not without:
                continue
            for value in without:
                yield self.finding(
                    f"service {difference.service!r} requests GPUs only in "
                    f"{', '.join(f'{v.file} ({v.value})' for v in with_gpu)}",
                    value.file,
                    value.line,
                    key=difference.service,
                    detail="no GPU here",
                )


class GpuEnvWithoutReservation(Rule):
    """A service sets ``NVIDIA_VISIBLE_DEVICES``/``CUDA_VISIBLE_DEVICES`` but reserves no GPU.

    Why:
        The variable only selects among devices the runtime was given; without a reservation
        the scheduler does not account for the GPU and two services can share one card.

    Fix:
        Reserve the GPU (``deploy.resources.reservations.devices`` with ``capabilities:
        [gpu]``, or ``nvidia.com/gpu`` limits after conversion).
    """

    id = "GPU002"
    name = "gpu-env-without-reservation"
    severity = Severity.MEDIUM
    category = "gpu"
    targets = ("compose",)
    root_cause = "service"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        facts = compose_facts(ctx)
        for service in raw_services(ctx):
            env = service.environment()
            names = sorted(
                n for n in _GPU_ENV if n in env and str(env[n]) not in {"", "none", "void"}
            )
            if not names:
                continue
            project = ctx.compose[service.doc.path].project
            if project is None or service.name not in project.service_names:
                continue
            by_name = {f.name: f for f in facts.get(service.doc.path, {}).values()}
            fact = by_name.get(service.name)
            if fact is not None and fact.values["gpus"] is None:
                yield self.finding(
                    f"service {service.name!r} selects GPUs by environment but reserves none",
                    service.doc.path,
                    service.env_line(names[0]),
                    key=service.name,
                    detail=f"sets {names[0]}",
                )


class MixedIngressControllers(Rule):
    """Traefik routes in compose and an nginx (or other) Ingress class in Kubernetes manifests.

    Why:
        Two edge routers means two sets of TLS, timeouts, body-size limits and auth rules
        that drift apart; the same URL behaves differently per environment.

    Fix:
        Pick one ingress controller and express every route as an Ingress of that class.
    """

    id = "NET001"
    name = "mixed-ingress-controllers"
    severity = Severity.MEDIUM
    category = "networking"
    targets = ("compose", "kubernetes-manifest")
    root_cause = "ingress class"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        traefik = [
            (s.doc.path, line)
            for s in raw_services(ctx)
            for key, _, line in (*s.labels(), *s.labels("deploy"))
            if key.startswith("traefik.")
        ]
        if not traefik:
            return
        first_traefik = f"{traefik[0][0]}:{traefik[0][1]}"
        for obj in manifest_objects(ctx):
            if obj.kind != "Ingress":
                continue
            spec = obj.data.get("spec")
            klass = spec.get("ingressClassName") if isinstance(spec, Mapping) else None
            metadata = obj.data.get("metadata")
            annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
            if klass is None and isinstance(annotations, Mapping):
                klass = annotations.get("kubernetes.io/ingress.class")
            if klass is None or "traefik" in str(klass):
                continue
            yield self.finding(
                f"Ingresses use class {klass!r} while compose routes with Traefik "
                f"({first_traefik})",
                obj.path,
                obj.line("spec", "ingressClassName") or obj.line("metadata"),
                key=str(klass),
                detail=f"Ingress {obj.name!r}",
            )


class HostNetworking(Rule):
    """A service uses the host network or publishes ports in ``mode: host``.

    Why:
        Host networking bypasses the overlay/Service network: ports collide between
        replicas, NetworkPolicies do not apply, and the service is pinned to one node.

    Fix:
        Publish through a Service/Ingress; keep host networking only for node agents
        (exporters), as a DaemonSet.
    """

    id = "NET002"
    name = "host-networking"
    severity = Severity.MEDIUM
    category = "networking"
    targets = ("compose",)
    root_cause = "service"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for service in raw_services(ctx):
            if service.data.get("network_mode") == "host":
                yield self.finding(
                    f"service {service.name!r} uses host networking",
                    service.doc.path,
                    service.line("network_mode"),
                    key=service.name,
                    detail="network_mode: host",
                )
            ports = service.data.get("ports")
            for index, port in enumerate(ports if isinstance(ports, list) else []):
                if isinstance(port, Mapping) and port.get("mode") == "host":
                    yield self.finding(
                        f"service {service.name!r} uses host networking",
                        service.doc.path,
                        service.line("ports", index),
                        key=service.name,
                        detail=f"publishes port {port.get('target')} in host mode",
                    )


class OverlayNetworks(Rule):
    """A Swarm stack relies on overlay networks for isolation.

    Why:
        Kubernetes has one flat pod network: the isolation ``internal: true`` overlay
        networks give must be rewritten as NetworkPolicies, or it is lost in the move.

    Fix:
        Enable the chart's network policy per service (``kubealign convert`` derives the
        allowed peers from the shared networks).
    """

    id = "NET003"
    name = "overlay-networks"
    severity = Severity.LOW
    category = "networking"
    targets = ("swarm-stack",)
    root_cause = "repository (the overlay isolation to rewrite as NetworkPolicies)"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for path in sorted(ctx.compose):
            doc = ctx.compose[path]
            if doc.project is None:
                continue
            overlays = [n for n in doc.project.networks if n.driver == "overlay"]
            if overlays:
                first = overlays[0].origin
                yield self.finding(
                    "overlay networks isolate services: Kubernetes needs NetworkPolicies for it",
                    path,
                    first.line if first else None,
                    key="overlay-networks",
                    detail=f"{len(overlays)} overlay networks "
                    f"({', '.join(n.name for n in overlays)})",
                )
