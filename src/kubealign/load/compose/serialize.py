"""The typed project back to Compose data, in the shape of ``docker compose config``.

``project_to_compose_json`` gives the same structure as ``docker compose config --format
json`` (services by name, ports as objects, environment as a mapping, long-form volumes,
durations in Go notation, byte sizes as strings of bytes), so users and tools can diff the
two. Mapping keys are sorted, so output is byte-identical across runs.

Like Compose, ``$`` in values is written ``$$`` (the output is a loadable compose file) and
top-level networks, volumes, secrets and configs that no service uses are left out (the
typed model keeps them).

Deliberate differences from Docker Compose (the differential tests normalise these):
Compose invents runtime names (``name: <project>_<key>`` on networks and volumes, a
``default`` network) and prints ``command: null``; we print only what the files say.
Service-level ``x-*`` extensions are kept (Compose drops them from JSON).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import yaml

from kubealign.model.compose import (
    ALL,
    Build,
    Command,
    Deploy,
    DeviceRequest,
    FileReference,
    Healthcheck,
    Network,
    PortMapping,
    Project,
    ResourceSpec,
    SecretDefinition,
    Service,
    UpdateConfig,
    Volume,
    VolumeMount,
    thaw,
)
from kubealign.model.secret_names import is_secret_name

MASK = "********"
# --------------------------------------------------------------------------- units


def go_duration(seconds: float) -> str:
    """Seconds in Go's ``time.Duration`` notation, as Compose prints them (``1m30s``)."""
    nanos = int((Decimal(str(seconds)) * 1_000_000_000).to_integral_value())
    if nanos == 0:
        return "0s"
    sign = "-" if nanos < 0 else ""
    nanos = abs(nanos)
    if nanos < 1_000:
        return f"{sign}{nanos}ns"
    if nanos < 1_000_000:
        return f"{sign}{_fraction(nanos, 1_000)}µs"
    if nanos < 1_000_000_000:
        return f"{sign}{_fraction(nanos, 1_000_000)}ms"
    hours, rest = divmod(nanos, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    text = f"{hours}h" if hours else ""
    if hours or minutes:
        text += f"{minutes}m"
    return f"{sign}{text}{_fraction(rest, 1_000_000_000)}s"


def _fraction(value: int, unit: int) -> str:
    whole, rest = divmod(value, unit)
    if not rest:
        return str(whole)
    digits = str(rest).rjust(len(str(unit)) - 1, "0").rstrip("0")
    return f"{whole}.{digits}"


def _cpus(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def _drop_none(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


# --------------------------------------------------------------------------- services


def _command(command: Command | None) -> list[str] | None:
    return None if command is None else list(command.argv)


def _build(build: Build) -> dict[str, Any]:
    data: dict[str, Any] = thaw(build.other)
    data.update(
        _drop_none(
            {
                "context": build.context,
                # Compose fills in its default Dockerfile name unless the file is inline
                "dockerfile": build.dockerfile
                or (None if build.dockerfile_inline else "Dockerfile"),
                "dockerfile_inline": build.dockerfile_inline,
                "target": build.target,
                # an arg without a value that the environment did not fill is left out
                "args": {k: v for k, v in build.args.items() if v is not None} or None,
            }
        )
    )
    return data


def _port(port: PortMapping) -> dict[str, Any]:
    return _drop_none(
        {
            "name": port.name,
            "mode": port.mode,
            "host_ip": port.host_ip,
            "target": port.target,
            "published": port.published,
            "protocol": port.protocol,
            "app_protocol": port.app_protocol,
        }
    )


def _volume_mount(mount: VolumeMount) -> dict[str, Any]:
    data: dict[str, Any] = {"type": mount.type, "source": mount.source, "target": mount.target}
    if mount.read_only:
        data["read_only"] = True
    data["consistency"] = mount.consistency
    if mount.bind is not None:
        data["bind"] = _drop_none(
            {
                "propagation": mount.bind.propagation,
                "create_host_path": mount.bind.create_host_path,
                "selinux": mount.bind.selinux,
            }
        )
    if mount.volume is not None:
        options = mount.volume
        data["volume"] = _drop_none({"nocopy": options.nocopy or None, "subpath": options.subpath})
    if mount.tmpfs is not None:
        data["tmpfs"] = _drop_none(
            {
                "size": str(mount.tmpfs.size) if mount.tmpfs.size is not None else None,
                "mode": mount.tmpfs.mode,
            }
        )
    if mount.image is not None:
        data["image"] = _drop_none({"subpath": mount.image.subpath})
    data.update(thaw(mount.extensions))
    return _drop_none(data)


def _file_reference(ref: FileReference) -> dict[str, Any]:
    return _drop_none(
        {
            "source": ref.source,
            "target": ref.target,
            "uid": ref.uid,
            "gid": ref.gid,
            "mode": f"0{ref.mode:o}" if ref.mode is not None else None,
        }
    )


def _healthcheck(check: Healthcheck) -> dict[str, Any]:
    durations = {
        "interval": check.interval,
        "timeout": check.timeout,
        "start_period": check.start_period,
        "start_interval": check.start_interval,
    }
    data: dict[str, Any] = {
        "test": [check.kind.value, *check.args] if check.kind is not None else None,
        "retries": check.retries,
        "disable": True if check.disable else None,
    }
    data.update({k: go_duration(v) for k, v in durations.items() if v is not None})
    return _drop_none(data)


def _device(device: DeviceRequest) -> dict[str, Any]:
    return _drop_none(
        {
            "capabilities": list(device.capabilities) or None,
            "driver": device.driver,
            # Compose prints `all` as -1
            "count": -1 if device.count == ALL else device.count,
            "device_ids": list(device.device_ids) or None,
            "options": dict(device.options) or None,
        }
    )


def _resource_spec(spec: ResourceSpec) -> dict[str, Any]:
    return _drop_none(
        {
            "cpus": _cpus(spec.cpus) if spec.cpus is not None else None,
            "memory": str(spec.memory) if spec.memory is not None else None,
            "pids": spec.pids,
            "devices": [_device(d) for d in spec.devices] or None,
            "generic_resources": [
                {"discrete_resource_spec": {"kind": r.kind, "value": r.value}}
                for r in spec.generic_resources
            ]
            or None,
        }
    )


def _update_config(config: UpdateConfig) -> dict[str, Any]:
    return _drop_none(
        {
            "parallelism": config.parallelism,
            "delay": go_duration(config.delay) if config.delay is not None else None,
            "failure_action": config.failure_action,
            "monitor": go_duration(config.monitor) if config.monitor is not None else None,
            "max_failure_ratio": config.max_failure_ratio,
            "order": config.order,
        }
    )


def _deploy(deploy: Deploy) -> dict[str, Any]:
    data: dict[str, Any] = {
        "mode": deploy.mode,
        "replicas": deploy.replicas,
        "endpoint_mode": deploy.endpoint_mode,
        "labels": dict(deploy.labels) or None,
    }
    # Compose always prints `resources` and `placement`, empty when not written
    data["resources"] = data["placement"] = {}
    if deploy.resources is not None:
        limits, reservations = deploy.resources.limits, deploy.resources.reservations
        data["resources"] = _drop_none(
            {
                "limits": _resource_spec(limits) if limits is not None else None,
                "reservations": _resource_spec(reservations) if reservations is not None else None,
            }
        )
    if deploy.placement is not None:
        placement = deploy.placement
        data["placement"] = _drop_none(
            {
                "constraints": [str(c) for c in placement.constraints] or None,
                "preferences": [{"spread": p.spread} for p in placement.preferences] or None,
                "max_replicas_per_node": placement.max_replicas_per_node,
            }
        )
    if deploy.restart_policy is not None:
        policy = deploy.restart_policy
        data["restart_policy"] = _drop_none(
            {
                "condition": policy.condition,
                "delay": go_duration(policy.delay) if policy.delay is not None else None,
                "max_attempts": policy.max_attempts,
                "window": go_duration(policy.window) if policy.window is not None else None,
            }
        )
    if deploy.update_config is not None:
        data["update_config"] = _update_config(deploy.update_config)
    if deploy.rollback_config is not None:
        data["rollback_config"] = _update_config(deploy.rollback_config)
    return _drop_none(data)


def _environment(service: Service, mask_secrets: bool) -> dict[str, str | None]:
    return {
        name: (MASK if mask_secrets and value and is_secret_name(name) else value)
        for name, value in service.environment.items()
    }


def _networks(service: Service) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for net in service.networks:
        if net.short:
            data[net.name] = None
            continue
        body = thaw(net.other)
        body.update(
            _drop_none(
                {
                    "aliases": list(net.aliases) or None,
                    "ipv4_address": net.ipv4_address,
                    "ipv6_address": net.ipv6_address,
                    "priority": net.priority,
                }
            )
        )
        data[net.name] = body or None
    return data


def _bytes_text(value: int | None) -> str | None:
    return None if value is None else str(value)


def service_to_compose(service: Service, *, mask_secrets: bool = False) -> dict[str, Any]:
    """One service as ``docker compose config`` prints it."""
    data: dict[str, Any] = thaw(service.other)
    data.update(thaw(service.unknown))
    data.update(thaw(service.extensions))
    gpus: Any = None
    if service.gpus == ALL:
        gpus = [{"count": -1}]
    elif isinstance(service.gpus, tuple):
        gpus = [_device(d) for d in service.gpus]
    typed: dict[str, Any] = {
        "image": service.image,
        "build": _build(service.build) if service.build is not None else None,
        "command": _command(service.command),
        "entrypoint": _command(service.entrypoint),
        "environment": _environment(service, mask_secrets) or None,
        "ports": [_port(p) for p in service.ports] or None,
        "expose": list(service.expose) or None,
        "volumes": [_volume_mount(v) for v in service.volumes] or None,
        "secrets": [_file_reference(s) for s in service.secrets] or None,
        "configs": [_file_reference(c) for c in service.configs] or None,
        "depends_on": {
            d.service: _drop_none(
                {
                    "condition": d.condition,
                    "required": d.required,
                    "restart": True if d.restart else None,
                }
            )
            for d in service.depends_on
        }
        or None,
        "healthcheck": _healthcheck(service.healthcheck)
        if service.healthcheck is not None
        else None,
        "deploy": _deploy(service.deploy) if service.deploy is not None else None,
        "gpus": gpus,
        "runtime": service.runtime,
        "mem_limit": _bytes_text(service.mem_limit),
        "mem_reservation": _bytes_text(service.mem_reservation),
        "cpus": _cpus(service.cpus) if service.cpus is not None else None,
        "cpu_shares": service.cpu_shares,
        "shm_size": _bytes_text(service.shm_size),
        "restart": service.restart,
        "user": service.user,
        "working_dir": service.working_dir,
        # printed only when true, as Compose does
        "read_only": service.read_only or None,
        "privileged": service.privileged or None,
        "init": service.init,
        "cap_add": list(service.cap_add) or None,
        "cap_drop": list(service.cap_drop) or None,
        "security_opt": list(service.security_opt) or None,
        "sysctls": dict(service.sysctls) or None,
        "ulimits": {
            u.name: u.soft if u.single else {"soft": u.soft, "hard": u.hard}
            for u in service.ulimits
        }
        or None,
        "tmpfs": list(service.tmpfs) or None,
        "stop_signal": service.stop_signal,
        "stop_grace_period": go_duration(service.stop_grace_period)
        if service.stop_grace_period is not None
        else None,
        "hostname": service.hostname,
        "domainname": service.domainname,
        "container_name": service.container_name,
        "extra_hosts": [f"{h.hostname}={h.address}" for h in service.extra_hosts] or None,
        "dns": list(service.dns) or None,
        "labels": dict(service.labels) or None,
        "networks": _networks(service) or None,
        "network_mode": service.network_mode,
        "ipc": service.ipc,
        "pid": service.pid,
        "logging": _drop_none(
            {"driver": service.logging.driver, "options": dict(service.logging.options) or None}
        )
        if service.logging is not None
        else None,
        "profiles": list(service.profiles) or None,
        "platform": service.platform,
        "pull_policy": service.pull_policy,
    }
    data.update(_drop_none(typed))
    return data


# --------------------------------------------------------------------------- top level


def _external_fields(external: bool, name: str | None) -> dict[str, Any]:
    return _drop_none({"name": name, "external": True if external else None})


def _network(network: Network) -> dict[str, Any]:
    data: dict[str, Any] = thaw(network.other)
    data.update(_external_fields(network.external, network.external_name))
    data.update(
        _drop_none(
            {
                "driver": network.driver,
                "driver_opts": dict(network.driver_opts) or None,
                "attachable": network.attachable,
                "internal": network.internal,
                "labels": dict(network.labels) or None,
            }
        )
    )
    return data


def _volume(volume: Volume) -> dict[str, Any]:
    data: dict[str, Any] = thaw(volume.other)
    data.update(_external_fields(volume.external, volume.external_name))
    data.update(
        _drop_none(
            {
                "driver": volume.driver,
                "driver_opts": dict(volume.driver_opts) or None,
                "labels": dict(volume.labels) or None,
            }
        )
    )
    return data


def _definition(definition: SecretDefinition) -> dict[str, Any]:
    data: dict[str, Any] = thaw(definition.other)
    data.update(_external_fields(definition.external, definition.external_name))
    data.update(
        _drop_none(
            {
                "file": definition.file,
                "environment": definition.environment,
                "content": definition.content,
                "driver": definition.driver,
                "template_driver": definition.template_driver,
                "labels": dict(definition.labels) or None,
            }
        )
    )
    return data


def project_to_compose_json(project: Project, *, mask_secrets: bool = False) -> dict[str, Any]:
    """The project in the shape of ``docker compose config --format json``, keys sorted."""
    data: dict[str, Any] = thaw(project.other)
    data.update(thaw(project.extensions))
    data["name"] = project.name
    data["services"] = {
        s.name: service_to_compose(s, mask_secrets=mask_secrets) for s in project.services
    }
    used = _used_resources(project)
    sections = {
        "networks": {n.name: _network(n) for n in project.networks if n.name in used["networks"]},
        "volumes": {v.name: _volume(v) for v in project.volumes if v.name in used["volumes"]},
        "secrets": {s.name: _definition(s) for s in project.secrets if s.name in used["secrets"]},
        "configs": {c.name: _definition(c) for c in project.configs if c.name in used["configs"]},
    }
    data.update({key: value for key, value in sections.items() if value})
    result: dict[str, Any] = _sorted_escaped(data)
    return result


def _used_resources(project: Project) -> dict[str, set[str]]:
    """Top-level resources some service refers to; Compose prints only those."""
    used: dict[str, set[str]] = {
        "networks": set(),
        "volumes": set(),
        "secrets": set(),
        "configs": set(),
    }
    for service in project.services:
        used["networks"].update(n.name for n in service.networks)
        used["volumes"].update(
            v.source for v in service.volumes if v.type == "volume" and v.source is not None
        )
        used["secrets"].update(s.source for s in service.secrets)
        used["configs"].update(c.source for c in service.configs)
        build_secrets = service.build.other.get("secrets", ()) if service.build else ()
        for item in build_secrets:
            used["secrets"].add(item if isinstance(item, str) else str(item.get("source")))
    return used


def _sorted_escaped(value: Any) -> Any:
    """Keys sorted; ``$`` in string values written ``$$``, as ``docker compose config`` does,
    so that the output is itself a compose file that resolves to the same values."""
    if isinstance(value, dict):
        return {k: _sorted_escaped(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted_escaped(v) for v in value]
    if isinstance(value, str):
        return value.replace("$", "$$")
    return value


def dump_json(data: Mapping[str, Any]) -> str:
    """Deterministic JSON text (two-space indent, like ``docker compose config``)."""
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


class _ComposeDumper(yaml.SafeDumper):
    """Block-style YAML; multi-line strings as literal blocks for readability."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ComposeDumper.add_representer(str, _represent_str)


def dump_yaml(data: Mapping[str, Any]) -> str:
    """Deterministic YAML text. Strings that a YAML 1.1 reader would mistake for booleans or
    numbers (``on``, ``22:22``) are quoted, so every reader sees what we mean."""
    return yaml.dump(
        dict(data),
        Dumper=_ComposeDumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
        width=100,
    )
