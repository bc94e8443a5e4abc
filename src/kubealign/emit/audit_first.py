"""The audit's first page: the ten things to do, in order, each with the finding that proves it.

audit.md, the terminal summary and the HTML overview all open with the same list, so a lead
reads the same ten lines whatever format they asked for. The order is the action plan's
(immediate first); the evidence of an action is the most severe finding of its rules (among
equally severe ones, the finding of the rule the action names first, the rule the action's
title is about, and of those the one with the most places), with its file:line, how many
places that finding has, and how many more findings the action covers.
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
            # report.findings is severity-ordered; among equals the action's first rules win,
            # so "Converge the compose variants" shows a variant, not whatever sorts first.
            rank = {rule: index for index, rule in enumerate(item.rules)}
            covered = sorted((pair for rule in item.rules for pair in by_rule.get(rule, [])),
                             key=lambda pair: (-int(pair[1].severity), rank[pair[1].rule],
                                               -len(pair[1].places()), pair[0]))
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


def counts_text(action: FirstAction) -> str:
    """``12 places; +3 more findings`` ("" when the evidence is one place and alone)."""
    parts = []
    if action.evidence is not None and len(action.evidence.places()) > 1:
        parts.append(f"{len(action.evidence.places())} places")
    if action.more:
        parts.append(f"+{action.more} more finding{'' if action.more == 1 else 's'}")
    return "; ".join(parts)


def evidence_text(action: FirstAction) -> str:
    """``path:line: RULE message (N places; +M more findings)``: two terminal lines at most."""
    if action.evidence is None:
        return action.item.paths[0] if action.item.paths else action.item.detail
    finding = action.evidence
    where = finding.location()
    message = short_message(finding.text())
    text = f"{where}: {finding.rule} {message}" if where else f"{finding.rule} {message}"
    counts = counts_text(action)
    return text + (f" ({counts})" if counts else "")
