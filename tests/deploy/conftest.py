"""Fixtures for deploy tests: a converted Sophia output and a recording ``helm`` on PATH."""

from __future__ import annotations

import os
import shutil
import stat
import sys
from pathlib import Path

import pytest
from deploy_helpers import FakeHelm

from kubealign.actions.convert_plan import PlanConvertRequest, convert_plan
from kubealign.actions.plan import plan

REPO_ROOT = Path(__file__).resolve().parents[2]
SOPHIA = REPO_ROOT / "examples" / "sophia"
FAKE_HELM = Path(__file__).with_name("fake_helm.py")

@pytest.fixture(scope="session")
def converted_sophia(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What ``kubealign migrate examples/sophia`` converts: the detected plan, one chart with
    a base and an overlay per environment, and the plan copied next to the chart."""
    base = tmp_path_factory.mktemp("sophia")
    repo = base / "repo"
    # A copy: the plan is written into the repository it describes.
    shutil.copytree(SOPHIA, repo)
    detected = plan(repo)
    assert detected.path is not None
    out = base / "out"
    convert_plan(PlanConvertRequest(out=out, plan=detected.path, environ={}, render=False,
                                    prove=False))
    shutil.copy2(detected.path, out / "kubealign.yaml")
    return out


@pytest.fixture
def output_copy(converted_sophia: Path, tmp_path: Path) -> Path:
    """A private copy of the converted output that a test may modify."""
    copy = tmp_path / "out"
    shutil.copytree(converted_sophia, copy)
    return copy


@pytest.fixture
def fake_helm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeHelm:
    """``helm`` on PATH: a real process that records argv and prints Helm-shaped output."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "helm"
    script.write_text(f"#!{sys.executable}\n" + FAKE_HELM.read_text(), encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    log = tmp_path / "helm-calls.jsonl"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("FAKE_HELM_LOG", str(log))
    monkeypatch.delenv("KUBEALIGN_HELM", raising=False)
    # No cluster behind the fake: the server-side dry run reports itself skipped.
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    monkeypatch.delenv("FAKE_HELM_FAIL", raising=False)
    return FakeHelm(script, log)
