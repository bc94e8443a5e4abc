"""The names the plan gives to environments and services, as the audit uses them.

The audit, ``kubealign.yaml`` and the chart must call one thing by one name: the audit reads
every compose file on its own, so it is told, per file, which of the plan's environments are
built from it (or that none is, and why), and, per service of that file, the values key the
chart gives it. ``transform.plan.vocabulary`` derives it from a plan; an empty vocabulary (no
plan) puts every file outside and keeps every service's compose name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

#: Why a file is in no environment when there is no plan at all.
NO_PLAN = "the repository has no environment kubealign could load"


@dataclass(frozen=True, slots=True)
class FilePlace:
    """Where one compose file stands in the plan."""

    file: str
    environments: tuple[str, ...] = ()
    """The plan's environments built from the file (in ``-f`` chains or folded in as a
    component), in migration order; empty: no environment uses it."""
    outside: str | None = None
    """Why no environment uses it (a separate release, a file that does not load...)."""


@dataclass(frozen=True, slots=True)
class Vocabulary:
    environments: tuple[str, ...] = ()
    """The plan's environment names, in migration order."""
    chains: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Environment -> its compose files in ``-f`` order, then the components folded in."""
    places: Mapping[str, FilePlace] = field(default_factory=dict)
    """Compose file -> its place (files the plan never names are absent)."""
    keys: Mapping[tuple[str, str], str] = field(default_factory=dict)
    """(compose file, compose service name) -> the chart's values key, for planned files."""
    source: str = "none"
    """Where the names come from: ``kubealign.yaml`` (the repository's plan), ``detected``
    (what ``kubealign plan`` would write) or ``none``."""

    def place(self, file: str) -> FilePlace:
        found = self.places.get(file)
        if found is not None:
            return found
        reason = NO_PLAN if not self.environments else "no environment of the plan uses it"
        return FilePlace(file, (), reason)

    def key(self, file: str, service: str) -> str:
        """The values key of ``service`` of ``file``: the chart's name where the file is
        planned, else the compose name as written (never a name of the audit's own)."""
        return self.keys.get((file, service), service)
