"""deploy/kube_api.py and deploy/server_check.py without a cluster: kubeconfig reading, the
field manager of a dry run, how the API server's refusals are read. tests/e2e/ runs the same
code against a real API server."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubealign.actions.deploy import rejected
from kubealign.deploy.kube_api import (
    FIELD_MANAGER,
    ClusterUnavailable,
    apply_body,
    load_credentials,
)
from kubealign.deploy.server_check import (
    Rejection,
    ServerCheck,
    _rejections,
    applying_manager,
    server_check,
)


def _kubeconfig(path: Path, user: dict[str, Any], cluster: dict[str, Any] | None = None,
                current: str | None = "ctx") -> Path:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": cluster or {
            "server": "https://127.0.0.1:6443/", "certificate-authority": "pki/ca.crt"}}],
        "users": [{"name": "u", "user": user}],
        "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}},
                     {"name": "other", "context": {"cluster": "c", "user": "missing"}}],
    }
    if current:
        config["current-context"] = current
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def test_relative_certificate_paths_are_read_beside_the_kubeconfig(tmp_path: Path) -> None:
    config = _kubeconfig(tmp_path / "config", {"client-certificate": "pki/admin.crt",
                                               "client-key": "/abs/admin.key"})
    creds = load_credentials(config)
    assert creds.server == "https://127.0.0.1:6443"  # trailing slash dropped
    assert creds.ca_file == str(tmp_path / "pki" / "ca.crt")
    assert creds.cert_file == str(tmp_path / "pki" / "admin.crt")
    assert creds.key_file == "/abs/admin.key"
    assert creds.token is None


def test_inline_data_and_token_file(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("abc.def\n", encoding="utf-8")
    pem = b"-----BEGIN CERTIFICATE-----\n"
    config = _kubeconfig(
        tmp_path / "config", {"tokenFile": "token"},
        {"server": "https://k:443", "certificate-authority-data":
         base64.b64encode(pem).decode(), "insecure-skip-tls-verify": True})
    creds = load_credentials(config)
    assert creds.token == "abc.def"
    assert creds.ca_data == pem
    assert creds.insecure is True


def test_credential_plugins_and_missing_contexts_are_unavailable(tmp_path: Path) -> None:
    plugin = _kubeconfig(tmp_path / "plugin", {"exec": {"command": "aws"}})
    with pytest.raises(ClusterUnavailable, match="credential plugin"):
        load_credentials(plugin)
    with pytest.raises(ClusterUnavailable, match="does not exist"):
        load_credentials(plugin, context="nope")
    none = _kubeconfig(tmp_path / "none", {"token": "t"}, current=None)
    with pytest.raises(ClusterUnavailable, match="no current context"):
        load_credentials(none)
    with pytest.raises(ClusterUnavailable, match="no kubeconfig"):
        load_credentials(tmp_path / "absent")


def test_no_cluster_skips_the_check_with_the_reason(tmp_path: Path) -> None:
    config = _kubeconfig(tmp_path / "config", {"token": "t"},
                         {"server": "https://127.0.0.1:1"})  # nothing listens on port 1
    check = server_check([{"apiVersion": "v1", "kind": "ConfigMap",
                           "metadata": {"name": "x"}}], "apps", kubeconfig=config)
    assert check.skipped is not None and "127.0.0.1:1" in check.skipped
    assert check.accepted == 0 and check.rejections == ()


def _managed(*entries: tuple[str, str, str]) -> dict[str, Any]:
    return {"metadata": {"managedFields": [
        {"manager": m, "operation": op, **({"subresource": sub} if sub else {})}
        for m, op, sub in entries]}}


def test_an_existing_object_is_dry_run_as_the_manager_that_applied_it() -> None:
    # Helm 4 applies server-side as "helm"; the controller writes status.
    live = _managed(("helm", "Apply", ""), ("kube-controller-manager", "Update", "status"))
    assert applying_manager(live) == "helm"
    assert applying_manager(None) == FIELD_MANAGER  # a new object
    assert applying_manager(_managed(("kubectl", "Update", ""))) == FIELD_MANAGER
    # Two appliers: no single owner to impersonate.
    assert applying_manager(_managed(("helm", "Apply", ""), ("argocd", "Apply", ""))) == (
        FIELD_MANAGER)


def test_each_cause_of_a_refusal_names_its_field() -> None:
    payload = {"kind": "Status", "message": "Deployment.apps \"web\" is invalid: ...",
               "details": {"causes": [
                   {"field": "spec.template.spec.hostAliases[0].ip",
                    "message": "Invalid value: \"host-gateway\": must be a valid IP address"},
                   {"reason": "FieldValueRequired"}]}}
    found = _rejections("Deployment", "web", 422, payload)
    assert [(r.field, r.message) for r in found] == [
        ("spec.template.spec.hostAliases[0].ip",
         "Invalid value: \"host-gateway\": must be a valid IP address"),
        ("", "FieldValueRequired"),
    ]
    assert found[0].describe() == ("Deployment/web: spec.template.spec.hostAliases[0].ip: "
                                   "Invalid value: \"host-gateway\": must be a valid IP address")
    assert [r.describe() for r in _rejections("Job", "j", 500, None)] == ["Job/j: HTTP 500"]


def test_an_apply_body_keeps_characters_outside_the_bmp_as_utf8_text() -> None:
    # The API server reads an apply patch as YAML, which refuses the surrogate pairs
    # json.dumps writes for an emoji ("found invalid Unicode character escape code"); seen
    # on the local cluster with real config files (Feustey/MCP, mcp-server-langgraph).
    obj = {"kind": "ConfigMap", "data": {"motd": "deployed \U0001F680 ╔═╗ ok"}}
    body = apply_body(obj)
    assert b"\\ud83d" not in body and "\U0001F680".encode() in body
    assert json.loads(body) == obj
    assert yaml.safe_load(body.decode("utf-8")) == obj


def test_a_statefulset_field_that_never_changes_in_place_says_how_to_recreate_it() -> None:
    refusal = Rejection("StatefulSet", "postgres", "spec", "Forbidden: updates to statefulset "
                        "spec for fields other than 'replicas', 'ordinals', 'template' ... are "
                        "forbidden")
    check = ServerCheck(server="https://10.0.0.1:6443", rejections=(refusal,))
    message = str(rejected(check, "shop"))
    assert refusal.immutable_statefulset
    assert "kubectl delete statefulset postgres -n shop --cascade=orphan" in message
    other = Rejection("Deployment", "web", "spec.replicas", "Invalid value")
    assert "--cascade=orphan" not in str(rejected(ServerCheck(rejections=(other,)), "shop"))
