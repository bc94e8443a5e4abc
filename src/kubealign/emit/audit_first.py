"""The audit's first page: the ten things to do, in order, each with the finding that proves it.

audit.md, the terminal summary and the HTML overview all open with the same list, so a lead
reads the same ten lines whatever format they asked for. The order is the action plan's
(immediate first); the evidence of an action is the most severe finding of its rules (the
findings are sorted by severity, then path and line), with how many more the action covers.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubealign.model.audit import ActionItem, ActionPhase, AuditReport
from kubealign.model.findings import Finding

#: How many actions the first page names.
FIRST_ACTIONS = 10


@dataclass(frozen=True, slots=True)
class FirstAction:
    phase: ActionPhase
    item: ActionItem
    #: The most severe finding of the action's rules (None when only suppressed ones fired).
    evidence: Finding | None
    #: Findings of the action's rules besides ``evidence``.
    more: int


def first_actions(report: AuditReport, limit: int = FIRST_ACTIONS) -> list[FirstAction]:
    """The first ``limit`` actions of the plan, in the plan's order, with their evidence."""
    by_rule: dict[str, list[tuple[int, Finding]]] = {}
    for position, finding in enumerate(report.findings):
        by_rule.setdefault(finding.rule, []).append((position, finding))
    chosen: list[FirstAction] = []
    for phase in report.action_plan:
        for item in phase.items:
            if len(chosen) == limit:
                return chosen
            # report.findings is severity-ordered; keep that order across the item's rules.
            covered = sorted((pair for rule in item.rules for pair in by_rule.get(rule, [])),
                             key=lambda pair: pair[0])
            evidence = covered[0][1] if covered else None
            chosen.append(FirstAction(phase, item, evidence, max(len(covered) - 1, 0)))
    return chosen


#: A message longer than this is cut at a word (the whole message is in the findings list),
#: so the ten actions fit one screen.
MESSAGE_CHARS = 90


def short_message(message: str, limit: int = MESSAGE_CHARS) -> str:
    """``message`` cut at the last word that fits ``limit`` characters, marked with an ellipsis."""
    flat = " ".join(message.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return cut.rstrip(",;:") + "…"


def evidence_text(action: FirstAction) -> str:
    """``path:line: RULE message (+N more)``: two terminal lines at most."""
    if action.evidence is None:
        return action.item.paths[0] if action.item.paths else action.item.detail
    finding = action.evidence
    where = finding.location()
    message = short_message(finding.message)
    text = f"{where}: {finding.rule} {message}" if where else f"{finding.rule} {message}"
    return text + (f" (+{action.more} more)" if action.more else "")
