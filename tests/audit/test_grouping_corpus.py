"""On every real repository of the sprawl corpus: a finding is one root cause (no two findings
of one rule share a key), its severity is its worst place's, and the counts are of findings.
On Sophia the 827 places the rules report fall to about 320 findings (measured 321 when the
grouping landed; the bound leaves room for rule changes, not for ungrouping)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kubealign.actions.audit import audit
from kubealign.model.audit import AuditReport

pytestmark = pytest.mark.corpus

SPRAWL = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "sprawl"
REPOSITORIES = sorted(p.name for p in SPRAWL.iterdir() if p.is_dir()) if SPRAWL.is_dir() else []
SOPHIA = "ai-cherry+sophia-strategic-development"
#: Sophia's findings after grouping (measured: 321 findings in 827 places).
SOPHIA_MAX_FINDINGS = 360


@pytest.fixture(scope="module", params=REPOSITORIES or [None])
def report(request: pytest.FixtureRequest, corpus_dir: Path) -> AuditReport:
    if request.param is None:
        pytest.skip(f"the sprawl corpus {SPRAWL} is absent")
    return audit(corpus_dir / "sprawl" / request.param)


def test_no_two_findings_of_one_rule_share_a_root_cause(report: AuditReport) -> None:
    keys = Counter((f.rule, f.key or f.location()) for f in report.findings)
    assert [k for k, n in keys.items() if n > 1] == []


def test_a_finding_is_its_worst_place_and_lists_every_place(report: AuditReport) -> None:
    for finding in report.findings:
        places = finding.places()
        assert places, finding
        assert finding.severity == max(o.severity for o in places), finding
        assert (finding.path, finding.line) in {(o.path, o.line) for o in places}, finding
        assert list(places) == sorted(places, key=lambda o: (o.path or "", o.line or 0)), \
            finding.rule


def test_counts_are_of_findings(report: AuditReport) -> None:
    summary = report.summary
    assert summary.findings_total == len(report.findings)
    assert summary.occurrences_total == sum(len(f.places()) for f in report.findings)
    assert sum(n for _, n in summary.by_severity) == summary.findings_total
    assert summary.findings_total <= summary.occurrences_total


def test_sophia_falls_to_its_root_causes(corpus_dir: Path) -> None:
    if SOPHIA not in REPOSITORIES:
        pytest.skip(f"{SOPHIA} is absent from {SPRAWL}")
    report = audit(corpus_dir / "sprawl" / SOPHIA)
    assert report.summary.findings_total <= SOPHIA_MAX_FINDINGS
    assert report.summary.occurrences_total >= 2 * report.summary.findings_total
    by_rule = {f.key: f for f in report.findings if f.rule == "DSC002"}
    assert len(by_rule["192.222.58.232"].places()) >= 5
    (strategies,) = [f for f in report.findings if f.rule == "STR001"]
    assert len(strategies.places()) == len(report.summary.strategies_in_use)
