"""migrate keeps each step's artifacts: a failed convert still leaves the inventory, the audit
and the plan to edit in --out, and the kept plan works from the output folder as is."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from test_migrate import run_cli

from kubealign.actions import convert_plan as convert_plan_module
from kubealign.actions.cluster import cluster
from kubealign.actions.convert_plan import PlanConvertRequest, convert_plan
from kubealign.actions.migrate import MigrateRequest, migrate
from kubealign.errors import ConvertError
from kubealign.model.plan import PLAN_FILE_NAME
from kubealign.transform.plan.codec import read_plan_text

COMPOSE = """\
name: shop
services:
  web:
    image: nginx:1.27
    ports: ["8080:80"]
  api:
    image: example/api:1.0
    environment:
      LOG_LEVEL: {level}
"""

BROKEN_PLAN = """\
version: 1
release: shop
namespace: shop
base: local
environments:
  local:
    files: [docker-compose.yml]
  production:
    files: [docker-compose.prod.yml, docker-compose.never-committed.yml]
"""


def _repo(root: Path) -> Path:
    repo = root / "repo"
    repo.mkdir()
    (repo / "docker-compose.yml").write_text(COMPOSE.format(level="info"))
    (repo / "docker-compose.prod.yml").write_text(COMPOSE.format(level="warn"))
    return repo


def test_failed_convert_keeps_inventory_audit_and_plan(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / PLAN_FILE_NAME).write_text(BROKEN_PLAN)
    out = tmp_path / "out"
    outcome = migrate(MigrateRequest(path=repo, out=out, environ={}))
    status = {step.name: step.status for step in outcome.steps}
    assert status == {"inventory": "done", "plan": "done", "audit": "done",
                      "convert": "failed", "validate": "skipped"}
    assert not outcome.ok
    failed = outcome.failed[0]
    assert "docker-compose.never-committed.yml" in failed.summary
    for name in ("inventory.json", "audit.md", "audit.json", "audit.html", PLAN_FILE_NAME):
        assert (out / name).is_file(), name
    assert not (out / "chart").exists()
    kept = (out / PLAN_FILE_NAME).read_text()
    assert read_plan_text(kept, "kept").plan.root == "../repo"


def test_cli_says_which_step_failed_and_what_was_kept(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / PLAN_FILE_NAME).write_text(BROKEN_PLAN)
    code, stdout, stderr = run_cli("migrate", str(repo), "--out", str(tmp_path / "out"))
    assert code == 1
    assert "  convert    failed" in stdout
    assert "failed: convert:" in stderr and "never-committed" in stderr
    assert "the output of inventory, plan, audit" in stderr


def test_environments_converted_before_a_failure_are_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path)
    real = convert_plan_module.convert_environment

    def failing(source: Any, root: Path, env: Any, request: Any) -> Any:
        if env.name == "production":
            raise ConvertError("production: simulated failure")
        return real(source, root, env, request)

    monkeypatch.setattr(convert_plan_module, "convert_environment", failing)
    out = tmp_path / "out"
    outcome = migrate(MigrateRequest(path=repo, out=out, environ={}))
    assert [s.status for s in outcome.steps][-2:] == ["failed", "skipped"]
    assert "simulated failure" in outcome.steps[3].summary
    assert (out / "conversion" / "local.md").is_file()
    assert out / "conversion" / "local.md" in outcome.steps[3].artifacts
    assert not (out / "conversion" / "production.md").exists()
    assert (out / "audit.md").is_file() and (out / PLAN_FILE_NAME).is_file()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("kept")
    repo = _repo(base)
    out = base / "out"
    outcome = migrate(MigrateRequest(path=repo, out=out, environ={}))
    assert outcome.ok, outcome.steps
    return repo, out


def test_kept_plan_points_back_at_the_repository(migrated: tuple[Path, Path]) -> None:
    repo, out = migrated
    assert not (repo / PLAN_FILE_NAME).exists()
    plan = read_plan_text((out / PLAN_FILE_NAME).read_text(), "kept").plan
    assert plan.root == "../repo"
    assert {e.name for e in plan.environments} == {"local", "production"}


def test_kept_plan_works_with_cluster_and_convert_from_any_directory(
        migrated: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, out = migrated
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    plan_file = Path(os.path.relpath(out / PLAN_FILE_NAME, elsewhere))
    assert cluster(plan_file, environ={}).plan.release == "shop"
    code, _, stderr = run_cli("cluster", str(plan_file))
    assert code == 0, stderr
    outcome = convert_plan(PlanConvertRequest(out=tmp_path / "again", plan=plan_file,
                                              environ={}, prove=False))
    assert not outcome.failed
    assert (tmp_path / "again" / "chart" / "values-production.yaml").is_file()


def test_deploy_dry_run_reads_the_kept_plan(migrated: tuple[Path, Path],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _, out = migrated
    monkeypatch.setenv("KUBEALIGN_HELM", "sdk")
    monkeypatch.setenv("KUBECONFIG", str(out / "no-kubeconfig"))
    monkeypatch.chdir(out)
    code, stdout, stderr = run_cli("deploy", "--env", "production", "--dry-run", "--dir", ".")
    assert code == 0, stderr
    assert "namespace shop-production" in stdout


def _unloadable(root: Path) -> Path:
    repo = root / "broken"
    repo.mkdir()
    (repo / "compose.yaml").write_text("services:\n  api:\n    image: [unclosed\n")
    return repo


def test_no_loadable_environment_fails_the_plan_step_with_the_files_reason(
        tmp_path: Path) -> None:
    repo = _unloadable(tmp_path)
    out = tmp_path / "out"
    outcome = migrate(MigrateRequest(path=repo, out=out, environ={}))
    status = {step.name: step.status for step in outcome.steps}
    assert status == {"inventory": "done", "plan": "failed", "audit": "done",
                      "convert": "skipped", "validate": "skipped"}
    reason = outcome.steps[1].summary
    assert reason.startswith("no environment could be loaded: compose.yaml: cannot be read: "
                             "compose.yaml:4:1: invalid YAML")
    assert "kubealign.yaml" not in reason
    # A plan kubealign would refuse to read is not kept; the audit is.
    assert not (out / PLAN_FILE_NAME).exists() and (out / "audit.md").is_file()
    code, _, stderr = run_cli("migrate", str(repo), "--out", str(tmp_path / "again"))
    assert code == 1 and "failed: plan: no environment could be loaded" in stderr


def test_plan_command_writes_no_plan_without_environments(tmp_path: Path) -> None:
    repo = _unloadable(tmp_path)
    code, _, stderr = run_cli("plan", str(repo))
    assert code == 1
    assert "no environment could be loaded: compose.yaml: cannot be read" in stderr
    assert not (repo / PLAN_FILE_NAME).exists()


def test_rerun_keeps_the_users_edits_to_the_kept_plan(tmp_path: Path) -> None:
    """The plan migrate asks people to edit is DIR/kubealign.yaml: the next run merges with
    it (their edits are converted), never overwrites it."""
    repo = _repo(tmp_path)
    out = tmp_path / "out"
    assert migrate(MigrateRequest(path=repo, out=out, environ={})).ok
    kept = out / PLAN_FILE_NAME
    text = kept.read_text().replace("  production:\n    kind: compose\n",
                                    "  # ours\n  production:\n    kind: compose\n"
                                    "    namespace: shop-live\n")
    kept.write_text(text)
    outcome = migrate(MigrateRequest(path=repo, out=out, environ={}))
    assert outcome.ok, outcome.steps
    assert "your edits kept" in outcome.steps[1].summary
    assert kept.read_text() == text
    assert outcome.convert is not None
    production = outcome.convert.plan.environment("production")
    assert outcome.convert.plan.namespace_of(production) == "shop-live"
    assert "Namespace: shop-live." in (out / "chart" / "values-production.yaml").read_text()


def test_a_broken_edit_of_the_kept_plan_is_kept_to_fix(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    out = tmp_path / "out"
    assert migrate(MigrateRequest(path=repo, out=out, environ={})).ok
    kept = out / PLAN_FILE_NAME
    broken = kept.read_text().replace("base: production", "base: nowhere")
    kept.write_text(broken)
    outcome = migrate(MigrateRequest(path=repo, out=out, environ={}))
    assert outcome.steps[1].status == "failed"
    assert "base: expected one of the environments" in outcome.steps[1].summary
    assert kept.read_text() == broken
    assert (out / "audit.md").is_file()
