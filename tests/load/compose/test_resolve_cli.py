"""`kubealign resolve` from the command line: output formats, options, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

COMPOSE = """\
services:
  api:
    image: ghcr.io/acme/api:${TAG:-1.0}
    ports: ["8080:80"]
    environment:
      DB_PASSWORD: hunter2
      LOG_LEVEL: info
  debug:
    image: busybox
    profiles: [debug]
"""


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kubealign", "resolve", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        check=False,
    )


def write(tmp_path: Path, text: str, name: str = "compose.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_json_output_with_profiles_and_env_file(tmp_path: Path) -> None:
    write(tmp_path, COMPOSE)
    write(tmp_path, "TAG=2.5\n", "prod.env")
    result = run("-f", "compose.yaml", "--env-file", "prod.env", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["services"]["api"]["image"] == "ghcr.io/acme/api:2.5"
    assert data["services"]["api"]["ports"] == [
        {"mode": "ingress", "target": 80, "published": "8080", "protocol": "tcp"}
    ]
    assert "debug" not in data["services"]
    with_profile = run("-f", "compose.yaml", "--profile", "debug", "--format", "json", cwd=tmp_path)
    assert sorted(json.loads(with_profile.stdout)["services"]) == ["api", "debug"]


def test_yaml_output_is_the_default_and_deterministic(tmp_path: Path) -> None:
    write(tmp_path, COMPOSE)
    first = run("--project-directory", str(tmp_path), cwd=tmp_path)
    second = run("-f", str(tmp_path / "compose.yaml"), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert yaml.safe_load(first.stdout)["name"] == tmp_path.name.lower()


def test_mask_secrets(tmp_path: Path) -> None:
    write(tmp_path, COMPOSE)
    masked = run("--mask-secrets", cwd=tmp_path)
    assert masked.returncode == 0, masked.stderr
    assert "hunter2" not in masked.stdout
    assert "LOG_LEVEL: info" in masked.stdout
    assert "hunter2" in run(cwd=tmp_path).stdout  # unmasked, like docker compose config


def assert_one_line_error(result: subprocess.CompletedProcess[str], *parts: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for part in parts:
        assert part in lines[0], lines[0]


def test_schema_violation_is_one_line_with_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "services:\n  web:\n    image: nginx\n    ports: 80\n")
    assert_one_line_error(
        run(cwd=tmp_path), "compose.yaml:4", "services.web.ports: expected a list"
    )


def test_bad_value_is_one_line_with_file_and_line(tmp_path: Path) -> None:
    text = "services:\n  web:\n    image: nginx\n    healthcheck:\n      interval: soon\n"
    write(tmp_path, text)
    assert_one_line_error(
        run(cwd=tmp_path), "compose.yaml:5", "healthcheck.interval", "expected a duration"
    )


def test_missing_required_variable(tmp_path: Path) -> None:
    write(tmp_path, "services:\n  web:\n    image: ${IMAGE:?set IMAGE}\n")
    assert_one_line_error(run(cwd=tmp_path), "compose.yaml:3", "set IMAGE")


def test_missing_file(tmp_path: Path) -> None:
    assert_one_line_error(run("-f", "nope.yaml", cwd=tmp_path), "nope.yaml")


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    write(tmp_path, "\n".join(lines) + "\nservices: {}\n")
    assert_one_line_error(run(cwd=tmp_path), "compose.yaml")
