"""Secrets found in configuration become references, never placeholder text (issue 11).

One synthetic case per class: value rules, whole-token matching, args, env, probes, files,
labels, public names."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from kubealign.actions.resolve import ResolveOptions, load_project
from kubealign.transform.convert import ConversionOptions, ConversionResult, convert_project
from kubealign.transform.secret_detect import is_secret_value
from kubealign.transform.secrets.providers import SecretsSettings
from kubealign.transform.secrets.scrub import REDACTED, SecretValues, distinctive
from kubealign.transform.values_model import to_values

PULUMI = SecretsSettings("pulumi", {"organization": "acme", "project": "demo",
                                    "environment": "prod"})


def _convert(tmp_path: Path, compose: str, dotenv: str = "",
             files: dict[str, bytes] | None = None) -> tuple[ConversionResult, dict[str, Any]]:
    (tmp_path / "compose.yaml").write_text(compose)
    if dotenv:
        (tmp_path / ".env").write_text(dotenv)
    for name, data in (files or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    project, _ = load_project(ResolveOptions(files=(tmp_path / "compose.yaml",), environ={}))
    result = convert_project(project, ConversionOptions(release="demo", secrets=PULUMI))
    return result, to_values(result.values)


def _no_placeholder(values: dict[str, Any]) -> None:
    assert REDACTED not in repr(values)


# --- value rules ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["disabled", "postgres", "admin", "changeme", "true",
                                   "minerva", "abc123", "minerva-system", "password123",
                                   "Sup3rS"])
def test_short_and_common_values_are_never_secrets_by_value(value: str) -> None:
    assert not distinctive(value)


@pytest.mark.parametrize("value", ["mcp_redis_password_2025", "Pw-7f3a9c2e-unique",
                                   "83749201", "correcthorsebatterystaple"])
def test_distinctive_values_are_recognised_by_value(value: str) -> None:
    assert distinctive(value)


def test_digit_only_passwords_are_secrets_when_the_key_says_so() -> None:
    assert is_secret_value("DB_PASSWORD", "83749201")
    assert is_secret_value("REDIS_PASSWORD", "1234")
    assert not is_secret_value("TOKEN_TTL", "3600")
    assert not is_secret_value("PASSWORD_MIN_LENGTH", "12")
    assert not is_secret_value("AUTH_PORT", "8080")
    assert not is_secret_value("AUTH", "1")


def test_a_common_value_under_a_secret_key_is_referenced_but_not_matched_elsewhere(
        tmp_path: Path) -> None:
    _, values = _convert(tmp_path, """
services:
  app:
    image: app:1
    command: ["serve", "--feature=disabled", "--mode", "disabled"]
    environment:
      GRAFANA_PASSWORD: disabled
      FLAG: disabled
""")
    app = values["services"]["app"]
    assert "GRAFANA_PASSWORD" in app["secretEnv"]
    assert app["args"] == ["serve", "--feature=disabled", "--mode", "disabled"]
    assert app["env"]["FLAG"] == "disabled"
    _no_placeholder(values)


def test_matching_is_whole_tokens_only(tmp_path: Path) -> None:
    _, values = _convert(tmp_path, """
services:
  app:
    image: app:1
    command: ["run", "--name=xK9mQ2vL7pR4zz", "--other=K9mQ2vL7pR4"]
    environment:
      API_TOKEN: K9mQ2vL7pR4
""")
    assert values["services"]["app"]["args"] == ["run", "--name=xK9mQ2vL7pR4zz",
                                                 "--other=$(API_TOKEN)"]


# --- args, env, probes --------------------------------------------------------------------------


REDIS = """
services:
  redis:
    image: redis:7
    command: redis-server --requirepass ${REDIS_PASSWORD:-mcp_redis_password_2025}
    healthcheck:
      test: ["CMD", "redis-cli", "-a", "${REDIS_PASSWORD:-mcp_redis_password_2025}", "ping"]
      interval: 30s
"""


def test_interpolation_default_of_a_secret_is_referenced_in_args_and_probe(
        tmp_path: Path) -> None:
    result, values = _convert(tmp_path, REDIS)
    redis = values["services"]["redis"]
    assert redis["args"] == ["redis-server", "--requirepass", "$(REDIS_PASSWORD)"]
    assert set(redis["secretEnv"]) == {"REDIS_PASSWORD"}
    command = redis["probes"]["liveness"]["exec"]["command"]
    assert command[:2] == ["/bin/sh", "-c"] and '"${REDIS_PASSWORD}"' in command[2]
    assert "$(" not in command[2]
    assert "mcp_redis_password_2025" not in repr(values) + repr(result.ledger)
    keys = {d["secretKey"] for d in values["externalSecrets"]["redis-env"]["data"]}
    assert keys == {"REDIS_PASSWORD"}
    assert any(r.key == "REDIS_PASSWORD" for r in result.secrets)


def test_a_weak_secret_after_a_secret_flag_is_referenced(tmp_path: Path) -> None:
    _, values = _convert(tmp_path, """
services:
  redis:
    image: redis:7
    command: ["sh", "-c", "redis-server --requirepass changeme --port 6379"]
    environment:
      REDIS_PASSWORD: changeme
""")
    assert values["services"]["redis"]["args"] == [
        "sh", "-c", "redis-server --requirepass $(REDIS_PASSWORD) --port 6379"]


def test_mysql_attached_password_flag_in_a_probe(tmp_path: Path) -> None:
    _, values = _convert(tmp_path, """
services:
  db:
    image: mysql:8
    environment:
      MYSQL_ROOT_PASSWORD: ${MYSQL_ROOT_PASSWORD}
    healthcheck:
      test: ["CMD-SHELL", "mysqladmin ping -h localhost -uroot -p${MYSQL_ROOT_PASSWORD}"]
""", dotenv="MYSQL_ROOT_PASSWORD=rootpass\n")
    command = values["services"]["db"]["probes"]["liveness"]["exec"]["command"]
    assert "rootpass" not in " ".join(command)
    assert "${MYSQL_ROOT_PASSWORD}" in command[-1]


def test_a_secret_inside_a_plain_env_value_becomes_a_composition(tmp_path: Path) -> None:
    _, values = _convert(tmp_path, """
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: Pw-7f3a9c2e-unique
  api:
    image: api:1
    environment:
      SETTINGS_JSON: '{"db": {"password": "Pw-7f3a9c2e-unique"}}'
""")
    api = values["services"]["api"]
    assert "SETTINGS_JSON" not in (api.get("env") or {})
    assert api["composedEnv"]["SETTINGS_JSON"] == '{"db": {"password": "$(POSTGRES_PASSWORD)"}}'
    assert "POSTGRES_PASSWORD" in api["secretEnv"]
    # One provider key for the one value: the api reads the key db's variable uses.
    remote = {d["secretKey"]: d["remoteRef"]["key"]
              for spec in values["externalSecrets"].values() for d in spec["data"]}
    assert len({k for s, k in remote.items() if s == "POSTGRES_PASSWORD"}) == 1
    assert "Pw-7f3a9c2e-unique" not in repr(values)


def test_http_probe_sending_a_secret_becomes_a_tcp_check(tmp_path: Path) -> None:
    _, values = _convert(tmp_path, """
services:
  api:
    image: api:1
    ports: ["8080"]
    environment:
      API_TOKEN: tok-5b1d8e4f-unique
    healthcheck:
      test: ["CMD", "curl", "-f", "-H", "Authorization: Bearer tok-5b1d8e4f-unique",
             "http://localhost:8080/health"]
""")
    probe = values["services"]["api"]["probes"]["liveness"]
    assert "tok-5b1d8e4f-unique" not in repr(probe)
    _no_placeholder(values)


# --- files, labels, names -------------------------------------------------------------------------


def test_a_mounted_file_holding_a_secret_is_delivered_from_a_secret(tmp_path: Path) -> None:
    result, values = _convert(tmp_path, """
services:
  app:
    image: app:1
    environment:
      DB_PASSWORD: Pw-7f3a9c2e-unique
    configs:
      - source: settings
        target: /etc/app/settings.ini
      - source: logo
        target: /srv/logo.bin
configs:
  settings:
    file: ./settings.ini
  logo:
    file: ./logo.bin
""", files={"settings.ini": b"[db]\npassword = Pw-7f3a9c2e-unique\n",
            "logo.bin": b"\xff\xfe\x00Pw-7f3a9c2e-unique\x00\xff"})
    app = values["services"]["app"]
    assert "configFiles" not in app
    mounts = {f["mountPath"]: f for f in app["secretFiles"].values()}
    assert set(mounts) == {"/etc/app/settings.ini", "/srv/logo.bin"}
    assert {f["secretName"] for f in mounts.values()} == {"app-files"}
    assert "app-files" in values["externalSecrets"]
    assert "Pw-7f3a9c2e-unique" not in repr(values)
    assert {r.origin for r in result.secrets if r.secret_name == "app-files"} == {
        "whole file mounted at /etc/app/settings.ini", "whole file mounted at /srv/logo.bin"}


def test_a_file_without_secrets_stays_byte_identical(tmp_path: Path) -> None:
    data = b"\xff\xfe\x00plain\x00\xff"
    _, values = _convert(tmp_path, """
services:
  app:
    image: app:1
    environment:
      DB_PASSWORD: Pw-7f3a9c2e-unique
    configs: [{source: logo, target: /srv/logo.bin}]
configs:
  logo:
    file: ./logo.bin
""", files={"logo.bin": data})
    files = values["services"]["app"]["configFiles"]
    assert [base64.b64decode(f["contentBase64"]) for f in files.values()] == [data]


def test_labels_holding_a_secret_are_dropped_names_are_never_rewritten(
        tmp_path: Path) -> None:
    result, values = _convert(tmp_path, """
services:
  gateway:
    image: traefik:v3
    environment:
      GATEWAY_PASSWORD: gateway-proxy-01
    labels:
      backup.auth: "token gateway-proxy-01"
      team: platform
    networks:
      default:
        aliases: [gateway-proxy-01]
""")
    gateway = values["services"]["gateway"]
    # compose labels are pod annotations: the one carrying the secret is dropped
    assert gateway.get("podAnnotations") == {"team": "platform"}
    assert gateway["service"]["aliases"] == ["gateway-proxy-01"]
    assert any(f.rule == "SCV006" for f in result.findings)
    _no_placeholder(values)


def test_basic_auth_of_a_known_secret_in_a_label_is_detected() -> None:
    secrets = SecretValues()
    secrets.add("Pw-7f3a9c2e-unique", "ADMIN_PASSWORD")
    header = "Basic " + base64.b64encode(b"admin:Pw-7f3a9c2e-unique").decode()
    assert REDACTED in secrets.scrub(f"auth: {header}")


def test_a_common_value_of_another_service_is_no_evidence_of_its_secret(
        tmp_path: Path) -> None:
    """keycloak-init's `--password admin` is not grafana's GF_SECURITY_ADMIN_PASSWORD=admin:
    coupling them would tie one service's credential to another's provider key."""
    _, values = _convert(tmp_path, """
services:
  grafana:
    image: grafana/grafana:11
    environment:
      GF_SECURITY_ADMIN_PASSWORD: admin
  init:
    image: keycloak:26
    command: ["kcadm.sh", "config", "credentials", "--user", "admin", "--password", "admin"]
""")
    init = values["services"]["init"]
    assert init["args"][-1] == "admin" and "secretEnv" not in init
