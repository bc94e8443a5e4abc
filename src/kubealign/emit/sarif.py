"""SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps read it).

One run whose tool driver lists every rule that produced a finding, with its documentation;
one result per finding (suppressed places included, each with an ``inSource`` suppression,
so code scanning shows them as dismissed rather than forgetting them). Paths stay relative to
the audited root under the ``%SRCROOT%`` base, so the file is the same wherever it was made.

A finding is one root cause with its places, and it is one result: its primary place is the
result's location, every place is a ``relatedLocations`` entry (the first ones linked from
the message, which GitHub renders as links to them). One result per occurrence was the
alternative; GitHub code scanning opens one alert per result and lists alerts without any
grouping, so it would show the 800 places of a repository as 800 alerts, where the report
counts 300 things to fix. One result per root cause keeps the alert count equal to the
report's, and its fingerprint is the rule and the root cause (not a path), so the alert stays
open while any place is left and closes when the last is fixed, even when the primary place
moves from one file to another. The cost: a pull request gets the annotation at the primary
place only; the alert names every other place.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from kubealign.model.audit import AuditReport, RuleMeta
from kubealign.model.findings import Finding, Severity

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SOURCE_ROOT = "%SRCROOT%"
#: v2: a finding is a root cause; its fingerprint is the rule and the root-cause key.
_FINGERPRINT_KEY = "kubealignFinding/v2"
#: Places linked from a result's message (all of them are ``relatedLocations``).
_LINKED_PLACES = 10
#: GitHub code scanning reads at most 1,000 related locations per result.
_RELATED_LIMIT = 1000

#: SARIF knows three problem levels; critical and high block, medium warns, the rest informs.
_LEVELS: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def sarif_level(severity: Severity) -> str:
    return _LEVELS[severity]


def _rule_level(meta: RuleMeta) -> str:
    try:
        return sarif_level(Severity.parse(meta.severity))
    except ValueError:
        return "warning"


def _rule_descriptor(meta: RuleMeta) -> dict[str, Any]:
    help_text = f"{meta.summary}\n\nDocumentation: {meta.docs}" if meta.docs else meta.summary
    return {
        "id": meta.id,
        "name": meta.name,
        "shortDescription": {"text": meta.summary or meta.name},
        "fullDescription": {"text": f"{meta.id} {meta.name}: {meta.summary}"},
        "help": {"text": help_text, "markdown": _help_markdown(meta)},
        "defaultConfiguration": {"level": _rule_level(meta)},
        "properties": {"tags": sorted({meta.category, "kubealign"} - {""}),
                       "severity": meta.severity},
    }


def _help_markdown(meta: RuleMeta) -> str:
    text = f"**{meta.id}** `{meta.name}`: {meta.summary}"
    return f"{text}\n\nSee `{meta.docs}`." if meta.docs else text


def _rules_for(report: AuditReport, findings: Iterable[Finding]) -> list[RuleMeta]:
    """The documented rules, plus a minimal entry for any rule id the catalogue lacks."""
    known = {meta.id: meta for meta in report.rules}
    for finding in findings:
        if finding.rule not in known:
            known[finding.rule] = RuleMeta(finding.rule, finding.rule.lower(),
                                           str(finding.severity), finding.category,
                                           finding.rule, "")
    return [known[rule_id] for rule_id in sorted(known)]


def _location(path: str, line: int | None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(path), "uriBaseId": SOURCE_ROOT}}
    if line is not None and line >= 1:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


def _uri(path: str) -> str:
    """A relative URI reference: percent-encode what RFC 3986 does not allow in a path."""
    return quote(path.lstrip("/"), safe="/-._~!$&'()*+,;=:@")


def _split_location(text: str) -> tuple[str, int | None]:
    path, _, line = text.rpartition(":")
    if path and line.isdigit():
        return path, int(line)
    return text, None


def _fingerprint(finding: Finding, *, place: bool = False) -> str:
    """Stable across runs and line shifts: the rule and the root cause identify a finding (a
    finding keyed by its place: rule, file and message); ``place`` adds the file and detail
    (a suppressed place among the places of one root cause)."""
    if finding.key:
        parts = [finding.rule, finding.key]
        if place:
            parts += [finding.path or "", finding.detail or finding.message]
    else:
        parts = [finding.rule, finding.path or "", finding.message]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _related(finding: Finding) -> tuple[list[dict[str, Any]], str]:
    """The places as related locations, and the message text linking the first ones."""
    places = [p for p in finding.places() if p.path][:_RELATED_LIMIT]
    if len(finding.places()) < 2:
        return [], ""
    related = []
    for index, place in enumerate(places, start=1):
        location = _location(place.path or "", place.line)
        location["id"] = index
        note = place.detail or finding.message
        location["message"] = {"text": note + (f" ({place.severity})"
                                               if place.severity != finding.severity else "")}
        related.append(location)
    links = ", ".join(f"[{p.location()}]({i})"
                      for i, p in enumerate(places[:_LINKED_PLACES], start=1))
    more = len(finding.places()) - min(len(places), _LINKED_PLACES)
    text = f" {len(finding.places())} places: {links}" + (f" and {more} more." if more else ".")
    return related, text


def _result(finding: Finding, rule_index: int, *, place: bool = False) -> dict[str, Any]:
    related, places_text = ([], "") if place else _related(finding)
    message = (finding.text() if not related else finding.message) + places_text
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": sarif_level(finding.severity),
        "message": {"text": message + (f" Fix: {finding.fix}" if finding.fix else "")},
    }
    if finding.path:
        result["locations"] = [_location(finding.path, finding.line)]
    if related:
        result["relatedLocations"] = related
    result["partialFingerprints"] = {_FINGERPRINT_KEY: _fingerprint(finding, place=place)}
    properties: dict[str, Any] = {"severity": str(finding.severity),
                                  "rootCause": finding.key or finding.location(),
                                  "occurrences": len(finding.places())}
    if finding.category:
        properties["category"] = finding.category
    if finding.fix:
        properties["fix"] = finding.fix
    result["properties"] = properties
    return result


def sarif_document(report: AuditReport) -> dict[str, Any]:
    """The SARIF log as plain JSON data."""
    suppressed = [s.finding for s in report.suppressed]
    rules = _rules_for(report, [*report.findings, *suppressed])
    index = {meta.id: position for position, meta in enumerate(rules)}
    results = [_result(f, index[f.rule]) for f in report.findings]
    for entry in report.suppressed:
        # Suppressions match places: each suppressed place is a dismissed result of its own.
        result = _result(entry.finding, index[entry.finding.rule], place=True)
        suppression: dict[str, Any] = {"kind": "inSource", "status": "accepted",
                                       "justification": entry.reason}
        if entry.suppressed_at:
            suppression["location"] = _location(*_split_location(entry.suppressed_at))
        result["suppressions"] = [suppression]
        results.append(result)
    driver = {
        "name": report.generated_from.tool,
        "version": report.generated_from.version,
        "semanticVersion": report.generated_from.version,
        "rules": [_rule_descriptor(meta) for meta in rules],
    }
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "automationDetails": {"id": f"kubealign/{report.root}/"},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"filesScanned": report.generated_from.files_scanned,
                       "rulesRun": report.generated_from.rules_run},
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(report: AuditReport) -> str:
    return json.dumps(sarif_document(report), indent=2, ensure_ascii=False) + "\n"
