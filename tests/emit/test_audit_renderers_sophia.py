"""Every renderer on the real audit of examples/sophia: complete, parseable, deterministic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from kubealign.actions.audit import RENDERERS, audit
from kubealign.model.audit import AuditReport

SOPHIA = Path(__file__).resolve().parents[2] / "examples" / "sophia"


@pytest.fixture(scope="module")
def report() -> AuditReport:
    if not SOPHIA.is_dir():
        pytest.skip(f"{SOPHIA} is absent")
    return audit(SOPHIA)


def test_registered_formats() -> None:
    assert {"text", "json", "markdown", "html", "sarif"} <= set(RENDERERS)


def test_markdown_lists_every_finding_with_a_link(report: AuditReport) -> None:
    text = RENDERERS["markdown"](report)
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script" not in html
    for finding in report.findings:
        if finding.path and finding.line:
            assert f"({finding.path}#L{finding.line})" in text
    assert f"**{report.script_reduction_percent:.1f}% fewer**" in text
    assert text.count("```mermaid") == 1


def test_sarif_has_a_result_per_finding(report: AuditReport) -> None:
    run = json.loads(RENDERERS["sarif"](report))["runs"][0]
    assert len(run["results"]) == len(report.findings) + len(report.suppressed)
    rule_ids = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert {f.rule for f in report.findings} <= rule_ids


def test_html_carries_every_finding(report: AuditReport) -> None:
    page = RENDERERS["html"](report)
    assert page.count('<tr data-severity="') == len(report.findings)


@pytest.mark.parametrize("name", ["markdown", "html", "sarif"])
def test_byte_identical_across_runs(report: AuditReport, name: str) -> None:
    assert RENDERERS[name](report) == RENDERERS[name](audit(SOPHIA))
