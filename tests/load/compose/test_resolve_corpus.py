"""Every awesome-compose sample resolves, and concrete resolved facts for a dozen of them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from kubealign.actions.resolve import ResolveFormat, ResolveOptions, resolve

AWESOME = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus" / "awesome-compose"
SAMPLES = sorted(AWESOME.glob("*/compose.y*ml")) if AWESOME.is_dir() else []

pytestmark = pytest.mark.corpus


def resolved(sample: str) -> dict[str, Any]:
    if not AWESOME.is_dir():
        pytest.skip(f"corpus {AWESOME} is absent")
    (path,) = sorted((AWESOME / sample).glob("compose.y*ml"))
    result = resolve(ResolveOptions(files=(path,), project_directory=path.parent, environ={}))
    return result.data


def sample_dir(sample: str) -> str:
    # Absolute but with symlinks kept, as compose writes the project directory it was given
    # (the shared folder may be reached through a symlink, as in a git worktree).
    return os.path.abspath(AWESOME / sample)  # noqa: PTH100 (resolve() would follow symlinks)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.parent.name)
def test_every_sample_resolves_deterministically(path: Path) -> None:
    options = ResolveOptions(files=(path,), project_directory=path.parent, environ={})
    first = resolve(options)
    assert first.data["services"], path
    assert resolve(options).text == first.text
    json_text = resolve(
        ResolveOptions(
            files=(path,),
            project_directory=path.parent,
            environ={},
            output_format=ResolveFormat.JSON,
        )
    ).text
    assert json_text.startswith("{\n")


def test_corpus_is_present_when_the_shared_folder_is() -> None:
    if not AWESOME.parent.parent.is_dir():
        pytest.skip("shared folder absent")
    assert len(SAMPLES) == 39


def port(target: int, published: str | None = None, protocol: str = "tcp") -> dict[str, Any]:
    found: dict[str, Any] = {"mode": "ingress", "target": target, "protocol": protocol}
    if published is not None:
        found["published"] = published
    return found


def test_gitea_postgres() -> None:
    data = resolved("gitea-postgres")
    gitea, db = data["services"]["gitea"], data["services"]["db"]
    assert gitea["image"] == "gitea/gitea:latest"
    assert gitea["ports"] == [port(3000, "3000")]
    assert gitea["environment"]["DB_HOST"] == "db:5432"
    assert gitea["volumes"] == [
        {"type": "volume", "source": "git_data", "target": "/data", "volume": {}}
    ]
    assert db["expose"] == ["5432"]
    assert sorted(data["volumes"]) == ["db_data", "git_data"]


def test_postgresql_pgadmin_reads_the_project_env_file() -> None:
    data = resolved("postgresql-pgadmin")
    env_text = (AWESOME / "postgresql-pgadmin" / ".env").read_text()
    user = next(
        line.split("=", 1)[1].strip()
        for line in env_text.splitlines()
        if line.startswith("POSTGRES_USER=")
    )
    postgres = data["services"]["postgres"]
    assert postgres["environment"]["POSTGRES_USER"] == user.strip("'\"")
    assert postgres["container_name"] == "postgres"
    assert data["services"]["pgadmin"]["ports"] == [port(80, "5050")]


def test_prometheus_grafana() -> None:
    data = resolved("prometheus-grafana")
    prometheus = data["services"]["prometheus"]
    assert prometheus["command"] == ["--config.file=/etc/prometheus/prometheus.yml"]
    assert prometheus["restart"] == "unless-stopped"
    assert prometheus["volumes"][0] == {
        "type": "bind",
        "source": sample_dir("prometheus-grafana") + "/prometheus",
        "target": "/etc/prometheus",
        "bind": {"create_host_path": True},
    }
    assert data["services"]["grafana"]["environment"]["GF_SECURITY_ADMIN_USER"] == "admin"


def test_wordpress_mysql() -> None:
    data = resolved("wordpress-mysql")
    db = data["services"]["db"]
    assert db["image"] == "mariadb:10.6.4-focal"
    assert db["command"] == ["--default-authentication-plugin=mysql_native_password"]
    assert db["expose"] == ["3306", "33060"]
    assert data["services"]["wordpress"]["environment"]["WORDPRESS_DB_HOST"] == "db"


def test_pihole_ports_protocols_and_static_ip() -> None:
    data = resolved("pihole-cloudflared-DoH")
    pihole = data["services"]["pihole"]
    assert port(53, "53", "udp") in pihole["ports"]
    assert port(80, "8080") in pihole["ports"]
    assert pihole["cap_add"] == ["NET_ADMIN"]
    cloudflared = data["services"]["cloudflared"]
    assert cloudflared["networks"] == {"dns-net": {"ipv4_address": "172.20.0.2"}}
    assert data["networks"]["dns-net"]["ipam"] == {"config": [{"subnet": "172.20.0.0/24"}]}
    assert "version" not in data


def test_plex_host_network() -> None:
    plex = resolved("plex")["services"]["plex"]
    assert plex["network_mode"] == "host"
    assert plex["environment"] == {"VERSION": "docker"}


def test_traefik_golang_command_is_split_and_labels_kept() -> None:
    data = resolved("traefik-golang")
    frontend = data["services"]["frontend"]
    assert frontend["command"][0] == "--providers.docker"
    assert frontend["volumes"][0]["source"] == "/var/run/docker.sock"
    labels = data["services"]["backend"]["labels"]
    assert labels["traefik.http.routers.go.rule"] == "Path(`/`)"
    assert data["services"]["backend"]["build"]["context"] == (
        sample_dir("traefik-golang") + "/backend"
    )


def test_wireguard_sysctls_and_udp() -> None:
    wireguard = resolved("wireguard")["services"]["wireguard"]
    assert wireguard["sysctls"] == {"net.ipv4.conf.all.src_valid_mark": "1"}
    assert wireguard["ports"] == [port(51820, "51820", "udp")]
    assert wireguard["environment"]["PEERS"] == "1"


def test_react_java_mysql_secrets_and_healthcheck() -> None:
    data = resolved("react-java-mysql")
    db = data["services"]["db"]
    assert db["healthcheck"] == {
        "test": ["CMD", "mysqladmin", "ping", "-h", "127.0.0.1", "--silent"],
        "interval": "3s",
        "retries": 5,
        "start_period": "30s",
    }
    assert db["secrets"] == [{"source": "db-password", "target": "/run/secrets/db-password"}]
    assert data["secrets"]["db-password"]["file"] == (
        sample_dir("react-java-mysql") + "/db/password.txt"
    )
    backend = data["services"]["backend"]
    assert backend["depends_on"] == {"db": {"condition": "service_healthy", "required": True}}
    frontend = data["services"]["frontend"]
    assert frontend["volumes"][1] == {
        "type": "volume",
        "target": "/project/node_modules",
        "volume": {},
    }


def test_flask_redis() -> None:
    data = resolved("flask-redis")
    web = data["services"]["web"]
    assert web["stop_signal"] == "SIGINT"
    assert web["build"] == {
        "context": sample_dir("flask-redis"),
        "dockerfile": "Dockerfile",
        "target": "builder",
    }
    assert web["depends_on"] == {"redis": {"condition": "service_started", "required": True}}
    assert data["services"]["redis"]["image"] == "redislabs/redismod"


def test_nextcloud_postgres() -> None:
    nc = resolved("nextcloud-postgres")["services"]["nc"]
    assert nc["image"] == "nextcloud:apache"
    assert nc["ports"] == [port(80, "80")]
    assert nc["environment"]["POSTGRES_HOST"] == "db"


def test_django_build_only() -> None:
    web = resolved("django")["services"]["web"]
    assert "image" not in web
    assert web["build"]["target"] == "builder"
    assert web["ports"] == [port(8000, "8000")]
