"""`kubealign migrate`: the one-shot pipeline on the bundled example."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

import pytest

from kubealign.actions.migrate import MigrateOutcome, MigrateRequest, migrate

SOPHIA = Path(__file__).resolve().parents[2] / "examples" / "sophia"


def run_cli(*args: str) -> tuple[int, str, str]:
    from kubealign.cli.app import main

    stdout, stderr = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["kubealign", *args]
    code = 0
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            main()
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    finally:
        sys.argv = argv
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture(scope="module")
def sophia(tmp_path_factory: pytest.TempPathFactory) -> MigrateOutcome:
    out = tmp_path_factory.mktemp("migrate") / "sophia"
    return migrate(MigrateRequest(path=SOPHIA, out=out, environ={}))


def test_steps_run_in_order_and_succeed(sophia: MigrateOutcome) -> None:
    assert [s.name for s in sophia.steps] == ["inventory", "plan", "audit", "convert", "validate"]
    assert sophia.ok
    statuses = {s.name: s.status for s in sophia.steps}
    assert statuses["inventory"] == statuses["convert"] == statuses["validate"] == "done"
    assert statuses["plan"] in ("done", "skipped") and statuses["audit"] in ("done", "skipped")


def test_every_artifact_exists(sophia: MigrateOutcome) -> None:
    artifacts = [path for step in sophia.steps for path in step.artifacts]
    out = sophia.request.out
    assert out / "chart" / "values.yaml" in artifacts
    assert out / "conversion.md" in artifacts and out / "inventory.json" in artifacts
    assert all(path.exists() for path in artifacts), [p for p in artifacts if not p.exists()]


def test_inventory_written_after_convert_replaced_the_folder(sophia: MigrateOutcome) -> None:
    data = json.loads((sophia.request.out / "inventory.json").read_text())
    paths = {artifact["path"] for artifact in data["artifacts"]}
    assert "docker-compose.cloud.yml" in paths


def test_validation_covers_the_converted_services(sophia: MigrateOutcome) -> None:
    report = sophia.report
    assert sophia.ok and not sophia.invalid
    workloads = {r.ref.name for r in report.results if r.ref.kind in ("Deployment", "StatefulSet")}
    assert {"backend", "frontend", "postgres", "redis"} <= workloads
    assert "0 invalid" in sophia.steps[-1].summary


def test_cli_prints_the_summary_with_artifact_paths(tmp_path: Path) -> None:
    out = tmp_path / "build"
    code, stdout, stderr = run_cli("migrate", str(SOPHIA), "--out", str(out))
    assert code == 0, stderr
    for step in ("inventory", "plan", "audit", "convert", "validate"):
        assert f"  {step} " in stdout
    assert f"{out}/chart/values.yaml" in stdout
    assert f"{out}/conversion.md" in stdout
    assert "next: kubealign deploy --env" in stdout


def test_output_is_deterministic(sophia: MigrateOutcome, tmp_path: Path) -> None:
    again = migrate(MigrateRequest(path=SOPHIA, out=tmp_path / "again", environ={}))
    first, second = sophia.request.out, again.request.out

    def tree(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
                if p.is_file()}

    assert tree(first) == tree(second)


def test_bad_paths_exit_2(tmp_path: Path) -> None:
    code, _, stderr = run_cli("migrate", str(tmp_path / "missing"), "--out", str(tmp_path / "o"))
    assert code == 2 and "not a directory" in stderr
    code, _, stderr = run_cli("migrate", str(tmp_path), "--out", str(tmp_path))
    assert code == 2 and "would replace the repository itself" in stderr
