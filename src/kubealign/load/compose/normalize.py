"""Raw, resolved compose data -> the typed model (:mod:`kubealign.model.compose`).

The loader hands over data that is merged, interpolated and profile-filtered but still
written in whatever syntax the user chose. This module turns every short and long form into
one typed form and every unit into one unit (seconds, bytes, cores), and records for each
service key the line it came from. Any value of the wrong shape becomes a
:class:`~kubealign.errors.ComposeError` naming file and line.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import Any, Literal, Protocol, TypeVar, cast

from kubealign.errors import ComposeError
from kubealign.load.compose.interpolate import naming_variables
from kubealign.model.compose import (
    ALL,
    CONSUMED_SERVICE_KEYS,
    SERVICE_KEYS,
    TYPED_SERVICE_KEYS,
    VOLUME_TYPES,
    BindOptions,
    Build,
    Command,
    Dependency,
    Deploy,
    DeviceRequest,
    ExtraHost,
    FileReference,
    FrozenMap,
    GenericResource,
    Healthcheck,
    HealthcheckKind,
    ImageOptions,
    Logging,
    Network,
    Placement,
    PlacementConstraint,
    PlacementPreference,
    PortMapping,
    Project,
    Resources,
    ResourceSpec,
    RestartPolicy,
    SecretDefinition,
    Service,
    ServiceNetwork,
    TmpfsOptions,
    Ulimit,
    UpdateConfig,
    Volume,
    VolumeMount,
    VolumeOptions,
    VolumeType,
    freeze,
)
from kubealign.model.source import SourceMap, SourceSpan, pointer

T = TypeVar("T")


class RawProjectLike(Protocol):
    """What the loader's ``RawProject`` offers (kept structural so either side can move)."""

    @property
    def name(self) -> str: ...
    @property
    def data(self) -> dict[str, Any]: ...
    @property
    def sources(self) -> SourceMap: ...
    @property
    def project_directory(self) -> Path: ...
    @property
    def files(self) -> tuple[Path, ...]: ...
    @property
    def expansions(self) -> Mapping[str, set[str]]: ...


# --------------------------------------------------------------------------- units

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_DURATION_SECONDS = {
    "ns": Decimal("1e-9"),
    "us": Decimal("1e-6"),
    "µs": Decimal("1e-6"),
    "μs": Decimal("1e-6"),
    "ms": Decimal("0.001"),
    "s": Decimal(1),
    "m": Decimal(60),
    "h": Decimal(3600),
}
_BYTES = re.compile(r"^(\d+(?:\.\d+)?) ?([kmgtp])?(i)?(b)?$", re.IGNORECASE)
_BYTE_FACTORS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}


def parse_duration(value: object) -> float:
    """A Go duration (``1m30s``, ``500ms``, ``1h``, ``0``) as seconds.

    Compose parses durations with Go's ``time.ParseDuration``: a sequence of decimal numbers,
    each with a unit; a bare number is only accepted for zero.
    """
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 30s or 1m30s")
    if isinstance(value, int | float) and value == 0:
        return 0.0
    if not isinstance(value, str):
        raise ValueError(f"expected a duration such as 30s or 1m30s, got {value!r}")
    text = value.strip()
    sign = Decimal(1)
    if text[:1] in "+-" and text:
        sign = Decimal(-1) if text[0] == "-" else Decimal(1)
        text = text[1:]
    if text == "0":
        return 0.0
    total = Decimal(0)
    position = 0
    for match in _DURATION_PART.finditer(text):
        if match.start() != position:
            break
        total += Decimal(match.group(1)) * _DURATION_SECONDS[match.group(2)]
        position = match.end()
    if position != len(text) or not text:
        raise ValueError(f"expected a duration such as 30s or 1m30s, got {value!r}")
    return float(sign * total)


def parse_bytes(value: object) -> int:
    """A byte size (``50M``, ``1gb``, ``512k``, ``1024``) in bytes; suffixes are binary.

    Compose uses docker/go-units ``RAMInBytes``: ``k`` = 1024, ``m`` = 1024², ...
    """
    if isinstance(value, bool):
        raise ValueError("expected a byte size such as 512m or 2g")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a byte size such as 512m or 2g, got {value!r}")
    match = _BYTES.match(value.strip())
    if match is None:
        raise ValueError(f"expected a byte size such as 512m or 2g, got {value!r}")
    factor = _BYTE_FACTORS[(match.group(2) or "").lower()]
    return int(Decimal(match.group(1)) * factor)


def parse_cpus(value: object) -> Decimal:
    """A CPU amount (``0.5``, ``"1.5"``, ``2``) as a Decimal number of cores."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a number of CPUs such as 0.5, got {value!r}")
    try:
        # via str() so 0.1 stays 0.1 instead of the binary float's long expansion
        cores = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"expected a number of CPUs such as 0.5, got {value!r}") from None
    if not cores.is_finite() or cores < 0:
        raise ValueError(f"expected a non-negative number of CPUs, got {value!r}")
    return cores


# --------------------------------------------------------------------------- context


class _Context:
    """Locates errors: turns a JSON pointer into file:line via the raw source map."""

    def __init__(self, sources: SourceMap, project_directory: Path, fallback: str) -> None:
        self.sources = sources
        self.project_directory = project_directory
        self.fallback = fallback

    def span(self, ptr: str) -> SourceSpan | None:
        return self.sources.nearest(ptr)

    def error(self, ptr: str, message: str) -> ComposeError:
        span = self.span(ptr)
        where = ptr.lstrip("/").replace("/", ".") or "(top level)"
        text = f"{where}: {message}"
        if span is None:
            error = ComposeError(text, path=self.fallback)
        else:
            error = ComposeError(text, path=span.path, line=span.line, column=span.column)
        error.pointer = ptr
        return error

    def convert(self, ptr: str, parse: Callable[[object], T], value: object) -> T:
        try:
            return parse(value)
        except ValueError as exc:
            raise self.error(ptr, str(exc)) from None


def _expect_mapping(ctx: _Context, ptr: str, value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ctx.error(ptr, f"expected a mapping, got {describe_value(value)}")
    return cast(Mapping[str, Any], value)


def _expect_list(ctx: _Context, ptr: str, value: object) -> Sequence[Any]:
    if not isinstance(value, list | tuple):
        raise ctx.error(ptr, f"expected a list, got {describe_value(value)}")
    return cast(Sequence[Any], value)


def describe_value(value: object) -> str:
    """A value as an error message names it: ``the number 80``, ``a mapping``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _scalar_text(value: object) -> str:
    """A scalar as Compose prints it in a string context (``true``, not ``True``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _optional_text(value: object) -> str | None:
    return None if value is None else _scalar_text(value)


def _string_list(ctx: _Context, ptr: str, value: object) -> tuple[str, ...]:
    """A string or a list of scalars (``dns: 8.8.8.8`` or ``dns: [8.8.8.8]``)."""
    if value is None:
        return ()
    if isinstance(value, str | int | float):
        return (_scalar_text(value),)
    items = _expect_list(ctx, ptr, value)
    return tuple(_scalar_text(item) for item in items)


def _int(ctx: _Context, ptr: str, value: object) -> int:
    if isinstance(value, bool):
        raise ctx.error(ptr, "expected an integer, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        return int(value)
    raise ctx.error(ptr, f"expected an integer, got {describe_value(value)}")


def _optional_int(ctx: _Context, ptr: str, value: object) -> int | None:
    return None if value is None else _int(ctx, ptr, value)


def _bool(ctx: _Context, ptr: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    raise ctx.error(ptr, f"expected true or false, got {describe_value(value)}")


def _optional_bool(ctx: _Context, ptr: str, value: object) -> bool | None:
    return None if value is None else _bool(ctx, ptr, value)


def _key_value_map(
    ctx: _Context, ptr: str, value: object, *, missing: str | None
) -> FrozenMap[str | None]:
    """``KEY=VALUE`` lists or mappings -> a sorted map; a bare ``KEY`` maps to ``missing``."""
    if value is None:
        return FrozenMap()
    if isinstance(value, Mapping):
        return FrozenMap((str(k), _optional_text(v)) for k, v in value.items())
    pairs: list[tuple[str, str | None]] = []
    for index, item in enumerate(_expect_list(ctx, ptr, value)):
        if not isinstance(item, str):
            raise ctx.error(f"{ptr}/{index}", f"expected KEY=VALUE, got {describe_value(item)}")
        key, sep, text = item.partition("=")
        pairs.append((key, text if sep else missing))
    return FrozenMap(pairs)


def _text_map(ctx: _Context, ptr: str, value: object) -> FrozenMap[str]:
    """Labels, sysctls, driver options: a bare key means the empty string."""
    loose = _key_value_map(ctx, ptr, value, missing="")
    return FrozenMap((k, v if v is not None else "") for k, v in loose.items())


def _split_extensions(data: Mapping[str, Any]) -> FrozenMap[Any]:
    return cast(FrozenMap[Any], freeze({k: v for k, v in data.items() if k.startswith("x-")}))


def _rest(data: Mapping[str, Any], known: set[str] | frozenset[str]) -> FrozenMap[Any]:
    return cast(
        FrozenMap[Any],
        freeze({k: v for k, v in data.items() if k not in known and not k.startswith("x-")}),
    )


# --------------------------------------------------------------------------- services


def _command(ctx: _Context, ptr: str, value: object) -> Command | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return Command(argv=tuple(shlex.split(value)), shell_form=value)
        except ValueError as exc:
            raise ctx.error(ptr, f"cannot split the command into words: {exc}") from None
    items = _expect_list(ctx, ptr, value)
    return Command(argv=tuple(_scalar_text(item) for item in items))


def _build(ctx: _Context, ptr: str, value: object) -> Build:
    if isinstance(value, str):
        return Build(context=_absolute(ctx, value))
    data = _expect_mapping(ctx, ptr, value)
    context = data.get("context")
    return Build(
        context=_absolute(ctx, str(context)) if context is not None else None,
        dockerfile=_optional_text(data.get("dockerfile")),
        dockerfile_inline=_optional_text(data.get("dockerfile_inline")),
        target=_optional_text(data.get("target")),
        args=_key_value_map(ctx, f"{ptr}/args", data.get("args"), missing=None),
        other=_rest(data, {"context", "dockerfile", "dockerfile_inline", "target", "args"}),
    )


def _absolute(ctx: _Context, path: str) -> str:
    """Relative host paths resolve against the project directory (URLs and ~ stay)."""
    if "://" in path or path.startswith(("~", "/")) or re.match(r"^[A-Za-z]:[\\/]", path):
        return path
    if re.match(r"^[\w.-]+@|^git@", path):  # git remote contexts
        return path
    return str(PurePosixPath(ctx.project_directory.as_posix()) / path).replace("/./", "/")


def _ports(ctx: _Context, ptr: str, value: object) -> tuple[PortMapping, ...]:
    from kubealign.load.compose.short_syntax import parse_port_spec

    ports: list[PortMapping] = []
    for index, item in enumerate(_expect_list(ctx, ptr, value or [])):
        item_ptr = f"{ptr}/{index}"
        if isinstance(item, str | int) and not isinstance(item, bool):
            try:
                long_forms = parse_port_spec(str(item))
            except ValueError as exc:
                raise ctx.error(item_ptr, str(exc)) from None
            except ComposeError as exc:
                raise ctx.error(item_ptr, exc.message) from None
            ports.extend(_port(ctx, item_ptr, form) for form in long_forms)
        else:
            ports.append(_port(ctx, item_ptr, _expect_mapping(ctx, item_ptr, item)))
    return tuple(ports)


def _port(ctx: _Context, ptr: str, data: Mapping[str, Any]) -> PortMapping:
    if data.get("target") is None:
        raise ctx.error(ptr, "a port needs a target (the container port)")
    published = data.get("published")
    return PortMapping(
        target=_int(ctx, f"{ptr}/target", data["target"]),
        published=_optional_text(published) if published not in (None, "") else None,
        host_ip=_optional_text(data.get("host_ip")) or None,
        protocol=str(data.get("protocol") or "tcp"),
        mode=str(data.get("mode") or "ingress"),
        name=_optional_text(data.get("name")),
        app_protocol=_optional_text(data.get("app_protocol")),
    )


def _volumes(ctx: _Context, ptr: str, value: object) -> tuple[VolumeMount, ...]:
    from kubealign.load.compose.short_syntax import parse_volume_spec

    mounts: list[VolumeMount] = []
    for index, item in enumerate(_expect_list(ctx, ptr, value or [])):
        item_ptr = f"{ptr}/{index}"
        if isinstance(item, str):
            try:
                long_form = parse_volume_spec(item)
            except ValueError as exc:
                raise ctx.error(item_ptr, str(exc)) from None
            except ComposeError as exc:
                raise ctx.error(item_ptr, exc.message) from None
            mounts.append(_volume(ctx, item_ptr, long_form))
        else:
            mounts.append(_volume(ctx, item_ptr, _expect_mapping(ctx, item_ptr, item)))
    return tuple(mounts)


def _volume(ctx: _Context, ptr: str, data: Mapping[str, Any]) -> VolumeMount:
    kind = data.get("type", "volume")
    if kind not in VOLUME_TYPES:
        raise ctx.error(
            f"{ptr}/type",
            f"expected one of {', '.join(VOLUME_TYPES)}, got {describe_value(kind)}",
        )
    target = data.get("target")
    if not target:
        raise ctx.error(ptr, "a volume needs a target (the path inside the container)")
    source = _optional_text(data.get("source")) or None
    if kind == "bind" and source is not None:
        source = _absolute(ctx, source)
    bind = volume = tmpfs = image = None
    if isinstance(data.get("bind"), Mapping):
        options = data["bind"]
        bind = BindOptions(
            propagation=_optional_text(options.get("propagation")),
            create_host_path=_optional_bool(
                ctx, f"{ptr}/bind/create_host_path", options.get("create_host_path")
            ),
            selinux=_optional_text(options.get("selinux")),
        )
    if isinstance(data.get("volume"), Mapping):
        options = data["volume"]
        volume = VolumeOptions(
            nocopy=_optional_bool(ctx, f"{ptr}/volume/nocopy", options.get("nocopy")),
            subpath=_optional_text(options.get("subpath")),
        )
    if isinstance(data.get("tmpfs"), Mapping):
        options = data["tmpfs"]
        size = options.get("size")
        tmpfs = TmpfsOptions(
            size=ctx.convert(f"{ptr}/tmpfs/size", parse_bytes, size) if size is not None else None,
            mode=_optional_int(ctx, f"{ptr}/tmpfs/mode", options.get("mode")),
        )
    if isinstance(data.get("image"), Mapping):
        image = ImageOptions(subpath=_optional_text(data["image"].get("subpath")))
    return VolumeMount(
        type=cast(VolumeType, kind),
        target=str(target),
        source=source,
        read_only=bool(_optional_bool(ctx, f"{ptr}/read_only", data.get("read_only"))),
        consistency=_optional_text(data.get("consistency")),
        bind=bind,
        volume=volume,
        tmpfs=tmpfs,
        image=image,
        extensions=_split_extensions(data),
    )


def _file_mode(ctx: _Context, ptr: str, value: object) -> int | None:
    """File modes are octal: a string ``"0440"`` is parsed base 8, a number is taken as is."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return int(value, 8)
        except ValueError:
            raise ctx.error(
                ptr, f"expected an octal file mode such as 0440, got {value!r}"
            ) from None
    return _int(ctx, ptr, value)


def _file_references(
    ctx: _Context, ptr: str, value: object, *, default_dir: str | None
) -> tuple[FileReference, ...]:
    """Service ``secrets``/``configs``. Secrets without a target mount at
    ``/run/secrets/<name>`` (Compose fills that in); configs keep no default target."""
    references: list[FileReference] = []
    for index, item in enumerate(_expect_list(ctx, ptr, value or [])):
        item_ptr = f"{ptr}/{index}"
        if isinstance(item, str):
            target = f"{default_dir}/{item}" if default_dir else None
            references.append(FileReference(source=item, target=target))
            continue
        data = _expect_mapping(ctx, item_ptr, item)
        if not data.get("source"):
            raise ctx.error(item_ptr, "expected a source (the name of a top-level entry)")
        source = str(data["source"])
        target = _optional_text(data.get("target"))
        if target is None and default_dir:
            target = f"{default_dir}/{source}"
        references.append(
            FileReference(
                source=source,
                target=target,
                uid=_optional_text(data.get("uid")),
                gid=_optional_text(data.get("gid")),
                mode=_file_mode(ctx, f"{item_ptr}/mode", data.get("mode")),
            )
        )
    return tuple(references)


_CONDITIONS = ("service_started", "service_healthy", "service_completed_successfully")


def _depends_on(ctx: _Context, ptr: str, value: object) -> tuple[Dependency, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(Dependency(service=str(name)) for name in value)
    data = _expect_mapping(ctx, ptr, value)
    dependencies: list[Dependency] = []
    for name, options in data.items():
        item_ptr = f"{ptr}/{name}"
        spec = _expect_mapping(ctx, item_ptr, options or {})
        condition = str(spec.get("condition") or "service_started")
        if condition not in _CONDITIONS:
            raise ctx.error(
                f"{item_ptr}/condition",
                f"expected one of {', '.join(_CONDITIONS)}, got {condition!r}",
            )
        restart = _optional_bool(ctx, f"{item_ptr}/restart", spec.get("restart"))
        required = _optional_bool(ctx, f"{item_ptr}/required", spec.get("required"))
        dependencies.append(
            Dependency(
                service=str(name),
                condition=condition,
                restart=bool(restart),
                required=True if required is None else required,
            )
        )
    return tuple(sorted(dependencies, key=lambda d: d.service))


def _healthcheck(ctx: _Context, ptr: str, value: object) -> Healthcheck:
    data = _expect_mapping(ctx, ptr, value)
    kind: HealthcheckKind | None = None
    args: tuple[str, ...] = ()
    test = data.get("test")
    if isinstance(test, str):
        kind, args = HealthcheckKind.CMD_SHELL, (test,)
    elif test is not None:
        items = [_scalar_text(item) for item in _expect_list(ctx, f"{ptr}/test", test)]
        if not items:
            raise ctx.error(
                f"{ptr}/test", "expected NONE, CMD or CMD-SHELL first, got an empty list"
            )
        try:
            kind = HealthcheckKind(items[0])
        except ValueError:
            raise ctx.error(
                f"{ptr}/test", f"expected NONE, CMD or CMD-SHELL first, got {items[0]!r}"
            ) from None
        args = tuple(items[1:])

    def duration(key: str) -> float | None:
        raw = data.get(key)
        return None if raw is None else ctx.convert(f"{ptr}/{key}", parse_duration, raw)

    return Healthcheck(
        kind=kind,
        args=args,
        interval=duration("interval"),
        timeout=duration("timeout"),
        retries=_optional_int(ctx, f"{ptr}/retries", data.get("retries")),
        start_period=duration("start_period"),
        start_interval=duration("start_interval"),
        disable=bool(_optional_bool(ctx, f"{ptr}/disable", data.get("disable"))),
    )


def _device_count(ctx: _Context, ptr: str, value: object) -> int | Literal["all"] | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lower() == ALL:
        return ALL
    count = _int(ctx, ptr, value)
    return ALL if count == -1 else count  # Compose prints `all` as -1


def _device_request(ctx: _Context, ptr: str, value: object) -> DeviceRequest:
    data = _expect_mapping(ctx, ptr, value)
    return DeviceRequest(
        capabilities=_string_list(ctx, f"{ptr}/capabilities", data.get("capabilities")),
        driver=_optional_text(data.get("driver")),
        count=_device_count(ctx, f"{ptr}/count", data.get("count")),
        device_ids=_string_list(ctx, f"{ptr}/device_ids", data.get("device_ids")),
        options=_text_map(ctx, f"{ptr}/options", data.get("options")),
    )


def _resource_spec(ctx: _Context, ptr: str, value: object) -> ResourceSpec:
    data = _expect_mapping(ctx, ptr, value)
    generic: list[GenericResource] = []
    generic_ptr = f"{ptr}/generic_resources"
    for index, item in enumerate(
        _expect_list(ctx, generic_ptr, data.get("generic_resources") or [])
    ):
        item_ptr = f"{generic_ptr}/{index}"
        spec = _expect_mapping(ctx, item_ptr, item).get("discrete_resource_spec")
        if spec is None:
            raise ctx.error(item_ptr, "expected discrete_resource_spec: {kind, value}")
        spec_map = _expect_mapping(ctx, f"{item_ptr}/discrete_resource_spec", spec)
        generic.append(
            GenericResource(
                kind=str(spec_map.get("kind", "")),
                value=_int(ctx, f"{item_ptr}/discrete_resource_spec/value", spec_map.get("value")),
            )
        )
    devices_ptr = f"{ptr}/devices"
    cpus, memory = data.get("cpus"), data.get("memory")
    return ResourceSpec(
        cpus=ctx.convert(f"{ptr}/cpus", parse_cpus, cpus) if cpus is not None else None,
        memory=ctx.convert(f"{ptr}/memory", parse_bytes, memory) if memory is not None else None,
        pids=_optional_int(ctx, f"{ptr}/pids", data.get("pids")),
        devices=tuple(
            _device_request(ctx, f"{devices_ptr}/{i}", item)
            for i, item in enumerate(_expect_list(ctx, devices_ptr, data.get("devices") or []))
        ),
        generic_resources=tuple(generic),
    )


_CONSTRAINT = re.compile(r"^\s*(?P<subject>[^=!\s]+)\s*(?P<op>==|!=)\s*(?P<value>.*?)\s*$")


def _placement(ctx: _Context, ptr: str, value: object) -> Placement:
    data = _expect_mapping(ctx, ptr, value)
    constraints: list[PlacementConstraint] = []
    constraints_ptr = f"{ptr}/constraints"
    for index, item in enumerate(_expect_list(ctx, constraints_ptr, data.get("constraints") or [])):
        match = _CONSTRAINT.match(str(item))
        if match is None:
            raise ctx.error(
                f"{constraints_ptr}/{index}",
                f"expected a constraint like node.labels.gpu==true, got {item!r}",
            )
        constraints.append(
            PlacementConstraint(
                subject=match["subject"],
                operator=cast(Literal["==", "!="], match["op"]),
                value=match["value"],
                written=str(item),
            )
        )
    preferences_ptr = f"{ptr}/preferences"
    preferences = tuple(
        PlacementPreference(
            spread=str(_expect_mapping(ctx, f"{preferences_ptr}/{i}", item).get("spread", ""))
        )
        for i, item in enumerate(_expect_list(ctx, preferences_ptr, data.get("preferences") or []))
    )
    return Placement(
        constraints=tuple(constraints),
        preferences=preferences,
        max_replicas_per_node=_optional_int(
            ctx, f"{ptr}/max_replicas_per_node", data.get("max_replicas_per_node")
        ),
    )


def _optional_duration(ctx: _Context, ptr: str, value: object) -> float | None:
    return None if value is None else ctx.convert(ptr, parse_duration, value)


def _update_config(ctx: _Context, ptr: str, value: object) -> UpdateConfig:
    data = _expect_mapping(ctx, ptr, value)
    ratio = data.get("max_failure_ratio")
    if ratio is not None and (isinstance(ratio, bool) or not isinstance(ratio, int | float)):
        raise ctx.error(
            f"{ptr}/max_failure_ratio", f"expected a number, got {describe_value(ratio)}"
        )
    return UpdateConfig(
        parallelism=_optional_int(ctx, f"{ptr}/parallelism", data.get("parallelism")),
        delay=_optional_duration(ctx, f"{ptr}/delay", data.get("delay")),
        failure_action=_optional_text(data.get("failure_action")),
        monitor=_optional_duration(ctx, f"{ptr}/monitor", data.get("monitor")),
        max_failure_ratio=float(ratio) if ratio is not None else None,
        order=_optional_text(data.get("order")),
    )


def _deploy(ctx: _Context, ptr: str, value: object) -> Deploy:
    data = _expect_mapping(ctx, ptr, value)
    resources = None
    if data.get("resources") is not None:
        res = _expect_mapping(ctx, f"{ptr}/resources", data["resources"])
        limits, reservations = res.get("limits"), res.get("reservations")
        resources = Resources(
            limits=_resource_spec(ctx, f"{ptr}/resources/limits", limits)
            if limits is not None
            else None,
            reservations=_resource_spec(ctx, f"{ptr}/resources/reservations", reservations)
            if reservations is not None
            else None,
        )
    restart_policy = None
    if data.get("restart_policy") is not None:
        rp_ptr = f"{ptr}/restart_policy"
        rp = _expect_mapping(ctx, rp_ptr, data["restart_policy"])
        restart_policy = RestartPolicy(
            condition=_optional_text(rp.get("condition")),
            delay=_optional_duration(ctx, f"{rp_ptr}/delay", rp.get("delay")),
            max_attempts=_optional_int(ctx, f"{rp_ptr}/max_attempts", rp.get("max_attempts")),
            window=_optional_duration(ctx, f"{rp_ptr}/window", rp.get("window")),
        )
    return Deploy(
        mode=_optional_text(data.get("mode")),
        replicas=_optional_int(ctx, f"{ptr}/replicas", data.get("replicas")),
        endpoint_mode=_optional_text(data.get("endpoint_mode")),
        labels=_text_map(ctx, f"{ptr}/labels", data.get("labels")),
        resources=resources,
        placement=_placement(ctx, f"{ptr}/placement", data["placement"])
        if data.get("placement") is not None
        else None,
        restart_policy=restart_policy,
        update_config=_update_config(ctx, f"{ptr}/update_config", data["update_config"])
        if data.get("update_config") is not None
        else None,
        rollback_config=_update_config(ctx, f"{ptr}/rollback_config", data["rollback_config"])
        if data.get("rollback_config") is not None
        else None,
    )


def _gpus(
    ctx: _Context, ptr: str, value: object
) -> tuple[DeviceRequest, ...] | Literal["all"] | None:
    if value is None:
        return None
    if isinstance(value, str):
        if value.strip().lower() != ALL:
            raise ctx.error(ptr, f"expected 'all' or a list of device requests, got {value!r}")
        return ALL
    return tuple(
        _device_request(ctx, f"{ptr}/{i}", item)
        for i, item in enumerate(_expect_list(ctx, ptr, value))
    )


def _service_networks(ctx: _Context, ptr: str, value: object) -> tuple[ServiceNetwork, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(sorted((ServiceNetwork(name=str(n)) for n in value), key=lambda n: n.name))
    data = _expect_mapping(ctx, ptr, value)
    networks: list[ServiceNetwork] = []
    for name, options in data.items():
        if options is None:
            networks.append(ServiceNetwork(name=str(name)))
            continue
        spec = _expect_mapping(ctx, f"{ptr}/{name}", options)
        networks.append(
            ServiceNetwork(
                name=str(name),
                aliases=_string_list(ctx, f"{ptr}/{name}/aliases", spec.get("aliases")),
                ipv4_address=_optional_text(spec.get("ipv4_address")),
                ipv6_address=_optional_text(spec.get("ipv6_address")),
                priority=_optional_int(ctx, f"{ptr}/{name}/priority", spec.get("priority")),
                other=_rest(spec, {"aliases", "ipv4_address", "ipv6_address", "priority"}),
                short=False,
            )
        )
    return tuple(sorted(networks, key=lambda n: n.name))


def _ulimits(ctx: _Context, ptr: str, value: object) -> tuple[Ulimit, ...]:
    data = _expect_mapping(ctx, ptr, value or {})
    limits: list[Ulimit] = []
    for name, spec in data.items():
        item_ptr = f"{ptr}/{name}"
        if isinstance(spec, Mapping):
            soft = _int(ctx, f"{item_ptr}/soft", spec.get("soft"))
            hard = _int(ctx, f"{item_ptr}/hard", spec.get("hard"))
            limits.append(Ulimit(name=str(name), soft=soft, hard=hard))
        else:
            single = _int(ctx, item_ptr, spec)
            limits.append(Ulimit(name=str(name), soft=single, hard=single, single=True))
    return tuple(sorted(limits, key=lambda u: u.name))


def _extra_hosts(ctx: _Context, ptr: str, value: object) -> tuple[ExtraHost, ...]:
    hosts: list[ExtraHost] = []
    if isinstance(value, Mapping):
        for name, address in value.items():
            for one in _string_list(ctx, f"{ptr}/{name}", address):
                hosts.append(ExtraHost(hostname=str(name), address=one))
    else:
        for index, item in enumerate(_expect_list(ctx, ptr, value or [])):
            text = _scalar_text(item)
            # `host=ip` (any IP) or the older `host:ip`, whose IP may itself contain colons
            sep = "=" if "=" in text else ":"
            name, found, address = text.partition(sep)
            if not found:
                raise ctx.error(f"{ptr}/{index}", f"expected HOST=IP, got {text!r}")
            hosts.append(ExtraHost(hostname=name, address=address))
    return tuple(sorted(hosts, key=lambda h: (h.hostname, h.address)))


def _logging(ctx: _Context, ptr: str, value: object) -> Logging:
    data = _expect_mapping(ctx, ptr, value)
    return Logging(
        driver=_optional_text(data.get("driver")),
        options=_key_value_map(ctx, f"{ptr}/options", data.get("options"), missing=None),
    )


def _origins(
    sources: SourceMap, base: str, data: Mapping[str, Any]
) -> tuple[tuple[str, SourceSpan], ...]:
    """Compose key (dotted for nested mappings) -> where it was written."""
    found: dict[str, SourceSpan] = {}

    def walk(ptr: str, prefix: str, node: Mapping[str, Any], depth: int) -> None:
        for key, child in node.items():
            child_ptr = f"{ptr}/{pointer(str(key))[1:]}"
            span = sources.get(child_ptr) or sources.nearest(child_ptr)
            name = f"{prefix}{key}"
            if span is not None:
                found[name] = span
            if isinstance(child, Mapping) and depth < 3:
                walk(child_ptr, f"{name}.", child, depth + 1)
            elif isinstance(child, list) and depth == 0:
                # A finding about one item (a volume, a port) names that item's line.
                for index in range(len(child)):
                    item = sources.get(f"{child_ptr}/{index}")
                    if item is not None:
                        found[f"{name}.{index}"] = item

    walk(base, "", data, 0)
    return tuple(sorted(found.items()))


def _optional_bytes(ctx: _Context, ptr: str, value: object) -> int | None:
    return None if value is None else ctx.convert(ptr, parse_bytes, value)


def normalize_service(ctx: _Context, name: str, value: object) -> Service:
    ptr = pointer("services", name)
    data = _expect_mapping(ctx, ptr, value if value is not None else {})

    def at(key: str) -> str:
        return f"{ptr}/{key}"

    def text(key: str) -> str | None:
        return _optional_text(data.get(key))

    cpus = data.get("cpus")
    stop_grace = data.get("stop_grace_period")
    healthcheck = data.get("healthcheck")
    return Service(
        name=name,
        image=text("image"),
        build=_build(ctx, at("build"), data["build"]) if data.get("build") is not None else None,
        command=_command(ctx, at("command"), data.get("command")),
        entrypoint=_command(ctx, at("entrypoint"), data.get("entrypoint")),
        environment=_key_value_map(ctx, at("environment"), data.get("environment"), missing=None),
        ports=_ports(ctx, at("ports"), data.get("ports")),
        expose=_string_list(ctx, at("expose"), data.get("expose")),
        volumes=_volumes(ctx, at("volumes"), data.get("volumes")),
        secrets=_file_references(
            ctx, at("secrets"), data.get("secrets"), default_dir="/run/secrets"
        ),
        configs=_file_references(ctx, at("configs"), data.get("configs"), default_dir=None),
        depends_on=_depends_on(ctx, at("depends_on"), data.get("depends_on")),
        healthcheck=_healthcheck(ctx, at("healthcheck"), healthcheck)
        if healthcheck is not None
        else None,
        deploy=_deploy(ctx, at("deploy"), data["deploy"])
        if data.get("deploy") is not None
        else None,
        gpus=_gpus(ctx, at("gpus"), data.get("gpus")),
        runtime=text("runtime"),
        mem_limit=_optional_bytes(ctx, at("mem_limit"), data.get("mem_limit")),
        mem_reservation=_optional_bytes(ctx, at("mem_reservation"), data.get("mem_reservation")),
        cpus=ctx.convert(at("cpus"), parse_cpus, cpus) if cpus is not None else None,
        cpu_shares=_optional_int(ctx, at("cpu_shares"), data.get("cpu_shares")),
        shm_size=_optional_bytes(ctx, at("shm_size"), data.get("shm_size")),
        restart=text("restart"),
        user=text("user"),
        working_dir=text("working_dir"),
        read_only=_optional_bool(ctx, at("read_only"), data.get("read_only")),
        privileged=_optional_bool(ctx, at("privileged"), data.get("privileged")),
        init=_optional_bool(ctx, at("init"), data.get("init")),
        cap_add=_string_list(ctx, at("cap_add"), data.get("cap_add")),
        cap_drop=_string_list(ctx, at("cap_drop"), data.get("cap_drop")),
        security_opt=_string_list(ctx, at("security_opt"), data.get("security_opt")),
        sysctls=_text_map(ctx, at("sysctls"), data.get("sysctls")),
        ulimits=_ulimits(ctx, at("ulimits"), data.get("ulimits")),
        tmpfs=_string_list(ctx, at("tmpfs"), data.get("tmpfs")),
        stop_signal=text("stop_signal"),
        stop_grace_period=ctx.convert(at("stop_grace_period"), parse_duration, stop_grace)
        if stop_grace is not None
        else None,
        hostname=text("hostname"),
        domainname=text("domainname"),
        container_name=text("container_name"),
        extra_hosts=_extra_hosts(ctx, at("extra_hosts"), data.get("extra_hosts")),
        dns=_string_list(ctx, at("dns"), data.get("dns")),
        labels=_text_map(ctx, at("labels"), data.get("labels")),
        networks=_service_networks(ctx, at("networks"), data.get("networks")),
        network_mode=text("network_mode"),
        ipc=text("ipc"),
        pid=text("pid"),
        logging=_logging(ctx, at("logging"), data["logging"])
        if data.get("logging") is not None
        else None,
        profiles=_string_list(ctx, at("profiles"), data.get("profiles")),
        platform=text("platform"),
        pull_policy=text("pull_policy"),
        other=_rest(data, _TYPED_OR_CONSUMED | (frozenset(data) - SERVICE_KEYS)),
        extensions=_split_extensions(data),
        unknown=cast(
            FrozenMap[Any],
            freeze(
                {k: v for k, v in data.items() if k not in SERVICE_KEYS and not k.startswith("x-")}
            ),
        ),
        origins=_origins(ctx.sources, ptr, data),
    )


_TYPED_OR_CONSUMED = TYPED_SERVICE_KEYS | CONSUMED_SERVICE_KEYS


# --------------------------------------------------------------------------- top level


def _external(ctx: _Context, ptr: str, data: Mapping[str, Any]) -> tuple[bool, str | None]:
    """``external: true`` plus ``name:``; the legacy ``external: {name: x}`` form too."""
    external = data.get("external")
    name = _optional_text(data.get("name"))
    if isinstance(external, Mapping):
        return True, _optional_text(external.get("name")) or name
    return bool(_optional_bool(ctx, f"{ptr}/external", external)), name


def _networks(ctx: _Context, value: object) -> tuple[Network, ...]:
    data = _expect_mapping(ctx, "/networks", value or {})
    networks: list[Network] = []
    for name, spec in data.items():
        ptr = pointer("networks", name)
        body = _expect_mapping(ctx, ptr, spec or {})
        external, real_name = _external(ctx, ptr, body)
        networks.append(
            Network(
                name=str(name),
                external=external,
                external_name=real_name,
                driver=_optional_text(body.get("driver")),
                driver_opts=_text_map(ctx, f"{ptr}/driver_opts", body.get("driver_opts")),
                attachable=_optional_bool(ctx, f"{ptr}/attachable", body.get("attachable")),
                internal=_optional_bool(ctx, f"{ptr}/internal", body.get("internal")),
                labels=_text_map(ctx, f"{ptr}/labels", body.get("labels")),
                other=_rest(
                    body,
                    {
                        "external",
                        "name",
                        "driver",
                        "driver_opts",
                        "attachable",
                        "internal",
                        "labels",
                    },
                ),
                origin=ctx.span(ptr),
            )
        )
    return tuple(sorted(networks, key=lambda n: n.name))


def _top_volumes(ctx: _Context, value: object) -> tuple[Volume, ...]:
    data = _expect_mapping(ctx, "/volumes", value or {})
    volumes: list[Volume] = []
    for name, spec in data.items():
        ptr = pointer("volumes", name)
        body = _expect_mapping(ctx, ptr, spec or {})
        external, real_name = _external(ctx, ptr, body)
        volumes.append(
            Volume(
                name=str(name),
                external=external,
                external_name=real_name,
                driver=_optional_text(body.get("driver")),
                driver_opts=_text_map(ctx, f"{ptr}/driver_opts", body.get("driver_opts")),
                labels=_text_map(ctx, f"{ptr}/labels", body.get("labels")),
                other=_rest(body, {"external", "name", "driver", "driver_opts", "labels"}),
                origin=ctx.span(ptr),
            )
        )
    return tuple(sorted(volumes, key=lambda v: v.name))


def _definitions(ctx: _Context, section: str, value: object) -> tuple[SecretDefinition, ...]:
    data = _expect_mapping(ctx, f"/{section}", value or {})
    found: list[SecretDefinition] = []
    known = {"file", "environment", "content", "external", "name", "driver", "template_driver",
             "labels"}  # fmt: skip
    for name, spec in data.items():
        ptr = pointer(section, name)
        body = _expect_mapping(ctx, ptr, spec or {})
        external, real_name = _external(ctx, ptr, body)
        file = _optional_text(body.get("file"))
        found.append(
            SecretDefinition(
                name=str(name),
                file=_absolute(ctx, file) if file is not None else None,
                environment=_optional_text(body.get("environment")),
                content=_optional_text(body.get("content")),
                external=external,
                external_name=real_name,
                driver=_optional_text(body.get("driver")),
                template_driver=_optional_text(body.get("template_driver")),
                labels=_text_map(ctx, f"{ptr}/labels", body.get("labels")),
                other=_rest(body, known),
                origin=ctx.span(ptr),
            )
        )
    return tuple(sorted(found, key=lambda d: d.name))


_PROJECT_KEYS = frozenset(
    {"services", "networks", "volumes", "secrets", "configs", "name", "version", "include"}
)


def normalize_data(
    data: Mapping[str, Any],
    *,
    name: str,
    sources: SourceMap | None = None,
    project_directory: Path | None = None,
    files: Sequence[Path] = (),
) -> Project:
    """Normalise resolved compose data (``version:`` is accepted and ignored)."""
    directory = project_directory or Path.cwd()
    fallback = str(files[0]) if files else "<compose>"
    ctx = _Context(sources if sources is not None else SourceMap(), directory, fallback)
    root = _expect_mapping(ctx, "", data)
    services_data = _expect_mapping(ctx, "/services", root.get("services") or {})
    services = tuple(
        normalize_service(ctx, str(svc_name), spec)
        for svc_name, spec in sorted(services_data.items())
    )
    return Project(
        name=name,
        services=services,
        networks=_networks(ctx, root.get("networks")),
        volumes=_top_volumes(ctx, root.get("volumes")),
        secrets=_definitions(ctx, "secrets", root.get("secrets")),
        configs=_definitions(ctx, "configs", root.get("configs")),
        source_files=tuple(str(f) for f in files),
        project_directory=str(directory),
        extensions=_split_extensions(root),
        other=_rest(root, _PROJECT_KEYS),
    )


def normalize_project(raw: RawProjectLike) -> Project:
    """The loader's resolved :class:`RawProject` as a typed :class:`Project` (errors name
    interpolated variables, never their values)."""
    with naming_variables(raw.expansions):
        return normalize_data(
            raw.data,
            name=raw.name,
            sources=raw.sources,
            project_directory=raw.project_directory,
            files=raw.files,
        )
