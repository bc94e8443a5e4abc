"""The audit formats this package renders, for the ``--format`` registry of ``kubealign audit``.

``kubealign.actions.audit.RENDERERS`` (text, json) is extended with these; emit cannot import
actions (layers), so the action imports this mapping.
"""

from __future__ import annotations

from collections.abc import Callable

from kubealign.emit.audit_html import render_html
from kubealign.emit.audit_markdown import render_markdown
from kubealign.emit.sarif import render_sarif
from kubealign.model.audit import AuditReport

RENDERERS: dict[str, Callable[[AuditReport], str]] = {
    "html": render_html,
    "markdown": render_markdown,
    "sarif": render_sarif,
}
