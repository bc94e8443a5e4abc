"""`kubealign inventory`: formats, --output, and errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from kubealign.cli.app import app

runner = CliRunner()


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "k8s").mkdir(parents=True)
    (root / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx:1.27\n")
    (root / "k8s" / "web.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: w}\n")
    (root / "notes.txt").write_text("hello\n")
    return root


def test_json_format_is_the_documented_contract(tmp_path: Path) -> None:
    result = runner.invoke(app, ["inventory", str(_repo(tmp_path)), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["schema_version", "root", "summary", "artifacts", "skipped"]
    assert data["schema_version"] == 1
    assert data["summary"] == {
        "files": 3,
        "kinds": {"compose": 1, "kubernetes-manifest": 1, "other": 1},
    }
    compose = data["artifacts"][0]
    assert compose["path"] == "docker-compose.yml"
    assert compose["kinds"] == ["compose"]
    assert compose["compose"]["services"] == ["web"]
    assert "kubernetes" not in compose  # absent sections are omitted
    other = data["artifacts"][2]
    assert other == {
        "path": "notes.txt",
        "size": 6,
        "kinds": ["other"],
        "evidence": [{"kind": "other", "reason": "no deployment-related kind recognised"}],
        "notes": [],
    }


def test_text_format_and_output_file(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    shown = runner.invoke(app, ["inventory", str(repo)])
    assert shown.exit_code == 0
    assert "docker-compose.yml" in shown.stdout
    assert "kubernetes-manifest (1)" in shown.stdout
    target = tmp_path / "out" / "inventory.txt"
    written = runner.invoke(app, ["inventory", str(repo), "--output", str(target)])
    assert written.exit_code == 0
    assert written.stdout == ""
    text = target.read_text()
    assert "Service/w" in text
    assert all(line == line.rstrip() for line in text.splitlines())
    json_target = tmp_path / "inventory.json"
    runner.invoke(app, ["inventory", str(repo), "--format", "json", "-o", str(json_target)])
    assert json.loads(json_target.read_text())["root"] == str(repo)


def test_missing_path_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = subprocess.run(
        [sys.executable, "-m", "kubealign", "inventory", str(missing)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"error: {missing}: repository path does not exist\n"
