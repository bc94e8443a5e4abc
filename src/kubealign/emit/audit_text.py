"""The audit as plain text that fits a terminal: ``kubealign audit`` without ``--format``.

One block per finding: ``path:line: RULE [severity] message`` (the compiler-style start that
editors and ``grep`` understand), wrapped to the width with continuation lines indented, so
nothing is cut off and no line is wider than :data:`~kubealign.emit.text_wrap.WIDTH`. A finding
with several occurrences says how many places it has and lists the first
:data:`TEXT_OCCURRENCES` of them, each ``path:line: detail``, indented under it (every place
is in the Markdown, HTML, JSON and SARIF reports).
"""

from __future__ import annotations

from kubealign.emit.audit_first import evidence_text, first_actions
from kubealign.emit.text_wrap import WIDTH, wrap
from kubealign.model.audit import AuditReport, strategy_state
from kubealign.model.findings import Finding

_CONTINUATION = "    "
#: Occurrences listed under a finding in the terminal; the rest are counted.
TEXT_OCCURRENCES = 5


def places_text(finding: Finding) -> str:
    """``12 places in 9 files`` ("" for a finding with one place)."""
    places = finding.places()
    if len(places) < 2:
        return ""
    files = len(finding.files())
    return f"{len(places)} places in {files} file{'' if files == 1 else 's'}"


def finding_lines(finding: Finding, width: int = WIDTH) -> list[str]:
    where = finding.location()
    start = f"{where}: " if where else ""
    text = f"{start}{finding.rule} [{finding.severity}] {finding.text()}"
    count = places_text(finding)
    lines = wrap(text + (f" ({count})" if count else ""), width, subsequent=_CONTINUATION)
    if not count:
        return lines
    places = finding.places()
    for place in places[:TEXT_OCCURRENCES]:
        severity = f" [{place.severity}]" if place.severity != finding.severity else ""
        detail = f": {place.detail}" if place.detail else ""
        lines.extend(wrap(f"{place.location() or 'repository'}{severity}{detail}", width,
                          indent=_CONTINUATION, subsequent=_CONTINUATION * 2))
    if len(places) > TEXT_OCCURRENCES:
        lines.append(f"{_CONTINUATION}… {len(places) - TEXT_OCCURRENCES} more places")
    return lines


def header_lines(report: AuditReport, width: int = WIDTH) -> list[str]:
    summary = report.summary
    counts = ", ".join(f"{n} {s}" for s, n in summary.by_severity if n) or "none"
    return [
        *wrap(f"kubealign audit of {report.root}: {summary.findings_total} findings "
              f"({counts}) in {summary.occurrences_total} places", width,
              subsequent=_CONTINUATION),
        *wrap(strategies_text(report), width, subsequent=_CONTINUATION),
        *first_page_lines(report, width),
    ]


def strategies_text(report: AuditReport) -> str:
    """The competing strategies, counted as STR001 and the executive summary count them,
    then the ways of carrying files to hosts (ssh scripts), which are no strategy of their
    own."""
    in_use = set(report.summary.strategies_in_use)
    competing = [s for s in report.strategies if s.name in in_use]
    others = [s for s in report.strategies if s.name in report.summary.carriers]
    every = report.strategies
    listed = ", ".join(f"{s.name} ({strategy_state(s, every)})" for s in competing)
    text = f"{len(competing)} deployment strateg{'y' if len(competing) == 1 else 'ies'}"
    text += f": {listed}" if listed else ""
    if others:
        text += "; besides, " + ", ".join(
            f"{s.name} ({strategy_state(s, every)}, {len(s.files)} files)" for s in others
        ) + " carry files to hosts"
    return text


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
    lines.append(f"all {report.summary.findings_total} findings "
                 f"({report.summary.occurrences_total} places), most severe first:")
    return lines


def footer_lines(report: AuditReport, width: int = WIDTH) -> list[str]:
    lines: list[str] = []
    if report.suppressed:
        lines.append(f"{len(report.suppressed)} suppressed places")
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
