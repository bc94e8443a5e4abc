"""Short and long syntax normalised to one typed form, written from the Compose spec text
(compose-spec 05-services.md, deploy.md, 11-extension.md "Specifying byte values")."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kubealign.errors import ComposeError
from kubealign.load.compose.normalize import (
    normalize_data,
    parse_bytes,
    parse_cpus,
    parse_duration,
)
from kubealign.model.compose import (
    ALL,
    Dependency,
    FileReference,
    GpuSource,
    HealthcheckKind,
    PortMapping,
    Project,
    Service,
    gpu_requests,
    millicores,
)
from kubealign.model.source import SourceMap, SourceSpan

PROJECT_DIR = Path("/srv/app")


def project(services: dict[str, Any], **top: Any) -> Project:
    return normalize_data({"services": services, **top}, name="app", project_directory=PROJECT_DIR)


def service(**keys: Any) -> Service:
    return project({"svc": keys}).service("svc")


# --------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1m30s", 90.0),
        ("1h", 3600.0),
        ("500ms", 0.5),
        ("10s", 10.0),
        ("1.5s", 1.5),
        ("2h45m", 9900.0),
        ("100us", 0.0001),
        ("0", 0.0),
        (0, 0.0),
    ],
)
def test_durations_are_go_durations_in_seconds(text: object, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["10", "1x", "m", "", "1m30", 5, True])
def test_durations_without_units_are_rejected(text: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("50M", 52_428_800),
        ("50m", 52_428_800),
        ("1gb", 1_073_741_824),
        ("1G", 1_073_741_824),
        ("512k", 524_288),
        ("512kb", 524_288),
        ("100b", 100),
        ("1024", 1024),
        (2048, 2048),
        ("1.5g", 1_610_612_736),
        ("64Mi", 67_108_864),
    ],
)
def test_byte_values_are_binary(text: object, size: int) -> None:
    assert parse_bytes(text) == size


@pytest.mark.parametrize("text", ["lots", "5 zb", "-1m", True])
def test_bad_byte_values_are_rejected(text: object) -> None:
    with pytest.raises(ValueError, match="byte size"):
        parse_bytes(text)


def test_cpus_are_exact_decimals() -> None:
    assert parse_cpus("0.50") == Decimal("0.5")
    assert parse_cpus(0.1) == Decimal("0.1")
    assert parse_cpus(2) == Decimal(2)
    assert millicores(parse_cpus("0.25")) == 250
    assert millicores(parse_cpus("1.0005")) == 1001  # rounded up, never below the request
    with pytest.raises(ValueError, match="CPUs"):
        parse_cpus("half")


# --------------------------------------------------------------------------- ports


def test_port_short_syntax_forms() -> None:
    ports = service(
        ports=[
            "3000",
            "8080:80",
            "127.0.0.1:8001:8001",
            "[::1]:6001:6001/udp",
            "9090-9091:8080-8081",
            "6060:6060/udp",
            "5000-5010:5000",
            49100,
        ]
    ).ports
    assert ports == (
        PortMapping(target=3000),
        PortMapping(target=80, published="8080"),
        PortMapping(target=8001, published="8001", host_ip="127.0.0.1"),
        PortMapping(target=6001, published="6001", host_ip="::1", protocol="udp"),
        PortMapping(target=8080, published="9090"),
        PortMapping(target=8081, published="9091"),
        PortMapping(target=6060, published="6060", protocol="udp"),
        PortMapping(target=5000, published="5000-5010"),
        PortMapping(target=49100),
    )


def test_port_long_syntax() -> None:
    (port,) = service(
        ports=[
            {
                "name": "web",
                "target": 80,
                "host_ip": "0.0.0.0",
                "published": 8080,
                "protocol": "udp",
                "app_protocol": "http",
                "mode": "host",
            }
        ]
    ).ports
    assert port == PortMapping(
        target=80,
        published="8080",
        host_ip="0.0.0.0",
        protocol="udp",
        mode="host",
        name="web",
        app_protocol="http",
    )


def test_bad_port_names_the_line() -> None:
    sources = SourceMap({"/services/web/ports/0": SourceSpan("compose.yaml", 7, 9)})
    with pytest.raises(ComposeError) as caught:
        normalize_data(
            {"services": {"web": {"ports": ["80:abc"]}}},
            name="p",
            sources=sources,
            project_directory=PROJECT_DIR,
        )
    assert str(caught.value).startswith("compose.yaml:7:9: services.web.ports.0:")


# --------------------------------------------------------------------------- volumes


def test_volume_short_syntax() -> None:
    volumes = service(
        volumes=["./data:/data:ro", "db:/var/lib/postgresql/data", "/etc/ssl:/ssl:z", "/cache"]
    ).volumes
    bind, named, absolute, anonymous = volumes
    assert (bind.type, bind.source, bind.target, bind.read_only) == (
        "bind",
        "/srv/app/data",
        "/data",
        True,
    )
    assert bind.bind is not None and bind.bind.create_host_path is True
    assert (named.type, named.source, named.read_only) == ("volume", "db", False)
    assert absolute.bind is not None and absolute.bind.selinux == "z"
    assert (anonymous.type, anonymous.source, anonymous.target) == ("volume", None, "/cache")


def test_volume_long_syntax_with_options() -> None:
    tmp, vol = service(
        volumes=[
            {"type": "tmpfs", "target": "/tmp", "tmpfs": {"size": "64m", "mode": 1777}},
            {
                "type": "volume",
                "source": "models",
                "target": "/models",
                "read_only": True,
                "volume": {"nocopy": True, "subpath": "llama"},
            },
        ]
    ).volumes
    assert tmp.tmpfs is not None and tmp.tmpfs.size == 67_108_864
    assert vol.read_only and vol.volume is not None
    assert (vol.volume.nocopy, vol.volume.subpath) == (True, "llama")


def test_unknown_volume_type_is_rejected() -> None:
    with pytest.raises(ComposeError, match="expected one of bind, volume"):
        service(volumes=[{"type": "nfs", "target": "/x"}])


# --------------------------------------------------------------------------- references


def test_secrets_and_configs_short_and_long() -> None:
    svc = service(
        secrets=["db_password", {"source": "api", "target": "api.key", "mode": "0400"}],
        configs=["nginx", {"source": "gw", "target": "/etc/gw.yaml", "uid": 101, "mode": 0o440}],
    )
    assert svc.secrets == (
        FileReference(source="db_password", target="/run/secrets/db_password"),
        FileReference(source="api", target="api.key", mode=0o400),
    )
    assert svc.configs == (
        FileReference(source="nginx"),
        FileReference(source="gw", target="/etc/gw.yaml", uid="101", mode=0o440),
    )


def test_depends_on_list_becomes_started_conditions() -> None:
    assert service(depends_on=["db", "cache"]).depends_on == (
        Dependency("db"),
        Dependency("cache"),
    )
    long = service(
        depends_on={
            "db": {"condition": "service_healthy", "restart": True},
            "migrate": {"condition": "service_completed_successfully", "required": False},
        }
    )
    assert long.depends_on == (
        Dependency("db", condition="service_healthy", restart=True),
        Dependency("migrate", condition="service_completed_successfully", required=False),
    )


def test_healthcheck_string_is_cmd_shell() -> None:
    check = service(
        healthcheck={
            "test": "curl -f http://localhost",
            "interval": "1m30s",
            "timeout": "10s",
            "retries": 3,
            "start_period": "40s",
            "start_interval": "5s",
        }
    ).healthcheck
    assert check is not None
    assert check.kind is HealthcheckKind.CMD_SHELL
    assert check.args == ("curl -f http://localhost",)
    assert (check.interval, check.timeout, check.start_period, check.start_interval) == (
        90.0,
        10.0,
        40.0,
        5.0,
    )


def test_healthcheck_list_and_disable() -> None:
    check = service(healthcheck={"test": ["CMD", "pg_isready", "-U", "app"]}).healthcheck
    assert check is not None and check.kind is HealthcheckKind.CMD
    assert check.args == ("pg_isready", "-U", "app")
    none = service(healthcheck={"test": ["NONE"]}).healthcheck
    assert none is not None and none.kind is HealthcheckKind.NONE
    disabled = service(healthcheck={"disable": True}).healthcheck
    assert disabled is not None and disabled.disable
    with pytest.raises(ComposeError, match="NONE, CMD or CMD-SHELL"):
        service(healthcheck={"test": ["RUN", "x"]})


def test_command_string_is_split_like_a_shell() -> None:
    svc = service(command='nginx -g "daemon off;"', entrypoint=["/bin/sh", "-c"])
    assert svc.command is not None and svc.command.argv == ("nginx", "-g", "daemon off;")
    assert svc.command.shell_form == 'nginx -g "daemon off;"'
    assert svc.entrypoint is not None and svc.entrypoint.shell_form is None


# --------------------------------------------------------------------------- deploy


def test_deploy_fully() -> None:
    deploy = service(
        deploy={
            "mode": "replicated",
            "replicas": 3,
            "endpoint_mode": "dnsrr",
            "labels": ["traefik.enable=true"],
            "resources": {
                "limits": {"cpus": "0.50", "memory": "50M", "pids": 100},
                "reservations": {"cpus": "0.25", "memory": "20M"},
            },
            "placement": {
                "constraints": ["node.role == manager", "node.labels.gpu!=false"],
                "preferences": [{"spread": "node.labels.zone"}],
                "max_replicas_per_node": 1,
            },
            "restart_policy": {
                "condition": "on-failure",
                "delay": "5s",
                "max_attempts": 3,
                "window": "120s",
            },
            "update_config": {
                "parallelism": 2,
                "delay": "10s",
                "order": "start-first",
                "failure_action": "rollback",
                "monitor": "1m",
                "max_failure_ratio": 0.3,
            },
            "rollback_config": {"parallelism": 1, "order": "stop-first"},
        }
    ).deploy
    assert deploy is not None
    assert (deploy.mode, deploy.replicas, deploy.endpoint_mode) == ("replicated", 3, "dnsrr")
    assert dict(deploy.labels) == {"traefik.enable": "true"}
    assert deploy.resources is not None
    limits, reservations = deploy.resources.limits, deploy.resources.reservations
    assert limits is not None and reservations is not None
    assert (limits.cpus, limits.memory, limits.pids) == (Decimal("0.5"), 52_428_800, 100)
    assert (reservations.cpus, reservations.memory) == (Decimal("0.25"), 20_971_520)
    assert deploy.placement is not None
    first, second = deploy.placement.constraints
    assert (first.subject, first.operator, first.value) == ("node.role", "==", "manager")
    assert (second.subject, second.operator, second.value) == ("node.labels.gpu", "!=", "false")
    assert str(first) == "node.role == manager"  # printed back as written
    assert deploy.placement.preferences[0].spread == "node.labels.zone"
    assert deploy.placement.max_replicas_per_node == 1
    assert deploy.restart_policy is not None
    assert (deploy.restart_policy.delay, deploy.restart_policy.window) == (5.0, 120.0)
    assert deploy.update_config is not None and deploy.update_config.monitor == 60.0
    assert deploy.update_config.max_failure_ratio == 0.3
    assert deploy.rollback_config is not None and deploy.rollback_config.order == "stop-first"


def test_bad_constraint_is_rejected() -> None:
    with pytest.raises(ComposeError, match="constraint like"):
        service(deploy={"placement": {"constraints": ["node.role=manager"]}})


def test_legacy_resource_keys() -> None:
    svc = service(mem_limit="1g", mem_reservation="512m", cpus=1.5, cpu_shares=512, shm_size="2gb")
    assert svc.mem_limit == 1_073_741_824
    assert svc.mem_reservation == 536_870_912
    assert svc.cpus == Decimal("1.5")
    assert svc.cpu_shares == 512
    assert svc.shm_size == 2_147_483_648


# --------------------------------------------------------------------------- GPUs


def test_gpu_from_device_reservations() -> None:
    svc = service(
        deploy={
            "resources": {
                "reservations": {
                    "devices": [
                        {"driver": "nvidia", "count": 2, "capabilities": ["gpu", "utility"]},
                        {"capabilities": ["tpu"], "count": 1},
                    ]
                }
            }
        }
    )
    (request,) = gpu_requests(svc)
    assert (request.source, request.count, request.driver) == (GpuSource.DEVICES, 2, "nvidia")
    assert request.capabilities == ("gpu", "utility")


def test_gpu_device_ids_and_count_all() -> None:
    svc = service(
        deploy={
            "resources": {
                "reservations": {
                    "devices": [
                        {"capabilities": ["gpu"], "device_ids": ["0", "3"]},
                        {"capabilities": ["gpu"], "count": "all"},
                        {"capabilities": ["gpu"]},
                    ]
                }
            }
        }
    )
    ids, everything, default = gpu_requests(svc)
    assert (ids.count, ids.device_ids) == (2, ("0", "3"))
    assert everything.count == ALL
    assert default.count == ALL  # the spec's default when neither count nor ids is given


def test_gpu_from_service_gpus_key() -> None:
    assert [r.count for r in gpu_requests(service(gpus="all"))] == [ALL]
    (request,) = gpu_requests(service(gpus=[{"driver": "nvidia", "count": 1}]))
    assert (request.source, request.count, request.capabilities) == (GpuSource.GPUS, 1, ("gpu",))


def test_gpu_from_swarm_generic_resources() -> None:
    svc = service(
        deploy={
            "resources": {
                "reservations": {
                    "generic_resources": [
                        {"discrete_resource_spec": {"kind": "NVIDIA-GPU", "value": 2}},
                        {"discrete_resource_spec": {"kind": "SSD", "value": 1}},
                    ]
                }
            }
        }
    )
    (request,) = gpu_requests(svc)
    assert (request.source, request.count, request.kind) == (
        GpuSource.GENERIC_RESOURCES,
        2,
        "NVIDIA-GPU",
    )


def test_gpu_from_legacy_runtime() -> None:
    (everything,) = gpu_requests(service(runtime="nvidia"))
    assert (everything.source, everything.count) == (GpuSource.RUNTIME, ALL)
    (two,) = gpu_requests(service(runtime="nvidia", environment={"NVIDIA_VISIBLE_DEVICES": "0,1"}))
    assert (two.count, two.device_ids) == (2, ("0", "1"))
    assert (
        gpu_requests(service(runtime="nvidia", environment=["NVIDIA_VISIBLE_DEVICES=none"])) == ()
    )
    assert gpu_requests(service(runtime="runc")) == ()


# --------------------------------------------------------------------------- other keys


def test_environment_labels_and_maps() -> None:
    svc = service(
        environment=["A=1", "B", "C="],
        labels={"z": 1, "a": True},
        sysctls=["net.core.somaxconn=1024"],
        ulimits={"nofile": {"soft": 20000, "hard": 40000}, "nproc": 65535},
        extra_hosts=["somehost:162.242.195.82", "v6=::1"],
        dns="8.8.8.8",
        tmpfs="/run",
    )
    assert dict(svc.environment) == {"A": "1", "B": None, "C": ""}
    assert list(svc.labels.items()) == [("a", "true"), ("z", "1")]
    assert dict(svc.sysctls) == {"net.core.somaxconn": "1024"}
    assert [(u.name, u.soft, u.hard) for u in svc.ulimits] == [
        ("nofile", 20000, 40000),
        ("nproc", 65535, 65535),
    ]
    assert [(h.hostname, h.address) for h in svc.extra_hosts] == [
        ("somehost", "162.242.195.82"),
        ("v6", "::1"),
    ]
    assert (svc.dns, svc.tmpfs) == (("8.8.8.8",), ("/run",))


def test_unmodelled_and_extension_keys_are_kept_as_data() -> None:
    svc = service(image="x", tty=True, stdin_open=True, **{"x-team": {"owner": "ml"}})
    assert dict(svc.other) == {"stdin_open": True, "tty": True}
    assert svc.extensions["x-team"]["owner"] == "ml"
    assert dict(svc.unknown) == {}
    assert dict(service(imagee="typo").unknown) == {"imagee": "typo"}


def test_version_is_ignored_and_services_sorted() -> None:
    result = project({"b": {"image": "b"}, "a": {"image": "a"}}, version="3.8")
    assert result.service_names == ("a", "b")
    assert "version" not in result.other


def test_every_key_records_its_origin() -> None:
    sources = SourceMap(
        {
            "/services/web": SourceSpan("c.yaml", 2, 3),
            "/services/web/image": SourceSpan("c.yaml", 3, 5),
            "/services/web/deploy": SourceSpan("c.yaml", 4, 5),
            "/services/web/deploy/resources": SourceSpan("c.yaml", 5, 7),
        }
    )
    result = normalize_data(
        {"services": {"web": {"image": "nginx", "deploy": {"resources": {"limits": {}}}}}},
        name="p",
        sources=sources,
        project_directory=PROJECT_DIR,
    )
    web = result.service("web")
    assert web.origin("image") == SourceSpan("c.yaml", 3, 5)
    assert web.origin("deploy.resources") == SourceSpan("c.yaml", 5, 7)
    # no span of its own: the nearest written parent
    assert web.origin("deploy.resources.limits") == SourceSpan("c.yaml", 5, 7)
    assert web.origin("ports") is None
    assert web.written_keys == ("deploy", "image")


def test_model_is_hashable_and_equal_for_equal_input() -> None:
    one = project({"a": {"image": "x", "environment": {"B": "2", "A": "1"}}})
    two = project({"a": {"image": "x", "environment": {"A": "1", "B": "2"}}})
    assert one == two
    assert hash(one) == hash(two)
