"""The plan and convert commands as users run them (exit codes through the real entry point)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from kubealign.cli.app import app

runner = CliRunner()
COMPOSE = "services:\n  api:\n    image: acme/api:1.0\n    ports: ['8080:8080']\n"


def test_plan_then_convert(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "compose.yaml").write_text(COMPOSE)
    (repo / "compose.prod.yaml").write_text("services:\n  api:\n    deploy: {replicas: 3}\n")
    result = runner.invoke(app, ["plan", str(repo)])
    assert result.exit_code == 0, result.output
    assert (repo / "kubealign.yaml").is_file()
    out = tmp_path / "out"
    result = runner.invoke(app, ["convert", str(repo), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "chart" / "values-production.yaml").is_file()
    # values.yaml is the base environment (production here); local differs from it.
    assert "\nbase: production\n" in (repo / "kubealign.yaml").read_text()
    assert "replicas: 3" in (out / "chart" / "values.yaml").read_text()
    assert "replicas: null" in (out / "chart" / "values-local.yaml").read_text()
    assert "DIFFERS" not in result.output
    assert "not proven" not in result.output


def test_plan_naming_a_missing_file_exits_2_with_file_and_line(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "compose.yaml").write_text(COMPOSE)
    assert runner.invoke(app, ["plan", str(repo)]).exit_code == 0
    plan_file = repo / "kubealign.yaml"
    text = plan_file.read_text().replace("- compose.yaml", "- compose.gone.yaml")
    plan_file.write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "compose.gone.yaml" in t)
    proc = subprocess.run([sys.executable, "-m", "kubealign", "convert", "--plan",
                           str(plan_file), "-o", str(tmp_path / "out")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2, proc.stderr
    assert f"kubealign.yaml:{line}" in proc.stderr
    assert "compose.gone.yaml" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_component_folded_into_every_environment(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "services" / "mailer").mkdir(parents=True)
    (repo / "compose.yaml").write_text(
        COMPOSE + "    networks: [shop]\nnetworks:\n  shop: {}\n")
    (repo / "services" / "mailer" / "compose.yaml").write_text(
        "services:\n  mailer:\n    image: acme/mailer:2\n    networks: [shop]\n"
        "networks:\n  shop:\n    external: true\n")
    assert runner.invoke(app, ["plan", str(repo)]).exit_code == 0
    assert "services/mailer/compose.yaml" in (repo / "kubealign.yaml").read_text()
    result = runner.invoke(app, ["convert", str(repo), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    base = (tmp_path / "out" / "chart" / "values.yaml").read_text()
    assert "  mailer:" in base and "  api:" in base
