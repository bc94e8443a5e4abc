"""Serialisation in the shape of ``docker compose config``: units, masking, determinism."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kubealign.load.compose.normalize import normalize_data
from kubealign.load.compose.serialize import (
    MASK,
    dump_json,
    dump_yaml,
    go_duration,
    project_to_compose_json,
)
from kubealign.model.secret_names import is_secret_name


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (90, "1m30s"),
        (3600, "1h0m0s"),
        (60, "1m0s"),
        (0.5, "500ms"),
        (1.5, "1.5s"),
        (9900, "2h45m0s"),
        (0.0001, "100µs"),
        (30, "30s"),
    ],
)
def test_durations_print_like_go(seconds: float, text: str) -> None:
    assert go_duration(seconds) == text


def compose(services: dict[str, Any], **top: Any) -> dict[str, Any]:
    project = normalize_data(
        {"services": services, **top}, name="demo", project_directory=Path("/srv/demo")
    )
    return project_to_compose_json(project)


def test_units_print_as_compose_does() -> None:
    svc = compose(
        {
            "a": {
                "image": "x",
                "mem_limit": "50m",
                "cpus": "1.0",
                "stop_grace_period": "90s",
                "deploy": {"resources": {"limits": {"cpus": "0.5", "memory": "1g"}}},
            }
        }
    )["services"]["a"]
    assert svc["mem_limit"] == "52428800"
    assert svc["cpus"] == 1
    assert svc["stop_grace_period"] == "1m30s"
    assert svc["deploy"]["resources"]["limits"] == {"cpus": 0.5, "memory": "1073741824"}


def test_gpus_all_and_count_all_print_as_minus_one() -> None:
    svc = compose(
        {
            "a": {
                "image": "x",
                "gpus": "all",
                "deploy": {
                    "resources": {
                        "reservations": {"devices": [{"capabilities": ["gpu"], "count": "all"}]}
                    }
                },
            }
        }
    )["services"]["a"]
    assert svc["gpus"] == [{"count": -1}]
    assert svc["deploy"]["resources"]["reservations"]["devices"] == [
        {"capabilities": ["gpu"], "count": -1}
    ]


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("DB_PASSWORD", True),
        ("GITHUB_TOKEN", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("API_KEY", True),
        ("JWT_SECRET", True),
        ("POSTGRES_USER", False),
        ("KEYCLOAK_URL", False),
        ("PORT", False),
    ],
)
def test_secret_looking_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_mask_secrets_masks_only_secret_looking_values() -> None:
    project = normalize_data(
        {
            "services": {
                "a": {"image": "x", "environment": {"DB_PASSWORD": "hunter2", "USER": "bob"}}
            }
        },
        name="demo",
        project_directory=Path("/srv/demo"),
    )
    masked = project_to_compose_json(project, mask_secrets=True)["services"]["a"]["environment"]
    assert masked == {"DB_PASSWORD": MASK, "USER": "bob"}
    plain = project_to_compose_json(project)["services"]["a"]["environment"]
    assert plain["DB_PASSWORD"] == "hunter2"  # like docker compose config: the user's own data
    assert "hunter2" not in dump_yaml(project_to_compose_json(project, mask_secrets=True))


def test_output_is_deterministic_and_round_trips() -> None:
    services = {
        "b": {"image": "b", "labels": {"z": "1", "a": "2"}, "ports": ["22:22", "8080:80"]},
        "a": {"image": "a", "environment": {"FLAG": "on", "N": "0755"}},
    }
    first, second = compose(services), compose(dict(reversed(list(services.items()))))
    assert dump_yaml(first) == dump_yaml(second)
    assert dump_json(first) == dump_json(second)
    text = dump_yaml(first)
    # YAML 1.1 readers must not turn "on" into True or "0755" into 493
    assert yaml.safe_load(text) == first
    assert list(first["services"]) == ["a", "b"]


def test_dollars_are_escaped_so_output_reloads_to_the_same_values() -> None:
    project = normalize_data(
        {"services": {"a": {"image": "x", "command": ["echo", "$HOME"], "labels": {"l": "a$b"}}}},
        name="demo",
        project_directory=Path("/srv/demo"),
    )
    assert project.service("a").command is not None
    assert project.service("a").command.argv == ("echo", "$HOME")  # the model holds real values
    svc = project_to_compose_json(project)["services"]["a"]
    assert svc["command"] == ["echo", "$$HOME"]
    assert svc["labels"] == {"l": "a$$b"}


def test_unused_top_level_resources_are_left_out_but_kept_in_the_model() -> None:
    project = normalize_data(
        {
            "services": {
                "a": {
                    "image": "x",
                    "volumes": ["data:/data"],
                    "networks": ["front"],
                    "secrets": ["s"],
                }
            },
            "volumes": {"data": {}, "spare": {}},
            "networks": {"front": {}, "back": {}},
            "secrets": {"s": {"file": "./s"}, "t": {"file": "./t"}},
            "configs": {"c": {"file": "./c"}},
        },
        name="demo",
        project_directory=Path("/srv/demo"),
    )
    data = project_to_compose_json(project)
    assert list(data["volumes"]) == ["data"]
    assert list(data["networks"]) == ["front"]
    assert list(data["secrets"]) == ["s"]
    assert "configs" not in data
    assert [v.name for v in project.volumes] == ["data", "spare"]
