"""The deploy-side Helm adapter: exact command lines for Helm 3 and 4, and error mapping."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kubealign.deploy import sdk_apply
from kubealign.deploy.helm_adapter import (
    BinaryHelmClient,
    HelmDeployError,
    SdkHelmClient,
    Target,
    UpgradeOptions,
    classify_failure,
    release_from_binary,
)

CHART = Path("/charts/app")
VALUES = [Path("/charts/app/values.yaml"), Path("/charts/app/values-production.yaml")]
TARGET = Target(release="shop", namespace="shop-prod", kube_context="prod-eu")


def upgrade(major: int, **flags: bool) -> list[str]:
    options = UpgradeOptions(timeout=300, create_namespace=True, **flags)
    return BinaryHelmClient("helm", major=major).upgrade_command(TARGET, CHART, VALUES, options)


def test_helm4_upgrade_uses_rollback_on_failure_and_watcher() -> None:
    assert upgrade(4) == [
        "helm", "upgrade", "shop", "/charts/app", "--install",
        "--namespace", "shop-prod", "--kube-context", "prod-eu", "--create-namespace",
        "--values", "/charts/app/values.yaml",
        "--values", "/charts/app/values-production.yaml",
        "--timeout", "300s", "--wait=watcher", "--rollback-on-failure", "--output", "json",
    ]  # fmt: skip


def test_helm3_upgrade_uses_atomic_and_bool_wait() -> None:
    assert upgrade(3) == [
        "helm", "upgrade", "shop", "/charts/app", "--install",
        "--namespace", "shop-prod", "--kube-context", "prod-eu", "--create-namespace",
        "--values", "/charts/app/values.yaml",
        "--values", "/charts/app/values-production.yaml",
        "--timeout", "300s", "--wait", "--atomic", "--output", "json",
    ]  # fmt: skip


def test_dry_run_without_wait_or_rollback() -> None:
    line4 = upgrade(4, wait=False, rollback_on_failure=False, dry_run=True)
    assert line4[-4:] == ["300s", "--dry-run=client", "--output", "json"]
    line3 = upgrade(3, wait=False, rollback_on_failure=False, dry_run=True)
    assert line3[-4:] == ["300s", "--dry-run", "--output", "json"]


def test_status_history_rollback_commands() -> None:
    client = BinaryHelmClient("helm", major=4)
    no_context = Target(release="shop", namespace="dev")
    assert client.status_command(no_context) == [
        "helm", "status", "shop", "--namespace", "dev", "--output", "json",
    ]  # fmt: skip
    assert client.history_command(TARGET) == [
        "helm", "history", "shop", "--namespace", "shop-prod", "--kube-context", "prod-eu",
        "--output", "json",
    ]  # fmt: skip
    assert client.rollback_command(TARGET, 3, timeout=120, wait=True) == [
        "helm", "rollback", "shop", "3", "--namespace", "shop-prod", "--kube-context", "prod-eu",
        "--timeout", "120s", "--wait=watcher",
    ]  # fmt: skip
    assert BinaryHelmClient("helm", major=3).rollback_command(
        no_context, None, timeout=60, wait=False
    ) == ["helm", "rollback", "shop", "--namespace", "dev", "--timeout", "60s"]


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (
            'Error: Kubernetes cluster unreachable: Get "https://10.0.0.1:6443/version": '
            "dial tcp 10.0.0.1:6443: i/o timeout",
            "unreachable",
        ),
        (
            'Error: UPGRADE FAILED: secrets is forbidden: User "dev" cannot list resource '
            '"secrets" in API group "" in the namespace "shop-prod"',
            "forbidden",
        ),
        (
            "Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress",
            "pending",
        ),
        ("Error: UPGRADE FAILED: context deadline exceeded", "timeout"),
        ("Error: release: not found", "not-found"),
        ("Error: INSTALLATION FAILED: template: app/templates/x.yaml:3: bad", "helm"),
    ],
)
def test_known_helm_messages_map_to_reasons(message: str, reason: str) -> None:
    error = classify_failure(message, TARGET, timeout=300)
    assert error.reason == reason
    assert "\n" not in str(error)
    assert "Error:" not in str(error)


def test_release_json_from_binary() -> None:
    info = release_from_binary(
        {
            "name": "shop",
            "namespace": "shop-prod",
            "version": 4,
            "info": {"status": "deployed", "last_deployed": "2026-01-01T00:00:00Z"},
            "chart": {"metadata": {"name": "app", "version": "1.2.0"}},
            "manifest": "---\nkind: X\n",
        }
    )
    assert (info.revision, info.status, info.chart) == (4, "deployed", "app-1.2.0")


@pytest.fixture
def unreachable_kubeconfig(tmp_path: Path) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: dead\n"
        "clusters: [{name: dead, cluster: {server: 'https://127.0.0.1:1'}}]\n"
        "contexts: [{name: dead, context: {cluster: dead, user: u}}]\n"
        "users: [{name: u, user: {token: not-a-secret}}]\n"
    )
    return path


def test_sdk_status_without_a_cluster_is_unreachable(unreachable_kubeconfig: Path) -> None:
    client = SdkHelmClient(kubeconfig=unreachable_kubeconfig)
    with pytest.raises(HelmDeployError) as caught:
        client.status(Target(release="shop", namespace="dev"))
    assert caught.value.reason == "unreachable"
    assert "127.0.0.1:1" in str(caught.value)


def test_sdk_writes_run_in_a_child_named_helm(unreachable_kubeconfig: Path) -> None:
    """Helm names its server-side-apply field manager after os.Args[0]: the SDK's install,
    upgrade and rollback run in a child whose argv[0] is .../helm, as the binary applies."""
    assert Path(sdk_apply.child_argv0()).name == "helm" == sdk_apply.FIELD_MANAGER
    client = SdkHelmClient(kubeconfig=unreachable_kubeconfig)
    with pytest.raises(HelmDeployError) as caught:
        client.rollback(Target(release="shop", namespace="dev"), 1, timeout=10, wait=False)
    assert caught.value.reason == "unreachable"
    assert "127.0.0.1:1" in str(caught.value)


def test_sdk_child_failure_is_one_line() -> None:
    answer = sdk_apply.run_in_child({"op": "no-such-op", "namespace": "dev"}, timeout=60)
    assert answer["error"].startswith("the Helm SDK process failed (exit 1): ValueError")
    assert "\n" not in answer["error"]


def test_sdk_dry_run_renders_offline(unreachable_kubeconfig: Path, tiny_chart: Path) -> None:
    client = SdkHelmClient(kubeconfig=unreachable_kubeconfig)
    info = client.upgrade_install(
        Target(release="shop", namespace="dev"),
        tiny_chart,
        [tiny_chart / "values.yaml"],
        UpgradeOptions(timeout=30, wait=False, dry_run=True),
    )
    assert info.name == "shop"
    assert info.chart == "tiny-0.1.0"
    assert "kind: Deployment" in info.manifest


@pytest.mark.skipif(shutil.which("helm") is None, reason="no helm binary on PATH")
def test_binary_version_detected() -> None:
    assert BinaryHelmClient(shutil.which("helm") or "helm").major in (3, 4)
