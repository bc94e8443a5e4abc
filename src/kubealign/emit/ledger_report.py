"""``conversion.md`` and ``conversion.json``: the ledger, for people and for tools."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kubealign.emit.markdown_table import table_cell
from kubealign.model.contracts import document, dumps
from kubealign.model.findings import Finding
from kubealign.model.ledger import Disposition, Ledger, LedgerEntry
from kubealign.model.source import relative_to, strip_root

_ORDER = (Disposition.NOT_CONVERTIBLE, Disposition.APPROXIMATED, Disposition.CONVERTED,
          Disposition.IGNORED)


def _where(entry: LedgerEntry, root: str | None) -> str:
    if entry.source is None:
        return ""
    return f"{relative_to(entry.source.path, root)}:{entry.source.line}"




def _text(text: str, root: str | None) -> str:
    """Notes quote host paths; inside the project they are shown relative to it, so the
    ledger does not depend on where the repository is checked out."""
    return strip_root(text, root)


def ledger_markdown(ledger: Ledger, findings: Sequence[Finding], *, title: str,
                    root: str | None = None) -> str:
    lines = [f"# Conversion ledger: {title}", ""]
    counts = ", ".join(f"{ledger.count(d)} {d.value}" for d in _ORDER)
    lines += [f"Every Compose key of the input, once: {counts}.", ""]
    blocking = ledger.not_convertible
    if blocking:
        lines += ["## Not convertible", "", "| service | key | why / what to do | source |",
                  "|---|---|---|---|"]
        for e in blocking:
            note = table_cell(_text(e.note, root))
            lines.append(f"| {e.service or '(project)'} | `{e.key}` | {note} | "
                         f"{_where(e, root)} |")
        lines.append("")
    by_service: dict[str, list[LedgerEntry]] = {}
    for entry in ledger.entries:
        by_service.setdefault(entry.service, []).append(entry)
    for service in sorted(by_service):
        lines += [f"## {service or 'Project-level keys'}", "",
                  "| key | status | values | note | source |", "|---|---|---|---|---|"]
        for e in sorted(by_service[service],
                        key=lambda x: (_ORDER.index(x.disposition), x.key)):
            target = f"`{e.target}`" if e.target else ""
            lines.append(f"| `{e.key}` | {e.disposition.value} | {target} | "
                         f"{table_cell(_text(e.note, root))} | "
                         f"{_where(e, root)} |")
        lines.append("")
    if findings:
        lines += ["## Findings", "", "| rule | severity | where | message |", "|---|---|---|---|"]
        for f in findings:
            where = relative_to(f.location(), root)
            message = table_cell(_text(f.message, root))
            lines.append(f"| {f.rule} | {f.severity} | {where} | {message} |")
        lines.append("")
    return "\n".join(lines)


def ledger_json(ledger: Ledger, findings: Sequence[Finding], *, root: str | None = None) -> str:
    data: dict[str, Any] = document("conversion", {
        "summary": {d.value: ledger.count(d) for d in _ORDER},
        "entries": [
            {
                "service": e.service,
                "key": e.key,
                "disposition": e.disposition.value,
                "values": e.target,
                "note": _text(e.note, root),
                "source": _where(e, root) or None,
            }
            for e in ledger.entries
        ],
        "findings": [
            {"rule": f.rule, "severity": str(f.severity), "message": _text(f.message, root),
             "path": relative_to(f.path, root) if f.path else None, "line": f.line, "fix": f.fix}
            for f in findings
        ],
    })
    return dumps(data)
