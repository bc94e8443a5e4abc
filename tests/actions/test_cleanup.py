"""`kubealign cleanup`: plan and apply against real temporary git repositories."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from emit.sample_report import sample_report
from kubealign.actions.cleanup import CleanupRefused, apply_cleanup, plan_cleanup
from kubealign.model.audit import AuditReport, TechDebtItem

_GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
            "PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          env=_GIT_ENV, check=True, timeout=60)
    return done.stdout


def _write(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    _write(root, {
        "old.sh": "#!/bin/sh\nssh host true\n",
        "used.yml": "services: {}\n",
        "Dockerfile.new": "FROM alpine:3.20\n",
        "Dockerfile.taken": "FROM alpine:3.19\n",
        "Dockerfile": "FROM alpine:3.18\n",
        "legacy/chart/Chart.yaml": "name: x\n",
        "legacy/chart/values.yaml": "a: 1\n",
        ".gitignore": "local.sh\n",
    })
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    _write(root, {"local.sh": "#!/bin/sh\necho ignored but present\n"})
    return root


def _item(path: str, *, action: str = "delete", destination: str | None = None,
          live: bool = False) -> TechDebtItem:
    return TechDebtItem(path, f"reason for {path}", action, destination, live,
                        ("ci.yml:3",) if live else ())


def _report(*items: TechDebtItem) -> AuditReport:
    return dataclasses.replace(sample_report(), tech_debt=items)


DEBT = (
    _item("old.sh"),
    _item("used.yml", live=True),
    _item("local.sh"),
    _item("missing.yml"),
    _item("../outside.yml"),
    _item("Dockerfile.new", action="move", destination="docker/Dockerfile"),
    _item("Dockerfile.taken", action="move", destination="Dockerfile"),
    _item("legacy/chart"),
    _item("legacy/chart/values.yaml"),
)


def test_plan_holds_back_what_it_must_not_touch(repo: Path) -> None:
    plan = plan_cleanup(_report(*DEBT), repo)
    assert [s.command() for s in plan.steps] == [
        "git mv -- Dockerfile.new docker/Dockerfile",
        "git rm -r -- legacy/chart",
        "git rm -- old.sh",
    ]
    why = {h.path: h.why_not for h in plan.held_back}
    assert why == {
        "../outside.yml": "path outside the repository",
        "Dockerfile.taken": "destination Dockerfile already exists",
        "legacy/chart/values.yaml": "inside legacy/chart, which is removed as a whole",
        "local.sh": "not tracked by git (cleanup never deletes untracked files)",
        "missing.yml": "no longer exists",
        "used.yml": "still referenced by a live path (ci.yml:3)",
    }
    script = plan.script()
    assert "# reason for old.sh\ngit rm -- old.sh\n" in script
    assert "#   used.yml: still referenced by a live path (ci.yml:3)" in script


def test_apply_stages_the_changes_and_leaves_the_rest_alone(repo: Path) -> None:
    result = apply_cleanup(_report(*DEBT), repo)
    assert len(result.done) == 3
    status = sorted(git(repo, "status", "--porcelain").splitlines())
    assert status == [
        "D  legacy/chart/Chart.yaml",
        "D  legacy/chart/values.yaml",
        "D  old.sh",
        "R  Dockerfile.new -> docker/Dockerfile",
    ]
    for kept in ("used.yml", "local.sh", "Dockerfile.taken", "Dockerfile"):
        assert (repo / kept).is_file(), kept
    assert (repo / "docker/Dockerfile").read_text() == "FROM alpine:3.20\n"
    assert not (repo / "old.sh").exists()


@pytest.mark.parametrize("dirt", ["modified", "staged", "untracked"])
def test_apply_refuses_a_work_tree_that_is_not_clean(repo: Path, dirt: str) -> None:
    if dirt == "untracked":
        _write(repo, {"notes.txt": "wip\n"})
    else:
        _write(repo, {"used.yml": "services: {a: {image: x}}\n"})
        if dirt == "staged":
            git(repo, "add", "used.yml")
    before = git(repo, "status", "--porcelain")
    with pytest.raises(CleanupRefused, match="work tree is not clean") as caught:
        apply_cleanup(_report(*DEBT), repo)
    assert caught.value.exit_code == 2
    assert git(repo, "status", "--porcelain") == before
    assert (repo / "old.sh").is_file()


def test_apply_refuses_outside_git(tmp_path: Path) -> None:
    _write(tmp_path, {"old.sh": "x\n"})
    plan = plan_cleanup(_report(_item("old.sh")), tmp_path)
    assert [s.path for s in plan.steps] == ["old.sh"]  # planning works without git
    with pytest.raises(CleanupRefused, match="not a git work tree"):
        apply_cleanup(_report(_item("old.sh")), tmp_path)
    assert (tmp_path / "old.sh").is_file()


def test_audit_root_in_a_subdirectory_of_the_repository(repo: Path) -> None:
    # Paths in the report are relative to the audited folder, not to the git top level.
    _write(repo, {"app/deploy.sh": "x\n"})
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "app")
    apply_cleanup(_report(_item("deploy.sh")), repo / "app")
    assert git(repo, "status", "--porcelain").strip() == "D  app/deploy.sh"


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kubealign", "cleanup", *args, str(root)],
                          capture_output=True, text=True, env=_GIT_ENV, timeout=120,
                          check=False)


def test_cli_plan_and_apply_on_an_audited_repository(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    _write(root, {
        "docker-compose.yml": "services:\n  web:\n    image: nginx:1.27\n",
        "deploy_old.sh": "#!/bin/bash\nset -euo pipefail\n"
                         "ssh deploy@web1 'docker compose up -d'\n",
    })
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    planned = _cli(root, "--plan")
    assert planned.returncode == 0, planned.stderr
    assert "git rm -- deploy_old.sh\n" in planned.stdout
    assert (root / "deploy_old.sh").is_file()  # --plan changes nothing

    _write(root, {"scratch.txt": "wip\n"})
    refused = _cli(root, "--apply")
    assert refused.returncode == 2
    assert "work tree is not clean" in refused.stderr and "Traceback" not in refused.stderr
    (root / "scratch.txt").unlink()

    applied = _cli(root, "--apply")
    assert applied.returncode == 0, applied.stderr
    assert "git rm -- deploy_old.sh" in applied.stdout
    assert "D  deploy_old.sh" in git(root, "status", "--porcelain")


def test_cli_rejects_plan_with_apply(tmp_path: Path) -> None:
    done = _cli(tmp_path, "--plan", "--apply")
    assert done.returncode == 2 and "exclude each other" in done.stderr
