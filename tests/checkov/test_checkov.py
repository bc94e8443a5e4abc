"""Checkov (Kubernetes framework) as an independent check of what the chart renders.

Checkov lives in its own virtual environment (``make checkov-venv``) and runs as a separate
process. Every failed check must be a documented exception in docs/checkov.md (a check that
depends on the cluster or on facts compose cannot give); anything else fails the test.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubealign.actions.convert import ConvertRequest, convert

REPO = Path(__file__).resolve().parents[2]
CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"
CORPUS = REPO / ".." / "shared" / "corpus" / "awesome-compose"
DOC = REPO / "docs" / "checkov.md"
_EXCEPTION_ROW = re.compile(r"^\| (CKV2?_K8S_\d+) \|", re.MULTILINE)

pytestmark = pytest.mark.skipif(not CHECKOV.exists(), reason="Checkov venv absent: run "
                                "`make checkov-venv` (creates .venv-checkov)")


def documented_exceptions() -> set[str]:
    return set(_EXCEPTION_ROW.findall(DOC.read_text(encoding="utf-8")))


def _render(compose: Path, out: Path) -> list[dict[str, Any]]:
    outcome = convert(ConvertRequest(out=out, files=(compose,), environ={}))
    assert not outcome.invalid
    return [dict(o) for o in outcome.objects]


def run_checkov(manifests: Path) -> dict[str, Any]:
    done = subprocess.run(
        [str(CHECKOV), "-d", str(manifests), "--framework", "kubernetes", "-o", "json",
         "--skip-download"],
        capture_output=True, timeout=600, check=False,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_LOG_LEVEL": "ERROR"})
    assert done.returncode in (0, 1), done.stderr.decode(errors="replace")[-2000:]
    data = json.loads(done.stdout)
    reports = data if isinstance(data, list) else [data]
    failed: Counter[str] = Counter()
    passed: set[str] = set()
    for report in reports:
        for check in report["results"]["failed_checks"]:
            failed[check["check_id"]] += 1
        passed.update(c["check_id"] for c in report["results"]["passed_checks"])
    return {"failed": failed, "passed": passed}


def _write(objects: list[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump_all(objects, sort_keys=True), encoding="utf-8")


def test_example_passes_checkov_except_documented_checks(tmp_path: Path) -> None:
    manifests = tmp_path / "manifests"
    _write(_render(REPO / "examples" / "sophia" / "docker-compose.cloud.yml", tmp_path / "out"),
           manifests / "sophia.yaml")
    result = run_checkov(manifests)
    assert len(result["passed"]) > 50
    assert set(result["failed"]) <= documented_exceptions(), result["failed"]


def test_corpus_passes_checkov_except_documented_checks(tmp_path: Path) -> None:
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is absent")
    manifests = tmp_path / "manifests"
    for sample in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        compose = next((sample / n for n in ("compose.yaml", "docker-compose.yml",
                                             "compose.yml", "docker-compose.yaml")
                        if (sample / n).is_file()), None)
        if compose is None:
            continue
        _write(_render(compose, tmp_path / "out" / sample.name),
               manifests / f"{sample.name}.yaml")
    result = run_checkov(manifests)
    assert set(result["failed"]) <= documented_exceptions(), result["failed"]
