"""`kubealign audit` and `kubealign rules`: formats, --output, --fail-on, suppressions."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

# Only the modules under test register their commands: other commands' imports stay out.
from kubealign.cli import audit as _audit  # noqa: F401
from kubealign.cli import rules as _rules  # noqa: F401
from kubealign.cli.base import app
from kubealign.errors import UsageError

runner = CliRunner()
COMPOSE = """services:
  web:
    # kubealign: ignore=CMP102 the tag is pinned by digest in CI
    image: nginx:latest
  api:
    image: example/api:latest
"""


def _repo(tmp_path: Path) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "docker-compose.yml").write_text(COMPOSE, encoding="utf-8")
    return tmp_path


def test_json_output_file_and_suppression(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    target = tmp_path / "report.json"
    result = runner.invoke(app, ["audit", str(repo), "--format", "json", "--output", str(target)])
    assert result.exit_code == 0, result.output
    report = json.loads(target.read_text("utf-8"))
    cmp102 = [(f["path"], f["line"]) for f in report["findings"] if f["rule"] == "CMP102"]
    assert cmp102 == [("docker-compose.yml", 6)]
    suppressed = report["suppressed"]
    assert [(s["finding"]["line"], s["reason"]) for s in suppressed] == [
        (4, "the tag is pinned by digest in CI")
    ]
    assert suppressed[0]["suppressed_at"] == "docker-compose.yml:3"


def test_fail_on_threshold(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    assert runner.invoke(app, ["audit", str(repo), "--fail-on", "medium"]).exit_code == 1
    assert runner.invoke(app, ["audit", str(repo), "--fail-on", "critical"]).exit_code == 0


def test_bad_input_is_exit_2(tmp_path: Path) -> None:
    # UsageError is what kubealign.cli.app.main turns into exit code 2.
    result = runner.invoke(app, ["audit", str(tmp_path / "missing")])
    assert isinstance(result.exception, UsageError)
    result = runner.invoke(app, ["audit", str(tmp_path), "--fail-on", "loud"])
    assert isinstance(result.exception, UsageError)
    result = runner.invoke(app, ["audit", str(tmp_path), "--format", "yaml"])
    assert isinstance(result.exception, UsageError)


def test_rules_list_and_explain() -> None:
    listed = runner.invoke(app, ["rules", "list"])
    assert listed.exit_code == 0
    assert "CMP201" in listed.output
    explained = runner.invoke(app, ["rules", "explain", "cmp201"])
    assert explained.exit_code == 0
    assert "deploy.labels" in explained.output
    assert runner.invoke(app, ["rules", "explain", "NOPE999"]).exit_code != 0
