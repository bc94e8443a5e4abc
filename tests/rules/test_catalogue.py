"""The rule catalogue: unique ids, documentation, cases, generated docs up to date."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kubealign.model.audit import CATEGORIES
from kubealign.rules.base import Rule
from kubealign.rules.docs import DOCS_DIR, stale_pages
from kubealign.rules.registry import DuplicateRuleError, _check, all_rules

CASES_DIR = Path(__file__).parent / "cases"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_rule_has_metadata_docs_and_cases(rule: type[Rule]) -> None:
    assert re.fullmatch(r"[A-Z][A-Z0-9]{1,3}\d{3}", rule.id)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.category in CATEGORIES
    assert rule.summary(), "the docstring's first paragraph is the summary"
    assert rule.section("Why"), "the docstring needs a Why: section"
    assert rule.section("Fix"), "the docstring needs a Fix: section"
    assert (CASES_DIR / f"{rule.id}.yaml").is_file()


def test_rule_names_are_unique() -> None:
    names = [r.name for r in all_rules()]
    assert len(names) == len(set(names))


def test_registry_refuses_duplicate_ids() -> None:
    first = all_rules()[0]
    with pytest.raises(DuplicateRuleError, match=first.id):
        _check((first, first))


def test_every_case_file_belongs_to_a_rule() -> None:
    ids = {r.id for r in all_rules()}
    assert {p.stem for p in CASES_DIR.glob("*.yaml")} == ids


def test_generated_rule_docs_are_current() -> None:
    assert stale_pages(DOCS_DIR) == [], "run: python -m kubealign.rules.docs --write"


def test_catalogue_covers_every_category() -> None:
    assert {r.category for r in all_rules()} == set(CATEGORIES)
