"""`kubealign validate`: chart output per environment, manifests, formats and exit codes."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kubealign.actions.validate import validate_chart_output, validate_manifests
from kubealign.cli.app import main
from kubealign.errors import HelmError, UsageError
from kubealign.validate.formats import render_report

EXAMPLE_MANIFESTS = Path(__file__).resolve().parents[2] / "examples" / "sophia" / "kubernetes"


def cli(*args: str) -> tuple[int, str]:
    """Run the real entry point (error mapping included); return exit code and stdout."""
    import contextlib
    import io
    import sys

    stdout = io.StringIO()
    argv = sys.argv
    sys.argv = ["kubealign", *args]
    code = 0
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
            main()
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    finally:
        sys.argv = argv
    return code, stdout.getvalue()


@pytest.fixture
def output_dir(tiny_chart: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A converted output folder: out/chart with values-staging and values-production."""
    monkeypatch.setenv("KUBEALIGN_HELM", "sdk")
    out = tmp_path / "out"
    shutil.copytree(tiny_chart, out / "chart")
    (out / "chart" / "values-staging.yaml").write_text("replicas: 1\n")
    (out / "chart" / "values-production.yaml").write_text("replicas: 3\n")
    return out


@pytest.fixture
def bad_manifests(tmp_path: Path) -> Path:
    folder = tmp_path / "k8s"
    folder.mkdir()
    (folder / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
        "spec:\n  ports:\n    - port: 80\n      targetPrt: 8080\n"
    )
    (folder / "widget.yaml").write_text("apiVersion: example.com/v1\nkind: Widget\n")
    (folder / "kustomization.yaml").write_text("resources: [svc.yaml]\n")
    (folder / "broken.yaml").write_text("apiVersion: v1\nkind: [\n")
    return folder


def test_every_environment_is_rendered_and_valid(output_dir: Path) -> None:
    report = validate_chart_output(output_dir)
    assert report.ok
    envs = sorted({r.ref.environment for r in report.results})
    assert envs == ["production", "staging"]
    assert len(report.results) == 6


def test_single_environment_and_unknown_environment(output_dir: Path) -> None:
    report = validate_chart_output(output_dir, environments=["production"])
    assert {r.ref.environment for r in report.results} == {"production"}
    with pytest.raises(UsageError, match="available: production, staging"):
        validate_chart_output(output_dir, environments=["qa"])


def test_invalid_rendered_object_fails_with_template_line(output_dir: Path) -> None:
    template = output_dir / "chart" / "templates" / "deployment.yaml"
    template.write_text(template.read_text().replace("replicas:", "replica_count:"))
    report = validate_chart_output(output_dir, environments=["staging"])
    assert not report.ok
    (failed,) = report.invalid
    assert failed.ref.label() == "Deployment/web"
    (violation,) = failed.violations
    assert violation.where == "spec.replica_count"
    assert violation.message == "unknown field"
    assert violation.line == 9


def test_values_schema_violation_is_helm_error(output_dir: Path) -> None:
    (output_dir / "chart" / "values-production.yaml").write_text("replicas: many\n")
    with pytest.raises(HelmError, match="replicas"):
        validate_chart_output(output_dir, environments=["production"])
    assert cli("validate", str(output_dir), "--env", "production")[0] == 2


def test_cli_exit_codes(output_dir: Path, bad_manifests: Path) -> None:
    assert cli("validate", str(output_dir))[0] == 0
    code, printed = cli("validate", str(bad_manifests), "--manifests")
    assert code == 1
    assert "Service/web" in printed
    assert "spec.ports[0].targetPrt: unknown field" in printed
    assert cli("validate", str(output_dir), "--env", "x", "--all")[0] == 2
    assert cli("validate", str(output_dir), "--kube-version", "1.2")[0] == 2


def test_manifests_mode_reports_invalid_skipped_and_broken(bad_manifests: Path) -> None:
    report = validate_manifests(bad_manifests)
    by_source = {r.ref.source: r for r in report.results}
    assert by_source["svc.yaml"].violations[0].line == 7
    assert by_source["widget.yaml"].skipped == "no schema for example.com/v1 Widget"
    assert by_source["broken.yaml"].violations[0].check == "yaml"
    assert any("kustomization" in note for note in report.notes)


def test_json_and_junit_and_sarif(bad_manifests: Path, tmp_path: Path) -> None:
    report = validate_manifests(bad_manifests)
    data = json.loads(render_report(report, "json"))
    assert data["ok"] is False
    assert data["summary"] == {"objects": 3, "invalid": 2, "skipped": 1}

    junit = ET.fromstring(render_report(report, "junit"))
    assert junit.tag == "testsuites"
    assert junit.get("failures") == "2"
    assert len(junit.findall(".//failure")) == 2
    assert len(junit.findall(".//skipped")) == 1

    sarif = json.loads(render_report(report, "sarif"))
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"].endswith("sarif-2.1.0.json")
    run = sarif["runs"][0]
    rule_ids = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert run["tool"]["driver"]["name"] == "kubealign"
    for result in run["results"]:
        assert result["ruleId"] in rule_ids
        assert result["message"]["text"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    output = tmp_path / "report.sarif"
    code, _ = cli(
        "validate", str(bad_manifests), "--manifests", "--format", "sarif", "-o", str(output)
    )
    assert code == 1
    assert json.loads(output.read_text()) == sarif
    assert render_report(report, "sarif") == render_report(
        validate_manifests(bad_manifests), "sarif"
    )


@pytest.mark.skipif(not EXAMPLE_MANIFESTS.is_dir(), reason="examples/sophia/kubernetes absent")
def test_example_repository_manifests() -> None:
    report = validate_manifests(EXAMPLE_MANIFESTS)
    assert len(report.results) > 20
    kinds = {r.ref.kind for r in report.results}
    assert {"Deployment", "Service", "Application", "ServiceMonitor"} <= kinds
    assert report.ok, render_report(report, "text")


def test_server_side_refusals_become_violations_of_their_object(
        output_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kubealign.actions.validate as action
    from kubealign.deploy.server_check import Rejection, ServerCheck

    def refuse(objects: object, namespace: str, **_: object) -> ServerCheck:
        return ServerCheck("https://k", None, 2, (
            Rejection("Deployment", "web", "spec.template.spec.containers[0].image",
                      "Required value"),), ("a note",))

    monkeypatch.setattr(action, "server_check", refuse)
    report = validate_chart_output(output_dir, environments=["staging"], server=True)
    (failed,) = report.invalid
    assert failed.ref.label() == "Deployment/web"
    (violation,) = failed.violations
    assert (violation.check, violation.where, violation.message) == (
        "server", "spec.template.spec.containers[0].image", "Required value")
    assert report.notes == ("staging: server-side dry run on https://k: 2 accepted, "
                            "1 refusal(s); a note",)


def test_without_a_kubeconfig_validate_stays_offline(
        output_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    report = validate_chart_output(output_dir, server=None)
    assert report.ok and report.notes == ()
    # --server asks anyway and says why it could not.
    asked = validate_chart_output(output_dir, environments=["staging"], server=True)
    assert asked.ok
    assert asked.notes == ("staging: server-side dry run skipped: no kubeconfig (KUBECONFIG "
                           "or ~/.kube/config)",)
    assert cli("validate", str(output_dir), "--offline")[0] == 0


def test_stdout_documents_arrive_as_written(tmp_path: Path) -> None:
    """The report on stdout is the rendered document byte for byte: the console once turned
    ``:warning:`` in a quoted field name into a pictogram (rich's emoji codes)."""
    folder = tmp_path / "manifests"
    folder.mkdir()
    (folder / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n':warning:': 1\n",
        encoding="utf-8")
    from cli_runner import run_cli

    done = run_cli("validate", str(folder), "--manifests", "--format", "json")
    assert done.code == 1
    assert done.stdout == render_report(validate_manifests(folder), "json")
    assert ":warning:" in done.stdout
