"""The first page names the ten things to do, in order, each with its evidence (file:line),
the same in audit.md, the terminal summary and the HTML overview; on real Sophia it fits a
screen."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from emit.sample_report import sample_report
from kubealign.actions.audit import audit
from kubealign.emit.audit_first import FIRST_ACTIONS, first_actions, short_message
from kubealign.emit.audit_html import render_html
from kubealign.emit.audit_markdown import render_markdown
from kubealign.emit.audit_text import header_lines
from kubealign.model.audit import ActionItem, ActionPhase
from kubealign.model.findings import Finding, Severity


def _finding(rule: str, severity: Severity, path: str, line: int) -> Finding:
    return Finding(rule=rule, severity=severity, message=f"{rule} at {path}", path=path,
                   line=line, fix=None, category="strategy")


def test_evidence_is_the_most_severe_finding_of_the_actions_rules() -> None:
    findings = (
        _finding("SEC001", Severity.CRITICAL, "b.yml", 4),
        _finding("STR001", Severity.HIGH, "a.yml", 1),
        _finding("SEC002", Severity.HIGH, "a.yml", 9),
        _finding("SEC001", Severity.LOW, "c.yml", 2),
    )
    item = ActionItem("Rotate secrets", "rotate", ("SEC002", "SEC001"), ("a.yml", "b.yml"))
    other = ActionItem("One orchestrator", "pick", ("STR001",), ("a.yml",))
    report = dataclasses.replace(sample_report(), findings=findings, action_plan=(
        ActionPhase("Immediate", "Week 1", (item, other)),))
    first = first_actions(report)
    assert [a.item.title for a in first] == ["Rotate secrets", "One orchestrator"]
    assert first[0].evidence is findings[0]   # critical SEC001, not the first rule's finding
    assert first[0].more == 2
    assert first[1].evidence is findings[1] and first[1].more == 0


def test_among_equals_the_evidence_is_the_rule_the_action_names_first() -> None:
    findings = (
        _finding("CMP103", Severity.MEDIUM, "a.yml", 1),   # sorts first by path
        _finding("CMP104", Severity.MEDIUM, "b.yml", 1),
    )
    item = ActionItem("Converge the compose variants into one chart", "one chart",
                      ("CMP104", "CMP103"), ("a.yml", "b.yml"))
    report = dataclasses.replace(sample_report(), findings=findings, action_plan=(
        ActionPhase("Short-term", "Weeks 2-3", (item,)),))
    (first,) = first_actions(report)
    assert first.evidence is findings[1] and first.more == 1


def test_at_most_ten_in_the_plans_order() -> None:
    items = tuple(ActionItem(f"action {n}", "do", ("STR001",), ()) for n in range(8))
    report = dataclasses.replace(sample_report(), action_plan=(
        ActionPhase("Immediate", "Week 1", items), ActionPhase("Short-term", "Weeks 2-3", items)))
    first = first_actions(report)
    assert len(first) == FIRST_ACTIONS
    assert [a.phase.name for a in first] == ["Immediate"] * 8 + ["Short-term"] * 2


def test_every_format_opens_with_the_same_list_and_evidence() -> None:
    report = sample_report()
    markdown = render_markdown(report)
    first_page = markdown[:markdown.index("## Current state")]
    assert "### The 4 things to do first" in first_page
    assert "1. **Choose a single orchestrator** (Immediate) — [docker-compose.cloud.yml:1]" \
        in first_page
    text = "\n".join(header_lines(report))
    assert "the 4 things to do first:" in text
    assert "Choose a single orchestrator: docker-compose.cloud.yml:1: STR001" in text
    assert "Consolidate Docker images: Dockerfile.production: DKF001 no HEALTHCHECK" in text
    html = render_html(report)
    assert 'href="docker-compose.cloud.yml#L1"' in html[:html.index('id="plan"')]


def test_a_long_message_is_cut_at_a_word() -> None:
    cut = short_message("word " * 40)
    assert len(cut) <= 91 and cut.endswith("word…")
    assert short_message("short  message") == "short message"


@pytest.mark.corpus
def test_sophia_first_page_fits_one_screen(corpus_dir: Path) -> None:
    report = audit(corpus_dir / "sprawl" / "ai-cherry+sophia-strategic-development")
    lines = header_lines(report)
    assert len(lines) <= 40, "\n".join(lines)
    first = first_actions(report)
    assert len(first) == FIRST_ACTIONS
    assert first[0].item.title == "Rotate and remove committed secrets"
    for action in first:
        assert action.evidence is not None and action.evidence.path, action.item.title
        assert action.evidence.line is not None or action.evidence.path.endswith("/")
    # Each heading fits its evidence: a tag-drift finding is no "Migrate to Kubernetes".
    fits = {"Converge the compose variants into one chart": {"CMP103", "CMP104", "CMP105",
                                                             "K8S003"},
            "Retire the dead deployment trees": {"STR002", "K8S002", "K8S004"},
            "Choose a single orchestrator": {"STR001", "STR003"}}
    for action in first:
        assert action.evidence is not None
        if action.item.title in fits:
            assert action.evidence.rule in fits[action.item.title], action.item.title
    assert "Migrate to Kubernetes" not in {a.item.title for a in first}
