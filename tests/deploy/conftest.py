"""Fixtures for deploy tests: a converted Sophia output and a recording ``helm`` on PATH."""

from __future__ import annotations

import os
import shutil
import stat
import sys
from pathlib import Path

import pytest
from deploy_helpers import FakeHelm

from kubealign.actions.convert import ConvertRequest, convert

REPO_ROOT = Path(__file__).resolve().parents[2]
SOPHIA = REPO_ROOT / "examples" / "sophia"
FAKE_HELM = Path(__file__).with_name("fake_helm.py")

# Written only when convert did not produce these overlays itself (before environments).
FALLBACK_OVERLAYS = {
    "development": "services:\n  backend:\n    replicas: 1\n",
    "production": "services:\n  backend:\n    replicas: 3\n",
}


@pytest.fixture(scope="session")
def converted_sophia(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``kubealign convert examples/sophia`` output, with development/production overlays."""
    out = tmp_path_factory.mktemp("sophia") / "out"
    convert(ConvertRequest(out=out, project_directory=SOPHIA, environ={}, render=False))
    for env, text in FALLBACK_OVERLAYS.items():
        overlay = out / "chart" / f"values-{env}.yaml"
        if not overlay.exists():
            overlay.write_text(text, encoding="utf-8")
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
    monkeypatch.delenv("FAKE_HELM_FAIL", raising=False)
    return FakeHelm(script, log)


