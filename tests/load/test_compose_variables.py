"""COMPOSE_FILE, COMPOSE_PROFILES, COMPOSE_PROJECT_NAME: what compose reads instead of flags."""

from __future__ import annotations

from kubealign.load.shell_script import parse_shell
from kubealign.model.artifacts import DeployKind


def _compose(text: str) -> list[tuple[tuple[str, ...], dict[str, list[str]]]]:
    out = []
    for command in parse_shell(text, "deploy.sh").deploy_commands:
        if command.kind is DeployKind.COMPOSE_UP:
            params: dict[str, list[str]] = {}
            for key, value in command.params:
                params.setdefault(key, []).append(value)
            out.append((command.files, params))
    return out


def test_exported_compose_file_stands_for_f_until_a_flag_says_otherwise() -> None:
    found = _compose(
        "export COMPOSE_FILE=docker-compose.yml:docker-compose.prod.yml\n"
        "COMPOSE_PROFILES=gpu,cpu\n"
        "docker compose up -d\n"
        "docker compose -f other.yml --profile web up -d\n")
    assert found[0][0] == ("docker-compose.yml", "docker-compose.prod.yml")
    assert found[0][1]["profile"] == ["cpu", "gpu"]
    assert found[1][0] == ("other.yml",)
    assert found[1][1]["profile"] == ["web"]


def test_a_prefix_assignment_applies_to_its_command_only() -> None:
    found = _compose(
        "COMPOSE_FILE=a.yml COMPOSE_PROJECT_NAME=shop docker compose up -d\n"
        "docker compose up -d\n")
    assert found[0][0] == ("a.yml",)
    assert found[0][1]["project"] == ["shop"]
    assert found[1][0] == ()
    assert "project" not in found[1][1]


def test_a_custom_path_separator_splits_compose_file() -> None:
    found = _compose("export COMPOSE_PATH_SEPARATOR=';'\n"
                     "export COMPOSE_FILE='a.yml;b.yml'\ndocker-compose up\n")
    assert found[0][0] == ("a.yml", "b.yml")


def test_a_double_quoted_value_is_stored_without_its_escapes() -> None:
    # The twin of a double-quoted command word: `"dir\\ name"` holds `dir\ name`, `\"`
    # holds `"`; a value read raw kept the backslashes and named files that do not exist.
    found = _compose('export COMPOSE_FILE="deploy/\\"quoted\\".yml:b\\\\c.yml"\n'
                     "export COMPOSE_PROJECT_NAME=\"shop\\$1\"\n"
                     "docker compose up -d\n")
    assert found[0][0] == ('deploy/"quoted".yml', "b\\c.yml")
    assert found[0][1]["project"] == ["shop$1"]
