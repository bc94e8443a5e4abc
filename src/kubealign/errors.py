"""One hierarchy of typed errors.

Library code raises these; only the CLI prints them (one line, exit code 2) so that a
bad input never produces a traceback unless ``--debug`` is given.
"""

from __future__ import annotations

from pathlib import Path


class KubealignError(Exception):
    """Base of every error kubealign raises on purpose.

    ``path``/``line``/``column`` locate the problem in the user's input when known;
    ``str()`` gives the one-line message the CLI prints.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column

    def location(self) -> str:
        if self.path is None:
            return ""
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


class UsageError(KubealignError):
    """The command line asks for something impossible."""


class LoadError(KubealignError):
    """A file could not be read or parsed."""


class YamlError(LoadError):
    """Malformed or unsafe YAML (syntax, duplicate keys, alias bombs, size)."""


class ComposeError(LoadError):
    """A compose file is structurally invalid or cannot be resolved.

    ``pointer``, when known, is the JSON pointer of the offending value in the resolved
    project, so a tolerant load can set that one value aside and go on.
    """

    pointer: str | None = None


class InterpolationError(ComposeError):
    """A required variable is missing or a substitution is malformed."""


class ExtendsError(ComposeError):
    """An ``extends`` chain is broken or cyclic."""


class PlanError(KubealignError):
    """The plan (kubealign.yaml) is invalid or names missing files."""


class ConvertError(KubealignError):
    """A compose model cannot be converted."""


class HelmError(KubealignError):
    """Helm (binary or SDK) failed; the message is Helm's own."""


class ValidationFailed(KubealignError):
    """Rendered or given manifests are invalid (exit code 1, not 2)."""

    exit_code = 1


class DeployError(KubealignError):
    """A deployment step failed (cluster unreachable, permissions, timeouts)."""


class MissingPrerequisite(DeployError):
    """The target cluster lacks what the chart needs installed first (exit code 1: the
    cluster's state, not what the user typed)."""

    exit_code = 1
