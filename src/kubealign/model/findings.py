"""Findings: the one result type of every rule, check and conversion note.

An audit finding is one *root cause* with the places it shows up (its occurrences): the hard-
coded IP ``192.222.58.232`` written in nine scripts is one thing to fix, so it is one finding
with nine occurrences, the way linters report "N occurrences" of one issue. Each rule says
what its root cause is (the IP, the image, the credential's fingerprint…) by the ``key`` it
gives its findings; :func:`kubealign.rules.grouping.group_findings` merges the findings of one
rule that share a key. Findings of conversions and validation have no occurrences.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.IntEnum):
    """Ordered so that ``--fail-on`` can compare."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.name.lower() for s in cls)
            raise ValueError(f"unknown severity {text!r}; expected one of {names}") from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True, order=True)
class Occurrence:
    """One place a finding's root cause shows up."""

    path: str | None
    line: int | None
    #: What is at this place, short (``service 'mcp-gateway' reaches AI_CORE_URL``); "" when
    #: the place says it all.
    detail: str = ""
    severity: Severity = Severity.INFO

    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line is not None else self.path


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One observation with a place in the user's files and a way to fix it.

    ``path``/``line`` are the finding's primary place (its most severe occurrence, the first
    in file order among equals); ``occurrences`` are every place, in file order, when the
    finding is a group (a rule's findings before grouping have none).
    """

    rule: str
    severity: Severity
    message: str
    path: str | None = None
    line: int | None = None
    fix: str | None = None
    category: str = ""
    #: The root cause within the rule (an IP, an image, a credential's fingerprint, a file);
    #: "" for findings that are their own root cause.
    key: str = ""
    #: What is at this place, before grouping (becomes the occurrence's detail).
    detail: str = ""
    occurrences: tuple[Occurrence, ...] = ()

    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    def places(self) -> tuple[Occurrence, ...]:
        """Every place of the finding (the finding's own place when it has no occurrences)."""
        if self.occurrences:
            return self.occurrences
        return (Occurrence(self.path, self.line, self.detail, self.severity),)

    def files(self) -> tuple[str, ...]:
        """The distinct files of the occurrences, sorted."""
        return tuple(sorted({o.path for o in self.places() if o.path}))

    def text(self) -> str:
        """The message, with the one occurrence's detail when there is a single place (a
        group's details are listed with its occurrences)."""
        places = self.places()
        if len(places) == 1 and places[0].detail:
            return f"{self.message}: {places[0].detail}"
        return self.message
