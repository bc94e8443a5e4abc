"""Nothing is dropped without a finding (issue 16, "silent drops").

An unreadable env file costs its variables, never an environment; env-file lines kubealign
cannot parse are findings with file:line (never quoting the line: it may be a pasted secret);
a service with neither image nor build is disabled with a required value, never given an
invented image.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from kubealign.actions.migrate import MigrateRequest, migrate
from kubealign.load.compose.tolerance import ENV_FILE_LINE, ENV_FILE_UNREADABLE

SETPRIV = shutil.which("setpriv")
PASTED = "sk-live-Pasted0Secret0Line0000"

BASE = """\
services:
  api:
    image: acme/api:1.0
    ports: ["8080:8080"]
    env_file: [{env}]
"""


def _repo(root: Path, variants: tuple[str, ...]) -> Path:
    repo = root / "repo"
    repo.mkdir()
    (repo / "docker-compose.yml").write_text(BASE.format(env=".env.local"))
    (repo / ".env.local").write_text("A=1\n")
    for name in variants:
        (repo / f"docker-compose.{name}.yml").write_text(BASE.format(env=f".env.{name}"))
        (repo / f".env.{name}").write_text("A=1\nB=2\n")
    return repo


@pytest.mark.skipif(os.geteuid() == 0 and SETPRIV is None,
                    reason="running as root without setpriv: permissions cannot be denied")
def test_an_unreadable_env_file_costs_its_variables_not_an_environment() -> None:
    # Not tmp_path: pytest's base folder is private to its user, the other user must enter.
    top = Path(tempfile.mkdtemp(prefix="kubealign-envfile-"))
    try:
        top.chmod(0o777)
        repo = _repo(top, ("staging", "prod", "qa"))
        for path in [repo, *repo.iterdir()]:
            path.chmod(0o777 if path.is_dir() else 0o644)
        (repo / ".env.prod").chmod(0)
        command = [sys.executable, "-m", "kubealign", "migrate", str(repo), "--out",
                   str(top / "out")]
        if os.geteuid() == 0:
            assert SETPRIV is not None
            command = [SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        proc = subprocess.run(command, capture_output=True, text=True, cwd=top, timeout=600,
                              check=False)
        assert proc.returncode in (0, 1), proc.stderr
        assert "Traceback" not in proc.stderr
        overlays = sorted(p.name for p in (top / "out" / "chart").glob("values-*.yaml"))
        assert overlays == ["values-local.yaml", "values-production.yaml", "values-qa.yaml",
                            "values-staging.yaml"]
        findings = json.loads((top / "out" / "conversion" / "production.json").read_text())[
            "findings"]
        [unreadable] = [f for f in findings if f["rule"] == ENV_FILE_UNREADABLE]
        assert unreadable["path"] == ".env.prod" and unreadable["severity"] == "high"
    finally:
        shutil.rmtree(top)


def test_env_file_lines_it_cannot_parse_are_findings_with_their_line(tmp_path: Path) -> None:
    repo = _repo(tmp_path, ())
    (repo / ".env.local").write_text(
        f"A=1\n{PASTED} was the old key\n=orphan\nBAD\"NAME=x\nB=2\nC=\"unterminated\n")
    outcome = migrate(MigrateRequest(path=repo, out=tmp_path / "out", environ={}))
    [env] = outcome.convert.environments
    out = tmp_path / "out"
    findings = json.loads((out / "conversion" / f"{env.name}.json").read_text())["findings"]
    lines = sorted((f["path"], f["line"]) for f in findings if f["rule"] == ENV_FILE_LINE)
    assert lines == [(".env.local", 2), (".env.local", 3), (".env.local", 4),
                     (".env.local", 6)]
    assert not [p for p in out.rglob("*") if p.is_file() and PASTED.encode() in p.read_bytes()]
    values = (out / "chart" / "values.yaml").read_text()
    assert "B: '2'" in values or 'B: "2"' in values  # the lines after a bad one are kept


def test_a_service_with_neither_image_nor_build_gets_no_invented_image(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "compose.yaml").write_text(
        "services:\n  api:\n    image: acme/api:1.0\n  worker:\n    command: [run]\n")
    proc = subprocess.run([sys.executable, "-m", "kubealign", "convert", str(repo), "--out",
                           str(tmp_path / "out")], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    values = (tmp_path / "out" / "chart" / "values.yaml").read_text()
    worker = values[values.index("  worker:"):]
    assert worker.startswith("  worker:\n    image: {}\n    enabled: false\n")
    report = json.loads((tmp_path / "out" / "conversion.json").read_text())
    [finding] = [f for f in report["findings"] if "neither image nor build" in f["message"]]
    assert (finding["path"], finding["line"], finding["severity"]) == (
        "compose.yaml", 5, "high")
