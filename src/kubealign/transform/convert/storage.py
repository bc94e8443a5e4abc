"""Volumes, tmpfs, shm, configs and secrets of one service.

Named volumes become PersistentVolumeClaims; a read-only bind-mounted *file* becomes a
ConfigMap entry mounted at the same path with the same mode (the content is embedded so it
arrives byte-identical); a bind-mounted *directory* is reported, never guessed at, because
on a cluster there is no host checkout to mount. Secrets are only ever references.
"""

from __future__ import annotations

import base64
import stat
from pathlib import Path
from typing import Any

from kubealign.model.compose import Service, VolumeMount
from kubealign.model.findings import Severity
from kubealign.transform import values_model as vm
from kubealign.transform.convert.context import ProjectContext
from kubealign.transform.convert.recorder import Recorder
from kubealign.transform.naming import dns_label
from kubealign.transform.quantities import bytes_to_quantity

DEFAULT_SECRET_MODE = 0o444
DEFAULT_CONFIG_MODE = 0o444
_DOCKER_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")


def convert_storage(service: Service, ctx: ProjectContext, rec: Recorder,
                    path: str) -> dict[str, Any]:
    persistence: dict[str, vm.PersistentVolume] = {}
    config_files: dict[str, vm.ConfigFile] = {}
    secret_files: dict[str, vm.SecretFile] = {}
    tmpfs: list[vm.TmpfsMount] = []
    writable: list[vm.WritablePath] = []
    notes: list[str] = []
    worst = "converted"

    for mount in service.volumes:
        outcome = _mount(mount, service, ctx, rec, path, persistence, config_files, tmpfs,
                         writable)
        notes.append(outcome[1])
        worst = _worse(worst, outcome[0])
    if service.volumes:
        _record(rec, "volumes", worst, f"{path}.persistence", "; ".join(n for n in notes if n))

    for entry in service.tmpfs:
        target, _, options = entry.partition(":")
        size = None
        for option in options.split(","):
            if option.startswith("size="):
                size = option[5:]
        tmpfs.append(vm.TmpfsMount(mount_path=target, size_limit=_size(size)))
    if service.tmpfs:
        rec.converted("tmpfs", f"{path}.tmpfs", "memory-backed emptyDir (counts against the "
                                                "memory limit)")
    shm = None
    if service.shm_size is not None:
        shm = bytes_to_quantity(service.shm_size)
        rec.converted("shm_size", f"{path}.shmSize", "memory emptyDir mounted at /dev/shm")

    for ref in service.configs:
        _config(ref.source, ref.target, ref.mode, service, ctx, rec, path, config_files)
    if service.configs:
        rec.converted("configs", f"{path}.configFiles", "ConfigMap entries at the same path "
                                                        "and mode, content byte-identical")

    for ref in service.secrets:
        secret_target = ctx.secret_targets.get(ref.source)
        definition = ctx.secret(ref.source)
        if secret_target is None or definition is None:
            rec.not_convertible("secrets", f"secret {ref.source!r} is not defined at the top "
                                           "level", severity=Severity.HIGH)
            continue
        mount_path = ref.target or ref.source
        if not mount_path.startswith("/"):
            mount_path = f"/run/secrets/{mount_path}"
        secret_files[dns_label(ref.source)] = vm.SecretFile(
            secret_name=secret_target.secret_name, key=secret_target.key, mount_path=mount_path,
            mode=ref.mode if ref.mode is not None else DEFAULT_SECRET_MODE)
    if service.secrets:
        rec.converted("secrets", f"{path}.secretFiles", "Secrets from External Secrets mounted "
                                                        "at the paths the application reads")

    out: dict[str, Any] = {}
    if persistence:
        out["persistence"] = persistence
    if config_files:
        out["config_files"] = config_files
    if secret_files:
        out["secret_files"] = secret_files
    if tmpfs:
        out["tmpfs"] = tuple(tmpfs)
    if shm:
        out["shm_size"] = shm
    if writable:
        out["writable_paths"] = tuple(writable)
    return out


_ORDER = ("converted", "approximated", "not-convertible")


def _worse(a: str, b: str) -> str:
    return a if _ORDER.index(a) >= _ORDER.index(b) else b


def _record(rec: Recorder, key: str, status: str, target: str, note: str) -> None:
    if status == "converted":
        rec.converted(key, target, note)
    elif status == "approximated":
        rec.approximated(key, target, note)
    else:
        rec.not_convertible(key, note)


def _size(text: str | None) -> str | None:
    if not text:
        return None
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    lowered = text.lower().rstrip("b")
    if lowered and lowered[-1] in units:
        return bytes_to_quantity(int(float(lowered[:-1]) * units[lowered[-1]]))
    return bytes_to_quantity(int(lowered)) if lowered.isdigit() else None


def _mount(
    mount: VolumeMount,
    service: Service,
    ctx: ProjectContext,
    rec: Recorder,
    path: str,
    persistence: dict[str, vm.PersistentVolume],
    config_files: dict[str, vm.ConfigFile],
    tmpfs: list[vm.TmpfsMount],
    writable: list[vm.WritablePath],
) -> tuple[str, str]:
    if mount.type == "tmpfs":
        size = mount.tmpfs.size if mount.tmpfs is not None else None
        tmpfs.append(vm.TmpfsMount(mount_path=mount.target,
                                   size_limit=bytes_to_quantity(size) if size else None))
        return "converted", f"{mount.target}: tmpfs -> memory emptyDir"
    if mount.type == "volume" and mount.source:
        return _named_volume(mount, service, ctx, persistence)
    if mount.type == "volume":
        writable.append(vm.WritablePath(mount_path=mount.target))
        return "approximated", (f"{mount.target}: anonymous volume -> emptyDir (lost when the "
                                "pod is replaced)")
    if mount.type == "bind" and mount.source:
        return _bind(mount, service, ctx, rec, config_files)
    return "not-convertible", f"{mount.target}: {mount.type} mounts have no equivalent"


def _named_volume(mount: VolumeMount, service: Service, ctx: ProjectContext,
                  persistence: dict[str, vm.PersistentVolume]) -> tuple[str, str]:
    assert mount.source is not None
    name = mount.source
    key = dns_label(name, limit=42)
    users = ctx.volume_users.get(name, [service.name])
    owner = ctx.volume_owner.get(name, service.name)
    definition = ctx.volume(name)
    sub_path = mount.volume.subpath if mount.volume is not None else None
    shared = len(users) > 1
    claim = None
    if definition is not None and definition.external:
        claim = dns_label(definition.external_name or name)
    elif shared and owner != service.name:
        claim = f"{ctx.key_of(owner)}-{key}"
    persistence[key] = vm.PersistentVolume(
        mount_path=mount.target,
        sub_path=sub_path,
        read_only=True if mount.read_only else None,
        size=ctx.options.default_volume_size,
        storage_class=ctx.options.storage_class,
        access_modes=("ReadWriteMany",) if shared else None,
        claim_name=claim,
    )
    if definition is not None and definition.external:
        return "approximated", (f"{mount.target}: external volume {name!r} -> existing claim "
                                f"{claim!r} (create it before deploying)")
    if shared:
        return "approximated", (f"{mount.target}: volume {name!r} is shared by "
                                f"{', '.join(sorted(users))}: ReadWriteMany storage needed")
    return "converted", f"{mount.target}: volume {name!r} -> PersistentVolumeClaim"


def _bind(mount: VolumeMount, service: Service, ctx: ProjectContext, rec: Recorder,
          config_files: dict[str, vm.ConfigFile]) -> tuple[str, str]:
    assert mount.source is not None
    source = mount.source
    if source in _DOCKER_SOCKETS or mount.target in _DOCKER_SOCKETS:
        rec.finding("CNV201", Severity.HIGH, f"mounts the Docker socket {source}: there is no "
                    "Docker engine to talk to on Kubernetes", "volumes")
        return "not-convertible", f"{mount.target}: Docker socket"
    host = Path(source)
    if host.is_dir():
        return "not-convertible", (f"{mount.target}: bind-mounted directory {source} (source "
                                   "code or data on the host): bake it into the image or use "
                                   "a volume")
    data = ctx.options.read_bytes(source) if host.is_file() else None
    if data is None:
        return "not-convertible", f"{mount.target}: host path {source} is not in the repository"
    if len(data) > ctx.options.max_config_bytes:
        return "not-convertible", (f"{mount.target}: {source} is {len(data)} bytes, too large "
                                   "for a ConfigMap")
    key = _config_key(Path(mount.target).name, config_files)
    mode = stat.S_IMODE(host.stat().st_mode) & 0o555
    config_files[key] = vm.ConfigFile(mount_path=mount.target, mode=mode, **_content(data))
    if mount.read_only:
        return "converted", f"{mount.target}: file {host.name} -> ConfigMap (byte-identical)"
    return "approximated", (f"{mount.target}: file {host.name} -> ConfigMap, read-only now "
                            "(writes do not persist)")


def _config(source: str, target: str | None, mode: int | None, service: Service,
            ctx: ProjectContext, rec: Recorder, path: str,
            config_files: dict[str, vm.ConfigFile]) -> None:
    definition = ctx.config(source)
    mount_path = target or f"/{source}"
    if not mount_path.startswith("/"):
        mount_path = f"/{mount_path}"
    file_mode = mode if mode is not None else DEFAULT_CONFIG_MODE
    if definition is None:
        rec.not_convertible("configs", f"config {source!r} is not defined at the top level")
        return
    data: bytes | None = None
    if definition.content is not None:
        data = definition.content.encode("utf-8")
    elif definition.file is not None:
        data = ctx.options.read_bytes(definition.file)
        if data is None:
            rec.not_convertible("configs", f"config {source!r}: file {definition.file} is "
                                           "missing", severity=Severity.HIGH)
            return
    else:
        rec.not_convertible("configs", f"config {source!r} is external or comes from the "
                                       "environment: create the ConfigMap entry yourself")
        return
    key = _config_key(dns_label(source), config_files)
    config_files[key] = vm.ConfigFile(mount_path=mount_path, mode=file_mode, **_content(data))


def _config_key(name: str, existing: dict[str, vm.ConfigFile]) -> str:
    key = "".join(c if c.isalnum() or c in "-._" else "-" for c in name) or "file"
    candidate, n = key, 2
    while candidate in existing:
        candidate, n = f"{key}-{n}", n + 1
    return candidate


def _content(data: bytes) -> dict[str, str]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {"content_base64": base64.b64encode(data).decode("ascii")}
    if "\r" in text:
        # YAML folds CR LF line breaks: keep such files exact as base64.
        return {"content_base64": base64.b64encode(data).decode("ascii")}
    return {"content": text}
