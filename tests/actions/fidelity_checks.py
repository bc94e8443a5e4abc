"""Issue 11's defect classes as checks over one conversion's rendered objects and values files.

Each check names the class it guards; the corpus tests run them over every converted stack."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from kubealign.actions.convert import ConvertOutcome


def _pod_specs(objects: tuple[dict[str, Any], ...]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for obj in objects:
        spec = obj.get("spec") or {}
        template = spec.get("jobTemplate", {}).get("spec", spec).get("template")
        if isinstance(template, Mapping) and isinstance(template.get("spec"), Mapping):
            yield f"{obj['kind']}/{obj['metadata']['name']}", template["spec"]


# Kubernetes' `$(NAME)` reference, which the kubelet never expands in a probe.
_REFERENCE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def _probe_references(ref: str, pod: Mapping[str, Any]) -> Iterator[str]:
    for container in [*(pod.get("initContainers") or ()), *(pod.get("containers") or ())]:
        names = {e.get("name") for e in container.get("env") or ()}
        for kind in ("livenessProbe", "readinessProbe", "startupProbe"):
            command = ((container.get(kind) or {}).get("exec") or {}).get("command") or ()
            for arg in command:
                for match in _REFERENCE.finditer(str(arg)):
                    if match.group(1) in names:
                        yield f"$({match.group(1)}) in {kind} of {container.get('name')}: {ref}"


_NVIDIA = {"gpu", "nvidia", "compute", "utility", "graphics", "video", "display", "compat32"}


def _nvidia_reservations(outcome: ConvertOutcome) -> list[str]:
    """Services reserving an NVIDIA device (by driver or by an NVIDIA driver capability)."""
    found = []
    for service in outcome.project.services:
        resources = service.deploy.resources if service.deploy is not None else None
        reservations = resources.reservations if resources is not None else None
        for device in reservations.devices if reservations is not None else ():
            if device.count != 0 and ((device.driver or "").lower() == "nvidia"
                                      or _NVIDIA & {c.lower() for c in device.capabilities}):
                found.append(service.name)
                break
    return found


def _requests_gpu(pod: Mapping[str, Any]) -> bool:
    """Claims nvidia.com/gpu, or shares the node's GPUs (compose `count: all` beside other GPU
    services): tolerates the GPU taint and sees every GPU."""
    tolerates = any(t.get("key") == "nvidia.com/gpu" for t in pod.get("tolerations") or ())
    for container in pod.get("containers") or ():
        resources = container.get("resources") or {}
        if "nvidia.com/gpu" in {**(resources.get("limits") or {}),
                                **(resources.get("requests") or {})}:
            return True
        if tolerates and {"name": "NVIDIA_VISIBLE_DEVICES", "value": "all"} in (
                container.get("env") or ()):
            return True
    return False


def _one_shots(outcome: ConvertOutcome) -> set[str]:
    """Services Compose runs to completion: restart "no" written out, condition none."""
    found = set()
    for service in outcome.project.services:
        policy = service.deploy.restart_policy if service.deploy is not None else None
        if (service.restart == "no" and service.origin("restart") is not None) or (
                policy is not None and policy.condition == "none"):
            found.add(service.name)
    return found


# The scrubber's old placeholder: secrets are referenced, never replaced by text.
PLACEHOLDER = "secret removed by kubealign"


def _placeholder_text(outcome: ConvertOutcome) -> list[str]:
    """Placeholder text in a values file or a rendered object is a broken deployment."""
    found = [f"secret placeholder in {p.relative_to(outcome.out)}"
             for p in sorted(outcome.out.rglob("values*.yaml"))
             if PLACEHOLDER in p.read_text(encoding="utf-8")]
    for obj in outcome.objects:
        if PLACEHOLDER in json.dumps(obj):
            found.append(f"secret placeholder in {obj['kind']}/{obj['metadata']['name']}")
    return found


def fidelity_defects(outcome: ConvertOutcome) -> list[str]:
    """Every occurrence of a guarded class, as ``class: where``; empty when none occurs."""
    defects: list[str] = _placeholder_text(outcome)
    for values_file in sorted(outcome.out.rglob("values*.yaml")):
        try:
            yaml.safe_load(values_file.read_text(encoding="utf-8"))
        except yaml.YAMLError as err:
            defects.append(f"values file does not parse: {values_file.name}: {err}")
    reserving = _nvidia_reservations(outcome)
    requesting = [ref for ref, pod in _pod_specs(outcome.objects) if _requests_gpu(pod)]
    if len(requesting) < len(reserving):
        defects.append(f"NVIDIA reservations of {reserving} but nvidia.com/gpu requested by "
                       f"{requesting} only")
    one_shots = _one_shots(outcome)
    for obj in outcome.objects:
        name = (obj["metadata"].get("labels") or {}).get("app.kubernetes.io/name")
        if obj["kind"] in ("Deployment", "StatefulSet", "DaemonSet") and name in one_shots:
            defects.append(f"one-shot service {name} runs as a {obj['kind']}")
    for ref, pod in _pod_specs(outcome.objects):
        for key, value in (pod.get("nodeSelector") or {}).items():
            if not str(value).strip():
                defects.append(f"empty node selector value {key}: {ref}")
        defects.extend(_probe_references(ref, pod))
        for alias in pod.get("hostAliases") or ():
            try:
                ipaddress.ip_address(str(alias.get("ip")))
            except ValueError:
                defects.append(f"hostAliases ip {alias.get('ip')!r} is no IP: {ref}")
    return defects


def sprawl_compose_files(sprawl: Path) -> list[Path]:
    """Each sprawl repository's top-level compose files (the environments people run)."""
    return sorted(p for repo in sprawl.iterdir() if repo.is_dir()
                  for p in repo.iterdir()
                  if p.is_file() and "compose" in p.name and p.suffix in (".yml", ".yaml"))
