"""The proof that nothing was lost: rendered workloads compared with their compose services.

After Helm renders the converted chart, each enabled service's workload is read back and
compared with what the compose service said: image, command, environment (names, and values
of non-secret variables), ports, mounts, replicas, resources and GPUs. Any difference is a
finding (``SEM*``), so a bug in the converter or the chart cannot silently change meaning.
"""

from __future__ import annotations

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
    if service.command is not None and list(container.get("args", [])) != [
        a.replace("$(", "$$(") for a in service.command.argv
    ]:
        problems.append("args differ from compose `command`")
    if service.entrypoint is not None and list(container.get("command", [])) != [
        a.replace("$(", "$$(") for a in service.entrypoint.argv
    ]:
        problems.append("command differs from compose `entrypoint`")
    problems += _env_problems(service, container)
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
    problems += _resource_problems(service, container, gpu_resource, gpu_count_for_all)
    return [_finding(service, "SEM001", p) for p in problems]


def _with_tag(image: str) -> str:
    name = image.split("@", 1)[0]
    if "@" in image or ":" in name.rsplit("/", 1)[-1]:
        return image
    return f"{image}:latest"  # what the container runtime pulls for an untagged image


def _same_image(rendered: str, compose: str) -> bool:
    """Equal, allowing a registry prefix added by ``global.imageRegistry``."""
    return _with_tag(rendered).endswith(_with_tag(compose))


def _env_problems(service: Service, container: Mapping[str, Any]) -> list[str]:
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
        elif entry.get("value") != value.replace("$(", "$$("):
            problems.append(f"environment variable {name} has another value")
    return problems


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
) -> list[Finding]:
    findings: list[Finding] = []
    for service in project.services:
        key = service_keys[service.name]
        if not enabled.get(key, True):
            continue
        workload = find_workload(objects, key)
        if workload is None:
            findings.append(_finding(service, "SEM002", "no workload was rendered"))
            continue
        findings += compare_service(service, key, workload, gpu_count_for_all=gpu_count_for_all)
    return findings
