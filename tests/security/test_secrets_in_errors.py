"""Errors name the variable, never its value (issue 16): a password interpolated into a
field that cannot hold it (a port, a memory limit, a replica count) is reported as
``${DB_PASS}`` by convert, audit's ``load_error`` and migrate."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kubealign.load.compose.interpolate import name_variables

PASSWORD = "Hunter2-Secret-9x"
FIELDS = {
    "port": 'ports: ["${DB_PASS}"]',
    "port mapping": 'ports: ["8080:${DB_PASS}"]',
    "mem_limit": "mem_limit: ${DB_PASS}",
    "replicas": 'deploy: {replicas: "${DB_PASS}"}',
    "cpus": "cpus: ${DB_PASS}",
}


def _repo(tmp_path: Path, field: str) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "compose.yaml").write_text(
        f"services:\n  db:\n    image: postgres:16\n    {field}\n")
    (repo / ".env").write_text(f"DB_PASS={PASSWORD}\n")
    return repo


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kubealign", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300, check=False)


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_convert_error_names_the_variable(field: str, tmp_path: Path) -> None:
    repo = _repo(tmp_path, FIELDS[field])
    proc = _run("convert", "-f", "compose.yaml", "-o", str(tmp_path / "out"), cwd=repo)
    assert proc.returncode == 2
    assert PASSWORD not in proc.stdout + proc.stderr
    assert "${DB_PASS}" in proc.stderr


@pytest.mark.parametrize("field", ["port", "mem_limit", "replicas"])
def test_audit_load_error_names_the_variable(field: str, tmp_path: Path) -> None:
    repo = _repo(tmp_path, FIELDS[field])
    proc = _run("audit", ".", "--format", "json", cwd=repo)
    assert PASSWORD not in proc.stdout + proc.stderr
    errors = [v.get("load_error") for v in _walk(json.loads(proc.stdout))
              if isinstance(v, dict) and v.get("load_error")]
    assert errors and all("${DB_PASS}" in e for e in errors)


def test_migrate_reports_without_the_value(tmp_path: Path) -> None:
    repo = _repo(tmp_path, FIELDS["port"])
    out = tmp_path / "out"
    proc = _run("migrate", ".", "--out", str(out), cwd=repo)
    assert PASSWORD not in proc.stdout + proc.stderr
    leaked = [p for p in out.rglob("*") if p.is_file() and PASSWORD.encode() in p.read_bytes()]
    assert leaked == []


def test_name_variables_rewrites_quoted_values_only_where_they_stand() -> None:
    expansions = {"DB_PASS": {PASSWORD}, "PORT": {"80"}}
    assert name_variables(f"invalid port '{PASSWORD}'", expansions) == "invalid port '${DB_PASS}'"
    assert name_variables("invalid port '80': use 8080", expansions) == (
        "invalid port '${PORT}': use 8080")
    # A short value is named only when it is the whole quoted text.
    assert name_variables("invalid mapping '8080:x'", expansions) == "invalid mapping '8080:x'"
    assert name_variables(f"got {PASSWORD} here", expansions) == "got ${DB_PASS} here"


def _walk(data: object) -> list[object]:
    found: list[object] = [data]
    if isinstance(data, dict):
        for value in data.values():
            found.extend(_walk(value))
    elif isinstance(data, list):
        for value in data:
            found.extend(_walk(value))
    return found
