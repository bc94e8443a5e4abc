"""What a tolerant load records instead of raising.

``docker compose`` refuses a project with a missing ``env_file``, a required variable without
a value or a line of an env file it cannot parse. A migration reads repositories as their
authors left them (the ``.env`` was never committed, the variables live in a CI secret
store), so a tolerant load turns each of those into a finding with file:line and the
recovery it chose, and goes on. Rule ids (``LOAD0xx``) are stable: reports group by them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kubealign.errors import KubealignError
from kubealign.model.findings import Finding, Severity

ENV_FILE_MISSING = "LOAD010"
ENV_FILE_LINE = "LOAD011"
ENV_FILE_UNREADABLE = "LOAD012"
REQUIRED_VARIABLE = "LOAD013"
INTERPOLATION = "LOAD014"
SCHEMA_SALVAGED = "LOAD015"
VALUE_DROPPED = "LOAD016"
IMAGE_REPAIRED = "LOAD017"
NO_IMAGE = "LOAD018"
INCLUDE_MISSING = "LOAD019"
DEPENDENCY_DROPPED = "LOAD020"

# Where people keep the committed template of an env file they do not commit.
_TEMPLATE_SUFFIXES = (".example", ".sample", ".dist", ".template", ".tpl", ".defaults")
_TEMPLATE_NAMES = (".env.example", ".env.sample", ".env.dist", ".env.template", "example.env",
                   "sample.env", "env.example")


@dataclass
class Tolerance:
    """The findings of one tolerant load, in the order they were met."""

    findings: list[Finding] = field(default_factory=list)

    def record(self, rule: str, severity: Severity, message: str, *, path: str | None,
               line: int | None = None, fix: str | None = None) -> None:
        finding = Finding(rule=rule, severity=severity, message=message, path=path, line=line,
                          fix=fix, category="load")
        if finding not in self.findings:
            self.findings.append(finding)

    def record_error(self, rule: str, severity: Severity, error: KubealignError,
                     recovery: str, fix: str | None = None) -> None:
        self.record(rule, severity, f"{error.message}; {recovery}", path=error.path,
                    line=error.line, fix=fix)


def env_file_template(path: Path) -> Path | None:
    """The committed template of a missing env file (``.env.example`` for ``.env``, ...)."""
    folder = path.parent
    candidates = [folder / f"{path.name}{suffix}" for suffix in _TEMPLATE_SUFFIXES]
    if path.name.startswith(".env") or path.suffix == ".env":
        candidates += [folder / name for name in _TEMPLATE_NAMES]
    stem, dot, suffix = path.name.rpartition(".")
    if dot and stem:
        candidates += [folder / f"{stem}{s}.{suffix}" for s in _TEMPLATE_SUFFIXES]
    for candidate in candidates:
        if candidate != path and candidate.is_file():
            return candidate
    return None
