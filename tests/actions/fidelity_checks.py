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
from kubealign.model.compose import ALL, gpu_requests


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


def _enabled(outcome: ConvertOutcome) -> dict[str, bool]:
    services = outcome.conversion.values.services or {}
    return {key: svc.enabled is not False for key, svc in services.items()}


def _nvidia_reservations(outcome: ConvertOutcome) -> list[str]:
    """Services reserving an NVIDIA device (by driver or by an NVIDIA driver capability)."""
    found = []
    enabled = _enabled(outcome)
    for service in outcome.project.services:
        if not enabled.get(outcome.conversion.service_keys[service.name], True):
            continue  # disabled (a profile not active, a replaced role): renders nothing
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


def _unwaited_dependencies(outcome: ConvertOutcome) -> Iterator[str]:
    """depends_on that the rendered pods ignore: a dependency that completes (a Job) or has a
    Service port must be waited for by an init container before the dependent starts."""
    keys = outcome.conversion.service_keys
    workloads = {(obj["metadata"].get("labels") or {}).get("app.kubernetes.io/name"): obj
                 for obj in outcome.objects
                 if obj["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job")}
    services: dict[str, set[str]] = {}
    for obj in outcome.objects:
        if obj["kind"] == "Service" and (obj.get("spec") or {}).get("ports"):
            selected = ((obj.get("spec") or {}).get("selector") or {}).get(
                "app.kubernetes.io/name")
            services.setdefault(str(selected), set()).add(obj["metadata"]["name"])
    for service in outcome.project.services:
        pod = workloads.get(keys[service.name])
        if pod is None:
            continue
        inits = pod["spec"]["template"]["spec"].get("initContainers") or ()
        awaited_jobs = {arg.removeprefix("job/") for c in inits for arg in c.get("args") or ()
                        if str(arg).startswith("job/")}
        awaited_hosts = {e.get("value") for c in inits for e in c.get("env") or ()
                         if e.get("name") == "WAIT_HOST"}
        for dep in service.depends_on:
            key = keys.get(dep.service)
            other = workloads.get(key)
            if other is None:
                continue  # disabled or absent: nothing to wait for
            if other["kind"] == "Job":
                if dep.condition == "service_completed_successfully" and \
                        key not in awaited_jobs:
                    yield f"{service.name} does not wait for Job {key}"
            elif services.get(str(key)) and not awaited_hosts & services[str(key)]:
                yield f"{service.name} does not wait for {key} ({dep.condition})"


def _profile_services_lost(outcome: ConvertOutcome) -> Iterator[str]:
    """Services behind a compose profile stay in values, disabled unless their profile is
    active, so choosing a profile is one flag in values, not a missing service."""
    values = yaml.safe_load((outcome.out / "chart" / "values.yaml").read_text(encoding="utf-8"))
    in_values = (values or {}).get("services") or {}
    keys = outcome.conversion.service_keys
    for source in outcome.project.source_files:
        try:
            document = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        services = document.get("services") if isinstance(document, Mapping) else None
        for name, spec in (services or {}).items() if isinstance(services, Mapping) else ():
            if not isinstance(spec, Mapping) or not spec.get("profiles"):
                continue
            key = keys.get(str(name))
            if key is None or key not in in_values:
                yield f"service {name} (profiles {spec.get('profiles')}) is not in values"


def _unstartable_security(ref: str, pod: Mapping[str, Any]) -> Iterator[str]:
    """Security contexts that stop an image the kubelet knows nothing about: runAsNonRoot
    without a numeric UID (the kubelet refuses a root or user-name image), and root with
    every capability dropped (entrypoints that chown or switch users fail)."""
    pod_sc = pod.get("securityContext") or {}
    for container in pod.get("containers") or ():
        sc = container.get("securityContext") or {}
        non_root = sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot"))
        uid = sc.get("runAsUser", pod_sc.get("runAsUser"))
        caps = sc.get("capabilities") or {}
        if non_root is True and uid is None:
            yield f"runAsNonRoot without runAsUser: {ref} {container.get('name')}"
        if non_root is not True and uid in (None, 0) and "ALL" in (caps.get("drop") or ()) \
                and not caps.get("add"):
            yield f"root with ALL capabilities dropped: {ref} {container.get('name')}"


def _count_all_unreported(outcome: ConvertOutcome) -> Iterator[str]:
    """A GPU reservation with `count: all` becomes some number of GPUs: which one (the pool's
    GPUs per node, or a guess) must be reported, never silently 1."""
    enabled = _enabled(outcome)
    reported = {f.message.split("'")[1] for f in outcome.conversion.findings
                if f.rule == "CNV500" and f.message.startswith("service '")}
    for service in outcome.project.services:
        if not enabled.get(outcome.conversion.service_keys[service.name], True):
            continue
        values = (outcome.conversion.values.services or {}).get(
            outcome.conversion.service_keys[service.name])
        if values is not None and values.gpu is not None and values.gpu.shared:
            continue  # a telemetry agent sharing the node's GPUs: claims none (ledger says so)
        if any(r.count == ALL for r in gpu_requests(service)) and service.name not in reported:
            yield f"{service.name}: count all not reported"


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
    defects.extend(f"depends_on ignored: {d}" for d in _unwaited_dependencies(outcome))
    defects.extend(f"profile service lost: {d}" for d in _profile_services_lost(outcome))
    defects.extend(f"GPU count all: {d}" for d in _count_all_unreported(outcome))
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
        defects.extend(f"Swarm task template passed on as text: {d}: {ref}"
                       for d in _task_templates_as_text(pod))
        defects.extend(f"unstartable securityContext: {d}"
                       for d in _unstartable_security(ref, pod))
        for alias in pod.get("hostAliases") or ():
            try:
                ipaddress.ip_address(str(alias.get("ip")))
            except ValueError:
                defects.append(f"hostAliases ip {alias.get('ip')!r} is no IP: {ref}")
    defects.extend(unresolved_names(outcome))
    defects.extend(missing_claims(outcome))
    defects.extend(unmounted_config_dirs(outcome))
    defects.extend(unrouted_edge_routers(outcome))
    defects.extend(duplicate_objects(outcome))
    return defects


# The placeholders a pod field holds (transform/convert/task_templates.py).
_CONVERTIBLE_TEMPLATE = re.compile(
    r"\{\{\s*\.(Task\.(Slot|Name|ID)|Node\.(Hostname|ID)|Service\.Name)\s*\}\}")


def _task_templates_as_text(pod: Mapping[str, Any]) -> Iterator[str]:
    for container in [*(pod.get("initContainers") or ()), *(pod.get("containers") or ())]:
        for entry in container.get("env") or ():
            if _CONVERTIBLE_TEMPLATE.search(str(entry.get("value") or "")):
                yield f"{container.get('name')} {entry.get('name')}"


def duplicate_objects(outcome: ConvertOutcome) -> list[str]:
    """Two rendered objects of one kind, namespace and name: the API server keeps one, and
    Helm's apply of the release fails (erlmcp's stack: four Services from one Swarm
    hostname template)."""
    seen: dict[tuple[str, str, str], int] = {}
    for obj in outcome.objects:
        meta = obj.get("metadata") or {}
        ref = (str(obj.get("kind")), str(meta.get("namespace") or ""), str(meta.get("name")))
        seen[ref] = seen.get(ref, 0) + 1
    return [f"{count} objects {kind}/{name}" for (kind, _, name), count in sorted(seen.items())
            if count > 1]


def sprawl_compose_files(sprawl: Path) -> list[Path]:
    """Each sprawl repository's top-level compose files (the environments people run)."""
    return sorted(p for repo in sprawl.iterdir() if repo.is_dir()
                  for p in repo.iterdir()
                  if p.is_file() and "compose" in p.name and p.suffix in (".yml", ".yaml"))


# --- names other services reach (issue 11: "service names other services use") -------------

_HOST_KEY = re.compile(r"(HOST|HOSTNAME|HOSTS|SERVER|SERVERS|ADDR|ADDRESS|ENDPOINT|BROKERS?)$")


def _referenced(text: str, name: str, key: str | None) -> bool:
    """Whether ``text`` names host ``name``: in a URL, as ``name:port``, or as the whole value
    (one item of a list) of a *_HOST-like variable."""
    escaped = re.escape(name)
    if re.search(rf"://(?:[^@/\s]*@)?{escaped}(?=[:/?#\s\"',;]|$)", text):
        return True
    if re.search(rf"(?:^|[\s=,;\"'(@])({escaped}):\d{{2,5}}(?!\d)", text):
        return True
    if key is not None and _HOST_KEY.search(key.upper()):
        items = [i.strip().split(":", 1)[0] for i in re.split(r"[,\s]+", text)]
        return name in items
    return False


def _service_objects(objects: tuple[dict[str, Any], ...]) -> set[str]:
    return {o["metadata"]["name"] for o in objects if o["kind"] == "Service"}


def _service_enabled(outcome: ConvertOutcome, service: str) -> bool:
    key = outcome.conversion.service_keys.get(service)
    values = (outcome.conversion.values.services or {}).get(key or "")
    return values is not None and values.enabled is not False


def unresolved_names(outcome: ConvertOutcome) -> list[str]:
    """Host names an enabled service uses that name another enabled service (its name,
    container_name, hostname or network alias) but that no rendered Service carries."""
    from kubealign.transform.naming import service_key

    rendered = _service_objects(outcome.objects)
    names: dict[str, str] = {}
    for target in outcome.project.services:
        if not _service_enabled(outcome, target.name):
            continue
        for name in {target.name, target.container_name, target.hostname,
                     *(a for n in target.networks for a in n.aliases)}:
            if name and re.fullmatch(r"[a-z]([-a-z0-9]*[a-z0-9])?", name):
                names.setdefault(name, target.name)
    defects = []
    for user in outcome.project.services:
        if not _service_enabled(outcome, user.name):
            continue
        texts: list[tuple[str | None, str]] = [(k, str(v)) for k, v in user.environment.items()
                                               if v]
        for command in (user.command, user.entrypoint):
            if command is not None:
                texts.extend((None, a) for a in command.argv)
        for name, target in names.items():
            if target == user.name or service_key(name) in rendered:
                continue
            for key, text in texts:
                if _referenced(text, name, key):
                    defects.append(f"unresolved service name {name!r} ({target}) used by "
                                   f"{user.name} {key or 'command'}")
                    break
    return defects


# --- claims (issue 11: "shared named volumes") ---------------------------------------------


def missing_claims(outcome: ConvertOutcome) -> list[str]:
    """Claims a pod mounts that the chart does not create (a StatefulSet's own claims come
    from its volumeClaimTemplates; an external volume's claim is made outside the chart)."""
    from kubealign.transform.naming import dns_label

    created = {o["metadata"]["name"] for o in outcome.objects
               if o["kind"] == "PersistentVolumeClaim"}
    external = {dns_label(v.external_name or v.name) for v in outcome.project.volumes
                if v.external}
    defects = []
    for ref, pod in _pod_specs(outcome.objects):
        for volume in pod.get("volumes") or ():
            claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
            if claim and claim not in created and claim not in external:
                defects.append(f"missing claim {claim!r} mounted by {ref}")
    return defects


# --- bind-mounted config directories ---------------------------------------------------------


def _config_like(directory: Path) -> bool:
    """A small folder of text files (what a ConfigMap can hold)."""
    total, count = 0, 0
    for path in directory.rglob("*"):
        if path.is_symlink():
            return False
        if not path.is_file():
            continue
        count += 1
        total += path.stat().st_size
        if count > 200 or total > 900 * 1024:
            return False
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            return False
    return count > 0


def unmounted_config_dirs(outcome: ConvertOutcome) -> list[str]:
    """Bind-mounted folders of config (inside the project, small, text only, not a build
    context) that the rendered pod does not mount at the same path."""
    mounts: dict[str, set[str]] = {}
    for obj in outcome.objects:
        name = (obj["metadata"].get("labels") or {}).get("app.kubernetes.io/name")
        for _ref, pod in _pod_specs((obj,)):
            for container in pod.get("containers") or ():
                mounts.setdefault(str(name), set()).update(
                    m["mountPath"] for m in container.get("volumeMounts") or ())
    root = Path(outcome.project.project_directory or ".").resolve()
    defects = []
    for service in outcome.project.services:
        if not _service_enabled(outcome, service.name):
            continue
        context = None
        if service.build is not None and service.build.context:
            context = (root / service.build.context).resolve()
        for mount in service.volumes:
            if mount.type != "bind" or not mount.source:
                continue
            source = Path(mount.source).resolve()
            if not source.is_dir() or root not in (source, *source.parents):
                continue
            if source in (context, root) or (source / "Dockerfile").exists():
                continue
            if not _config_like(source):
                continue
            key = outcome.conversion.service_keys.get(service.name, service.name)
            target = mount.target.rstrip("/")
            if not any(m == target or m.startswith(f"{target}/") for m in mounts.get(key, ())):
                defects.append(f"config directory {source.relative_to(root)} of "
                               f"{service.name} not mounted at {mount.target}")
    return defects


# --- edge routers --------------------------------------------------------------------------


def unrouted_edge_routers(outcome: ConvertOutcome) -> list[str]:
    """An edge router kubealign disabled must leave routing behind: the services it proxies
    to are Ingress backends (and some Ingress exists at all)."""
    from kubealign.transform.roles import Role

    backends = {p["backend"]["service"]["name"] for o in outcome.objects
                if o["kind"] == "Ingress" for rule in o["spec"].get("rules") or ()
                for p in (rule.get("http") or {}).get("paths") or ()}
    defects = []
    for service, decision in sorted(outcome.conversion.roles.items()):
        if decision.role is not Role.EDGE_ROUTER or _service_enabled(outcome, service):
            continue
        if not backends:
            defects.append(f"edge router {service} disabled and no Ingress rendered")
            continue
        marker = " proxies to "
        if marker in decision.evidence:
            for target in decision.evidence.split(marker, 1)[1].split(", "):
                key = outcome.conversion.service_keys.get(target, target)
                if _service_enabled(outcome, target) and key not in backends:
                    defects.append(f"edge router {service} disabled but {target} it proxies "
                                   "to is no Ingress backend")
    return defects


def routing_defects(outcome: ConvertOutcome) -> list[str]:
    """The routing classes of issue 11 (names, claims, config folders, edge routers)."""
    return [*unresolved_names(outcome), *missing_claims(outcome),
            *unmounted_config_dirs(outcome), *unrouted_edge_routers(outcome)]
