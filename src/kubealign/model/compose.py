"""The typed Compose model: one normalised form for every short and long syntax.

Everything here is a frozen, slotted dataclass holding tuples and :class:`FrozenMap` values,
so a resolved project compares, hashes and serialises deterministically. No YAML and no
Kubernetes library is imported: loaders build these objects, converters read them.

Every :class:`Service` records, for each compose key present in the input, the
:class:`SourceSpan` it was written at (``Service.origin("ports")``), so later stages can say
which line a converted or dropped setting came from.

Units are normalised once, here, for everybody downstream:
durations are seconds (``float``), byte sizes are bytes (``int``, binary suffixes: ``50M`` is
52428800), CPU amounts are :class:`~decimal.Decimal` cores (``Decimal("0.5")``; see
:func:`millicores`).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, TypeVar

from kubealign.model.source import SourceSpan

V = TypeVar("V")

ALL: Literal["all"] = "all"
"""The ``count: all`` / ``gpus: all`` marker."""


class FrozenMap(Mapping[str, V]):
    """An immutable, hashable mapping whose iteration order is sorted by key.

    Used wherever Compose has a mapping whose order carries no meaning (environment,
    labels, sysctls, driver options), so that equal inputs give byte-identical output.
    """

    __slots__ = ("_index", "_items")

    def __init__(self, items: Mapping[str, V] | Iterable[tuple[str, V]] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        index = dict(pairs)
        self._items: tuple[tuple[str, V], ...] = tuple(sorted(index.items()))
        self._index: dict[str, V] = dict(self._items)

    def __getitem__(self, key: str) -> V:
        return self._index[key]

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._items == other._items
        if isinstance(other, Mapping):
            return dict(self._items) == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({dict(self._items)!r})"

    @property
    def pairs(self) -> tuple[tuple[str, V], ...]:
        return self._items


def freeze(value: Any) -> Any:
    """Turn plain data (dicts, lists) into hashable data (FrozenMap, tuples)."""
    if isinstance(value, Mapping):
        return FrozenMap((str(k), freeze(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """The inverse of :func:`freeze`: plain dicts (sorted by key) and lists."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


EMPTY: FrozenMap[Any] = FrozenMap()


def millicores(cpus: Decimal) -> int:
    """CPU cores as Kubernetes millicores, rounded up (``0.5`` -> 500, ``0.0001`` -> 1)."""
    thousandths = cpus * 1000
    whole = int(thousandths)
    return whole if whole == thousandths else whole + 1


# --------------------------------------------------------------------------- service parts


@dataclass(frozen=True, slots=True)
class Command:
    """``command``/``entrypoint``/``healthcheck.test`` arguments.

    ``argv`` is the exec form. When the input was a single string, Compose splits it into words
    the way a POSIX shell would (no variable expansion); ``shell_form`` keeps the original text.
    """

    argv: tuple[str, ...]
    shell_form: str | None = None


@dataclass(frozen=True, slots=True)
class Build:
    context: str | None = None
    dockerfile: str | None = None
    dockerfile_inline: str | None = None
    target: str | None = None
    args: FrozenMap[str | None] = EMPTY
    other: FrozenMap[Any] = EMPTY
    """Remaining build keys (cache_from, labels, platforms, secrets, ...) kept as data."""


@dataclass(frozen=True, slots=True)
class PortMapping:
    """One container port. ``published`` is a string because it may be a range (``8000-8010``)."""

    target: int
    published: str | None = None
    host_ip: str | None = None
    protocol: str = "tcp"
    mode: str = "ingress"
    name: str | None = None
    app_protocol: str | None = None


@dataclass(frozen=True, slots=True)
class BindOptions:
    propagation: str | None = None
    create_host_path: bool | None = None
    selinux: str | None = None  # "z" (shared) or "Z" (private)


@dataclass(frozen=True, slots=True)
class VolumeOptions:
    nocopy: bool | None = None
    subpath: str | None = None


@dataclass(frozen=True, slots=True)
class TmpfsOptions:
    size: int | None = None  # bytes
    mode: int | None = None  # permission bits


@dataclass(frozen=True, slots=True)
class ImageOptions:
    subpath: str | None = None


VolumeType = Literal["bind", "volume", "tmpfs", "npipe", "image", "cluster"]
VOLUME_TYPES: tuple[VolumeType, ...] = ("bind", "volume", "tmpfs", "npipe", "image", "cluster")


@dataclass(frozen=True, slots=True)
class VolumeMount:
    """A service ``volumes`` entry. ``source`` of a bind is an absolute host path."""

    type: VolumeType
    target: str
    source: str | None = None
    read_only: bool = False
    consistency: str | None = None
    bind: BindOptions | None = None
    volume: VolumeOptions | None = None
    tmpfs: TmpfsOptions | None = None
    image: ImageOptions | None = None
    extensions: FrozenMap[Any] = EMPTY


@dataclass(frozen=True, slots=True)
class FileReference:
    """A service's use of a top-level secret or config (``target`` is kept as written)."""

    source: str
    target: str | None = None
    uid: str | None = None
    gid: str | None = None
    mode: int | None = None


@dataclass(frozen=True, slots=True)
class Dependency:
    service: str
    condition: str = "service_started"
    restart: bool = False
    required: bool = True


class HealthcheckKind(enum.Enum):
    NONE = "NONE"
    CMD = "CMD"
    CMD_SHELL = "CMD-SHELL"


@dataclass(frozen=True, slots=True)
class Healthcheck:
    """Durations are seconds; ``None`` means not written (Compose defaults apply)."""

    kind: HealthcheckKind | None = None
    args: tuple[str, ...] = ()
    interval: float | None = None
    timeout: float | None = None
    retries: int | None = None
    start_period: float | None = None
    start_interval: float | None = None
    disable: bool = False


@dataclass(frozen=True, slots=True)
class DeviceRequest:
    """``deploy.resources.reservations.devices[]`` or one ``gpus:`` entry."""

    capabilities: tuple[str, ...] = ()
    driver: str | None = None
    count: int | Literal["all"] | None = None
    device_ids: tuple[str, ...] = ()
    options: FrozenMap[str] = EMPTY


@dataclass(frozen=True, slots=True)
class GenericResource:
    """Swarm ``generic_resources[].discrete_resource_spec``."""

    kind: str
    value: int


@dataclass(frozen=True, slots=True)
class ResourceSpec:
    cpus: Decimal | None = None  # cores
    memory: int | None = None  # bytes
    pids: int | None = None
    devices: tuple[DeviceRequest, ...] = ()
    generic_resources: tuple[GenericResource, ...] = ()


@dataclass(frozen=True, slots=True)
class Resources:
    limits: ResourceSpec | None = None
    reservations: ResourceSpec | None = None


@dataclass(frozen=True, slots=True)
class PlacementConstraint:
    """``node.labels.gpu == true`` -> subject ``node.labels.gpu``, operator ``==``, value."""

    subject: str
    operator: Literal["==", "!="]
    value: str
    written: str = field(default="", compare=False)
    """The constraint as written (spacing kept), which Compose prints back unchanged."""

    def __str__(self) -> str:
        return self.written or f"{self.subject}{self.operator}{self.value}"


@dataclass(frozen=True, slots=True)
class PlacementPreference:
    spread: str


@dataclass(frozen=True, slots=True)
class Placement:
    constraints: tuple[PlacementConstraint, ...] = ()
    preferences: tuple[PlacementPreference, ...] = ()
    max_replicas_per_node: int | None = None


@dataclass(frozen=True, slots=True)
class RestartPolicy:
    condition: str | None = None  # none | on-failure | any
    delay: float | None = None
    max_attempts: int | None = None
    window: float | None = None


@dataclass(frozen=True, slots=True)
class UpdateConfig:
    """``update_config`` and ``rollback_config`` share this shape."""

    parallelism: int | None = None
    delay: float | None = None
    failure_action: str | None = None
    monitor: float | None = None
    max_failure_ratio: float | None = None
    order: str | None = None


@dataclass(frozen=True, slots=True)
class Deploy:
    mode: str | None = None  # replicated | global | replicated-job | global-job
    replicas: int | None = None
    endpoint_mode: str | None = None  # vip | dnsrr
    labels: FrozenMap[str] = EMPTY
    resources: Resources | None = None
    placement: Placement | None = None
    restart_policy: RestartPolicy | None = None
    update_config: UpdateConfig | None = None
    rollback_config: UpdateConfig | None = None


@dataclass(frozen=True, slots=True)
class ServiceNetwork:
    """A service's attachment to a network (``None`` options in short syntax)."""

    name: str
    aliases: tuple[str, ...] = ()
    ipv4_address: str | None = None
    ipv6_address: str | None = None
    priority: int | None = None
    other: FrozenMap[Any] = EMPTY
    short: bool = True
    """Written as a bare name (list form or ``name: null``), which Compose prints as null."""


@dataclass(frozen=True, slots=True)
class Ulimit:
    name: str
    soft: int
    hard: int
    single: bool = False
    """Written as one number (``nofile: 65535``) rather than ``{soft, hard}``."""


@dataclass(frozen=True, slots=True)
class Logging:
    driver: str | None = None
    options: FrozenMap[str | None] = EMPTY


@dataclass(frozen=True, slots=True)
class ExtraHost:
    hostname: str
    address: str


class GpuSource(enum.Enum):
    """Where a GPU request was written in the compose file."""

    DEVICES = "deploy.resources.reservations.devices"
    GPUS = "gpus"
    GENERIC_RESOURCES = "deploy.resources.reservations.generic_resources"
    RUNTIME = "runtime"


@dataclass(frozen=True, slots=True)
class GpuRequest:
    """A derived, source-independent view of one GPU request (see :func:`gpu_requests`)."""

    count: int | Literal["all"] | None
    source: GpuSource
    device_ids: tuple[str, ...] = ()
    driver: str | None = None
    capabilities: tuple[str, ...] = ("gpu",)
    kind: str | None = None  # the Swarm generic resource kind, e.g. NVIDIA-GPU


# --------------------------------------------------------------------------- service

SERVICE_KEYS: frozenset[str] = frozenset(
    {
        "annotations", "attach", "blkio_config", "build", "cap_add", "cap_drop", "cgroup",
        "cgroup_parent", "command", "configs", "container_name", "cpu_count", "cpu_percent",
        "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpu_shares", "cpus",
        "cpuset", "credential_spec", "depends_on", "deploy", "develop", "device_cgroup_rules",
        "devices", "dns", "dns_opt", "dns_search", "domainname", "entrypoint", "env_file",
        "environment", "expose", "extends", "external_links", "extra_hosts", "gpus", "group_add",
        "healthcheck", "hostname", "image", "init", "ipc", "isolation", "label_file", "labels",
        "links", "logging", "mac_address", "mem_limit", "mem_reservation", "mem_swappiness",
        "memswap_limit", "models", "network_mode", "networks", "oom_kill_disable",
        "oom_score_adj", "pid", "pids_limit", "platform", "ports", "post_start", "pre_start",
        "pre_stop", "privileged", "profiles", "provider", "pull_policy", "pull_refresh_after",
        "read_only", "restart", "runtime", "scale", "secrets", "security_opt", "shm_size",
        "stdin_open", "stop_grace_period", "stop_signal", "storage_opt", "sysctls", "tmpfs",
        "tty", "ulimits", "umask", "use_api_socket", "user", "userns_mode", "uts", "volumes",
        "volumes_from", "working_dir",
    }
)  # fmt: skip
"""Every service key of the Compose specification. Keys with a typed field on
:class:`Service` are listed in :data:`TYPED_SERVICE_KEYS`; the rest are kept as data in
``Service.other`` so that nothing written is lost."""

TYPED_SERVICE_KEYS: frozenset[str] = frozenset(
    {
        "build", "cap_add", "cap_drop", "command", "configs", "container_name", "cpu_shares",
        "cpus", "depends_on", "deploy", "dns", "domainname", "entrypoint", "environment",
        "expose", "extra_hosts", "gpus", "healthcheck", "hostname", "image", "init", "ipc",
        "labels", "logging", "mem_limit", "mem_reservation", "network_mode", "networks", "pid",
        "platform", "ports", "privileged", "profiles", "pull_policy", "read_only", "restart",
        "runtime", "secrets", "security_opt", "shm_size", "stop_grace_period", "stop_signal",
        "sysctls", "tmpfs", "ulimits", "user", "volumes", "working_dir",
    }
)  # fmt: skip
"""Keys the loader turns into typed fields (``env_file``, ``extends`` are consumed earlier)."""

CONSUMED_SERVICE_KEYS: frozenset[str] = frozenset({"env_file", "extends", "label_file"})
"""Keys resolved away by the loader (merged into ``environment``/``labels`` or the service)."""


def service_keys() -> frozenset[str]:
    """The compose service keys the model knows (typed or kept as data)."""
    return SERVICE_KEYS


@dataclass(frozen=True, slots=True)
class Service:
    """One resolved service. Unset fields are ``None``/empty; nothing is defaulted silently
    except where Compose itself fills in a value in ``docker compose config`` output."""

    name: str
    image: str | None = None
    build: Build | None = None
    command: Command | None = None
    entrypoint: Command | None = None
    environment: FrozenMap[str | None] = EMPTY
    ports: tuple[PortMapping, ...] = ()
    expose: tuple[str, ...] = ()
    volumes: tuple[VolumeMount, ...] = ()
    secrets: tuple[FileReference, ...] = ()
    configs: tuple[FileReference, ...] = ()
    depends_on: tuple[Dependency, ...] = ()
    healthcheck: Healthcheck | None = None
    deploy: Deploy | None = None
    gpus: tuple[DeviceRequest, ...] | Literal["all"] | None = None
    runtime: str | None = None
    # legacy (non-deploy) resource keys
    mem_limit: int | None = None
    mem_reservation: int | None = None
    cpus: Decimal | None = None
    cpu_shares: int | None = None
    shm_size: int | None = None
    # process and security
    restart: str | None = None
    user: str | None = None
    working_dir: str | None = None
    read_only: bool | None = None
    privileged: bool | None = None
    init: bool | None = None
    cap_add: tuple[str, ...] = ()
    cap_drop: tuple[str, ...] = ()
    security_opt: tuple[str, ...] = ()
    sysctls: FrozenMap[str] = EMPTY
    ulimits: tuple[Ulimit, ...] = ()
    tmpfs: tuple[str, ...] = ()
    stop_signal: str | None = None
    stop_grace_period: float | None = None
    # naming and networking
    hostname: str | None = None
    domainname: str | None = None
    container_name: str | None = None
    extra_hosts: tuple[ExtraHost, ...] = ()
    dns: tuple[str, ...] = ()
    labels: FrozenMap[str] = EMPTY
    networks: tuple[ServiceNetwork, ...] = ()
    network_mode: str | None = None
    ipc: str | None = None
    pid: str | None = None
    logging: Logging | None = None
    profiles: tuple[str, ...] = ()
    platform: str | None = None
    pull_policy: str | None = None
    other: FrozenMap[Any] = EMPTY
    """Spec keys without a typed field (``tty``, ``stdin_open``, ``blkio_config``...), as data."""
    extensions: FrozenMap[Any] = EMPTY
    """``x-*`` keys, as data."""
    unknown: FrozenMap[Any] = EMPTY
    """Keys the Compose specification does not define (only when validation was skipped)."""
    origins: tuple[tuple[str, SourceSpan], ...] = field(default=(), compare=False)
    """Compose key (``ports``, ``deploy.resources``...) -> where it was written, sorted."""

    def origin(self, key: str) -> SourceSpan | None:
        """Where ``key`` (a top-level or dotted service key) was written, if it was."""
        for name, span in self.origins:
            if name == key:
                return span
        # fall back to the nearest written parent: "deploy.resources.limits" -> "deploy"
        while "." in key:
            key = key.rsplit(".", 1)[0]
            for name, span in self.origins:
                if name == key:
                    return span
        return None

    @property
    def written_keys(self) -> tuple[str, ...]:
        """Top-level compose keys present in the input for this service, sorted."""
        return tuple(sorted({name for name, _ in self.origins if "." not in name}))


# --------------------------------------------------------------------------- top level


@dataclass(frozen=True, slots=True)
class Network:
    name: str  # the key in the compose file
    external: bool = False
    external_name: str | None = None  # `name:` override (the real network name)
    driver: str | None = None
    driver_opts: FrozenMap[str] = EMPTY
    attachable: bool | None = None
    internal: bool | None = None
    labels: FrozenMap[str] = EMPTY
    other: FrozenMap[Any] = EMPTY  # ipam, enable_ipv6, ...
    origin: SourceSpan | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Volume:
    name: str
    external: bool = False
    external_name: str | None = None
    driver: str | None = None
    driver_opts: FrozenMap[str] = EMPTY
    labels: FrozenMap[str] = EMPTY
    other: FrozenMap[Any] = EMPTY
    origin: SourceSpan | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class SecretDefinition:
    """A top-level secret or config. Exactly one of file/environment/content/external is set.

    Only the *reference* is kept: a file path or an environment variable name, never a value.
    (``content`` exists only for configs, which are not secret.)
    """

    name: str
    file: str | None = None
    environment: str | None = None
    content: str | None = None
    external: bool = False
    external_name: str | None = None
    driver: str | None = None
    template_driver: str | None = None
    labels: FrozenMap[str] = EMPTY
    other: FrozenMap[Any] = EMPTY
    origin: SourceSpan | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Project:
    name: str
    services: tuple[Service, ...] = ()  # sorted by name
    networks: tuple[Network, ...] = ()
    volumes: tuple[Volume, ...] = ()
    secrets: tuple[SecretDefinition, ...] = ()
    configs: tuple[SecretDefinition, ...] = ()
    source_files: tuple[str, ...] = ()
    project_directory: str | None = None
    extensions: FrozenMap[Any] = EMPTY
    other: FrozenMap[Any] = EMPTY  # models, include leftovers, ...
    active_profiles: tuple[str, ...] | None = None
    """The profiles active when the loader was asked to keep every service (conversion):
    services of none of them are inactive and become ``enabled: false``. None: the loader
    removed disabled services, so every service present is active."""

    def service(self, name: str) -> Service:
        for svc in self.services:
            if svc.name == name:
                return svc
        raise KeyError(name)

    @property
    def service_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.services)

    def is_active(self, service: Service) -> bool:
        """Whether the active profiles enable ``service`` (Compose spec, profiles)."""
        if self.active_profiles is None or not service.profiles:
            return True
        return "*" in self.active_profiles or any(
            p in self.active_profiles for p in service.profiles)


# --------------------------------------------------------------------------- GPU view


def _is_gpu_kind(kind: str) -> bool:
    return "gpu" in kind.lower()


def gpu_requests(service: Service) -> tuple[GpuRequest, ...]:
    """Every GPU request of ``service``, from all four places Compose lets one write it.

    1. ``deploy.resources.reservations.devices`` entries whose capabilities include ``gpu``
       or another NVIDIA driver capability (``compute``, ``utility``...) or whose driver is
       ``nvidia`` (count defaults to ``all`` when neither count nor device_ids is given);
    2. service-level ``gpus:`` (``all`` or a list; an implicit ``gpu`` capability);
    3. Swarm ``generic_resources`` whose kind names a GPU (``NVIDIA-GPU``);
    4. legacy ``runtime: nvidia``, with ``NVIDIA_VISIBLE_DEVICES`` deciding the devices
       (unset or ``all`` -> all; ``none``/``void``/empty -> no request).
    """
    found: list[GpuRequest] = []
    reservations = _reservations(service)
    if reservations is not None:
        for device in reservations.devices:
            if not _is_gpu_device(device):
                continue
            found.append(
                GpuRequest(
                    count=_device_count(device),
                    source=GpuSource.DEVICES,
                    device_ids=device.device_ids,
                    driver=device.driver,
                    capabilities=device.capabilities,
                )
            )
        for resource in reservations.generic_resources:
            if _is_gpu_kind(resource.kind):
                found.append(
                    GpuRequest(
                        count=resource.value,
                        source=GpuSource.GENERIC_RESOURCES,
                        kind=resource.kind,
                    )
                )
    if service.gpus == ALL:
        found.append(GpuRequest(count=ALL, source=GpuSource.GPUS))
    elif isinstance(service.gpus, tuple):
        for device in service.gpus:
            capabilities = (
                device.capabilities
                if "gpu" in device.capabilities
                else ("gpu", *device.capabilities)
            )
            found.append(
                GpuRequest(
                    count=_device_count(device),
                    source=GpuSource.GPUS,
                    device_ids=device.device_ids,
                    driver=device.driver,
                    capabilities=capabilities,
                )
            )
    if service.runtime == "nvidia":
        visible = service.environment.get("NVIDIA_VISIBLE_DEVICES")
        runtime_request = _runtime_request(visible)
        if runtime_request is not None:
            found.append(runtime_request)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class GpuClaim:
    """What a service's GPU requests become on Kubernetes.

    ``count`` GPUs of the device plugin's resource, claimed exclusively; or, when ``shared``,
    none claimed and every GPU of the node visible (``NVIDIA_VISIBLE_DEVICES=all``).
    """

    count: int
    shared: bool = False


# GPU telemetry agents: they read every GPU of the machine through NVML and compute nothing.
# NVIDIA runs its dcgm-exporter on Kubernetes without a GPU request (a DaemonSet tolerating
# the GPU taint); matched on the image's repository name or on the service name.
_GPU_TELEMETRY = re.compile(
    r"(^|[/_.-])(dcgm([-_]?exporter)?|(nvidia[-_]?)?(smi|gpu)[-_]?(metrics[-_]?)?exporter)"
    r"($|[:@_.-])", re.IGNORECASE)


def is_gpu_telemetry_agent(service: Service) -> bool:
    image = (service.image or "").rsplit("/", 1)[-1]
    return bool(_GPU_TELEMETRY.search(image) or _GPU_TELEMETRY.search(service.name))


def gpu_claim(service: Service, count_for_all: int) -> GpuClaim | None:
    """The Kubernetes GPU claim of ``service`` (None when it asks for no GPU).

    Docker never gives a GPU to one container only: ``count: all`` (``gpus: all``, legacy
    ``runtime: nvidia``) shows every GPU of the machine to the container, beside whatever
    else uses them, while ``nvidia.com/gpu`` is exclusive. For a GPU telemetry agent
    (dcgm-exporter beside the model server) an exclusive claim takes the GPU its neighbour
    needs, and on a one-GPU node one of them stays Pending: it shares instead. Anything
    else asking for ``all`` claims ``count_for_all`` GPUs (Kubernetes needs a number).
    """
    requests = gpu_requests(service)
    if not requests:
        return None
    numbered = sum(int(r.count or 0) for r in requests if r.count != ALL)
    wants_all = sum(1 for r in requests if r.count == ALL)
    if wants_all and not numbered and is_gpu_telemetry_agent(service):
        return GpuClaim(0, shared=True)
    return GpuClaim(numbered + wants_all * count_for_all)


# The capabilities Docker's NVIDIA device driver registers (NVIDIA_DRIVER_CAPABILITIES and
# its own names): a reservation asking for any of them is served by an NVIDIA GPU, with or
# without the generic `gpu` capability.
_NVIDIA_CAPABILITIES = frozenset({"gpu", "nvidia", "compute", "utility", "graphics", "video",
                                  "display", "compat32"})


def _is_gpu_device(device: DeviceRequest) -> bool:
    return (bool(_NVIDIA_CAPABILITIES.intersection(c.lower() for c in device.capabilities))
            or (device.driver or "").lower() == "nvidia")


def _reservations(service: Service) -> ResourceSpec | None:
    if service.deploy is None or service.deploy.resources is None:
        return None
    return service.deploy.resources.reservations


def _device_count(device: DeviceRequest) -> int | Literal["all"]:
    if device.count is not None:
        return device.count
    if device.device_ids:
        return len(device.device_ids)
    return ALL  # the spec's default when neither count nor device_ids is set


def _runtime_request(visible: str | None) -> GpuRequest | None:
    if visible is None or visible.strip().lower() == "all":
        return GpuRequest(count=ALL, source=GpuSource.RUNTIME, driver="nvidia")
    text = visible.strip()
    if text.lower() in {"", "none", "void"}:
        return None
    ids = tuple(part.strip() for part in text.split(",") if part.strip())
    return GpuRequest(count=len(ids), source=GpuSource.RUNTIME, device_ids=ids, driver="nvidia")
