"""Short-syntax ports and volumes, checked against what `docker compose config` prints."""

from __future__ import annotations

from typing import Any

import pytest

from kubealign.load.compose.short_syntax import is_host_path, parse_port_spec, parse_volume_spec


def port(target: int, published: str | None = None, ip: str | None = None, proto: str = "tcp"):
    return {
        "target": target,
        "published": published,
        "host_ip": ip,
        "protocol": proto,
        "mode": "ingress",
    }


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("80", [port(80)]),
        ("8080:80", [port(80, "8080")]),
        ("127.0.0.1:8081:81/udp", [port(81, "8081", "127.0.0.1", "udp")]),
        ("[::1]:8082:82", [port(82, "8082", "::1")]),
        ("127.0.0.1::93", [port(93, None, "127.0.0.1")]),
        ("94/SCTP", [port(94, proto="sctp")]),
        ("9000-9010:90", [port(90, "9000-9010")]),
        # Docker orders expanded ranges by the "port/proto" string
        ("98-101:98-101", [port(100, "100"), port(101, "101"), port(98, "98"), port(99, "99")]),
        ("3000-3001", [port(3000), port(3001)]),
    ],
)
def test_port_specs(spec: str, expected: list[dict[str, Any]]) -> None:
    assert parse_port_spec(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("80-81:90-92", "same length"),
        ("abc", "expected a port number"),
        ("70000", "0-65535"),
        ("90-80", "start <= end"),
        ("80/icmp", "protocol"),
        ("300.1.1.1:80:80", "host IP"),
        ("8080:", "container port"),
    ],
)
def test_bad_port_specs(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_port_spec(spec)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            "/data",
            {"type": "volume", "source": None, "target": "/data", "read_only": False, "volume": {}},
        ),
        (
            "./src:/app:ro,z",
            {
                "type": "bind",
                "source": "./src",
                "target": "/app",
                "read_only": True,
                "bind": {"create_host_path": True, "selinux": "z"},
            },
        ),
        (
            "db:/var/lib/db:nocopy",
            {
                "type": "volume",
                "source": "db",
                "target": "/var/lib/db",
                "read_only": False,
                "volume": {"nocopy": True},
            },
        ),
        (
            "~/x:/x:rslave",
            {
                "type": "bind",
                "source": "~/x",
                "target": "/x",
                "read_only": False,
                "bind": {"create_host_path": True, "propagation": "rslave"},
            },
        ),
        (
            "/host:/ctr:rw",
            {
                "type": "bind",
                "source": "/host",
                "target": "/ctr",
                "read_only": False,
                "bind": {"create_host_path": True},
            },
        ),
        # compose-go reads a one-letter source as a Windows drive: the whole text is the target
        (
            "a:/b",
            {"type": "volume", "source": None, "target": "a:/b", "read_only": False, "volume": {}},
        ),
    ],
)
def test_volume_specs(spec: str, expected: dict[str, Any]) -> None:
    assert parse_volume_spec(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [("", "expected"), ("ab::c", "empty section"), ("ab:/b:ro:x", "too many colons")],
)
def test_bad_volume_specs(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_volume_spec(spec)


def test_container_path_is_cleaned() -> None:
    assert parse_volume_spec("/etc/pihole/:/etc/pihole/")["target"] == "/etc/pihole"
    assert parse_volume_spec("/etc/pihole/:/etc/pihole/")["source"] == "/etc/pihole/"


def test_host_path_detection() -> None:
    assert is_host_path("./x") and is_host_path("../x") and is_host_path("~/x")
    assert is_host_path("/x") and is_host_path("C:\\data")
    assert not is_host_path("named") and not is_host_path("")
