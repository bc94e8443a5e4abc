"""The zero-leak guarantee, end to end: unique secret values planted in every kind of source;
every byte kubealign writes or prints (files, stdout, stderr, error messages) is scanned."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kubealign.model.secret_names import is_secret_name
from kubealign.transform.secret_detect import (
    known_token,
    mask,
    url_credentials,
)
from kubealign.validate.helm import render_chart

SECRETS = {
    "compose_env": "LeakCanary-compose-env-4d1f",
    "env_file": "LeakCanary-envfile-8a2b",
    "dotenv": "LeakCanary-dotenv-77c3",
    "secret_file": "LeakCanary-secretfile-1e9d",
    "k8s_secret": "LeakCanary-k8s-secret-5f0a",
    "script": "LeakCanary-script-c6e2",
    "token": "ghp_LeakCanaryToken0123456789abcdefABCD",
}
COMPOSE = f"""
services:
  api:
    image: ghcr.io/acme/api:1.0
    command: ["serve", "--db-password=${{DB_PASSWORD}}"]
    env_file: [api.env]
    environment:
      ADMIN_PASSWORD: {SECRETS["compose_env"]}
      DB_PASSWORD: ${{DB_PASSWORD}}
      DATABASE_URL: postgres://app:${{DB_PASSWORD}}@db:5432/app
      GITHUB_TOKEN: {SECRETS["token"]}
    secrets: [api_key]
    labels:
      backup.url: "s3://u:${{DB_PASSWORD}}@bucket"
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: ${{DB_PASSWORD}}
secrets:
  api_key:
    file: ./api_key.txt
"""


def _plant(root: Path) -> None:
    (root / "compose.yaml").write_text(COMPOSE)
    (root / ".env").write_text(f"DB_PASSWORD={SECRETS['dotenv']}\n")
    (root / "api.env").write_text(f"SESSION_SECRET={SECRETS['env_file']}\nWORKERS=4\n")
    (root / "api_key.txt").write_text(SECRETS["secret_file"] + "\n")
    k8s = root / "k8s"
    k8s.mkdir()
    (k8s / "secret.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: api}\n"
        f"stringData:\n  password: {SECRETS['k8s_secret']}\n")
    (root / "deploy.sh").write_text(
        f"#!/bin/sh\nset -eu\nexport API_TOKEN={SECRETS['script']}\n"
        "docker compose up -d\n")


def _run(*args: str, cwd: Path) -> bytes:
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1"}
    env.pop("DB_PASSWORD", None)
    done = subprocess.run([sys.executable, "-m", "kubealign", *args], cwd=cwd, env=env,
                          capture_output=True, timeout=300, check=False)
    return done.stdout + b"\n" + done.stderr


def _leaks(data: bytes) -> list[str]:
    text = data.decode("utf-8", errors="replace")
    escaped = json.dumps(text)
    return sorted(name for name, value in SECRETS.items()
                  if value in text or value in escaped or value[:16] in text)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("planted")
    _plant(root)
    return root


def test_convert_writes_and_prints_no_secret(planted: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    printed = _run("convert", str(planted / "compose.yaml"), "-o", str(out), cwd=planted)
    assert _leaks(printed) == []
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == "values.yaml" for p in files)
    for path in files:
        assert _leaks(path.read_bytes()) == [], path
    rendered = render_chart(out / "chart", release="planted", namespace="planted")
    assert _leaks(json.dumps(rendered.objects).encode()) == []
    values = (out / "chart" / "values.yaml").read_text()
    assert "$(DB_PASSWORD)" in values  # composed and command args use references


@pytest.mark.parametrize("command", [
    ("resolve", "--mask-secrets", "-f", "compose.yaml"),
    ("inventory", "."),
    ("validate", "k8s"),
])
def test_other_commands_print_no_secret(planted: Path, command: tuple[str, ...]) -> None:
    assert _leaks(_run(*command, cwd=planted)) == []


def test_error_on_a_malformed_secret_file_shows_no_secret(tmp_path: Path) -> None:
    _plant(tmp_path)
    (tmp_path / "api.env").write_text(f"SESSION_SECRET=\"{SECRETS['env_file']}\n"
                                      f"=={SECRETS['env_file']}\n")
    (tmp_path / ".env").write_text(f"DB_PASSWORD {SECRETS['dotenv']}\n")
    printed = _run("convert", "compose.yaml", "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert b"Traceback" not in printed
    assert _leaks(printed) == []


def test_malformed_env_file_is_a_one_line_error(tmp_path: Path) -> None:
    _plant(tmp_path)
    (tmp_path / "api.env").write_text(f"=={SECRETS['env_file']}\n")
    printed = _run("convert", "compose.yaml", "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert b"api.env:1" in printed and b"Traceback" not in printed
    assert _leaks(printed) == []


_ASSIGNMENT = re.compile(r"""(?m)\b([A-Za-z_][A-Za-z0-9_]*)\s*[=:]\s*["']?([^\s"'#]{8,})""")


def test_sophia_output_tree_holds_no_secret_of_the_example(tmp_path: Path) -> None:
    """Every KEY=VALUE in the example classified secret (env, scripts, manifests, docs) is
    searched in every byte of the converted tree."""
    example = Path(__file__).resolve().parents[2] / "examples" / "sophia"
    found: set[str] = set()
    for path in example.rglob("*"):
        if path.is_file() and path.stat().st_size < 512 * 1024:
            text = path.read_text(encoding="utf-8", errors="replace")
            found.update(value for name, value in _ASSIGNMENT.findall(text)
                         if name.isupper() and "${" not in value and not value.isupper()
                         and (is_secret_name(name) or known_token(value)
                              or url_credentials(value)))
    assert found, "the example should contain planted credentials to look for"
    out = tmp_path / "out"
    printed = _run("convert", str(example / "docker-compose.cloud.yml"), "-o", str(out),
                   cwd=example)
    assert b"ExternalSecret" in printed
    blobs = [printed] + [p.read_bytes() for p in out.rglob("*") if p.is_file()]
    leaked = sorted(v for v in found for blob in blobs if v.encode() in blob)
    assert [mask(v) for v in leaked] == []
    values = (out / "chart" / "values.yaml").read_text()
    assert "secretStoreRef:\n      name: pulumi-esc" in values
