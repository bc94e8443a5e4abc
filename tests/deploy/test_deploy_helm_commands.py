"""Deploy through the Helm adapter's interface: exact command lines run as a real process."""

from __future__ import annotations

from pathlib import Path

import pytest
from deploy_helpers import FakeHelm, plan_namespace, run_cli

from kubealign.actions.deploy import DeployRequest, execute_deploy, prepare_deploy
from kubealign.deploy.helm_adapter import BinaryHelmClient, UpgradeOptions


def _upgrade_line(out: Path, env: str, *tail: str, context: tuple[str, ...] = ()) -> list[str]:
    chart = out / "chart"
    return [
        "upgrade", "sophia", str(chart), "--install", "--namespace", plan_namespace(out, env),
        *context,
        "--values", str(chart / "values.yaml"), "--values", str(chart / f"values-{env}.yaml"),
        *tail, "--output", "json",
    ]  # fmt: skip


def test_helm4_upgrade_command_is_exact(fake_helm: FakeHelm, converted_sophia: Path) -> None:
    preflight = prepare_deploy(
        DeployRequest(converted_sophia, "production", kube_context="prod-eu")
    )
    info = execute_deploy(preflight, BinaryHelmClient(str(fake_helm.path)))
    assert fake_helm.calls_of("version") == [["version", "--short"]]
    assert fake_helm.calls_of("upgrade") == [
        _upgrade_line(
            converted_sophia, "production", "--timeout", "300s", "--wait=watcher",
            "--rollback-on-failure", context=("--kube-context", "prod-eu"),
        )
    ]  # fmt: skip
    assert (info.name, info.namespace, info.revision, info.status) == (
        "sophia", plan_namespace(converted_sophia, "production"), 1, "deployed",
    )  # fmt: skip


def test_helm3_upgrade_uses_atomic(
    fake_helm: FakeHelm, converted_sophia: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_HELM_VERSION", "v3.16.2+g13654a5")
    preflight = prepare_deploy(
        DeployRequest(
            converted_sophia, "development",
            options=UpgradeOptions(timeout=90, create_namespace=True),
        )
    )  # fmt: skip
    execute_deploy(preflight, BinaryHelmClient(str(fake_helm.path)))
    line = _upgrade_line(converted_sophia, "development", "--timeout", "90s", "--wait", "--atomic")
    assert fake_helm.calls_of("upgrade") == [[*line[:6], "--create-namespace", *line[6:]]]


def test_preflight_renders_through_helm_template(
    fake_helm: FakeHelm, converted_sophia: Path
) -> None:
    preflight = prepare_deploy(DeployRequest(converted_sophia, "production", namespace="shop"))
    templates = fake_helm.calls_of("template")
    assert len(templates) == 1
    assert templates[0][:5] == ["template", "sophia", str(converted_sophia / "chart"),
                                "--namespace", "shop"]
    assert {o.namespace for o in preflight.objects} == {"shop"}


def test_cli_deploy_no_wait(fake_helm: FakeHelm, converted_sophia: Path) -> None:
    result = run_cli("deploy", "--env", "development", "--dir", str(converted_sophia),
                     "--no-wait", "--timeout", "120")
    assert result.code == 0, result.stderr
    assert fake_helm.calls_of("upgrade") == [
        _upgrade_line(converted_sophia, "development", "--timeout", "120s",
                      "--rollback-on-failure")
    ]
    namespace = plan_namespace(converted_sophia, "development")
    assert f"release sophia revision 1 in namespace {namespace}: deployed" in result.stdout


def test_status_and_rollback(fake_helm: FakeHelm, converted_sophia: Path) -> None:
    for _ in range(2):
        assert run_cli("deploy", "-e", "development", "-d", str(converted_sophia)).code == 0
    status = run_cli("status", "--env", "development", "--dir", str(converted_sophia))
    assert status.code == 0, status.stderr
    assert "deployed, revision 2 (sophia-0.1.0)" in status.stdout
    namespace = plan_namespace(converted_sophia, "development")
    assert fake_helm.calls_of("history") == [
        ["history", "sophia", "--namespace", namespace, "--output", "json"]
    ]
    rolled = run_cli("rollback", "--env", "development", "--dir", str(converted_sophia),
                     "--revision", "1", "--kube-context", "dev")
    assert rolled.code == 0, rolled.stderr
    assert fake_helm.calls_of("rollback") == [
        ["rollback", "sophia", "1", "--namespace", namespace, "--kube-context", "dev",
         "--timeout", "300s", "--wait=watcher"]
    ]
    assert "now revision 3" in rolled.stdout


def test_status_of_a_release_never_installed(fake_helm: FakeHelm, converted_sophia: Path) -> None:
    result = run_cli("status", "--env", "development", "--dir", str(converted_sophia))
    assert result.code == 2
    namespace = plan_namespace(converted_sophia, "development")
    assert result.stderr.strip() == (
        f"error: release 'sophia' not found in the current context, namespace '{namespace}'"
    )


@pytest.mark.parametrize(
    ("helm_says", "expected"),
    [
        (
            'Kubernetes cluster unreachable: Get "https://10.0.0.1:6443/version": dial tcp '
            "10.0.0.1:6443: connect: connection refused",
            "error: no Kubernetes cluster reachable through the current context, namespace ",
        ),
        (
            'UPGRADE FAILED: deployments.apps "backend" is forbidden: User "dev" cannot patch '
            'resource "deployments" in API group "apps"',
            "error: permission denied for release 'sophia'",
        ),
        (
            "UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress",
            "error: release 'sophia' is stuck in a pending state",
        ),
        (
            "UPGRADE FAILED: resource Deployment/development/backend not ready. status: "
            "InProgress, message: context deadline exceeded",
            "error: timed out after 300s waiting for release 'sophia'",
        ),
        (
            "UPGRADE FAILED: template: sophia/templates/workload.yaml:3:4: executing "
            '"x" at <.Values.nope>: nil pointer',
            "error: helm failed for release 'sophia': UPGRADE FAILED: template:",
        ),
    ],
    ids=["unreachable", "forbidden", "pending", "timeout", "helm"],
)
def test_helm_failures_are_one_clear_line(
    fake_helm: FakeHelm,
    converted_sophia: Path,
    monkeypatch: pytest.MonkeyPatch,
    helm_says: str,
    expected: str,
) -> None:
    monkeypatch.setenv("FAKE_HELM_FAIL", f"upgrade:{helm_says}")
    result = run_cli("deploy", "--env", "development", "--dir", str(converted_sophia))
    assert result.code == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and lines[0].startswith(expected), result.stderr
    assert "Traceback" not in result.stderr
