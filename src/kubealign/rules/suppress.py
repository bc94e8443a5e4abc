"""Suppression comments: ``# kubealign: ignore=CMP104 reason`` on the line or the line above,
``# kubealign: ignore-file=CMP104 reason`` anywhere in the file. A reason is required."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kubealign.model.audit import SuppressedFinding
from kubealign.model.findings import Finding, Severity
from kubealign.rules.base import Rule
from kubealign.rules.context import AuditContext

_COMMENT = re.compile(
    r"#\s*kubealign:\s*(?P<scope>ignore|ignore-file)=(?P<ids>[A-Za-z0-9_]+(?:\s*,\s*[A-Za-z0-9_]+)*)"
    r"(?:\s+(?P<reason>\S.*?))?\s*$"
)


@dataclass(frozen=True, slots=True)
class Suppression:
    path: str
    line: int
    rules: frozenset[str]
    whole_file: bool
    reason: str


def suppressions_in(path: str, lines: Iterable[str]) -> Iterator[Suppression]:
    for number, text in enumerate(lines, start=1):
        if "kubealign:" not in text:
            continue
        match = _COMMENT.search(text)
        if match is None:
            continue
        ids = frozenset(i.strip().upper() for i in match.group("ids").split(","))
        yield Suppression(
            path,
            number,
            ids,
            match.group("scope") == "ignore-file",
            (match.group("reason") or "").strip(),
        )


def _scanned_paths(ctx: AuditContext, findings: Iterable[Finding]) -> list[str]:
    return sorted({f.path for f in findings if f.path})


def apply_suppressions(
    ctx: AuditContext, findings: Iterable[Finding]
) -> tuple[list[Finding], list[SuppressedFinding]]:
    """Split findings into kept and suppressed; suppressions without reason never apply."""
    materialised = list(findings)
    by_path: dict[str, list[Suppression]] = {}
    for path in _scanned_paths(ctx, materialised):
        by_path[path] = [s for s in suppressions_in(path, ctx.lines(path)) if s.reason]
    kept: list[Finding] = []
    suppressed: list[SuppressedFinding] = []
    for finding in materialised:
        match = None
        for suppression in by_path.get(finding.path or "", ()):
            if finding.rule not in suppression.rules:
                continue
            if suppression.whole_file or (
                finding.line is not None and suppression.line in {finding.line, finding.line - 1}
            ):
                match = suppression
                break
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
