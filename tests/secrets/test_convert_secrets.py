"""Secrets through the converter: ExternalSecrets per provider, composition, bad input."""

from pathlib import Path
from typing import Any

from kubealign.actions.resolve import ResolveOptions, load_project
from kubealign.emit.secrets_report import secrets_markdown
from kubealign.transform.convert import ConversionOptions, ConversionResult, convert_project
from kubealign.transform.secrets.providers import SecretsSettings
from kubealign.transform.values_model import to_values

COMPOSE = """
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}
    volumes: [pgdata:/var/lib/postgresql/data]
  api:
    image: ghcr.io/acme/api:1.0
    environment:
      DATABASE_URL: postgres://app:${POSTGRES_PASSWORD}@db:5432/app
      API_TOKEN_FILE: /run/secrets/api_token
    secrets: [api_token, signing_key, missing_one]
secrets:
  api_token:
    file: ./api_token.txt
  signing_key:
    external: true
  missing_one:
    file: ./not-there.txt
volumes:
  pgdata: {}
"""
PASSWORD = "Pw-7f3a9c2e-unique"
TOKEN = "tok-5b1d8e4f-unique"


def convert(tmp_path: Path, settings: SecretsSettings | None = None
            ) -> tuple[ConversionResult, dict[str, Any]]:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    (tmp_path / ".env").write_text(f"POSTGRES_PASSWORD={PASSWORD}\n")
    (tmp_path / "api_token.txt").write_text(TOKEN + "\n")
    project, _ = load_project(ResolveOptions(files=(tmp_path / "compose.yaml",), environ={}))
    options = ConversionOptions(release="demo", secrets=settings or SecretsSettings(
        "pulumi", {"organization": "acme", "project": "demo", "environment": "prod"}))
    result = convert_project(project, options)
    return result, to_values(result.values)


def test_every_secret_becomes_an_external_secret_from_pulumi(tmp_path: Path) -> None:
    result, values = convert(tmp_path)
    api = values["services"]["api"]
    assert api["composedEnv"] == {
        "DATABASE_URL": "postgres://app:$(POSTGRES_PASSWORD)@db:5432/app"}
    assert api["secretEnv"]["POSTGRES_PASSWORD"] == {"secretName": "api-env",
                                                     "key": "POSTGRES_PASSWORD"}
    assert api["env"] == {"API_TOKEN_FILE": "/run/secrets/api_token"}
    assert api["secretFiles"]["api-token"]["mountPath"] == "/run/secrets/api_token"
    externals = values["externalSecrets"]
    # one provider key for the password, whichever service reads it
    assert externals["api-env"]["data"][0]["remoteRef"] == {"key": "shared.postgres_password"}
    assert externals["db-env"]["data"][0]["remoteRef"] == {"key": "shared.postgres_password"}
    assert externals["api-token"]["data"][0]["remoteRef"] == {"key": "api_token"}
    assert values["secretStores"]["pulumi-esc"]["kind"] == "SecretStore"
    assert values["global"]["externalSecrets"]["secretStoreRef"] == {"name": "pulumi-esc",
                                                                   "kind": "SecretStore"}
    rules = {f.rule: f for f in result.findings}
    assert "composed from secret POSTGRES_PASSWORD" in rules["SCV004"].message
    assert rules["SCV001"].line == 19
    assert "not-there.txt does not exist" in rules["SCV001"].message
    assert rules["SCV002"].line == 17 and "signing_key" in rules["SCV002"].message
    assert PASSWORD not in repr(values) and TOKEN not in repr(values)


def test_missing_provider_settings_are_a_located_finding(tmp_path: Path) -> None:
    result, values = convert(tmp_path, SecretsSettings("pulumi", {"organization": "acme"},
                                                       origin="kubealign.yaml:7"))
    finding = next(f for f in result.findings if f.rule == "SCV003")
    assert finding.path == "kubealign.yaml:7"
    assert "needs project, environment" in finding.message
    assert "secretStores" not in values and values["externalSecrets"]


def test_bring_your_own_secret_renders_no_external_secret(tmp_path: Path) -> None:
    result, values = convert(tmp_path, SecretsSettings("none"))
    assert "externalSecrets" not in values and "secretStores" not in values
    assert any(f.rule == "SCV005" for f in result.findings)
    report = secrets_markdown(result.secrets, {"prod": SecretsSettings("none")}, title="demo")
    assert "| `api-token` | `api_token` | api |" in report


def test_secrets_report_lists_keys_per_environment_without_values(tmp_path: Path) -> None:
    result, _ = convert(tmp_path)
    envs = {"prod": SecretsSettings("pulumi", {"organization": "acme", "project": "demo",
                                               "environment": "prod"}),
            "staging": SecretsSettings("vault", {"server": "https://vault", "role": "demo"})}
    report = secrets_markdown(result.secrets, envs, title="demo", root=str(tmp_path))
    assert "## Environment `prod`: Pulumi ESC" in report
    assert "## Environment `staging`: HashiCorp Vault" in report
    assert "| `shared.postgres_password` |  | `api-env` / `POSTGRES_PASSWORD` | api |" in report
    assert "| `shared` | `postgres_password` |" in report
    assert "create the Secret `pulumi-access-token`" in report
    assert PASSWORD not in report and TOKEN not in report


def test_secret_values_in_other_fields_are_scrubbed_and_reported(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  job:\n    image: busybox:1.36\n    command: [\"login\", "
        "\"--token=${DEPLOY_TOKEN}\"]\n    environment:\n      DEPLOY_TOKEN: ${DEPLOY_TOKEN}\n"
        "    labels:\n      note: \"uses ${DEPLOY_TOKEN}\"\n")
    (tmp_path / ".env").write_text("DEPLOY_TOKEN=dt-91c4e7a2-unique\n")
    project, _ = load_project(ResolveOptions(files=(tmp_path / "compose.yaml",), environ={}))
    result = convert_project(project, ConversionOptions(release="demo"))
    values = to_values(result.values)
    assert values["services"]["job"]["args"] == ["login", "--token=$(DEPLOY_TOKEN)"]
    assert "dt-91c4e7a2-unique" not in repr(values)
    assert "dt-91c4e7a2-unique" not in repr(result.ledger) + repr(result.findings)
    assert sum(f.rule == "SCV010" for f in result.findings) == 2


def test_conversion_secret_findings_do_not_share_ids_with_audit_rules() -> None:
    # The audit rules own SEC*: a conversion finding with the same id would mean two things.
    import re

    from kubealign.rules.registry import all_rules

    source = (Path(__file__).parents[2] / "src" / "kubealign" / "transform" / "convert"
              / "project.py").read_text(encoding="utf-8")
    emitted = set(re.findall(r'"(S[A-Z]{2}\d{3})"', source))
    assert emitted and all(rule.startswith("SCV") for rule in emitted)
    assert not emitted & {rule.id for rule in all_rules()}
