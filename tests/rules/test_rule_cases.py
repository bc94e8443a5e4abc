"""Every rule against its pass and fail case (tests/rules/cases/<ID>.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kubealign.actions.audit import audit_context, run_rules
from kubealign.actions.inventory import build_inventory
from kubealign.rules.registry import all_rules, get_rule

CASES_DIR = Path(__file__).parent / "cases"
RULE_IDS = [rule.id for rule in all_rules()]


def _load_case(rule_id: str) -> dict[str, Any]:
    data = yaml.safe_load((CASES_DIR / f"{rule_id}.yaml").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def _run(tmp_path: Path, rule_id: str, files: dict[str, str]) -> list[dict[str, Any]]:
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    rule = get_rule(rule_id)
    assert rule is not None
    # As the audit runs them: with the plan's names (services matched as the chart does).
    ctx = audit_context(tmp_path, build_inventory(tmp_path, display_root="case"))
    findings = run_rules(ctx, [rule])
    assert all(f.rule == rule_id for f in findings)
    return [{"path": f.path, "line": f.line} for f in findings]


def _matches(found: list[dict[str, Any]], expected: list[dict[str, Any]]) -> bool:
    """Same findings in any order; an expectation without ``line`` accepts any line."""
    remaining = list(found)
    for item in expected:
        hit = next(
            (
                f
                for f in remaining
                if f["path"] == item["path"] and ("line" not in item or f["line"] == item["line"])
            ),
            None,
        )
        if hit is None:
            return False
        remaining.remove(hit)
    return not remaining


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_pass_case_has_no_finding(rule_id: str, tmp_path: Path) -> None:
    case = _load_case(rule_id)["pass"]
    assert _run(tmp_path, rule_id, case["files"]) == []
    assert case["expect"] == []


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_fail_case_finds_expected_places(rule_id: str, tmp_path: Path) -> None:
    case = _load_case(rule_id)["fail"]
    assert case["expect"], "a fail case must expect at least one finding"
    found = _run(tmp_path, rule_id, case["files"])
    assert _matches(found, case["expect"]), found
