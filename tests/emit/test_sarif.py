"""SARIF 2.1.0: the properties the specification requires, levels, locations, suppressions.

No PyPI package ships the OASIS JSON schema (sarif-om, sarif-tools and sarif-pydantic were
checked), so the required properties of the objects we emit are checked one by one, as the
2.1.0 specification lists them.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from emit.sample_report import FINDINGS, sample_report
from kubealign.emit.sarif import render_sarif, sarif_document, sarif_level
from kubealign.model.findings import Severity

_LEVELS = {"none", "note", "warning", "error"}


def _run() -> dict[str, Any]:
    document = json.loads(render_sarif(sample_report()))
    assert document["version"] == "2.1.0"
    assert document["$schema"].endswith("sarif-2.1.0.json")
    assert len(document["runs"]) == 1
    run: dict[str, Any] = document["runs"][0]
    return run


def _message(obj: dict[str, Any]) -> None:
    assert isinstance(obj["text"], str) and obj["text"]


def test_driver_lists_documented_rules() -> None:
    driver = _run()["tool"]["driver"]
    assert driver["name"] == "kubealign" and driver["version"] == "0.1.0"
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    for rule in driver["rules"]:
        for key in ("shortDescription", "fullDescription", "help"):
            _message(rule[key])
        assert rule["defaultConfiguration"]["level"] in _LEVELS
        assert rule["name"]
    sec = next(rule for rule in driver["rules"] if rule["id"] == "SEC010")
    assert sec["defaultConfiguration"]["level"] == "error"
    assert "docs/rules/SEC010.md" in sec["help"]["text"]
    assert "secrets" in sec["properties"]["tags"]


def test_every_finding_is_a_result_with_its_rule_and_level() -> None:
    run = _run()
    rules = run["tool"]["driver"]["rules"]
    results = [r for r in run["results"] if "suppressions" not in r]
    assert len(results) == len(FINDINGS)
    for result, finding in zip(results, FINDINGS, strict=True):
        assert result["ruleId"] == finding.rule
        assert rules[result["ruleIndex"]]["id"] == finding.rule
        assert result["level"] == sarif_level(finding.severity)
        _message(result["message"])
        assert finding.message in result["message"]["text"]
        assert len(result["partialFingerprints"]["kubealignFinding/v2"]) == 32


def test_severity_mapping() -> None:
    assert [sarif_level(s) for s in Severity] == ["note", "note", "warning", "error", "error"]


def test_locations_are_relative_uris_with_start_lines() -> None:
    results = {r["ruleId"]: r for r in _run()["results"]}
    location = results["NET020"]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "docker-compose.cloud.yml",
                                            "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 88}
    odd = results["CMP104"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert odd == "deployment/we%3Cird%3E%20&%20%22odd%22%20name.yml"
    assert "region" not in results["DKF001"]["locations"][0]["physicalLocation"]
    assert "locations" not in results["STR002"]
    for result in _run()["results"]:
        for loc in result.get("locations", []):
            uri = loc["physicalLocation"]["artifactLocation"]["uri"]
            assert not uri.startswith("/") and "://" not in uri


def test_suppressed_findings_carry_an_in_source_suppression() -> None:
    suppressed = [r for r in _run()["results"] if "suppressions" in r]
    assert len(suppressed) == 1
    (suppression,) = suppressed[0]["suppressions"]
    assert suppression["kind"] == "inSource"
    assert suppression["justification"] == "legacy host, removed in phase 2"
    where = suppression["location"]["physicalLocation"]
    assert where["artifactLocation"]["uri"] == "scripts/legacy_deploy.sh"
    assert where["region"]["startLine"] == 13
    assert suppressed[0]["ruleId"] == "SH010"


def test_unknown_rule_ids_still_get_a_descriptor() -> None:
    report = dataclasses.replace(sample_report(), rules=())
    run = sarif_document(report)["runs"][0]
    ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert set(ids) == {f.rule for f in FINDINGS} | {"SH010"}


def test_deterministic() -> None:
    assert render_sarif(sample_report()) == render_sarif(sample_report())
