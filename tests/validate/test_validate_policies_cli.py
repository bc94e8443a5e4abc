"""`kubealign validate --policies` adds the POL rules to the schema checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kubealign.actions.convert import ConvertRequest, convert


def _kubealign(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kubealign", *args], capture_output=True,
                          text=True, check=False)


def test_policies_flag_reports_pol_rules(tmp_path: Path) -> None:
    project = tmp_path / "app"
    project.mkdir()
    (project / "compose.yaml").write_text(
        "services:\n  web:\n    image: nginx:latest\n    ports: ['8080:80']\n"
    )
    out = tmp_path / "out"
    convert(ConvertRequest(out=out, project_directory=project, environ={}, render=False))
    plain = _kubealign("validate", str(out))
    assert plain.returncode == 0, plain.stdout + plain.stderr
    strict = _kubealign("validate", str(out), "--policies")
    assert strict.returncode == 1
    assert "POL003" in strict.stdout and "POL001" in strict.stdout
