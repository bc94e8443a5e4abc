"""Secrets from sources other than the environment are referenced, never copied (issue 16).

One case per source: a mounted ini with ``password =``, a PEM key, inline ``configs:
content:`` with a token, a healthcheck ``Authorization: Bearer``, a ``--key=<token>`` argument,
a label holding ``Basic <base64>`` of a known secret, binary files (bytes never rewritten), and
``resolve --mask-secrets`` over build args, inline content and healthcheck tokens."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kubealign.actions.resolve import ResolveOptions, load_project
from kubealign.transform.convert import ConversionOptions, ConversionResult, convert_project
from kubealign.transform.secrets.literals import in_file, in_words
from kubealign.transform.secrets.providers import SecretsSettings
from kubealign.transform.values_model import to_values

PASSWORD = "Pw-7f3a9c2e-unique"
INI_PASSWORD = "admin123"
INLINE_TOKEN = "tok_9f8e7d6c5b4a39281706"
ARG_TOKEN = "sk-proj-AbCdEfGhIjKlMnOpQrStUv012345"
BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnop"
BUILD_TOKEN = "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
BINARY = b"\xff\xfe\x00binary\x00\xff"
BINARY_WITH_SECRET = b"\xff\xfe\x00" + PASSWORD.encode() + b"\x00\xff"
BASIC = base64.b64encode(f"admin:{PASSWORD}".encode()).decode()
ALL = [PASSWORD, INI_PASSWORD, INLINE_TOKEN, ARG_TOKEN, BEARER, BUILD_TOKEN, "MIIEvQIBADAN",
       BASIC]

COMPOSE = f"""
services:
  api:
    image: api:1
    ports: ["8080"]
    command: ["serve", "--key={ARG_TOKEN}"]
    volumes:
      - ./app.ini:/etc/app/app.ini:ro
      - ./certs/server.key:/etc/ssl/server.key:ro
      - ./logo.bin:/srv/logo.bin:ro
      - ./blob.bin:/srv/blob.bin:ro
    configs:
      - source: inline
        target: /etc/app/token.conf
    healthcheck:
      test: ["CMD", "curl", "-f", "-H", "Authorization: Bearer {BEARER}",
             "http://localhost:8080/health"]
    labels:
      monitor.auth: "Basic {BASIC}"
      team: platform
    environment:
      ADMIN_PASSWORD: {PASSWORD}
    build:
      context: .
      args:
        GITHUB_TOKEN: {BUILD_TOKEN}
        DB_PASSWORD: short1
configs:
  inline:
    content: |
      api_token = {INLINE_TOKEN}
"""


def _plant(root: Path) -> Path:
    (root / "compose.yaml").write_text(COMPOSE)
    (root / "app.ini").write_text(f"[db]\nhost = db\npassword = {INI_PASSWORD}\n")
    (root / "certs").mkdir()
    (root / "certs" / "server.key").write_text(PEM)
    (root / "logo.bin").write_bytes(BINARY)
    (root / "blob.bin").write_bytes(BINARY_WITH_SECRET)
    return root


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[ConversionResult,
                                                                 dict[str, Any]]:
    root = _plant(tmp_path_factory.mktemp("sources"))
    project, _ = load_project(ResolveOptions(files=(root / "compose.yaml",), environ={}))
    result = convert_project(project, ConversionOptions(release="demo", secrets=SecretsSettings(
        "pulumi", {"organization": "acme", "project": "demo", "environment": "prod"})))
    return result, to_values(result.values)


def _api(converted: tuple[ConversionResult, dict[str, Any]]) -> dict[str, Any]:
    api: dict[str, Any] = converted[1]["services"]["api"]
    return api


def test_no_secret_of_any_source_reaches_values_ledger_or_findings(
        converted: tuple[ConversionResult, dict[str, Any]]) -> None:
    result, values = converted
    text = json.dumps(values) + repr(result.ledger) + repr(result.findings) + repr(
        result.comments)
    assert [s for s in ALL if s in text] == []


def test_mounted_files_holding_secrets_come_from_a_secret(
        converted: tuple[ConversionResult, dict[str, Any]]) -> None:
    api = _api(converted)
    secret_mounts = {f["mountPath"] for f in api["secretFiles"].values()}
    assert {"/etc/app/app.ini", "/etc/ssl/server.key", "/etc/app/token.conf",
            "/srv/blob.bin"} <= secret_mounts
    config_mounts = {f["mountPath"] for f in api["configFiles"].values()}
    assert config_mounts == {"/srv/logo.bin"}
    keys = {d["secretKey"] for d in converted[1]["externalSecrets"]["api-files"]["data"]}
    assert len(keys) == 4


def test_binary_files_are_never_rewritten(
        converted: tuple[ConversionResult, dict[str, Any]]) -> None:
    files = _api(converted)["configFiles"]
    assert [base64.b64decode(f["contentBase64"]) for f in files.values()] == [BINARY]


def test_arguments_and_probe_tokens_are_read_from_the_secret(
        converted: tuple[ConversionResult, dict[str, Any]]) -> None:
    api = _api(converted)
    assert api["args"] == ["serve", "--key=$(KEY)"]
    assert {"KEY", "AUTH_TOKEN", "ADMIN_PASSWORD"} <= set(api["secretEnv"])
    command = api["probes"]["liveness"]["exec"]["command"]
    assert command[:2] == ["/bin/sh", "-c"] and '"${AUTH_TOKEN}"' in command[2]
    remote = {d["secretKey"]: d["remoteRef"]["key"]
              for d in converted[1]["externalSecrets"]["api-env"]["data"]}
    assert remote["KEY"] == "api.key" and remote["AUTH_TOKEN"] == "api.auth_token"


def test_a_label_with_basic_auth_of_a_known_secret_is_dropped(
        converted: tuple[ConversionResult, dict[str, Any]]) -> None:
    assert _api(converted)["podAnnotations"] == {"team": "platform"}


def test_each_field_a_secret_was_taken_from_is_named_with_its_compose_line(
        converted: tuple[ConversionResult, dict[str, Any]]) -> None:
    result, _ = converted
    lines = COMPOSE.splitlines()

    def line_of(text: str) -> int:
        return next(i for i, line in enumerate(lines, 1) if line.strip().startswith(text))

    # absolute here, as every finding of a conversion; written files make them relative
    where = {f.message.split("values ", 1)[1].split(":", 1)[0]: (Path(f.path or "").name, f.line)
             for f in result.findings if f.rule == "SCV010"}
    assert where["services.api.podAnnotations.monitor.auth"] == (
        "compose.yaml", line_of("labels:"))
    assert where["services.api.args"] == ("compose.yaml", line_of("command:"))
    assert where["services.api.probes.liveness.exec.command"] == (
        "compose.yaml", line_of("healthcheck:"))
    # a mounted file: its own volumes/configs item
    assert where["services.api.configFiles.app.ini"] == ("compose.yaml", line_of("- ./app.ini"))
    assert where["services.api.configFiles.server.key"] == (
        "compose.yaml", line_of("- ./certs/server.key"))
    assert where["services.api.configFiles.inline"] == ("compose.yaml", line_of("- source: inline"))
    assert len(where) >= 4 and all(
        path == "compose.yaml" and line for path, line in where.values()), where


def test_resolve_mask_secrets_masks_every_source(tmp_path: Path) -> None:
    root = _plant(tmp_path)
    done = subprocess.run([sys.executable, "-m", "kubealign", "resolve", "--mask-secrets",
                           "-f", "compose.yaml"], cwd=root, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    printed = done.stdout + done.stderr
    assert [s for s in [*ALL, "short1"] if s in printed] == []
    assert "GITHUB_TOKEN" in printed and "Authorization: Bearer" in printed


def test_detection_by_what_the_text_says() -> None:
    assert dict(in_words(("app", "--api-key", "Zx8Qp2LmN4vB7cK1"))) == {
        "API_KEY": "Zx8Qp2LmN4vB7cK1"}
    assert list(in_words(("app", "--keyspace=orders_2024", "--key-file=/etc/k"))) == []
    assert list(in_words(("app", "--auth=basic", "--token=${TOKEN}"))) == []
    assert dict(in_file("[redis]\nrequirepass foobared42\n")) == {"REQUIREPASS": "foobared42"}
    assert list(in_file("password_file = /run/secrets/pw\npassword = ${DB_PASSWORD}\n")) == []
    assert dict(in_file("url = postgres://app:s3cr3t-x@db/app\n")) == {"URL_PASSWORD": "s3cr3t-x"}


@pytest.mark.parametrize("command", [["convert", ".", "--out", "{out}"],
                                     ["migrate", ".", "--out", "{out}"]])
def test_no_secret_of_any_source_reaches_any_file_written(tmp_path: Path,
                                                          command: list[str]) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    _plant(root)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "kubealign",
                           *[a.replace("{out}", str(out)) for a in command]], cwd=root,
                          capture_output=True, timeout=600, check=False)
    assert done.returncode in (0, 1), done.stderr.decode()
    printed = done.stdout + done.stderr
    assert [s for s in ALL if s.encode() in printed] == []
    leaked = {str(p.relative_to(out)): [s for s in ALL if s.encode() in p.read_bytes()]
              for p in out.rglob("*") if p.is_file()}
    assert {k: v for k, v in leaked.items() if v} == {}
    assert (out / "chart" / "values.yaml").is_file()
