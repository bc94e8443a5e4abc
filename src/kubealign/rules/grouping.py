"""One finding per root cause: a rule's findings that share a key become one finding whose
occurrences are their places.

Rules report each place they see (``Rule.finding(..., key=, detail=)``); the audit
suppresses per place (``rules/suppress.py``) and then groups what is left here. A group's
severity is its worst occurrence's, its place (``path``/``line``) is that occurrence's (the
first in file order among equals), its message is the one the rule wrote for the root cause,
and its occurrences are every place in file order. A finding without a key is its own root
cause at its place: findings of one rule at one place (``path:line``) are merged (the others'
messages become their occurrences' details), nothing else is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from kubealign.model.findings import Finding, Occurrence


def root_cause(finding: Finding) -> str:
    """The finding's root-cause key; its place (``path:line``) when the rule gave none."""
    return finding.key or finding.location()


def _place_order(finding: Finding) -> tuple[str, int, str, str]:
    return (finding.path or "", finding.line or 0, finding.detail, finding.message)


def _occurrence(finding: Finding, message: str) -> Occurrence:
    # A member whose message differs from the group's (a rule that keys findings by file
    # but words each one itself) keeps its own words as the detail, so nothing is lost.
    detail = finding.detail or (finding.message if finding.message != message else "")
    return Occurrence(finding.path, finding.line, detail, finding.severity)


def group(members: Iterable[Finding]) -> Finding:
    """One finding for the members (same rule, same root cause)."""
    ordered = sorted(set(members), key=_place_order)
    primary = min(ordered, key=lambda f: (-int(f.severity), _place_order(f)))
    occurrences: list[Occurrence] = []
    for member in ordered:
        occurrence = _occurrence(member, primary.message)
        if occurrence not in occurrences:
            occurrences.append(occurrence)
    # ``key`` stays as the rule gave it ("" = the place is the root cause).
    return dataclasses.replace(primary, detail="", occurrences=tuple(occurrences))


def group_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings grouped by (rule, root cause), in the order their groups first appear."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.rule, root_cause(finding)), []).append(finding)
    return [group(members) for members in groups.values()]
