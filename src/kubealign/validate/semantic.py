"""The proof that nothing was lost: rendered workloads compared with their compose services.

After Helm renders the converted chart, each enabled service's workload is read back and
compared with what the compose service said: image, command, environment (names, and values
of non-secret variables), ports, mounts, replicas, resources and GPUs. Any difference is a
finding (``SEM*``), so a bug in the converter or the chart cannot silently change meaning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from kubealign.model.compose import Project, Service, gpu_claim
from kubealign.model.findings import Finding, Severity
from kubealign.transform.quantities import bytes_to_quantity, cpus_to_quantity
from kubealign.transform.secret_detect import is_secret_value

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job")


def _pod_spec(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    template: Mapping[str, Any] = obj.get("spec", {}).get("template", {})
    spec: Mapping[str, Any] = template.get("spec", {})
    return spec


def find_workload(objects: Sequence[Mapping[str, Any]], name: str) -> Mapping[str, Any] | None:
    for obj in objects:
        if obj.get("kind") in WORKLOAD_KINDS and obj.get("metadata", {}).get("name") == name:
            return obj
    return None


def compare_service(
    service: Service,
    key: str,
    workload: Mapping[str, Any],
    *,
    gpu_resource: str = "nvidia.com/gpu",
    gpu_count_for_all: int = 1,
    gpus_for_all: Mapping[str, int] | None = None,
) -> list[Finding]:
    problems: list[str] = []
    containers = _pod_spec(workload).get("containers", [])
    container = next(
        (c for c in containers if c.get("name") == key), containers[0] if containers else None
    )
    if container is None:
        return [_finding(service, "SEM001", "the rendered workload has no container")]
    if service.image is not None and not _same_image(str(container.get("image", "")),
                                                     service.image):
        problems.append(f"image {container.get('image')!r} != compose {service.image!r}")
    secret_vars = _secret_variables(container)
    if service.command is not None and not _same_words(
            container.get("args", []), service.command.argv, secret_vars):
        problems.append("args differ from compose `command`")
    if service.entrypoint is not None and not _same_words(
            container.get("command", []), service.entrypoint.argv, secret_vars):
        problems.append("command differs from compose `entrypoint`")
    problems += _env_problems(service, key, container)
    rendered_ports = {
        (p.get("containerPort"), p.get("protocol", "TCP")) for p in container.get("ports", [])
    }
    for port in service.ports:
        if (port.target, port.protocol.upper()) not in rendered_ports:
            problems.append(f"container port {port.target}/{port.protocol} missing")
    mounts = {m.get("mountPath") for m in container.get("volumeMounts", [])}
    for mount in service.volumes:
        if mount.type in ("volume", "tmpfs") and mount.target not in mounts:
            problems.append(f"mount {mount.target} missing")
    for ref in service.secrets:
        target = ref.target or ref.source
        path = target if target.startswith("/") else f"/run/secrets/{target}"
        if path not in mounts:
            problems.append(f"secret file {path} missing")
    problems += _replica_problems(service, workload)
    every = (gpus_for_all or {}).get(service.name) or gpu_count_for_all
    problems += _resource_problems(service, container, gpu_resource, every)
    return [_finding(service, "SEM001", p) for p in problems]


def _with_tag(image: str) -> str:
    name = image.split("@", 1)[0]
    if "@" in image or ":" in name.rsplit("/", 1)[-1]:
        return image
    return f"{image}:latest"  # what the container runtime pulls for an untagged image


def _same_image(rendered: str, compose: str) -> bool:
    """Equal, allowing a registry prefix added by ``global.imageRegistry``."""
    return _with_tag(rendered).endswith(_with_tag(compose))


#: Swarm's ``{{.Service.Name}}``: the service's own name, which its Kubernetes name is.
_SERVICE_NAME_TEMPLATE = re.compile(r"\{\{\s*\.Service\.Name\s*\}\}")


def _env_problems(service: Service, key: str, container: Mapping[str, Any]) -> list[str]:
    env = {e["name"]: e for e in container.get("env", [])}
    problems = []
    for name, value in service.environment.items():
        if value is None:
            continue
        entry = env.get(name)
        if entry is None:
            problems.append(f"environment variable {name} missing")
        elif is_secret_value(name, value):
            if "valueFrom" not in entry:
                problems.append(f"secret variable {name} is not read from a Secret")
        elif not _same_text(str(entry.get("value", "")), _SERVICE_NAME_TEMPLATE.sub(key, value),
                            _secret_variables(container), _field_variables(container)):
            problems.append(f"environment variable {name} has another value")
    return problems


# A Kubernetes dependent-variable reference, or the escape of a literal `$(`.
_REFERENCE = re.compile(r"\$\$\(|\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def _secret_variables(container: Mapping[str, Any]) -> frozenset[str]:
    """Env variables the container reads from a Secret (the secrets scrubber references a
    secret value as ``$(VAR)`` of one of these, never writes it)."""
    return frozenset(e["name"] for e in container.get("env", [])
                     if "secretKeyRef" in (e.get("valueFrom") or {}))


def _field_variables(container: Mapping[str, Any]) -> frozenset[str]:
    """Env variables the container reads from its pod's fields (downward API)."""
    return frozenset(e["name"] for e in container.get("env", [])
                     if "fieldRef" in (e.get("valueFrom") or {}))


# One of Swarm's per-task placeholders (``{{.Task.Slot}}``, ``{{ .Node.Hostname }}``).
_TASK_TEMPLATE = r"\{\{\s*\.(?:Task|Node)\.[A-Za-z.]+\s*\}\}"


def _same_text(rendered: str, compose: str, secret_vars: frozenset[str],
               field_vars: frozenset[str] = frozenset()) -> bool:
    """``rendered`` says ``compose``: ``$$(`` is a literal ``$(``, ``$(VAR)`` of a
    Secret-backed variable stands for the secret value it replaced, and of a pod-field
    variable for the Swarm task placeholder it replaced."""
    pattern, at = "", 0
    for match in _REFERENCE.finditer(rendered):
        pattern += re.escape(rendered[at:match.start()])
        name = match.group(1)
        if name is None:
            pattern += re.escape("$(")
        elif name in secret_vars:
            pattern += ".+?"
        elif name in field_vars:
            pattern += _TASK_TEMPLATE
        else:
            pattern += re.escape(match.group(0))
        at = match.end()
    pattern += re.escape(rendered[at:])
    return re.fullmatch(pattern, compose, re.DOTALL) is not None


def _same_words(rendered: Sequence[Any], compose: Sequence[str],
                secret_vars: frozenset[str]) -> bool:
    return len(rendered) == len(compose) and all(
        _same_text(str(r), c, secret_vars) for r, c in zip(rendered, compose, strict=True))


def _replica_problems(service: Service, workload: Mapping[str, Any]) -> list[str]:
    if workload.get("kind") in ("DaemonSet", "Job") or service.deploy is None:
        return []
    wanted = service.deploy.replicas
    actual = workload.get("spec", {}).get("replicas", 1)
    if wanted is not None and actual != wanted:
        return [f"replicas {actual} != compose {wanted}"]
    return []


def _resource_problems(
    service: Service, container: Mapping[str, Any], gpu_resource: str, gpu_count_for_all: int
) -> list[str]:
    problems = []
    limits = container.get("resources", {}).get("limits", {})
    spec = service.deploy.resources.limits if service.deploy and service.deploy.resources else None
    if (
        spec is not None
        and spec.memory is not None
        and str(limits.get("memory")) != bytes_to_quantity(spec.memory)
    ):
        problems.append(
            f"memory limit {limits.get('memory')} != compose {bytes_to_quantity(spec.memory)}"
        )
    if (
        spec is not None
        and spec.cpus is not None
        and str(limits.get("cpu")) != cpus_to_quantity(spec.cpus)
    ):
        problems.append(f"cpu limit {limits.get('cpu')} != compose {cpus_to_quantity(spec.cpus)}")
    claim = gpu_claim(service, gpu_count_for_all)
    if claim is not None:
        actual = int(limits.get(gpu_resource, 0))
        if actual != claim.count:
            problems.append(f"{gpu_resource} limit {actual} != compose {claim.count}"
                            + (" (a telemetry agent's count: all shares them)"
                               if claim.shared else ""))
        if claim.shared and not any(e.get("name") == "NVIDIA_VISIBLE_DEVICES"
                                    for e in container.get("env") or []):
            problems.append("count: all of a GPU telemetry agent shares the node's GPUs but "
                            "NVIDIA_VISIBLE_DEVICES is not set")
    elif gpu_resource in limits:
        problems.append(f"{gpu_resource} requested but compose asks for no GPU")
    return problems


def _finding(service: Service, rule: str, message: str) -> Finding:
    where = service.origin("image") or (service.origins[0][1] if service.origins else None)
    return Finding(
        rule,
        Severity.HIGH,
        f"service {service.name!r}: rendered {message}",
        where.path if where else None,
        where.line if where else None,
        "a converter or chart defect: please report it",
        "semantic",
    )


def check_rendered(
    project: Project,
    objects: Sequence[Mapping[str, Any]],
    service_keys: Mapping[str, str],
    enabled: Mapping[str, bool],
    *,
    gpu_count_for_all: int = 1,
    gpus_for_all: Mapping[str, int] | None = None,
) -> list[Finding]:
    """Each enabled service's rendered workload compared with its compose service;
    ``gpus_for_all`` says what ``count: all`` means per service (its pool's GPUs per node),
    ``gpu_count_for_all`` for the others."""
    findings: list[Finding] = []
    for service in project.services:
        key = service_keys[service.name]
        if not enabled.get(key, True):
            continue
        workload = find_workload(objects, key)
        if workload is None:
            findings.append(_finding(service, "SEM002", "no workload was rendered"))
            continue
        findings += compare_service(service, key, workload, gpu_count_for_all=gpu_count_for_all,
                                    gpus_for_all=gpus_for_all)
        findings += [_finding(service, "SEM003", p) for p in _wait_problems(
            service, workload, objects, service_keys, enabled)]
    return findings


def _has_service(objects: Sequence[Mapping[str, Any]], key: str) -> bool:
    """A Service with ports selects the pods of ``key`` (something to wait for)."""
    return any(obj.get("kind") == "Service" and obj.get("spec", {}).get("ports")
               and obj.get("spec", {}).get("selector", {}).get("app.kubernetes.io/name") == key
               for obj in objects)


def _wait_problems(service: Service, workload: Mapping[str, Any],
                   objects: Sequence[Mapping[str, Any]], service_keys: Mapping[str, str],
                   enabled: Mapping[str, bool]) -> list[str]:
    """Compose starts a service after its dependencies (started, healthy, or completed): the
    rendered pod must wait for each enabled dependency that has something to wait for."""
    names = {c.get("name") for c in _pod_spec(workload).get("initContainers", [])}
    problems = []
    for dep in service.depends_on:
        key = service_keys.get(dep.service)
        if key is None or not enabled.get(key, True):
            continue
        other = find_workload(objects, key)
        if other is None:
            continue
        is_job = other.get("kind") == "Job"
        if dep.condition == "service_completed_successfully" and is_job:
            wanted = True
        else:
            wanted = not is_job and _has_service(objects, key)
        if wanted and f"wait-{key}"[:63] not in names:
            problems.append(f"pod does not wait for {dep.service} ({dep.condition})")
    return problems
