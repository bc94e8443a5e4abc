"""Every file convert writes names sources relative to the repository, however the plan path
was spelled (relative from the working directory, absolute, through a symlink)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kubealign.actions.convert_plan import PlanConvertRequest, convert_plan
from kubealign.actions.plan import plan
from kubealign.model.source import relative_to, strip_root

SOPHIA = Path(__file__).resolve().parents[2] / "examples" / "sophia"


def test_relative_to_accepts_any_spelling_of_the_root(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "repo")
    monkeypatch.chdir(tmp_path)
    absolute = f"{tmp_path}/repo/deploy/a.env"
    assert relative_to(absolute, "repo") == "deploy/a.env"
    assert relative_to(absolute, "link") == "deploy/a.env"
    assert relative_to(absolute, f"{tmp_path}/repo/") == "deploy/a.env"
    assert relative_to("/elsewhere/a.env", "repo") == "/elsewhere/a.env"
    assert strip_root(f"read {absolute} and {absolute}", "repo") == \
        "read deploy/a.env and deploy/a.env"


def test_no_output_file_contains_the_absolute_repository_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "sophia"
    shutil.copytree(SOPHIA, repo)
    plan(repo)
    monkeypatch.chdir(tmp_path)
    # The CLI passes the plan as typed: a relative path, while loaders name files absolutely.
    outcome = convert_plan(PlanConvertRequest(out=Path("out"), plan=Path("sophia/kubealign.yaml"),
                                              environ={}, prove=False, render=False,
                                              repo_url="https://git.example.com/sophia.git"))
    offenders = []
    for rel in outcome.files:
        text = (tmp_path / "out" / rel).read_text(encoding="utf-8")
        for needle in {str(tmp_path), os.path.realpath(tmp_path)}:
            if needle in text:
                offenders.append(f"{rel}: {text.count(needle)}")
    assert "secrets.md" in outcome.files and "conversion/cloud.md" in outcome.files
    assert offenders == []
