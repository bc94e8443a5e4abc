"""Pulumi ESC settings and provider keys the repository already states (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubealign.actions.resolve import ResolveOptions, load_project
from kubealign.actions.secrets_settings import with_repository_secrets
from kubealign.transform.convert import ConversionOptions, convert_project
from kubealign.transform.secrets.providers import SecretsSettings
from kubealign.transform.secrets.repository import (
    detect_esc_environment,
    key_overrides,
    with_repository_settings,
)
from kubealign.transform.values_model import to_values

SCRIPTS = {
    "deploy.sh": "#!/bin/sh\nesc run acme/web/prod -- ./start.sh\n",
    "scripts/fetch.sh": 'eval "$(pulumi env open ${PULUMI_ORG}/web/prod --format shell)"\n',
    ".github/workflows/sync.yml": (
        "env:\n  PULUMI_ORG: acme\njobs:\n  sync:\n    steps:\n      - run: |\n"
        "          pulumi env set acme/web/prod --secret values.app.db.password x\n"
        "          pulumi env set acme/web/prod values.app.snowflake.password y\n"
        "          esc env get acme/staging\n"),
}


def test_the_most_used_environment_is_detected_with_where_it_was_read() -> None:
    found = detect_esc_environment(SCRIPTS.items())
    assert found is not None
    assert (found.organization, found.project, found.environment) == ("acme", "web", "prod")
    assert found.uses == 2 and found.evidence == "deploy.sh:2"
    assert found.keys == ("app.db.password", "app.snowflake.password")


def test_a_two_part_reference_is_the_default_project() -> None:
    found = detect_esc_environment([("x.sh", "esc env open acme/staging\n")])
    assert found is not None and (found.project, found.environment) == ("default", "staging")


def test_no_reference_no_settings() -> None:
    assert detect_esc_environment([("x.sh", "docker compose up\n")]) is None


def test_given_settings_win_over_the_repository() -> None:
    found = detect_esc_environment(SCRIPTS.items())
    given = SecretsSettings("pulumi", {"organization": "mine"})
    filled = with_repository_settings(given, found)
    assert dict(filled.settings) == {"organization": "mine", "project": "web",
                                     "environment": "prod"}
    assert filled.detected_from == "deploy.sh:2"
    assert with_repository_settings(SecretsSettings("vault"), found) == SecretsSettings("vault")


def test_names_map_to_the_keys_the_repository_uses() -> None:
    overrides = key_overrides(("app.db.password", "app.snowflake.password",
                               "ci.github.token", "dev.github.token"))
    assert overrides["snowflake_password"] == "app.snowflake.password"
    assert overrides["db_password"] == "app.db.password"
    assert "github_token" not in overrides  # two keys could mean it
    assert overrides["dev_github_token"] == "dev.github.token"


COMPOSE = """
services:
  api:
    image: api:1
    environment:
      SNOWFLAKE_PASSWORD: ${SNOWFLAKE_PASSWORD}
    secrets: [db_password, pulumi_access_token]
secrets:
  db_password:
    external: true
  pulumi_access_token:
    external: true
"""


def test_the_store_renders_with_repository_keys_and_never_writes_its_own_token(
        tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    (tmp_path / ".env").write_text("SNOWFLAKE_PASSWORD=Sf-91c4e7a2-unique\n")
    for name, text in SCRIPTS.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    project, _ = load_project(ResolveOptions(files=(tmp_path / "compose.yaml",), environ={}))
    options = with_repository_secrets(ConversionOptions(release="demo"), tmp_path)
    result = convert_project(project, options)
    values = to_values(result.values)
    store = values["secretStores"]["pulumi-esc"]["provider"]["pulumi"]
    assert (store["organization"], store["project"], store["environment"]) == (
        "acme", "web", "prod")
    token_secret = store["accessToken"]["secretRef"]["name"]
    assert token_secret == "pulumi-access-token"
    assert token_secret not in values["externalSecrets"]
    assert "pulumi-access-token-app" in values["externalSecrets"]
    remote = {d["secretKey"]: d["remoteRef"]["key"]
              for spec in values["externalSecrets"].values() for d in spec["data"]}
    assert remote["db_password"] == "app.db.password"
    assert remote["SNOWFLAKE_PASSWORD"] == "app.snowflake.password"
    assert {f.rule for f in result.findings} >= {"SCV007", "SCV008"}
    assert "SCV003" not in {f.rule for f in result.findings}


@pytest.mark.corpus
def test_sophia_states_its_esc_environment(corpus_dir: Path) -> None:
    repo = corpus_dir / "sprawl" / "ai-cherry+sophia-strategic-development"
    settings = with_repository_secrets(ConversionOptions(), repo).secrets
    assert dict(settings.settings) == {"organization": "scoobyjava-org", "project": "default",
                                       "environment": "sophia-ai-production"}
    assert settings.key_overrides["snowflake_password"] == (
        "sophia.infrastructure.snowflake.password")
    assert settings.key_overrides["postgres_password"] == "sophia.infrastructure.postgres.password"
