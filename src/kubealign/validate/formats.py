"""Render a :class:`ValidationReport` as text, JSON, JUnit XML or SARIF 2.1.0.

Every format is a pure function of the report, so output is byte-identical across runs.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from kubealign import __version__
from kubealign.model.contracts import document, dumps
from kubealign.validate.results import ObjectResult, ValidationReport, Violation

FORMATS = ("text", "json", "junit", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

_RULE_TEXT = {
    "schema": "Object matches the Kubernetes JSON schema of the chosen version (strict).",
    "crd": "Custom resource matches the structure kubealign emits for its kind.",
    "api": "Object passes the API server's field validation that no schema carries (names, "
           "label syntax, selectors, quantities, duplicate or dangling names in a pod).",
    "object": "Document is a Kubernetes object with apiVersion and kind.",
    "yaml": "Manifest file parses as YAML.",
}


def _location(result: ObjectResult, violation: Violation | None = None) -> str:
    line = violation.line if violation is not None else None
    return f"{result.ref.source}:{line}" if line else result.ref.source


def _heading(result: ObjectResult) -> str:
    env = f" [{result.ref.environment}]" if result.ref.environment else ""
    return f"{result.ref.label()}{env}"


def render_text(report: ValidationReport) -> str:
    lines: list[str] = []
    for result in report.invalid:
        for violation in result.violations:
            lines.append(
                f"{_location(result, violation)}: {_heading(result)}: {violation.where}: "
                f"{violation.message} ({violation.check})"
            )
    for result in report.skipped:
        lines.append(f"{_location(result)}: {_heading(result)}: skipped, {result.skipped}")
    lines.extend(f"note: {note}" for note in report.notes)
    lines.append(("OK: " if report.ok else "FAILED: ") + report.summary())
    return "\n".join(lines) + "\n"


def _result_json(result: ObjectResult) -> dict[str, Any]:
    ref = result.ref
    return {
        "source": ref.source,
        "document": ref.document,
        "environment": ref.environment,
        "api_version": ref.api_version,
        "kind": ref.kind,
        "name": ref.name,
        "namespace": ref.namespace,
        "valid": result.valid,
        "skipped": result.skipped,
        "violations": [
            {"check": v.check, "path": v.where, "message": v.message, "line": v.line}
            for v in result.violations
        ],
    }


def render_json(report: ValidationReport) -> str:
    payload = document("validate", {
        "kube_version": report.kube_version,
        "strict": report.strict,
        "ok": report.ok,
        "summary": {
            "objects": len(report.results),
            "invalid": len(report.invalid),
            "skipped": len(report.skipped),
        },
        "objects": [_result_json(result) for result in report.results],
        "notes": list(report.notes),
    })
    return dumps(payload)


def render_junit(report: ValidationReport) -> str:
    suites = ET.Element("testsuites", name="kubealign validate")
    by_suite: dict[str, list[ObjectResult]] = {}
    for result in report.results:
        by_suite.setdefault(result.ref.environment or result.ref.source, []).append(result)
    for suite_name, results in by_suite.items():
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=suite_name,
            tests=str(len(results)),
            failures=str(sum(1 for r in results if r.violations)),
            skipped=str(sum(1 for r in results if r.skipped and not r.violations)),
        )
        for result in results:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=result.ref.source,
                name=f"{_heading(result)}#{result.ref.document}",
            )
            if result.violations:
                failure = ET.SubElement(
                    case,
                    "failure",
                    message=f"{len(result.violations)} violation(s)",
                    type=result.violations[0].check,
                )
                failure.text = "\n".join(
                    f"{v.where}: {v.message} ({v.check})" for v in result.violations
                )
            elif result.skipped:
                ET.SubElement(case, "skipped", message=result.skipped)
    suites.set("tests", str(len(report.results)))
    suites.set("failures", str(len(report.invalid)))
    body = ET.tostring(suites, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _sarif_result(result: ObjectResult, violation: Violation) -> dict[str, Any]:
    region: dict[str, Any] = {}
    physical: dict[str, Any] = {"artifactLocation": {"uri": result.ref.source}}
    if violation.line:
        region = {"startLine": violation.line}
        physical["region"] = region
    return {
        "ruleId": violation.check,
        "level": "error",
        "message": {"text": f"{_heading(result)}: {violation.where}: {violation.message}"},
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [
                    {
                        "fullyQualifiedName": f"{result.ref.label()}/{violation.where}",
                        "kind": "object",
                    }
                ],
            }
        ],
    }


def render_sarif(report: ValidationReport) -> str:
    used = sorted({v.check for r in report.invalid for v in r.violations} | {"schema", "crd"})
    rules = [
        {
            "id": rule,
            "shortDescription": {"text": _RULE_TEXT.get(rule, f"Policy check {rule}.")},
        }
        for rule in used
    ]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kubealign",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": [
                    _sarif_result(result, violation)
                    for result in report.invalid
                    for violation in result.violations
                ],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


RENDERERS: dict[str, Callable[[ValidationReport], str]] = {
    "text": render_text,
    "json": render_json,
    "junit": render_junit,
    "sarif": render_sarif,
}


def render_report(report: ValidationReport, fmt: str) -> str:
    return RENDERERS[fmt](report)
