"""Providers, remote keys and env composition, one function at a time."""

from pathlib import Path

import pytest

from kubealign.errors import PlanError
from kubealign.model.source import SourceSpan
from kubealign.transform.secrets.composition import compose, raw_value_at
from kubealign.transform.secrets.providers import (
    SecretsSettings,
    check_settings,
    provider_block,
    require_complete,
)
from kubealign.transform.secrets.remote_keys import (
    ProviderRef,
    RemotePath,
    provider_ref,
    pulumi_key,
)

PULUMI = {"organization": "acme", "project": "shop", "environment": "prod"}


def test_composed_url_is_rebuilt_with_a_reference_to_the_secret() -> None:
    result = compose("DATABASE_URL", "postgres://u:Zq8-unique-pw@db:${PORT}/app",
                     "postgres://u:${POSTGRES_PASSWORD}@db:$${PORT}/app")
    assert result is not None and not result.pure
    assert result.template == "postgres://u:$(POSTGRES_PASSWORD)@db:${PORT}/app"
    assert result.secret_refs == {"POSTGRES_PASSWORD": "Zq8-unique-pw"}


def test_non_secret_references_stay_literal_and_no_secret_means_no_composition() -> None:
    assert compose("URL", "http://api:8080", "http://${HOST:-api}:8080") is None
    mixed = compose("DSN", "redis://:Tok3n-abcdef@cache:6379", "redis://:${REDIS_PASSWORD}@"
                    "${REDIS_HOST}:6379")
    assert mixed is not None and mixed.template == "redis://:$(REDIS_PASSWORD)@cache:6379"


def test_pure_reference_is_flagged_pure() -> None:
    result = compose("DB_PASS", "hunter2-hunter2", "${POSTGRES_PASSWORD}")
    assert result is not None and result.pure


def test_raw_values_are_read_back_from_yaml_and_env_files(tmp_path: Path) -> None:
    compose_file = tmp_path / "compose.yaml"
    compose_file.write_text("services:\n  a:\n    environment:\n"
                            "      URL: \"x://u:${PW}@h\"\n      - LIST=${PW}\n")
    env_file = tmp_path / "app.env"
    env_file.write_text("export TOKEN='lit$eral'\nDSN=x://${PW}@h # note\n")
    assert raw_value_at(SourceSpan(str(compose_file), 4, 7), "URL") == "x://u:${PW}@h"
    assert raw_value_at(SourceSpan(str(compose_file), 5, 7), "LIST") == "${PW}"
    assert raw_value_at(SourceSpan(str(env_file), 1, 1), "TOKEN") == "lit$$eral"
    assert raw_value_at(SourceSpan(str(env_file), 2, 1), "DSN") == "x://${PW}@h"
    assert raw_value_at(SourceSpan(str(env_file), 2, 1), "OTHER") is None


def test_remote_keys_are_spelled_per_provider() -> None:
    path = RemotePath(("api", "db.password"))
    assert pulumi_key(path) == 'api["db.password"]'
    assert provider_ref("pulumi", RemotePath(("api", "token"))) == ProviderRef("api.token")
    assert provider_ref("vault", RemotePath(("api", "token")), "apps/shop") == ProviderRef(
        "apps/shop/api", "token")
    assert provider_ref("aws", RemotePath(("api", "token")), "shop") == ProviderRef(
        "shop/api/token")
    assert provider_ref("gcp", path) == ProviderRef("api-db_password")


def test_pulumi_store_block_is_the_one_every_v1_operator_accepts() -> None:
    # `auth.accessToken` only exists from ESO v2.5.0: an API server with v0.16-v2.4 CRDs
    # refused the store (seen on the local cluster: "field not declared"). The root
    # `accessToken` is accepted by all of them, and by v2.5+ as the deprecated form.
    block = provider_block(SecretsSettings("pulumi", PULUMI, store_kind="ClusterSecretStore"))
    assert block == {"pulumi": {"organization": "acme", "project": "shop", "environment": "prod",
                                "accessToken": {"secretRef": {
                                    "name": "pulumi-access-token", "key": "token",
                                    "namespace": "external-secrets"}}}}


@pytest.mark.parametrize(("provider", "settings", "key"), [
    ("vault", {"server": "https://vault:8200", "role": "shop"}, "vault"),
    ("aws", {"region": "eu-west-1"}, "aws"),
    ("gcp", {"project_id": "acme-prod"}, "gcpsm"),
])
def test_other_providers_render_their_block(provider: str, settings: dict[str, str],
                                            key: str) -> None:
    block = provider_block(SecretsSettings(provider, settings))
    assert block is not None and list(block) == [key]


def test_missing_settings_are_named_and_refused_in_one_line() -> None:
    settings = SecretsSettings("pulumi", {"organization": "acme", "tokn": "x"},
                               origin="kubealign.yaml:12")
    check = check_settings(settings)
    assert check.missing == ("project", "environment") and check.unknown == ("tokn",)
    assert provider_block(settings) is None
    with pytest.raises(PlanError) as info:
        require_complete(settings)
    assert str(info.value).startswith("kubealign.yaml:12: secrets provider pulumi: Pulumi ESC "
                                      "needs project, environment")
    assert "\n" not in str(info.value)
    with pytest.raises(PlanError):
        require_complete(SecretsSettings("keepass"))
