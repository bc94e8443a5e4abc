"""The conversion ledger: what became of every key the input wrote."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from kubealign.model.source import SourceSpan


class Disposition(enum.Enum):
    CONVERTED = "converted"
    APPROXIMATED = "approximated"
    NOT_CONVERTIBLE = "not-convertible"
    IGNORED = "ignored"  # by design: the key has no meaning on Kubernetes

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True, order=True)
class LedgerEntry:
    """One compose key of one service (or of the project when ``service`` is empty)."""

    service: str
    key: str
    disposition: Disposition
    target: str = ""  # values path it went to, e.g. services.api.ports
    note: str = ""
    source: SourceSpan | None = None


@dataclass(frozen=True, slots=True)
class Ledger:
    entries: tuple[LedgerEntry, ...]

    def count(self, disposition: Disposition) -> int:
        return sum(1 for e in self.entries if e.disposition is disposition)

    def for_service(self, service: str) -> tuple[LedgerEntry, ...]:
        return tuple(e for e in self.entries if e.service == service)

    @property
    def not_convertible(self) -> tuple[LedgerEntry, ...]:
        return tuple(e for e in self.entries if e.disposition is Disposition.NOT_CONVERTIBLE)
