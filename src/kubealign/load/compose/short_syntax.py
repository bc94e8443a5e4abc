"""Short-syntax ports and volumes turned into their long-form mappings.

The rules follow Docker's own parsers (docker/go-connections ``nat.ParsePortSpec`` used by
compose-go ``ParsePortConfig``, and compose-go ``loader/volume.go``), so that keyed merges and the
typed model agree with ``docker compose config``. Errors are plain ``ValueError``s; callers add
the file and line.
"""

from __future__ import annotations

import ipaddress
import posixpath
from typing import Any

_PROTOCOLS = frozenset({"tcp", "udp", "sctp"})
_MAX_PORT = 65535
_PROPAGATIONS = frozenset({"rprivate", "private", "rshared", "shared", "rslave", "slave"})
_SELINUX = frozenset({"z", "Z"})


def _split_parts(spec: str) -> tuple[str, str, str]:
    """``ip``, ``host``, ``container`` the way nat.splitParts cuts on colons (IPv6 kept)."""
    parts = spec.split(":")
    if len(parts) == 1:
        return "", "", parts[0]
    if len(parts) == 2:
        return "", parts[0], parts[1]
    return ":".join(parts[:-2]), parts[-2], parts[-1]


def _split_protocol(container: str) -> tuple[str, str]:
    port, _, protocol = container.partition("/")
    return port, protocol or "tcp"


def _port_range(text: str, what: str) -> tuple[int, int]:
    start_text, dash, end_text = text.partition("-")
    try:
        start = int(start_text, 10)
        end = int(end_text, 10) if dash else start
    except ValueError:
        raise ValueError(f"invalid {what} {text!r}: expected a port number or range") from None
    if not (0 <= start <= _MAX_PORT and 0 <= end <= _MAX_PORT) or end < start:
        raise ValueError(f"invalid {what} {text!r}: expected ports 0-65535, start <= end")
    return start, end


def _host_ip(ip: str) -> str:
    if ip.startswith("[") and ip.endswith("]"):
        ip = ip[1:-1]
    try:
        ipaddress.ip_address(ip)
    except ValueError:
        raise ValueError(f"invalid host IP address {ip!r}") from None
    return ip


def parse_port_spec(text: str) -> list[dict[str, Any]]:
    """``[[IP:]HOST:]CONTAINER[/PROTO]`` -> long-form port mappings, ranges expanded.

    Each mapping has ``target`` (int), ``published`` (str or None), ``host_ip`` (str or None),
    ``protocol`` and ``mode`` (``ingress``, the default of the short form). A host range with a
    single container port stays one mapping whose ``published`` is the range, as Docker treats
    it as the pool to pick one host port from.
    """
    spec = text.strip()
    ip, host, container = _split_parts(spec)
    container, protocol = _split_protocol(container)
    protocol = protocol.lower()
    host_ip = _host_ip(ip) if ip else None
    if not container:
        raise ValueError(f"invalid port {text!r}: expected a container port")
    start, end = _port_range(container, "container port")
    host_start = host_end = 0
    if host:
        host_start, host_end = _port_range(host, "published port")
        if end - start != host_end - host_start and end != start:
            raise ValueError(
                f"invalid port {text!r}: container range {container} and published range "
                f"{host} must have the same length"
            )
    if protocol not in _PROTOCOLS:
        raise ValueError(f"invalid port {text!r}: protocol must be tcp, udp or sctp")
    mappings: list[tuple[str, dict[str, Any]]] = []
    for offset in range(end - start + 1):
        published: str | None = None
        if host:
            published = str(host_start + offset)
            if start == end and host_start != host_end:
                published = f"{host_start}-{host_end}"
        target = start + offset
        mapping = {
            "target": target,
            "published": published,
            "host_ip": host_ip,
            "protocol": protocol,
            "mode": "ingress",
        }
        # Docker sorts the "port/proto" keys as strings; keep its order for equal output.
        mappings.append((f"{target}/{protocol}", mapping))
    mappings.sort(key=lambda item: item[0])
    return [mapping for _, mapping in mappings]


def _is_windows_drive(buffer: str, char: str) -> bool:
    return char == ":" and len(buffer) == 1 and buffer.isalpha()


def is_host_path(source: str) -> bool:
    """A short-syntax volume source that names a host path rather than a named volume."""
    if not source:
        return False
    if source[0] in "./~" or source.startswith("\\\\"):
        return True
    return len(source) > 1 and _is_windows_drive(source[0], source[1])


def _apply_options(volume: dict[str, Any], options: str) -> None:
    for option in options.split(","):
        if option == "ro":
            volume["read_only"] = True
        elif option == "rw":
            volume["read_only"] = False
        elif option == "nocopy":
            volume["volume"] = {"nocopy": True}
        elif option in _SELINUX:
            volume.setdefault("bind", {})["selinux"] = option
        elif option in _PROPAGATIONS:
            volume.setdefault("bind", {})["propagation"] = option
        # Other options are ignored, as compose does.


def parse_volume_spec(text: str) -> dict[str, Any]:
    """``[SOURCE:]TARGET[:MODE]`` -> long form ``{type, source, target, read_only, ...}``.

    Host paths start with ``.``, ``/``, ``~``, ``\\\\`` or a drive letter; they become ``bind``
    volumes with ``bind.create_host_path: true`` (compose's legacy behaviour for the short
    form); anything else is a named (or, without a source, anonymous) ``volume``.
    """
    if not text:
        raise ValueError("invalid volume '': expected [SOURCE:]TARGET[:MODE]")
    volume: dict[str, Any] = {"type": "volume", "source": None, "target": None, "read_only": False}
    if len(text) <= 2:
        volume["target"] = text
        volume["volume"] = {}
        return volume
    fields: list[str] = []
    buffer = ""
    for char in text:
        if _is_windows_drive(buffer, char) or char != ":":
            buffer += char
            continue
        fields.append(buffer)
        buffer = ""
    fields.append(buffer)
    if any(not field for field in fields):
        raise ValueError(f"invalid volume {text!r}: empty section between colons")
    if len(fields) > 3:
        raise ValueError(f"invalid volume {text!r}: too many colons")
    if len(fields) == 1:
        volume["target"] = fields[0]
    else:
        volume["source"], volume["target"] = fields[0], fields[1]
    if len(fields) == 3:
        _apply_options(volume, fields[2])
    if volume["target"].startswith("/"):
        # compose-go cleans the container path ("/data/" and "/data/." are "/data")
        volume["target"] = posixpath.normpath(volume["target"])
    if is_host_path(volume["source"] or ""):
        volume["type"] = "bind"
        volume["bind"] = {"create_host_path": True, **volume.get("bind", {})}
        volume.pop("volume", None)
    else:
        volume.setdefault("volume", {})
        volume.pop("bind", None)
    return volume
