"""The audit formats this package renders, for the ``--format`` registry of ``kubealign audit``.

``kubealign.actions.audit.RENDERERS`` (text, json) is extended with these; emit cannot import
actions (layers), so the action imports this mapping.

HTML and Markdown link every file they name; the links are relative to where the report is
written, so callers that write a report pass :func:`link_prefix` of that place
(:data:`LINKED_RENDERERS`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path, PurePath

from kubealign.emit.audit_html import render_html
from kubealign.emit.audit_markdown import render_markdown
from kubealign.emit.sarif import render_sarif
from kubealign.model.audit import AuditReport

RENDERERS: dict[str, Callable[[AuditReport], str]] = {
    "html": render_html,
    "markdown": render_markdown,
    "sarif": render_sarif,
}

#: Formats whose file links depend on where the report is written: (report, prefix) -> text.
LINKED_RENDERERS: dict[str, Callable[[AuditReport, str], str]] = {
    "html": lambda report, prefix: render_html(report, link_prefix=prefix),
    "markdown": lambda report, prefix: render_markdown(report, link_prefix=prefix),
}


def link_prefix(repository: Path, report_directory: Path) -> str:
    """The repository root as seen from ``report_directory``, ready to prepend to a
    repository-relative path: ``""`` (same folder), ``"../"``, ``"../../repo/"``…"""
    relative = os.path.relpath(repository.resolve(), report_directory.resolve())
    if relative == os.curdir:
        return ""
    return PurePath(relative).as_posix() + "/"
