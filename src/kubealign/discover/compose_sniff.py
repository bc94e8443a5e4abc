"""Recognise compose files and Swarm stacks in parsed YAML, and list the files they use.

This looks at raw YAML data only (no interpolation, no merging): it is enough to tell a
compose file from other YAML and to find the files it mounts. The full Compose model is
the loader's job.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from typing import Any

from kubealign.model.inventory import ComposeInfo, FileReference
from kubealign.model.source import pointer

#: Keys that only a compose service has; one of them on a `services:` entry is enough.
_SERVICE_KEYS = frozenset(
    {
        "image", "build", "command", "entrypoint", "ports", "expose", "environment",
        "env_file", "volumes", "deploy", "depends_on", "extends", "networks",
        "container_name", "restart", "healthcheck", "profiles", "secrets", "configs",
        "working_dir", "gpus", "runtime", "privileged", "cap_add", "logging", "ulimits",
        "devices", "mem_limit", "cpus", "network_mode", "stdin_open", "tty", "labels",
    }
)  # fmt: skip

#: Keys under `deploy:` that Docker Compose ignores and only Swarm acts on.
_SWARM_DEPLOY_KEYS = ("placement", "update_config", "rollback_config", "endpoint_mode", "labels")
_SWARM_MODES = frozenset({"global", "replicated-job", "global-job"})


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _names(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    return tuple(sorted(str(name) for name in _mapping(data.get(key))))


def compose_evidence(data: Any) -> str | None:
    """Why ``data`` is a compose file, or None when it is not one."""
    if not isinstance(data, Mapping) or "apiVersion" in data:
        return None
    services = data.get("services")
    if isinstance(services, Mapping) and services:
        entries = [entry for entry in services.values() if isinstance(entry, Mapping)]
        if entries and any(_SERVICE_KEYS.intersection(entry) for entry in entries):
            return "top-level services: mapping whose entries have compose service keys"
    return None


def swarm_keys(data: Mapping[str, Any]) -> tuple[str, ...]:
    """JSON pointers of the settings that make sense only to ``docker stack deploy``."""
    found: list[str] = []
    for name, service in _mapping(data.get("services")).items():
        deploy = _mapping(_mapping(service).get("deploy"))
        found.extend(
            pointer("services", name, "deploy", k) for k in _SWARM_DEPLOY_KEYS if k in deploy
        )
        if deploy.get("mode") in _SWARM_MODES:
            found.append(pointer("services", name, "deploy", "mode"))
        reservations = _mapping(_mapping(deploy.get("resources")).get("reservations"))
        if "generic_resources" in reservations:
            found.append(
                pointer(
                    "services", name, "deploy", "resources", "reservations", "generic_resources"
                )
            )
    for name, network in _mapping(data.get("networks")).items():
        if _mapping(network).get("driver") == "overlay":
            found.append(pointer("networks", name, "driver"))
    return tuple(sorted(found))


# --------------------------------------------------------------------------- file references


def _is_relative_path(text: str) -> bool:
    return text.startswith(".") and "$" not in text


def _env_files(service: Mapping[str, Any]) -> Iterator[tuple[str, str, int | None]]:
    value = service.get("env_file")
    if isinstance(value, str):
        yield ("env_file", value, None)
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            path = item.get("path") if isinstance(item, Mapping) else item
            if isinstance(path, str):
                yield ("env_file", path, index)


def _bind_sources(service: Mapping[str, Any]) -> Iterator[tuple[str, int]]:
    volumes = service.get("volumes")
    if not isinstance(volumes, list):
        return
    for index, volume in enumerate(volumes):
        if isinstance(volume, str):
            source = volume.split(":", 1)[0] if ":" in volume else ""
        elif isinstance(volume, Mapping) and volume.get("type", "bind") == "bind":
            source = volume.get("source", "")
        else:
            continue
        if isinstance(source, str) and _is_relative_path(source):
            yield (source, index)


def _build_dockerfile(service: Mapping[str, Any]) -> tuple[str, str] | None:
    """(path, pointer suffix) of the Dockerfile a service builds, when it is local."""
    build = service.get("build")
    if isinstance(build, str):
        context, dockerfile = build, "Dockerfile"
    elif isinstance(build, Mapping):
        if "dockerfile_inline" in build:
            return None  # the Dockerfile lives inside the compose file
        context = build.get("context", ".")
        dockerfile = build.get("dockerfile", "Dockerfile")
        if not isinstance(context, str) or not isinstance(dockerfile, str):
            return None
    else:
        return None
    if "$" in context or "$" in dockerfile or "://" in context or context.startswith("/"):
        return None
    return posixpath.join(context, dockerfile), "build"


def _raw_references(data: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(key, pointer, path as written) for every local file the compose file names."""
    for name, raw_service in _mapping(data.get("services")).items():
        service = _mapping(raw_service)
        for key, path, index in _env_files(service):
            ptr = (
                pointer("services", name, "env_file")
                if index is None
                else pointer("services", name, "env_file", index)
            )
            if "$" not in path:
                yield (key, ptr, path)
        for source, index in _bind_sources(service):
            yield ("volume", pointer("services", name, "volumes", index), source)
        extends = _mapping(service.get("extends")).get("file")
        if isinstance(extends, str) and "$" not in extends:
            yield ("extends", pointer("services", name, "extends", "file"), extends)
        built = _build_dockerfile(service)
        if built is not None:
            yield ("build", pointer("services", name, built[1]), built[0])
    for section, key in (("configs", "config"), ("secrets", "secret")):
        for name, entry in _mapping(data.get(section)).items():
            file = _mapping(entry).get("file")
            if isinstance(file, str) and "$" not in file:
                yield (key, pointer(section, name, "file"), file)
    includes = data.get("include")
    if isinstance(includes, list):
        for index, item in enumerate(includes):
            included = item.get("path") if isinstance(item, Mapping) else item
            if isinstance(included, str) and "$" not in included:
                yield ("include", pointer("include", index), included)


def normalise(base_dir: str, path: str) -> str:
    """``path`` relative to ``base_dir``, as a normalised root-relative POSIX path ("." = root)."""
    return (
        posixpath.normpath(posixpath.join(base_dir, path)) if base_dir else posixpath.normpath(path)
    )


def compose_info(data: Mapping[str, Any], compose_path: str, known: frozenset[str]) -> ComposeInfo:
    """Summary of a compose file; ``known`` holds every walked file and directory."""
    base_dir = posixpath.dirname(compose_path)
    references = []
    for key, ptr, raw in _raw_references(data):
        if raw.startswith(("/", "~")):
            continue  # a host path: outside the repository by construction
        resolved = normalise(base_dir, raw)
        exists = resolved == "." or resolved in known
        references.append(FileReference(key, ptr, resolved, exists))
    return ComposeInfo(
        services=_names(data, "services"),
        networks=_names(data, "networks"),
        volumes=_names(data, "volumes"),
        secrets=_names(data, "secrets"),
        configs=_names(data, "configs"),
        swarm_keys=swarm_keys(data),
        references=tuple(sorted(references, key=lambda r: (r.pointer, r.path))),
    )
