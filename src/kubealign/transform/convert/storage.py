"""Volumes, tmpfs, shm, configs and secrets of one service.

Named volumes become PersistentVolumeClaims; a read-only bind-mounted *file* becomes a
ConfigMap entry mounted at the same path with the same mode (the content is embedded so it
arrives byte-identical); a bind-mounted *folder* of configuration becomes one ConfigMap entry
per text file at the same relative path, and a writable data folder a claim (on a cluster
there is no host checkout to mount). Host paths are read through the read boundary only.
Secrets are only ever references.
"""

from __future__ import annotations

import base64
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubealign.model.compose import Service, VolumeMount
from kubealign.model.findings import Severity
from kubealign.model.source import relative_to
from kubealign.transform import values_model as vm
from kubealign.transform.convert.context import ProjectContext
from kubealign.transform.convert.recorder import Recorder
from kubealign.transform.convert.volume_keys import (
    TakenNames,
    persistence_key,
    unique_name,
)
from kubealign.transform.naming import dns_label
from kubealign.transform.quantities import bytes_to_quantity

DEFAULT_SECRET_MODE = 0o444
DEFAULT_CONFIG_MODE = 0o444
_DOCKER_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")


def convert_storage(service: Service, ctx: ProjectContext, rec: Recorder,
                    path: str) -> dict[str, Any]:
    persistence: dict[str, vm.PersistentVolume] = {}
    host_mounts: dict[str, vm.HostMount] = {}
    config_files: dict[str, vm.ConfigFile] = {}
    secret_files: dict[str, vm.SecretFile] = {}
    tmpfs: list[vm.TmpfsMount] = []
    writable: list[vm.WritablePath] = []
    notes: list[str] = []
    worst = "converted"

    for index, mount in enumerate(service.volumes):
        outcome = _mount(mount, service, ctx, rec, path, persistence, config_files, tmpfs,
                         writable, _HostMounts(host_mounts, index, persistence))
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
    if host_mounts:
        out["host_mounts"] = host_mounts
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
    host_mounts: _HostMounts,
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
        return _bind(mount, service, ctx, rec, path, config_files, persistence, host_mounts)
    return "not-convertible", f"{mount.target}: {mount.type} mounts have no equivalent"


def _named_volume(mount: VolumeMount, service: Service, ctx: ProjectContext,
                  persistence: dict[str, vm.PersistentVolume]) -> tuple[str, str]:
    assert mount.source is not None
    name = mount.source
    key = ctx.volume_keys[service.name][name]
    if key in persistence:
        # A persistence entry has one mountPath: a second mount of the volume is said, not
        # written over the first.
        return "not-convertible", (f"{mount.target}: volume {name!r} is already mounted at "
                                   f"{persistence[key].mount_path} ({key}); a second mount of "
                                   "one claim in one container is not in the chart: point the "
                                   "program at one path, or mount a subPath of it")
    users = ctx.volume_users.get(name, [service.name])
    owner = ctx.volume_owner.get(name, service.name)
    definition = ctx.volume(name)
    sub_path = mount.volume.subpath if mount.volume is not None else None
    shared = len(users) > 1
    claim = None
    if definition is not None and definition.external:
        claim = dns_label(definition.external_name or name)
    elif shared:
        # One claim per volume, whatever kinds its users become: every user (the owner too)
        # mounts `<owner>-<volume>`, which the owner's chart entry creates (a claim named after
        # the service's own volume is the service's to create, also for a StatefulSet, which
        # then mounts it instead of a per-replica volumeClaimTemplate).
        claim = shared_claim_name(ctx, name)
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
                                f"{', '.join(sorted(users))}: one claim {claim!r} created by "
                                f"{owner}, ReadWriteMany (a storage class that supports it, "
                                "or accessModes [ReadWriteOnce] with the pods on one node)")
    return "converted", f"{mount.target}: volume {name!r} -> PersistentVolumeClaim ({key})"


def shared_claim_name(ctx: ProjectContext, volume: str) -> str:
    """The one claim every user of a shared named volume mounts: the owner's own."""
    owner = ctx.volume_owner[volume]
    return f"{ctx.key_of(owner)}-{ctx.volume_keys[owner][volume]}"


def _bind(mount: VolumeMount, service: Service, ctx: ProjectContext, rec: Recorder,
          path: str, config_files: dict[str, vm.ConfigFile],
          persistence: dict[str, vm.PersistentVolume],
          host_mounts: _HostMounts) -> tuple[str, str]:
    assert mount.source is not None
    source = mount.source
    if source in _DOCKER_SOCKETS or mount.target in _DOCKER_SOCKETS:
        rec.finding("CNV201", Severity.HIGH, f"mounts the Docker socket {source}: there is no "
                    "Docker engine to talk to on Kubernetes", "volumes")
        return "not-convertible", f"{mount.target}: Docker socket"
    shown = relative_to(source, ctx.project.project_directory)
    refusal = ctx.options.read_refusal(source)
    if refusal is not None:
        return _outside(mount, ctx, rec, path, shown, refusal, host_mounts)
    host = Path(source)
    if host.is_dir():
        return _bind_dir(mount, service, ctx, rec, path, config_files, persistence)
    data = ctx.options.read_bytes(source) if host.is_file() else None
    if data is None:
        return "not-convertible", (f"{mount.target}: host path {shown} does not exist in the "
                                   f"repository (compose creates an empty folder); "
                                   f"{_storage_choice(mount, path)}")
    if len(data) + _config_bytes(config_files) > ctx.options.max_config_bytes:
        return "not-convertible", (f"{mount.target}: {shown} is {len(data)} bytes, too large "
                                   "for the service's ConfigMap")
    key = _config_key(Path(mount.target).name, config_files)
    mode = stat.S_IMODE(host.stat().st_mode) & 0o555
    config_files[key] = vm.ConfigFile(mount_path=mount.target, mode=mode, **_content(data))
    if mount.read_only:
        return "converted", f"{mount.target}: file {host.name} -> ConfigMap (byte-identical)"
    return "approximated", (f"{mount.target}: file {host.name} -> ConfigMap, read-only now "
                            "(writes do not persist)")


@dataclass(frozen=True)
class _HostMounts:
    """The service's ``hostMounts`` values and the index of the mount being converted (its
    ``volumes`` item, for the finding's line)."""

    entries: dict[str, vm.HostMount]
    index: int
    persistence: dict[str, vm.PersistentVolume]


def _outside(mount: VolumeMount, ctx: ProjectContext, rec: Recorder, path: str, shown: str,
             refusal: str, host: _HostMounts) -> tuple[str, str]:
    """A bind mount the boundary refused (a host path outside the repository): nothing of it
    is read; the mount stays in values as a ``hostMounts`` entry whose source the user
    chooses, dropped or an empty folder until they do (a node's files are not ours to hand
    a pod)."""
    assert mount.source is not None
    name = Path(mount.target.rstrip("/")).name or "root"
    taken = {n.removeprefix("host-") for n in _pod_volume_names(host.persistence, host.entries)
             if n.startswith("host-")}
    key = unique_name(dns_label(name, limit=42), taken | set(host.entries))
    node_path = _node_path(mount.source, ctx.project.project_directory)
    home = _home()
    if home and mount.source.startswith(home + "/"):
        shown = "~" + mount.source[len(home):]  # as compose wrote it, not this machine's home
    source, given = _host_default(mount)
    host.entries[key] = vm.HostMount(
        mount_path=mount.target,
        source=source,
        read_only=True if mount.read_only else None,
        host_path=vm.HostPathVolume(path=node_path),
    )
    values = f"{path}.hostMounts.{key}"
    how = (f"set {values}.source: hostPath (the node's path {values}.hostPath.path"
           + (", which you set: compose named a folder of its own machine" if not node_path
              else "") + f") or persistentVolumeClaim ({values}.claimName, or a claim the "
           "chart creates)" + (", or emptyDir (an empty writable folder)"
                               if source == "none" else ""))
    rec.finding("CNV205", Severity.MEDIUM,
                f"{mount.target}: {shown}: {refusal}; nothing of it was read: {given} until "
                f"you {how}",
                f"volumes.{host.index}", fix=how)
    return "approximated", (f"{mount.target}: {shown}: {refusal}; nothing read: "
                            f"{values}.source {source} ({given}); it chooses none, emptyDir, "
                            "a PersistentVolumeClaim or a hostPath")


def _host_default(mount: VolumeMount) -> tuple[vm.HostMountSource, str]:
    """The source a host mount gets before the user chooses one, and what the pod sees then.

    An emptyDir hides whatever the image has at the mount path, and at a file's path it even
    replaces the file with a folder: it is right only where the program writes its data (a
    fresh compose volume is empty too). A read-only mount is something the program reads, and
    a target that is not a data folder (configuration, certificates, a model folder the image
    may ship) is better left to the image: ``none`` drops the mount.
    """
    target = mount.target.rstrip("/")
    leaf = Path(target).name
    file_like = "." in leaf.lstrip(".")
    if not mount.read_only and not file_like and _DATA_WORDS.search(target):
        return "emptyDir", "the pod gets an empty writable folder there"
    return "none", f"the mount is left out, so the image's own files at {mount.target} stay"


def _node_path(source: str, project_directory: str | None) -> str | None:
    """The compose source as a node path, when it names the same folder on any machine.

    The loader made every source absolute, so what compose was given is inferred: a path in
    the home folder came from ``~`` (the compose user's home), one sharing a folder with the
    checkout most likely from ``../`` (relative to wherever the repository was cloned). Both
    name folders of the machine compose ran on: left to the user rather than guessed, which
    also keeps the output independent of where it was converted. An absolute path elsewhere
    (``/var/log``, ``/etc/passwd``) is preset; the node may still not have it.
    """
    home = _home()
    if home and (source == home or source.startswith(home + "/")):
        return None
    if not source.startswith("/"):
        return None  # a Windows drive path: no node path to offer
    if project_directory and os.path.commonpath([source, project_directory]) != "/":
        return None
    return source


def _home() -> str:
    """The home folder ``~`` expanded to when the compose file was loaded ("" for /)."""
    return (os.environ.get("HOME") or str(Path.home())).rstrip("/")


def _storage_choice(mount: VolumeMount, path: str) -> str:
    """What to do with a host path the chart cannot carry: the two Kubernetes answers."""
    return (f"give it a PersistentVolumeClaim ({path}.persistence.<name>.mountPath: "
            f"{mount.target}) or mount a hostPath from the node yourself")


# A writable folder with one of these names holds what the program writes (data, uploads,
# logs): on a cluster that is a claim. Any other folder holds what it reads (configuration,
# scripts, templates, code): a ConfigMap, as compose showed it the repository's files.
_DATA_WORDS = re.compile(r"(^|[/._-])(data|storage|uploads?|logs?|cache|db|database|backups?|"
                         r"media|state|output|volumes?|files|tmp|var|lib)([/._-]|$)",
                         re.IGNORECASE)
_MAX_DIR_FILES = 200


def _bind_dir(mount: VolumeMount, service: Service, ctx: ProjectContext, rec: Recorder,
              path: str, config_files: dict[str, vm.ConfigFile],
              persistence: dict[str, vm.PersistentVolume]) -> tuple[str, str]:
    """A bind-mounted folder: configuration becomes ConfigMap entries, one per file at the
    same relative path (subfolders included); a writable data folder becomes a claim."""
    assert mount.source is not None
    root = Path(mount.source)
    shown = relative_to(mount.source, ctx.project.project_directory)
    written = not mount.read_only and bool(_DATA_WORDS.search(mount.target)
                                           or _DATA_WORDS.search(root.name))
    if written:
        # Named volumes' keys are fixed for the whole service first (volume_keys).
        taken = _pod_volume_names(persistence, {}) | set(ctx.volume_keys[service.name].values())
        key = unique_name(persistence_key(mount.target), taken)
        persistence[key] = vm.PersistentVolume(
            mount_path=mount.target, size=ctx.options.default_volume_size,
            storage_class=ctx.options.storage_class)
        return "approximated", (f"{mount.target}: writable host folder {shown} -> "
                                f"PersistentVolumeClaim ({path}.persistence.{key}), empty at "
                                "first start: copy the folder's data into it if the program "
                                "needs it")
    files: list[tuple[str, bytes, int]] = []
    skipped: list[str] = []
    binary: list[str] = []
    budget = ctx.options.max_config_bytes - _config_bytes(config_files)
    total = 0
    for folder, dirs, names in os.walk(root):  # symlinked folders are not followed
        dirs.sort()
        for name in sorted(names):
            full = Path(folder) / name
            rel = full.relative_to(root).as_posix()
            if len(files) >= _MAX_DIR_FILES:
                return "not-convertible", (f"{mount.target}: folder {shown} holds more than "
                                           f"{_MAX_DIR_FILES} files: too many for a "
                                           "ConfigMap; bake them into the image or "
                                           + _storage_choice(mount, path))
            reason = ctx.options.read_refusal(str(full))
            data = ctx.options.read_bytes(str(full)) if reason is None else None
            if data is None:
                skipped.append(f"{rel} ({reason or 'not a readable regular file'})")
                continue
            if _is_binary(data):
                binary.append(rel)
                continue
            total += len(data)
            if total > budget:
                return "not-convertible", (f"{mount.target}: folder {shown} holds more than "
                                           f"{budget} bytes: too large for the service's "
                                           "ConfigMap (1 MiB object limit); bake it into the "
                                           "image or " + _storage_choice(mount, path))
            files.append((rel, data, stat.S_IMODE(full.lstat().st_mode) & 0o555))
    if binary:
        rec.finding("CNV204", Severity.MEDIUM, f"bind-mounted folder {shown}: binary file(s) "
                    f"{', '.join(binary[:5])}{' ...' if len(binary) > 5 else ''} not put in "
                    f"the ConfigMap (configuration is text); the container does not see them "
                    f"at {mount.target}", "volumes", fix="bake them into the image, or mount "
                    "them from a volume")
    if not files:
        return "not-convertible", (f"{mount.target}: folder {shown} has no text file to put "
                                   "in a ConfigMap; " + _storage_choice(mount, path))
    for rel, data, mode in files:
        key = _config_key(rel.replace("/", "_"), config_files)
        config_files[key] = vm.ConfigFile(mount_path=f"{mount.target.rstrip('/')}/{rel}",
                                          mode=mode, **_content(data))
    note = (f"{mount.target}: folder {shown} -> ConfigMap, {len(files)} file(s) at the same "
            "relative paths (files the image has in that folder stay visible, compose hides "
            "them)")
    if skipped or binary:
        left = skipped + [f"{b} (binary)" for b in binary]
        note += f"; not included: {', '.join(left[:5])}{' ...' if len(left) > 5 else ''}"
    if not mount.read_only:
        note += "; read-only now (writes do not persist)"
    return ("converted" if mount.read_only and not skipped and not binary else "approximated",
            note)


def _pod_volume_names(persistence: dict[str, vm.PersistentVolume],
                      host_entries: dict[str, vm.HostMount]) -> TakenNames:
    """The pod volume names the service's keys already use, the chart's own included."""
    return TakenNames({*persistence, *(f"host-{k}" for k in host_entries)})


def _is_binary(data: bytes) -> bool:
    if b"\0" in data:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _config_bytes(config_files: dict[str, vm.ConfigFile]) -> int:
    """Bytes the service's ConfigMap already holds (base64 counted as stored)."""
    return sum(len(f.content or "") + len(f.content_base64 or "") for f in config_files.values())


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
