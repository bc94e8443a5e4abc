"""One compose service -> one ``services.<key>`` entry of the chart values."""

from __future__ import annotations

import dataclasses
import ipaddress
from typing import Any, Literal

from kubealign.model.compose import (
    ALL,
    Healthcheck,
    HealthcheckKind,
    Service,
    gpu_claim,
    gpu_requests,
    thaw,
)
from kubealign.model.findings import Severity
from kubealign.model.ledger import Disposition
from kubealign.transform import values_model as vm
from kubealign.transform.convert.annotations import as_annotations
from kubealign.transform.convert.context import ProjectContext
from kubealign.transform.convert.dependencies import convert_dependencies
from kubealign.transform.convert.implicit_ports import dockerfile_exposed
from kubealign.transform.convert.recorder import Recorder
from kubealign.transform.convert.storage import convert_storage
from kubealign.transform.convert.task_templates import (
    expand_task_templates,
    has_task_template,
    is_task_template,
)
from kubealign.transform.convert.workload import convert_workload, writable_paths
from kubealign.transform.matrix import treatment
from kubealign.transform.naming import parse_image, port_name, sanitize_port_name
from kubealign.transform.probes import probes_from_healthcheck
from kubealign.transform.quantities import bytes_to_quantity, cpus_to_quantity
from kubealign.transform.secret_detect import is_secret_value
from kubealign.transform.secrets.composition import compose, raw_value_at

PullPolicy = Literal["Always", "IfNotPresent", "Never"]
_PULL_POLICY: dict[str, PullPolicy] = {
    "always": "Always",
    "never": "Never",
    "missing": "IfNotPresent",
    "if_not_present": "IfNotPresent",
    "build": "IfNotPresent",
}


def escape_kubernetes_refs(text: str) -> str:
    """Kubernetes expands ``$(VAR)`` in env values, command and args; Compose does not."""
    return text.replace("$(", "$$(")


def convert_service(service: Service, ctx: ProjectContext, rec: Recorder) -> dict[str, Any]:
    """Keyword arguments for :class:`values_model.ServiceValues` (assembled by the caller,
    which adds project-level parts such as the NetworkPolicy)."""
    key = ctx.key_of(service.name)
    path = f"services.{key}"
    out: dict[str, Any] = {"image": _image(service, ctx, rec, path)}
    if out["image"].repository is None:
        out["enabled"] = False
    if key != service.name:
        rec.approximated("name", f"{path}", f"service name {service.name!r} is not a DNS label;"
                         f" its Service is called {key!r}")
    out.update(_command(service, rec, path))
    out.update(_environment(service, ctx, rec, path))
    ports = _ports(service, rec, path)
    ports += _inferred(service, ctx, rec, path, {p.container_port for p in ports})
    if ports:
        out["ports"] = tuple(ports)
    aliases = _aliases(service, ctx, rec, path)
    if aliases:
        out["service"] = vm.ServiceSpec(aliases=tuple(aliases))
    probes = _probes(service.healthcheck, rec, path)
    if probes is not None:
        out["probes"] = probes
    out.update(_resources(service, ctx, rec, path))
    out.update(convert_storage(service, ctx, rec, path))
    workload = convert_workload(service, ctx, rec, path)
    headless = workload.pop("service", None)
    if headless is not None:
        # Aliases (from names) and headless (from deploy.endpoint_mode) describe one Service.
        current = out.get("service")
        out["service"] = headless if current is None else dataclasses.replace(
            current, headless=headless.headless)
    out.update(workload)
    out.update(_task_templates(service, ctx, out, rec, path))
    out["writable_paths"] = writable_paths(service, out.get("writable_paths", ()))
    out.update(_misc(service, ctx, rec, path))
    waits = convert_dependencies(service, ctx, rec, path)
    if waits:
        out["depends_on"] = waits
    return out


# --- image ---------------------------------------------------------------------------------


def _image(service: Service, ctx: ProjectContext, rec: Recorder, path: str) -> vm.Image:
    if service.build is not None:
        rec.ignored("build", "images are built by CI, not by the cluster; the audit reports "
                             "which Dockerfile each service uses")
    pull: PullPolicy | None = None
    if service.pull_policy is not None:
        pull = _PULL_POLICY.get(service.pull_policy)
        if pull is None:
            rec.approximated("pull_policy", f"{path}.image.pullPolicy",
                             f"{service.pull_policy!r} has no Kubernetes equivalent; IfNotPresent")
            pull = "IfNotPresent"
        else:
            rec.converted("pull_policy", f"{path}.image.pullPolicy")
    if service.image is None and service.build is None:
        # Nothing to run: no image to pull and nothing compose could build. An invented
        # repository would deploy something that does not exist; the value stays unset (Helm
        # refuses an enabled service without it) and the service is disabled until it is set.
        rec.record("image", Disposition.NOT_CONVERTIBLE, f"{path}.image.repository",
                   "neither image nor build: nothing to run; the service is disabled and "
                   f"{path}.image.repository is a required value (set it and "
                   f"{path}.enabled: true in values-<env>.yaml)", severity=Severity.HIGH,
                   span=service.origins[0][1] if service.origins else None)
        return vm.Image(repository=None, pull_policy=pull)
    if service.image is None:
        name = f"{ctx.project.name}-{service.name}"
        rec.approximated("image", f"{path}.image", f"no image: compose would build {name!r}; "
                         "push it to a registry and set the repository")
        return vm.Image(repository=name, tag="latest", pull_policy=pull)
    ref = parse_image(service.image)
    if ref.tag is None and ref.digest is None:
        rec.approximated("image", f"{path}.image", "no tag means `latest`: pin a version")
    elif ref.tag == "latest":
        rec.approximated("image", f"{path}.image", "tag `latest` is not reproducible: pin it")
    else:
        rec.converted("image", f"{path}.image")
    return vm.Image(repository=ref.repository, tag=ref.tag or ("latest" if not ref.digest
                                                                  else None),
                    digest=ref.digest, pull_policy=pull)


# --- command and environment ---------------------------------------------------------------


def _command(service: Service, rec: Recorder, path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if service.entrypoint is not None:
        out["command"] = tuple(escape_kubernetes_refs(a) for a in service.entrypoint.argv)
        rec.converted("entrypoint", f"{path}.command")
    if service.command is not None:
        out["args"] = tuple(escape_kubernetes_refs(a) for a in service.command.argv)
        rec.converted("command", f"{path}.args")
    return out


def _environment(service: Service, ctx: ProjectContext, rec: Recorder,
                 path: str) -> dict[str, Any]:
    """Plain values stay in ``env``; secret values move to External Secrets (``secretEnv``);
    values composed from interpolated secrets are rebuilt in the pod (``composedEnv``)."""
    plain: dict[str, str] = {}
    secret: dict[str, vm.SecretKeyRef] = {}
    composed: dict[str, str] = {}
    unset: list[str] = []
    notes: list[str] = []
    for name, value in service.environment.items():
        if value is None:
            unset.append(name)
            continue
        span = service.origin(f"environment.{name}")
        raw = raw_value_at(span, name) if span is not None else None
        composition = compose(name, value, raw)
        if composition is not None and _conflicts(service, composition.secret_refs):
            composition = None  # the pod's own variable of that name holds something else
        if composition is not None and not composition.pure:
            composed[name] = composition.template
            for variable, text in sorted(composition.secret_refs.items()):
                _secret_variable(service, ctx, variable, text, secret)
            sources = tuple(sorted(composition.secret_refs))
            ctx.composed.append((service.name, name, sources))
            notes.append(f"{name} is composed from secret {', '.join(sources)}: rebuilt in the "
                         "pod with $(VAR) references (composedEnv)")
            continue
        if is_secret_value(name, value) or composition is not None:
            shared = next(iter(composition.secret_refs)) if composition is not None else None
            target = ctx.env_secret(service.name, name, shared_from=shared)
            secret[name] = vm.SecretKeyRef(secret_name=target.secret_name, key=target.key)
            ctx.secret_values[value] = name
        else:
            plain[name] = escape_kubernetes_refs(value)
    if not service.environment:
        return {}
    moved = sorted(k for k in secret if k not in composed)
    if moved:
        notes.insert(0, f"{len(moved)} secret value(s) moved to External Secrets "
                        f"({', '.join(moved)})")
    if unset:
        notes.append(f"{', '.join(sorted(unset))} had no value (taken from the shell by "
                     "compose); not set")
    if unset or composed:
        rec.approximated("environment", f"{path}.env", "; ".join(notes))
    else:
        rec.converted("environment", f"{path}.env", "; ".join(notes))
    out: dict[str, Any] = {}
    for variable in [v for v in secret if v in plain]:
        del plain[variable]  # the secret reference wins over a plain value of the same name
    if plain:
        out["env"] = plain
    if secret:
        out["secret_env"] = secret
    if composed:
        out["composed_env"] = composed
    return out


def _task_templates(service: Service, ctx: ProjectContext, out: dict[str, Any],
                    rec: Recorder, path: str) -> dict[str, Any]:
    """Swarm's per-task placeholders in plain env values, read from the pod's own fields
    (once the workload kind is known: only a StatefulSet numbers its pods)."""
    plain: dict[str, str] = out.get("env") or {}
    if not any(has_task_template(v) for v in plain.values()):
        return {}
    expanded = expand_task_templates(plain, ctx.key_of(service.name),
                                     stateful=out.get("kind") == "StatefulSet")
    for variable, notes in sorted(expanded.approximated.items()):
        rec.approximated(f"environment.{variable}", f"{path}.env.{variable}",
                         "Swarm task template: " + "; ".join(notes) + " (fieldEnv)")
    for variable, placeholders in sorted(expanded.unconverted.items()):
        rec.not_convertible(f"environment.{variable}",
                            f"{', '.join(placeholders)}: no pod field holds it; the text is "
                            f"passed on as written (set {path}.env.{variable})",
                            severity=Severity.MEDIUM)
    changed: dict[str, Any] = {"env": expanded.env}
    if expanded.field_env:
        changed["field_env"] = expanded.field_env
    return changed


def _conflicts(service: Service, refs: dict[str, str]) -> bool:
    return any(service.environment.get(v, text) != text for v, text in refs.items())


def _secret_variable(service: Service, ctx: ProjectContext, variable: str, value: str,
                     secret: dict[str, vm.SecretKeyRef]) -> None:
    """Make ``variable`` (a secret interpolated into another value) exist in the pod."""
    if variable in secret:
        return
    target = ctx.env_secret(service.name, variable, shared_from=variable)
    secret[variable] = vm.SecretKeyRef(secret_name=target.secret_name, key=target.key)
    ctx.secret_values[value] = variable


# --- ports and names -------------------------------------------------------------------------


def _ports(service: Service, rec: Recorder, path: str) -> list[vm.Port]:
    ports: dict[tuple[int, str], vm.Port] = {}
    published: list[str] = []
    host_mode = False
    for mapping in service.ports:
        protocol = mapping.protocol.upper()
        if protocol not in ("TCP", "UDP", "SCTP"):
            rec.not_convertible("ports", f"protocol {mapping.protocol!r} is not supported")
            continue
        name = (sanitize_port_name(mapping.name) if mapping.name else None) or port_name(
            protocol, mapping.target)
        ports.setdefault((mapping.target, protocol), vm.Port(
            name=name, container_port=mapping.target, protocol=protocol,  # type: ignore[arg-type]
            app_protocol=mapping.app_protocol))
        if mapping.published:
            published.append(f"{mapping.published}->{mapping.target}")
        host_mode = host_mode or mapping.mode == "host"
    for exposed in service.expose:
        number, _, proto = exposed.partition("/")
        protocol = (proto or "tcp").upper()
        for port in _expand(number):
            ports.setdefault((port, protocol), vm.Port(
                name=port_name(protocol, port), container_port=port,
                protocol=protocol))  # type: ignore[arg-type]
    if service.ports:
        note = "container ports on the Service named after the service"
        if published:
            note += (f"; host ports {', '.join(published)} are not opened on nodes: "
                     "reach it in-cluster by name, or through its Ingress")
        if host_mode:
            note += "; mode host (hostPort) dropped, it conflicts with Pod Security"
        record = rec.approximated if published or host_mode else rec.converted
        record("ports", f"{path}.ports", note)
    if service.expose:
        rec.converted("expose", f"{path}.ports")
    return [ports[k] for k in sorted(ports)]


def _inferred(service: Service, ctx: ProjectContext, rec: Recorder, path: str,
              known: set[int]) -> list[vm.Port]:
    exposed = () if known or service.expose else dockerfile_exposed(service,
                                                                    ctx.options.read_file)
    ports = [p for p in ctx.port_references.inferred_ports(service, exposed)
             if p.port not in known]
    if ports:
        rec.approximated("ports (inferred)", f"{path}.ports", "compose reaches any container "
                         "port on a shared network; the Service also gets " +
                         "; ".join(f"{p.port} ({p.evidence})" for p in ports))
    return [vm.Port(name=port_name("TCP", p.port), container_port=p.port) for p in ports]


def unreachable_name(service: Service, ctx: ProjectContext, rec: Recorder,
                      path: str) -> None:
    """Other services reach this one by name, but no port is known, so no Service (and no
    DNS name) can be made: say where it is used and how to give the port."""
    users = ctx.port_references.referenced_by(service)
    if not users:
        return
    shown = "; ".join(users[:3]) + (f" and {len(users) - 3} more" if len(users) > 3 else "")
    rec.finding("CNV202", Severity.MEDIUM, f"reached by name ({shown}) but no port is known "
                "(no ports/expose, no port in the references, no EXPOSE in its Dockerfile, no "
                "known image): no Service is rendered, so the name does not resolve",
                "image", fix=f"add the port it listens on to {path}.ports (or `expose:` in "
                "compose)")


def _expand(text: str) -> list[int]:
    start, _, end = text.partition("-")
    try:
        first = int(start)
        last = int(end) if end else first
    except ValueError:
        return []
    return list(range(first, min(last, first + 100) + 1))


def _aliases(service: Service, ctx: ProjectContext, rec: Recorder, path: str) -> list[str]:
    """Extra Service names: container_name, network aliases, hostname. A Swarm template
    (``{{.Service.Name}}.{{.Task.Slot}}``) names each task, not the service: Kubernetes names
    each pod itself, so it gives no Service (sanitised, every such service of a stack would
    claim one Service called ``service-name-task-slot``)."""
    key = ctx.key_of(service.name)
    names: list[str] = []
    if service.container_name and not is_task_template(service.container_name):
        alias = ctx.key_of(service.container_name)
        if alias != key:
            names.append(alias)
        rec.converted("container_name", f"{path}.service.aliases",
                      "kept as an extra Service name so hard-coded references keep working")
    elif service.container_name:
        rec.not_convertible("container_name", _TASK_TEMPLATE_NOTE)
    for network in service.networks:
        for alias in network.aliases:
            candidate = ctx.key_of(alias)
            if not is_task_template(alias) and candidate != key and candidate not in names:
                names.append(candidate)
    if service.hostname and not is_task_template(service.hostname) \
            and ctx.key_of(service.hostname) != key:
        candidate = ctx.key_of(service.hostname)
        if candidate not in names:
            names.append(candidate)
    return sorted(names)


_TASK_TEMPLATE_NOTE = ("a Swarm template naming each task: Kubernetes names each pod itself "
                       "(a StatefulSet's pods are <name>-0, <name>-1, reached as "
                       "<pod>.<headless Service>), so no Service is made under it")


# --- probes --------------------------------------------------------------------------------


def _probe(data: dict[str, Any] | None) -> vm.Probe | None:
    if data is None:
        return None
    action: dict[str, Any] = {}
    if "exec" in data:
        action["exec"] = vm.ExecAction(command=tuple(data["exec"]["command"]))
    elif "httpGet" in data:
        http = data["httpGet"]
        action["http_get"] = vm.HttpGetAction(port=http["port"], path=http["path"],
                                              scheme=http["scheme"])
    return vm.Probe(
        **action,
        period_seconds=data["periodSeconds"],
        timeout_seconds=data["timeoutSeconds"],
        failure_threshold=data["failureThreshold"],
        success_threshold=data["successThreshold"],
    )


def _probes(check: Healthcheck | None, rec: Recorder, path: str) -> vm.Probes | None:
    if check is None:
        return None
    kind = (check.kind or HealthcheckKind.CMD).value
    if check.kind is None and not check.args and not check.disable:
        rec.ignored("healthcheck", "only timings given: the image's HEALTHCHECK is not visible "
                                   "to Kubernetes; add a probe in values")
        return None
    result = probes_from_healthcheck(
        kind,  # type: ignore[arg-type]
        check.args,
        interval=check.interval,
        timeout=check.timeout,
        retries=check.retries,
        start_period=check.start_period,
        start_interval=check.start_interval,
        disable=check.disable,
    )
    if result.readiness is None:
        rec.converted("healthcheck", f"{path}.probes", "; ".join(result.notes))
        return None
    rec.converted("healthcheck", f"{path}.probes", "; ".join(result.notes))
    return vm.Probes(liveness=_probe(result.liveness), readiness=_probe(result.readiness),
                     startup=_probe(result.startup))


# --- resources and GPUs --------------------------------------------------------------------


def _resources(service: Service, ctx: ProjectContext, rec: Recorder,
               path: str) -> dict[str, Any]:
    limits: dict[str, str] = {}
    requests: dict[str, str] = {}
    resources = service.deploy.resources if service.deploy is not None else None
    if resources is not None and resources.limits is not None:
        spec = resources.limits
        if spec.cpus is not None:
            limits["cpu"] = cpus_to_quantity(spec.cpus)
            rec.converted("deploy.resources.limits.cpus", f"{path}.resources.limits.cpu")
        if spec.memory is not None:
            limits["memory"] = bytes_to_quantity(spec.memory)
            rec.converted("deploy.resources.limits.memory", f"{path}.resources.limits.memory")
        if spec.pids is not None:
            rec.not_convertible("deploy.resources.limits.pids",
                                "no per-pod PID limit; set podPidsLimit on the nodes")
    if resources is not None and resources.reservations is not None:
        spec = resources.reservations
        if spec.cpus is not None:
            requests["cpu"] = cpus_to_quantity(spec.cpus)
            rec.converted("deploy.resources.reservations.cpus", f"{path}.resources.requests.cpu")
        if spec.memory is not None:
            requests["memory"] = bytes_to_quantity(spec.memory)
            rec.converted("deploy.resources.reservations.memory",
                          f"{path}.resources.requests.memory")
        other_devices = [d for d in spec.devices if "gpu" not in d.capabilities]
        if other_devices:
            rec.not_convertible("deploy.resources.reservations.devices",
                                "non-GPU device reservations need a device plugin")
    if service.mem_limit is not None:
        limits.setdefault("memory", bytes_to_quantity(service.mem_limit))
        rec.converted("mem_limit", f"{path}.resources.limits.memory")
    if service.mem_reservation is not None:
        requests.setdefault("memory", bytes_to_quantity(service.mem_reservation))
        rec.converted("mem_reservation", f"{path}.resources.requests.memory")
    if service.cpus is not None:
        limits.setdefault("cpu", cpus_to_quantity(service.cpus))
        rec.converted("cpus", f"{path}.resources.limits.cpu")
    if service.cpu_shares is not None:
        requests.setdefault("cpu", cpus_to_quantity(service.cpu_shares / 1024))
        rec.approximated("cpu_shares", f"{path}.resources.requests.cpu",
                         "relative weight read as 1024 shares = 1 CPU requested")
    for key in sorted(limits):
        # Kubernetes defaults a missing request to the limit; writing it keeps policies
        # (resources set) satisfied without changing what the scheduler does.
        requests.setdefault(key, limits[key])
        if _exceeds(requests[key], limits[key]):
            rec.finding("CNV101", Severity.MEDIUM,
                        f"reservation {requests[key]} exceeds limit {limits[key]} for {key}; "
                        "Kubernetes refuses requests above limits", "deploy.resources")
    out: dict[str, Any] = {}
    if limits or requests:
        out["resources"] = vm.Resources(
            limits=vm.ResourceList(**limits) if limits else None,
            requests=vm.ResourceList(**requests) if requests else None,
        )
    gpu = _gpu(service, ctx, rec, path)
    if gpu is not None:
        out["gpu"] = gpu
    return out


def _exceeds(request: str, limit: str) -> bool:
    return _quantity_value(request) > _quantity_value(limit)


def _quantity_value(text: str) -> float:
    units = {"m": 1e-3, "Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "Ti": 1024**4}
    for suffix, factor in units.items():
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


def _gpu(service: Service, ctx: ProjectContext, rec: Recorder, path: str) -> vm.GpuRequest | None:
    requests = gpu_requests(service)
    if not requests:
        if service.runtime is not None:
            rec.not_convertible("runtime", f"runtime {service.runtime!r}: set "
                                f"{path}.runtimeClassName if the cluster has it")
        return None
    pool_count = dict(ctx.options.gpus_for_all).get(service.name)
    every = pool_count or ctx.options.gpu_count_for_all
    claim = gpu_claim(service, every)
    total = claim.count if claim is not None else 0
    shared = claim is not None and claim.shared
    notes: list[str] = []
    if shared:
        notes.append("count `all` of a GPU telemetry agent: Docker shares every GPU of the "
                     "machine and nvidia.com/gpu is exclusive, so no GPU is claimed; it runs "
                     "on the pool seeing the node's GPUs (NVIDIA_VISIBLE_DEVICES=all), as "
                     f"dcgm-exporter does on Kubernetes (set {path}.gpu.count to claim some)")
    for request in requests:
        key = request.source.value
        if request.count == ALL and not shared:
            if pool_count:
                how = (f"the {pool_count} GPU(s) per node of its pool"
                       + (f" {ctx.options.gpu_pool}" if ctx.options.gpu_pool else ""))
                rec.finding("CNV500", Severity.INFO, f"{key}: count `all` (every GPU of the "
                            f"machine) -> {pool_count} x nvidia.com/gpu, {how}", key,
                            f"set {path}.gpu.count to use fewer")
            else:
                how = f"the pool's GPUs per node are not known, {every} requested"
                rec.finding("CNV500", Severity.MEDIUM, f"{key}: count `all` (every GPU of the "
                            f"machine) has no Kubernetes equivalent and {how}", key,
                            f"set {path}.gpu.count to the GPUs per node of its pool (or the "
                            "pool's gpusPerNode in the plan)")
            notes.append(f"{key}: count `all` -> {every} ({how})")
        if request.device_ids:
            notes.append(f"{key}: device_ids {','.join(request.device_ids)} cannot be honoured "
                         "by the device plugin; pin the node pool instead")
    for request in requests:
        key = request.source.value
        if notes:
            rec.approximated(key, f"{path}.gpu", "; ".join(notes))
        else:
            rec.converted(key, f"{path}.gpu", f"{total} x nvidia.com/gpu with the GPU "
                                              "toleration")
    return vm.GpuRequest(count=total, shared=True if shared else None,
                         pool=ctx.options.gpu_pool,
                         node_selector_key=ctx.options.gpu_node_selector_key)


# --- everything else -----------------------------------------------------------------------


# Docker's and uname's spellings of architectures, as the kubelet labels them (GOARCH).
_ARCH_ALIASES = {"x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64", "armhf": "arm",
                 "armel": "arm", "i386": "386", "i686": "386"}


# The operating systems a kubelet reports as kubernetes.io/os (its GOOS).
NODE_OPERATING_SYSTEMS = frozenset({"linux", "windows"})


def platform_selector(platform: str) -> dict[str, str]:
    """``os[/arch[/variant]]`` as ``kubernetes.io/os``/``kubernetes.io/arch`` node labels.

    Empty parts give no label: an empty selector value matches no node, so ``platform: ""``
    would make the pod unschedulable."""
    os_name, _, rest = platform.strip().lower().partition("/")
    arch = rest.split("/", 1)[0].strip()
    selector: dict[str, str] = {}
    if os_name.strip() and os_name.strip() not in NODE_OPERATING_SYSTEMS:
        # `wasi/wasm` (WebAssembly) names no machine: Wasm pods run on Linux nodes through a
        # RuntimeClass, and no kubelet ever reports kubernetes.io/os=wasi.
        return selector
    if os_name.strip():
        selector["kubernetes.io/os"] = os_name.strip()
    if arch:
        selector["kubernetes.io/arch"] = _ARCH_ALIASES.get(arch, arch)
    return selector


def _host_aliases(service: Service) -> tuple[dict[str, list[str]], list[str]]:
    """extra_hosts grouped by IP, and the entries whose address is no IP (``host-gateway``,
    a name), which a pod's hostAliases cannot hold."""
    by_ip: dict[str, list[str]] = {}
    dropped: list[str] = []
    for entry in service.extra_hosts:
        address = entry.address.strip()
        if address.startswith("[") and address.endswith("]"):
            address = address[1:-1]
        try:
            ip = str(ipaddress.ip_address(address))
        except ValueError:
            dropped.append(f"{entry.hostname}:{entry.address}")
            continue
        by_ip.setdefault(ip, []).append(entry.hostname)
    return by_ip, dropped


def _profiles(service: Service, ctx: ProjectContext, rec: Recorder, path: str) -> None:
    names = ", ".join(service.profiles)
    if ctx.project.is_active(service):
        rec.converted("profiles", f"{path}.enabled", f"profile {names} active for this "
                      "conversion: enabled")
    else:
        rec.converted("profiles", f"{path}.enabled", f"profile {names} not active: kept "
                      f"with enabled: false (set {path}.enabled: true where compose would run "
                      f"--profile {service.profiles[0]})")


def _misc(service: Service, ctx: ProjectContext, rec: Recorder, path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if service.working_dir is not None:
        out["working_dir"] = service.working_dir
        rec.converted("working_dir", f"{path}.workingDir")
    if service.extra_hosts:
        by_ip, dropped = _host_aliases(service)
        if by_ip:
            out["host_aliases"] = tuple(vm.HostAlias(ip=ip, hostnames=tuple(names))
                                        for ip, names in sorted(by_ip.items()))
            rec.converted("extra_hosts", f"{path}.hostAliases")
        if dropped:
            rec.not_convertible(
                "extra_hosts",
                f"{', '.join(dropped)}: hostAliases take an IP address only (the API server "
                "rejects anything else; Docker's host-gateway has no pod equivalent); point the "
                "application at a Service or an ExternalName Service for the host instead",
                severity=Severity.MEDIUM)
    if service.dns:
        out["dns_config"] = vm.DnsConfig(nameservers=service.dns)
        rec.converted("dns", f"{path}.dnsConfig")
    if service.hostname is not None and is_task_template(service.hostname):
        rec.not_convertible("hostname", _TASK_TEMPLATE_NOTE)
    elif service.hostname is not None:
        rec.converted("hostname", f"{path}.service.aliases",
                      "the pod keeps its own name; the hostname becomes a Service alias")
    if service.domainname is not None:
        rec.not_convertible("domainname", "set a subdomain with a headless Service instead")
    if service.labels:
        pod = as_annotations({k: v for k, v in service.labels.items()
                              if not k.lower().startswith(("traefik.", "keel.sh/"))})
        if pod.values:
            out["pod_annotations"] = pod.values
        note = ("labels become pod annotations (label values allow no spaces); traefik.* "
                "labels drive the Ingress")
        if pod.note():
            rec.approximated("labels", f"{path}.podAnnotations", f"{note}; {pod.note()}")
        else:
            rec.converted("labels", f"{path}.podAnnotations", note)
    tty = service.other.get("tty")
    if tty is not None:
        out["tty"] = bool(tty)
        rec.converted("tty", f"{path}.tty")
    stdin = service.other.get("stdin_open")
    if stdin is not None:
        out["stdin"] = bool(stdin)
        rec.converted("stdin_open", f"{path}.stdin")
    for key in sorted(service.other):
        if key in ("tty", "stdin_open", "annotations"):
            continue
        row = treatment(key)
        note = row.note if row is not None and row.note else "no Kubernetes equivalent"
        if row is not None and row.status == "ignored":
            rec.ignored(key, note)
        else:
            rec.not_convertible(key, note)
    if service.logging is not None:
        rec.ignored("logging", "cluster log collection replaces logging drivers")
    if service.profiles:
        _profiles(service, ctx, rec, path)
    if service.stop_signal is not None:
        rec.not_convertible("stop_signal", "set STOPSIGNAL in the image")
    if service.init is not None:
        if service.init:
            rec.not_convertible("init", "add an init process (tini) to the image")
        else:
            rec.ignored("init", "init: false is the Kubernetes default")
    if service.platform is not None:
        selector = platform_selector(service.platform)
        if selector:
            out["node_selector"] = selector
            rec.converted("platform", f"{path}.nodeSelector")
        elif service.platform.strip().lower().split("/", 1)[0] not in ("", *sorted(
                NODE_OPERATING_SYSTEMS)):
            rec.approximated("platform", f"{path}.runtimeClassName",
                             f"platform {service.platform!r} is no node operating system (no "
                             "node reports it, so a node selector would never match); it runs "
                             "on Linux nodes through a RuntimeClass for its runtime: set "
                             f"{path}.runtimeClassName to one the cluster has")
        else:
            rec.ignored("platform", f"platform {service.platform!r} names no OS or "
                                    "architecture; no node selector")
    annotations = service.other.get("annotations")
    if annotations is not None:
        given = as_annotations({str(k): v for k, v in thaw(annotations).items()})
        out.setdefault("pod_annotations", {}).update(given.values)
        if given.note():
            rec.approximated("annotations", f"{path}.podAnnotations", given.note())
        else:
            rec.converted("annotations", f"{path}.podAnnotations")
    if service.extensions:
        rec.ignored("x-*", f"extension fields {', '.join(sorted(service.extensions))}")
    return out
