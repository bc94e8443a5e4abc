"""Collects ledger entries, findings and values comments while a service is converted."""

from __future__ import annotations

from dataclasses import dataclass, field

from kubealign.model.compose import Service
from kubealign.model.findings import Finding, Severity
from kubealign.model.ledger import Disposition, LedgerEntry
from kubealign.model.source import SourceSpan

_SEVERITY = {
    Disposition.CONVERTED: None,
    Disposition.IGNORED: None,
    Disposition.APPROXIMATED: Severity.LOW,
    Disposition.NOT_CONVERTIBLE: Severity.MEDIUM,
}
_RULE = {Disposition.APPROXIMATED: "CNV100", Disposition.NOT_CONVERTIBLE: "CNV200"}


@dataclass
class Recorder:
    """One per service; ``project`` entries use an empty service name."""

    service: Service | None
    entries: list[LedgerEntry] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.service.name if self.service is not None else ""

    def span(self, key: str) -> SourceSpan | None:
        return self.service.origin(key) if self.service is not None else None

    def record(
        self,
        key: str,
        disposition: Disposition,
        target: str = "",
        note: str = "",
        *,
        severity: Severity | None = None,
        span: SourceSpan | None = None,
    ) -> None:
        where = span if span is not None else self.span(key)
        self.entries.append(
            LedgerEntry(self.name, key, disposition, target, note, where)
        )
        level = severity if severity is not None else _SEVERITY[disposition]
        if level is not None:
            self._add(_RULE.get(disposition, "CNV100"), level,
                      f"{key}: {note}" if note else key, where,
                      f"see values {target}" if target else None)

    def converted(self, key: str, target: str, note: str = "") -> None:
        self.record(key, Disposition.CONVERTED, target, note)

    def approximated(self, key: str, target: str, note: str) -> None:
        self.record(key, Disposition.APPROXIMATED, target, note)

    def not_convertible(self, key: str, note: str, *, severity: Severity | None = None) -> None:
        self.record(key, Disposition.NOT_CONVERTIBLE, "", note, severity=severity)

    def ignored(self, key: str, note: str) -> None:
        self.record(key, Disposition.IGNORED, "", note)

    def finding(self, rule: str, severity: Severity, message: str, key: str = "",
                fix: str | None = None) -> None:
        self._add(rule, severity, message, self.span(key) if key else None, fix)

    def _add(self, rule: str, severity: Severity, message: str, where: SourceSpan | None,
             fix: str | None) -> None:
        subject = f"service {self.name!r}: " if self.name else ""
        self.findings.append(Finding(rule, severity, subject + message,
                                     where.path if where else None,
                                     where.line if where else None, fix, "conversion"))
