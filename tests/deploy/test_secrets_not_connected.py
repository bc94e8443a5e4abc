"""Missing secret-provider settings are said first: migrate's summary and deploy --dry-run
open with one line naming what to set, not only secrets.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cli_runner import run_cli
from kubealign.deploy.prerequisites import (
    missing_crds,
    missing_crds_line,
    missing_stores_line,
    stores_not_rendered,
)

COMPOSE = """\
services:
  api:
    image: ghcr.io/acme/api:1.0
    environment:
      DATABASE_URL: postgres://app:${POSTGRES_PASSWORD}@db:5432/app
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}
"""


def _external(name: str, store: str, kind: str | None = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"name": store}
    if kind is not None:
        ref["kind"] = kind
    return {"kind": "ExternalSecret", "metadata": {"name": name},
            "spec": {"secretStoreRef": ref}}


def test_stores_the_release_does_not_render_are_named() -> None:
    manifests = [_external("a", "pulumi-esc"), _external("b", "vault", "ClusterSecretStore"),
                 _external("c", "own"),
                 {"kind": "SecretStore", "metadata": {"name": "own"}}]
    missing = stores_not_rendered(manifests)
    assert missing == (("ClusterSecretStore", "vault"), ("SecretStore", "pulumi-esc"))
    line = missing_stores_line(missing, 3)
    assert "\n" not in line and "secrets.settings" in line and "--secrets-setting" in line
    assert stores_not_rendered(manifests[2:]) == ()


def _unsettled_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "compose.yaml").write_text(COMPOSE)
    (repo / ".env").write_text("POSTGRES_PASSWORD=Pw-4c1e-unique\n")
    return repo


@pytest.fixture
def unsettled(tmp_path: Path) -> Path:
    repo = _unsettled_repo(tmp_path)
    out = tmp_path / "out"
    code = run_cli("migrate", str(repo), "--out", str(out))
    assert code.code == 0, code.stderr
    first = code.stdout.splitlines()[0]
    assert first.startswith("secrets not connected: secrets provider pulumi"), code.stdout
    assert "secrets.settings in" in first and "Pw-4c1e-unique" not in code.stdout + code.stderr
    return out


def test_migrate_and_deploy_dry_run_say_it_first(unsettled: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: nowhere\n"
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\n"
        "users: [{name: u, user: {}}]\n"
        "contexts: [{name: nowhere, context: {cluster: c, user: u}}]\n")
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.setenv("KUBEALIGN_HELM", "sdk")
    result = run_cli("deploy", "--env", "local", "--dry-run", "--dir", str(unsettled))
    assert result.code == 0, result.stderr
    first = result.stderr.strip().splitlines()[0]
    assert first.startswith("secrets not connected:") and "'pulumi-esc'" in first, first
    as_json = run_cli("deploy", "--env", "local", "--dry-run", "--dir", str(unsettled),
                      "--format", "json")
    assert as_json.code == 0, as_json.stderr
    status = json.loads(as_json.stdout)["secrets_not_connected"]
    assert status["stores"] == [{"kind": "SecretStore", "name": "pulumi-esc"}]
    assert status["external_secrets"] >= 1 and status["message"] == first


def test_missing_eso_crds_are_named_once_each() -> None:
    manifests = [
        {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret"},
        {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret"},
        {"apiVersion": "external-secrets.io/v1", "kind": "SecretStore"},
        {"apiVersion": "apps/v1", "kind": "Deployment"},
    ]
    asked: list[tuple[str, str]] = []

    def served(api_version: str, kind: str) -> bool:
        asked.append((api_version, kind))
        return False

    assert missing_crds(manifests, served) == ("externalsecrets.external-secrets.io",
                                               "secretstores.external-secrets.io")
    assert ("apps/v1", "Deployment") not in asked and len(asked) == 2
    assert missing_crds(manifests, lambda v, k: True) == ()
    line = missing_crds_line(("secretstores.external-secrets.io",))
    assert "\n" not in line and "helm install external-secrets" in line


class _NoEso:
    """A cluster whose discovery serves everything but the External Secrets group."""

    def resource(self, api_version: str, kind: str) -> object | None:
        return None if api_version.startswith("external-secrets.io/") else object()


def test_deploy_stops_before_helm_when_the_eso_crds_are_missing(
        unsettled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kubealign.deploy.kube_api import KubeApi

    monkeypatch.setenv("KUBEALIGN_HELM", "sdk")
    monkeypatch.setattr(KubeApi, "connect", classmethod(lambda cls, *a, **k: _NoEso()))
    for args in (("--dry-run",), ("--yes",)):
        result = run_cli("deploy", "--env", "local", "--dir", str(unsettled), *args)
        assert result.code == 1, result.stderr
        assert "externalsecrets.external-secrets.io" in result.stderr
        assert "helm install external-secrets" in result.stderr
        assert "would run" not in result.stdout and "revision" not in result.stdout


def test_migrate_json_carries_secrets_not_connected(tmp_path: Path) -> None:
    result = run_cli("migrate", str(_unsettled_repo(tmp_path)), "--out", str(tmp_path / "out"),
                     "--format", "json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    status = data["secrets_not_connected"]
    assert status["provider"] == "pulumi"
    assert status["missing_settings"] == ["organization", "project", "environment"]
    assert status["environments"] == data["environments"]
    assert status["plan_file"].endswith("kubealign.yaml")
    assert status["message"].startswith("secrets not connected: ")
    assert "Pw-4c1e-unique" not in result.stdout
