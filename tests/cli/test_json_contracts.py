"""Every JSON contract: the documented version is the one printed, first key
``schema_version``, snake_case keys, stdout holds exactly one JSON document."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from typer.testing import CliRunner

from kubealign.cli.app import app
from kubealign.errors import UsageError
from kubealign.model.contracts import SCHEMA_VERSIONS

runner = CliRunner()
# A key is snake_case, or a lower-case word of a fixed vocabulary (severity, category,
# inventory kind, ledger disposition: "not-convertible", "service-discovery", "swarm-stack").
_KEY = re.compile(r"[a-z][a-z0-9_]*(-[a-z0-9]+)*")
_DOC_ROW = re.compile(r"^\| `([a-z-]+)` \| .* \| (\d+) \| .* \|$", re.MULTILINE)


def _bad_keys(data: Any, where: str = "") -> list[str]:
    if isinstance(data, dict):
        bad = [f"{where}/{k}" for k in data if not _KEY.fullmatch(k)]
        return bad + [b for k, v in data.items() for b in _bad_keys(v, f"{where}/{k}")]
    if isinstance(data, list):
        return [b for item in data for b in _bad_keys(item, f"{where}[]")]
    return []


def _check(contract: str, data: dict[str, Any]) -> None:
    assert next(iter(data)) == "schema_version"
    assert data["schema_version"] == SCHEMA_VERSIONS[contract]
    assert _bad_keys(data) == []


def _json(args: list[str], code: int = 0) -> dict[str, Any]:
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_the_documented_versions_are_the_code_s(repo_root: Path) -> None:
    text = (repo_root / "docs" / "json-output.md").read_text(encoding="utf-8")
    assert dict(_DOC_ROW.findall(text)) == {k: str(v) for k, v in SCHEMA_VERSIONS.items()}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory, repo_root: Path
             ) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("migrate") / "out"
    return out, _json(["migrate", str(repo_root / "examples" / "sophia"), "--out", str(out),
                       "--format", "json"])


def test_migrate(migrated: tuple[Path, dict[str, Any]]) -> None:
    _, data = migrated
    _check("migrate", data)
    assert data["ok"] is True
    assert {"plan", "audit", "convert"} <= {s["name"] for s in data["steps"]}
    assert {s["status"] for s in data["steps"]} == {"done"}
    assert data["next"].startswith("kubealign deploy --env ")
    assert "production" in data["environments"]
    assert data["refused"] == []
    assert data["secrets_not_connected"] is None  # the example's settings are read from it


def test_files_migrate_writes(migrated: tuple[Path, dict[str, Any]]) -> None:
    out, _ = migrated
    _check("audit", json.loads((out / "audit.json").read_text()))
    conversions = sorted((out / "conversion").glob("*.json"))
    assert conversions
    for path in conversions:
        _check("conversion", json.loads(path.read_text()))


def test_validate(migrated: tuple[Path, dict[str, Any]]) -> None:
    out, _ = migrated
    data = _json(["validate", str(out), "--format", "json"])
    _check("validate", data)
    assert data["ok"] is True and data["objects"]
    assert {"api_version", "kind", "name"} <= set(data["objects"][0])


def test_deploy_dry_run(migrated: tuple[Path, dict[str, Any]]) -> None:
    out, data = migrated
    env = data["next"].split("--env ", 1)[1].split()[0]
    deploy = _json(["deploy", "--env", env, "--dir", str(out), "--dry-run", "--format", "json"])
    _check("deploy", deploy)
    assert deploy["environment"] == env
    assert deploy["objects"] and all(o["kind"] for o in deploy["objects"])
    assert deploy["changes"] is None
    refused = runner.invoke(app, ["deploy", "--env", env, "--dir", str(out), "--format", "json"])
    assert isinstance(refused.exception, UsageError) and "--dry-run" in str(refused.exception)


def test_plan(repo_root: Path, tmp_path: Path) -> None:
    target = tmp_path / "kubealign.yaml"
    data = _json(["plan", str(repo_root / "examples" / "sophia"), "--out", str(target),
                  "--format", "json"])
    _check("plan", data)
    assert data["plan_file"] == str(target) and target.is_file()
    assert data["base"] in {e["name"] for e in data["environments"]}
    both = runner.invoke(app, ["plan", str(repo_root / "examples" / "sophia"), "--stdout",
                               "--format", "json"])
    assert isinstance(both.exception, UsageError)


def test_inventory_audit_and_rules(repo_root: Path) -> None:
    sophia = str(repo_root / "examples" / "sophia")
    _check("inventory", _json(["inventory", sophia, "--format", "json"]))
    _check("audit", _json(["audit", sophia, "--format", "json"]))
    rules = _json(["rules", "list", "--format", "json"])
    _check("rules", rules)
    assert all(r["docs"] == f"docs/rules/{r['id']}.md" for r in rules["rules"])
    assert (repo_root / rules["rules"][0]["docs"]).is_file()


def test_the_key_rule_catches_camel_case() -> None:
    assert _bad_keys({"schema_version": 1, "a": [{"kubeVersion": 1}]}) == ["/a[]/kubeVersion"]
    assert _bad_keys({"by_kind": {"swarm-stack": 1, "not-convertible": 2}}) == []


def test_report_links_reach_the_repository_from_where_they_are_written(
        migrated: tuple[Path, dict[str, Any]]) -> None:
    out, _ = migrated
    for name, pattern in (("audit.md", r"\]\(([^)#]+)(?:#L\d+)?\)"),
                          ("audit.html", r'<a class="loc" href="([^"#]+)(?:#L\d+)?"')):
        targets = set(re.findall(pattern, (out / name).read_text(encoding="utf-8")))
        assert len(targets) > 20, name
        missing = [t for t in targets if not (out / unquote(t)).exists()]
        assert missing == [], (name, missing[:5])
