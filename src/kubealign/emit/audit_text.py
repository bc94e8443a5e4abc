"""The audit as plain text that fits a terminal: ``kubealign audit`` without ``--format``.

One block per finding: ``path:line: RULE [severity] message`` (the compiler-style start that
editors and ``grep`` understand), wrapped to the width with continuation lines indented, so
nothing is cut off and no line is wider than :data:`~kubealign.emit.text_wrap.WIDTH`.
"""

from __future__ import annotations

from kubealign.emit.audit_first import evidence_text, first_actions
from kubealign.emit.text_wrap import WIDTH, wrap
from kubealign.model.audit import AuditReport
from kubealign.model.findings import Finding

_CONTINUATION = "    "


def finding_lines(finding: Finding, width: int = WIDTH) -> list[str]:
    text = f"{finding.location()}: {finding.rule} [{finding.severity}] {finding.message}"
    return wrap(text, width, subsequent=_CONTINUATION)


def header_lines(report: AuditReport, width: int = WIDTH) -> list[str]:
    counts = ", ".join(f"{n} {s}" for s, n in report.summary.by_severity if n) or "none"
    strategies = ", ".join(f"{s.name} ({'live' if s.live else 'dead'})"
                           for s in report.strategies) or "none"
    return [
        *wrap(f"kubealign audit of {report.root}: {report.summary.findings_total} findings "
              f"({counts})", width, subsequent=_CONTINUATION),
        *wrap(f"strategies: {strategies}", width, subsequent=_CONTINUATION),
        *first_page_lines(report, width),
    ]


def first_page_lines(report: AuditReport, width: int = WIDTH) -> list[str]:
    """The ten things to do first, in order, each with its evidence (the report's first page),
    then the line that introduces every finding."""
    actions = first_actions(report)
    if not actions:
        return []
    lines = [f"the {len(actions)} things to do first:"]
    for number, action in enumerate(actions, start=1):
        lines.extend(wrap(f"{number:>2}. {action.item.title}: {evidence_text(action)}", width,
                          subsequent=_CONTINUATION + "  "))
    lines.append(f"all {report.summary.findings_total} findings, most severe first:")
    return lines


def footer_lines(report: AuditReport, width: int = WIDTH) -> list[str]:
    lines: list[str] = []
    if report.suppressed:
        lines.append(f"{len(report.suppressed)} suppressed findings")
    for item in report.before_after:
        lines.append(f"{item.kind}: {item.before} -> {item.after}")
    lines.extend(wrap(f"deploy scripts: {report.script_reduction_percent:.1f}% fewer after "
                      "consolidation", width, subsequent=_CONTINUATION))
    for replacement in report.script_replacements:
        lines.extend(wrap(f"  replaced by {replacement.replaced_by}: {replacement.scripts}",
                          width, subsequent=_CONTINUATION))
    return lines


def render_text(report: AuditReport, width: int = WIDTH) -> str:
    lines = header_lines(report, width)
    for finding in report.findings:
        lines.extend(finding_lines(finding, width))
    lines.extend(footer_lines(report, width))
    return "\n".join(lines) + "\n"
