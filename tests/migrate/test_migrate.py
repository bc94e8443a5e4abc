"""`kubealign migrate`: the one-shot pipeline on (a copy of) the bundled example."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import cli_runner
from kubealign.actions.migrate import MigrateOutcome, MigrateRequest, migrate

SOPHIA = Path(__file__).resolve().parents[2] / "examples" / "sophia"
STEPS = ["inventory", "plan", "audit", "convert", "validate"]


def run_cli(*args: str) -> tuple[int, str, str]:
    result = cli_runner.run_cli(*args)
    return result.code, result.stdout, result.stderr


def _copy_of_sophia(root: Path) -> Path:
    # A copy: migrate writes the detected plan into the repository while it converts.
    repo = root / "sophia"
    shutil.copytree(SOPHIA, repo)
    return repo


@pytest.fixture(scope="module")
def sophia(tmp_path_factory: pytest.TempPathFactory) -> MigrateOutcome:
    base = tmp_path_factory.mktemp("migrate")
    return migrate(MigrateRequest(path=_copy_of_sophia(base), out=base / "out", environ={}))


def test_steps_run_in_order_and_succeed(sophia: MigrateOutcome) -> None:
    assert [s.name for s in sophia.steps] == STEPS
    assert [s.status for s in sophia.steps] == ["done"] * len(STEPS), sophia.steps
    assert sophia.ok


def test_plan_environments_become_overlays(sophia: MigrateOutcome) -> None:
    out = sophia.request.out
    assert {"development", "production"} <= set(sophia.environments)
    for env in sophia.environments:
        assert (out / "chart" / f"values-{env}.yaml").is_file()
    proven = f"{len(sophia.environments)}/{len(sophia.environments)} environments render exactly"
    assert proven in sophia.steps[3].summary


def test_every_artifact_exists(sophia: MigrateOutcome) -> None:
    artifacts = [path for step in sophia.steps for path in step.artifacts]
    out = sophia.request.out
    for name in ("inventory.json", "kubealign.yaml", "audit.md", "audit.json", "audit.html"):
        assert out / name in artifacts
    assert out / "chart" / "values.yaml" in artifacts
    assert all(path.exists() for path in artifacts), [p for p in artifacts if not p.exists()]


def test_repository_left_unchanged(sophia: MigrateOutcome) -> None:
    assert not (sophia.request.path / "kubealign.yaml").exists()
    assert (sophia.request.out / "kubealign.yaml").read_text().startswith("#")


def test_artifacts_written_after_convert_replaced_the_folder(sophia: MigrateOutcome) -> None:
    out = sophia.request.out
    inventory = json.loads((out / "inventory.json").read_text())
    assert "docker-compose.cloud.yml" in {a["path"] for a in inventory["artifacts"]}
    audit = json.loads((out / "audit.json").read_text())
    assert audit["summary"]["findings_total"] > 0


def test_validation_covers_every_environment(sophia: MigrateOutcome) -> None:
    assert not sophia.invalid
    environments = {r.ref.environment for r in sophia.report.results}
    assert environments == set(sophia.environments)
    assert "0 invalid" in sophia.steps[-1].summary


def test_deploy_dry_run_on_the_migrated_output(
    sophia: MigrateOutcome, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBEALIGN_HELM", "sdk")
    monkeypatch.setenv("KUBECONFIG", str(sophia.request.out / "no-kubeconfig"))
    code, stdout, stderr = run_cli("deploy", "--env", "production", "--dry-run", "--dir",
                                   str(sophia.request.out))
    assert code == 0, stderr
    expected = [r for r in sophia.report.results if r.ref.environment == "production"]
    assert f"{len(expected)} objects" in stdout
    for result in expected:
        assert f"  {result.ref.kind}/{result.ref.name} " in stdout


def test_cli_prints_the_summary_and_keeps_the_plan_on_request(tmp_path: Path) -> None:
    repo = _copy_of_sophia(tmp_path)
    out = tmp_path / "build"
    code, stdout, stderr = run_cli("migrate", str(repo), "--out", str(out), "--keep-plan")
    assert code == 0, stderr
    for step in STEPS:
        assert f"  {step} " in stdout
    assert f"{out}/chart/values.yaml" in stdout
    assert f"{out}/audit.md" in stdout
    assert "next: kubealign deploy --env development" in stdout
    assert (repo / "kubealign.yaml").is_file()
    # A second run uses the plan now in the repository.
    code, stdout, stderr = run_cli("migrate", str(repo), "--out", str(out))
    assert code == 0, stderr
    assert f"using the repository's plan {repo / 'kubealign.yaml'}" in stdout


def test_bad_paths_exit_2(tmp_path: Path) -> None:
    code, _, stderr = run_cli("migrate", str(tmp_path / "missing"), "--out", str(tmp_path / "o"))
    assert code == 2 and "not a directory" in stderr
    code, _, stderr = run_cli("migrate", str(tmp_path), "--out", str(tmp_path))
    assert code == 2 and "would replace the repository itself" in stderr
