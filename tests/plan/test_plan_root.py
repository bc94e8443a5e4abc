"""A plan's paths resolve against its `root` (relative to the plan file), never the working
directory, so a plan kept outside the repository works from anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubealign.actions.plan import load_plan, plan, plan_root
from kubealign.errors import PlanError
from kubealign.transform.plan.codec import read_plan_text

PLAN = """\
version: 1
root: {root}
release: shop
namespace: shop
base: local
environments:
  local:
    files: [docker-compose.yml]
"""


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx:1.27\n")
    return repo


def test_root_is_taken_from_the_plan_file_not_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path)
    kept = tmp_path / "build" / "out" / "kubealign.yaml"
    kept.parent.mkdir(parents=True)
    kept.write_text(PLAN.format(root="../../repo"))
    monkeypatch.chdir(repo / "..")
    source, root = load_plan(Path("build/out/kubealign.yaml"))
    assert root.resolve() == repo.resolve()
    assert source.plan.root == "../../repo"
    monkeypatch.chdir(kept.parent)
    assert load_plan(Path("kubealign.yaml"))[1].resolve() == repo.resolve()


def test_a_missing_root_names_the_line(tmp_path: Path) -> None:
    kept = tmp_path / "kubealign.yaml"
    kept.write_text(PLAN.format(root="../nowhere"))
    with pytest.raises(PlanError, match=r"root: folder '\.\./nowhere' does not exist") as info:
        load_plan(kept)
    assert info.value.line == 2


def test_no_root_means_the_plan_folder(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    text = PLAN.format(root=".")
    source = read_plan_text(text, "kubealign.yaml")
    assert plan_root(repo / "kubealign.yaml", source.plan) == repo


def test_plan_written_elsewhere_gets_a_root_back(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    target = tmp_path / "plans" / "shop.yaml"
    outcome = plan(repo, out=target)
    assert outcome.plan.root == "../repo"
    assert "\nroot: ../repo\n" in target.read_text()
    assert load_plan(target)[1].resolve() == repo.resolve()
    # In the repository itself no root is written (the plan's folder is the repository).
    assert "root:" not in plan(repo).text
