"""Suppression comments: ``# kubealign: ignore=CMP104 reason`` on the line or the line above,
``# kubealign: ignore-file=CMP104 reason`` anywhere in the file. A reason is required.

Findings are one root cause with its occurrences (``rules/grouping.py``); suppressions are
matched per occurrence, before grouping. ``ignore`` and ``ignore-file`` silence the
occurrences they point at (the finding keeps its other places); ``ignore-group=ID reason``
on the line or the line above any one occurrence silences the whole finding, every place of
that root cause (the hard-coded SaaS endpoint that is meant to be there, in every script).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kubealign.model.audit import SuppressedFinding
from kubealign.model.findings import Finding, Severity
from kubealign.rules.base import Rule
from kubealign.rules.context import AuditContext
from kubealign.rules.grouping import root_cause

_COMMENT = re.compile(
    r"#\s*kubealign:\s*(?P<scope>ignore-file|ignore-group|ignore)=(?P<ids>[A-Za-z0-9_]+(?:\s*,\s*[A-Za-z0-9_]+)*)"
    r"(?:\s+(?P<reason>\S.*?))?\s*$"
)


@dataclass(frozen=True, slots=True)
class Suppression:
    path: str
    line: int
    rules: frozenset[str]
    whole_file: bool
    reason: str
    #: ``ignore-group``: every occurrence of the root cause, wherever it is.
    whole_group: bool = False

    def covers(self, finding: Finding) -> bool:
        """The comment points at this occurrence (its file, or its line or the one above)."""
        if finding.rule not in self.rules:
            return False
        if self.whole_file:
            return True
        return finding.line is not None and self.line in {finding.line, finding.line - 1}


def suppressions_in(path: str, lines: Iterable[str]) -> Iterator[Suppression]:
    for number, text in enumerate(lines, start=1):
        if "kubealign:" not in text:
            continue
        match = _COMMENT.search(text)
        if match is None:
            continue
        ids = frozenset(i.strip().upper() for i in match.group("ids").split(","))
        scope = match.group("scope")
        yield Suppression(
            path,
            number,
            ids,
            scope == "ignore-file",
            (match.group("reason") or "").strip(),
            whole_group=scope == "ignore-group",
        )


def _scanned_paths(ctx: AuditContext, findings: Iterable[Finding]) -> list[str]:
    return sorted({f.path for f in findings if f.path})


def apply_suppressions(
    ctx: AuditContext, findings: Iterable[Finding]
) -> tuple[list[Finding], list[SuppressedFinding]]:
    """Split findings (occurrences, before grouping) into kept and suppressed; suppressions
    without reason never apply."""
    materialised = list(findings)
    by_path: dict[str, list[Suppression]] = {}
    for path in _scanned_paths(ctx, materialised):
        by_path[path] = [s for s in suppressions_in(path, ctx.lines(path)) if s.reason]
    matched: dict[Finding, Suppression] = {}
    groups: dict[tuple[str, str], Suppression] = {}
    for finding in materialised:
        for suppression in by_path.get(finding.path or "", ()):
            if suppression.covers(finding):
                if suppression.whole_group:
                    groups.setdefault((finding.rule, root_cause(finding)), suppression)
                else:
                    matched.setdefault(finding, suppression)
    kept: list[Finding] = []
    suppressed: list[SuppressedFinding] = []
    for finding in materialised:
        match = matched.get(finding) or groups.get((finding.rule, root_cause(finding)))
        if match is None:
            kept.append(finding)
        else:
            suppressed.append(
                SuppressedFinding(finding, match.reason, f"{match.path}:{match.line}")
            )
    return kept, suppressed


class SuppressionWithoutReason(Rule):
    """A ``# kubealign: ignore=ID`` comment without a reason.

    Suppressions without a reason are not honoured.

    Why:
        A silenced finding with no explanation cannot be reviewed later: nobody knows
        whether the risk was accepted or just hidden.

    Fix:
        Write why after the rule ids: ``# kubealign: ignore=CMP102 pinned by digest in CI``.
    """

    id = "SUP001"
    name = "suppression-without-reason"
    severity = Severity.LOW
    category = "debt"
    targets = ("any",)
    root_cause = "suppression comment"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        paths = sorted(
            {
                *ctx.compose,
                *ctx.scripts,
                *ctx.makefiles,
                *ctx.workflows,
                *ctx.dockerfiles,
                *ctx.manifests,
            }
        )
        for path in paths:
            for suppression in suppressions_in(path, ctx.lines(path)):
                if not suppression.reason:
                    yield self.finding(
                        f"suppression of {', '.join(sorted(suppression.rules))} has no reason "
                        "and is ignored",
                        path,
                        suppression.line,
                    )
