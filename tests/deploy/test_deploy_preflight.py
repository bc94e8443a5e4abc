"""Deploy pre-flight, dry run, production confirmation, the plan and the diff."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from deploy_helpers import FakeHelm, plan_namespace, run_cli

from kubealign.actions.deploy import DeployRequest, prepare_deploy, read_plan
from kubealign.deploy.helm_adapter import SdkHelmClient, UpgradeOptions
from kubealign.errors import PlanError
from kubealign.validate.helm import render_chart


@pytest.fixture
def no_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedded SDK and a kubeconfig pointing nowhere: any cluster call would fail."""
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: nowhere\n"
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\n"
        "users: [{name: u, user: {}}]\n"
        "contexts: [{name: nowhere, context: {cluster: c, user: u}}]\n"
    )
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.setenv("KUBEALIGN_HELM", "sdk")


def _expected_objects(out: Path, env: str) -> set[str]:
    chart = out / "chart"
    rendered = render_chart(chart, [chart / "values.yaml", chart / f"values-{env}.yaml"],
                            release="sophia", namespace=env, backend="sdk")
    return {f"{o['kind']}/{o['metadata']['name']}" for o in rendered.objects}


@pytest.mark.usefixtures("no_cluster")
def test_dry_run_lists_every_production_object(converted_sophia: Path) -> None:
    result = run_cli("deploy", "--env", "production", "--dry-run", "--dir", str(converted_sophia))
    assert result.code == 0, result.stderr
    listed = {
        line.split()[0]: line.split()[-1]
        for line in result.stdout.splitlines()
        if line.startswith("  ")
    }
    expected = _expected_objects(converted_sophia, "production")
    assert len(expected) > 20
    assert set(listed) == expected
    assert set(listed.values()) == {plan_namespace(converted_sophia, "production")}
    assert f"{len(expected)} objects" in result.stdout


@pytest.mark.usefixtures("no_cluster")
def test_dry_run_needs_no_confirmation_for_production(
    converted_sophia: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert run_cli("deploy", "-e", "production", "--dry-run", "-d", str(converted_sophia)).code == 0


def test_dry_run_prints_the_helm_command(fake_helm: FakeHelm, converted_sophia: Path) -> None:
    result = run_cli("deploy", "--env", "production", "--dry-run", "--dir", str(converted_sophia))
    assert result.code == 0, result.stderr
    assert f"would run: {fake_helm.path} upgrade sophia" in result.stdout
    assert fake_helm.calls_of("upgrade") == []
    assert fake_helm.calls_of("status") == []


@pytest.mark.usefixtures("no_cluster")
def test_broken_values_exit_2_naming_the_key(output_copy: Path) -> None:
    base = yaml.safe_load((output_copy / "chart" / "values.yaml").read_text())
    service = sorted(base["services"])[0]
    overlay = output_copy / "chart" / "values-production.yaml"
    overlay.write_text(f"services:\n  {service}:\n    replicas: many\n")
    result = run_cli("deploy", "--env", "production", "--dry-run", "--dir", str(output_copy))
    assert result.code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert f"/services/{service}/replicas" in errors[0]
    assert "values-production.yaml" in errors[0]
    assert "Traceback" not in result.stderr


@pytest.mark.usefixtures("no_cluster")
def test_unknown_environment_lists_the_available_ones(converted_sophia: Path) -> None:
    result = run_cli("deploy", "--env", "staging", "--dry-run", "--dir", str(converted_sophia))
    assert result.code == 2
    assert "no values-staging.yaml" in result.stderr
    assert "development" in result.stderr and "production" in result.stderr


@pytest.mark.usefixtures("no_cluster")
def test_invalid_rendered_object_fails_preflight(output_copy: Path) -> None:
    # The provider block is passed through by values.schema.json; the CRD schema refuses it.
    overlay = output_copy / "chart" / "values-production.yaml"
    overlay.write_text("secretStores:\n  vault-eu:\n    kind: SecretStore\n    provider:\n"
                       "      pulumi:\n        organization: 42\n")
    result = run_cli("deploy", "--env", "production", "--dry-run", "--dir", str(output_copy))
    assert result.code == 1, result.stdout + result.stderr
    assert "pre-flight failed: 1 invalid object(s); first: SecretStore/vault-eu" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refused_without_a_terminal(
    fake_helm: FakeHelm, converted_sophia: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    result = run_cli("deploy", "--env", "production", "--dir", str(converted_sophia))
    assert result.code == 2
    assert "refusing to deploy production environment 'production'" in result.stderr
    assert "--yes" in result.stderr
    assert fake_helm.calls_of("upgrade") == []
    accepted = run_cli("deploy", "--env", "production", "--dir", str(converted_sophia), "--yes")
    assert accepted.code == 0, accepted.stderr
    assert len(fake_helm.calls_of("upgrade")) == 1


def test_rollback_of_production_also_asks(
    fake_helm: FakeHelm, converted_sophia: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    result = run_cli("rollback", "--env", "production", "--dir", str(converted_sophia))
    assert result.code == 2 and "refusing to roll back" in result.stderr
    assert fake_helm.calls_of("rollback") == []


def _deploy_on_a_terminal(out: Path, answer: str) -> subprocess.CompletedProcess[bytes]:
    """Run the real command with a pseudo-terminal as stdin and type ``answer``."""
    leader, follower = os.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "kubealign", "deploy", "--env", "production", "--dir",
             str(out)],
            stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        os.write(leader, answer.encode() + b"\n")
        stdout, stderr = process.communicate(timeout=120)
    finally:
        os.close(leader)
        os.close(follower)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.parametrize(("answer", "code", "upgrades"), [("n", 1, 0), ("y", 0, 1)])
def test_production_confirmation_on_a_terminal(
    fake_helm: FakeHelm, converted_sophia: Path, answer: str, code: int, upgrades: int
) -> None:
    done = _deploy_on_a_terminal(converted_sophia, answer)
    assert done.returncode == code, done.stderr.decode()
    assert b"(production) in the current context" in done.stderr
    assert len(fake_helm.calls_of("upgrade")) == upgrades


PLAN = """\
# kubealign plan (hand-edited)
release: sophia-platform
environments:
  development:
    namespace: sophia-dev
  production:
    namespace: sophia-prod
    kube_context: prod-eu
  gh200:
    namespace: sophia-gpu
    production: true
migration:
  order: [development, gh200, production]
"""


def test_plan_supplies_release_namespace_context_and_order(output_copy: Path) -> None:
    (output_copy / "kubealign.yaml").write_text(PLAN)
    (output_copy / "chart" / "values-gh200.yaml").write_text("{}\n")
    preflight = prepare_deploy(DeployRequest(output_copy, "production"))
    assert preflight.target.release == "sophia-platform"
    assert preflight.target.namespace == "sophia-prod"
    assert preflight.target.kube_context == "prod-eu"
    assert preflight.production
    assert preflight.order.position == 3 and preflight.order.earlier == ("development", "gh200")
    gpu = prepare_deploy(DeployRequest(output_copy, "gh200", namespace="override"))
    assert gpu.production and gpu.target.namespace == "override"
    assert not prepare_deploy(DeployRequest(output_copy, "development")).production


def test_plan_with_a_list_of_environments(tmp_path: Path) -> None:
    plan = tmp_path / "kubealign.yaml"
    plan.write_text("environments:\n  - name: dev\n    namespace: d\n    order: 1\n"
                    "  - name: live\n    tier: production\n    order: 2\n")
    facts = read_plan(plan)
    assert facts.migration_order == ("dev", "live")
    assert facts.environment("live") is not None and facts.environment("live").production  # type: ignore[union-attr]
    assert facts.environment("dev").namespace == "d"  # type: ignore[union-attr]


def test_plan_that_is_not_a_mapping(tmp_path: Path) -> None:
    plan = tmp_path / "kubealign.yaml"
    plan.write_text("- development\n")
    with pytest.raises(PlanError, match="expected a mapping"):
        read_plan(plan)


def test_migration_order_reports_earlier_environments(
    fake_helm: FakeHelm, output_copy: Path
) -> None:
    (output_copy / "kubealign.yaml").write_text(PLAN)
    result = run_cli("deploy", "--env", "production", "--dir", str(output_copy), "--yes")
    assert result.code == 0, result.stderr
    assert "step 3 of 3 in the migration order (development -> gh200 -> production)" in (
        result.stderr
    )
    assert "earlier environment development: not deployed" in result.stderr
    assert ["status", "sophia-platform", "--namespace", "sophia-dev", "--kube-context",
            "prod-eu", "--output", "json"] in fake_helm.calls()


def test_diff_against_the_deployed_release(
    fake_helm: FakeHelm, converted_sophia: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chart = converted_sophia / "chart"
    namespace = plan_namespace(converted_sophia, "development")
    deployed = render_chart(chart, [chart / "values.yaml", chart / "values-development.yaml"],
                            release="sophia", namespace=namespace, backend="sdk").objects
    workload = next(o for o in deployed if o["kind"] == "Deployment")
    workload["spec"]["replicas"] = 7
    name = workload["metadata"]["name"]
    account = next(o for o in deployed if o["kind"] == "ServiceAccount")["metadata"]["name"]
    kept = [o for o in deployed if o["kind"] != "ServiceAccount"]
    kept.append({"apiVersion": "v1", "kind": "ConfigMap",
                 "metadata": {"name": "retired", "namespace": namespace}})
    monkeypatch.setenv("FAKE_HELM_MANIFEST", yaml.safe_dump_all(kept))
    run_cli("deploy", "--env", "development", "--dir", str(converted_sophia))  # revision 1
    result = run_cli("deploy", "--env", "development", "--dir", str(converted_sophia),
                     "--diff", "--dry-run")
    assert result.code == 0, result.stderr
    assert f"changed: Deployment/{name} (namespace {namespace})" in result.stdout
    assert "-  replicas: 7" in result.stdout
    assert "removed: ConfigMap/retired" in result.stdout
    assert f"added: ServiceAccount/{account}" in result.stdout
    assert "changed: Service/" not in result.stdout


@pytest.mark.usefixtures("no_cluster")
def test_sdk_client_dry_run_offline_installs_what_preflight_listed(
    converted_sophia: Path,
) -> None:
    preflight = prepare_deploy(DeployRequest(converted_sophia, "production"))
    info = SdkHelmClient().upgrade_install(
        preflight.target, preflight.chart, preflight.value_files, UpgradeOptions(dry_run=True)
    )
    assert (info.name, info.status) == ("sophia", "pending-install")
    assert info.namespace == plan_namespace(converted_sophia, "production")
    installed = {
        (doc["kind"], doc["metadata"]["name"])
        for doc in yaml.safe_load_all(info.manifest)
        if isinstance(doc, dict)
    }
    assert installed == {(o.kind, o.name) for o in preflight.objects}


@pytest.mark.usefixtures("no_cluster")
def test_policy_findings_are_reported_and_block_on_request(converted_sophia: Path) -> None:
    reported = run_cli("deploy", "--env", "production", "--dry-run", "--dir",
                       str(converted_sophia))
    assert reported.code == 0, reported.stderr
    preflight = prepare_deploy(DeployRequest(converted_sophia, "production"))
    if not preflight.policy:
        pytest.skip("the converted example has no POL finding to block on")
    first = preflight.policy[0]
    assert f"{first.rule} [{first.severity}] {first.kind}/{first.name}" in reported.stderr
    blocked = run_cli("deploy", "--env", "production", "--dry-run", "--dir",
                      str(converted_sophia), "--fail-on-policy", str(first.severity))
    assert blocked.code == 1
    assert f"policy violation(s) at or above {first.severity}" in blocked.stderr
    wrong = run_cli("deploy", "--env", "production", "--dry-run", "--dir",
                    str(converted_sophia), "--fail-on-policy", "urgent")
    assert wrong.code == 2 and "unknown severity 'urgent'" in wrong.stderr
