"""One rule on one root cause is one finding with its occurrences: the same IP in three
files is one finding, two IPs are two, copies of one credential are one credential to rotate
(named by a fingerprint, never by the value), and suppressions work per place or per group."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kubealign.actions.audit import RENDERERS, audit
from kubealign.model.audit import AuditReport
from kubealign.model.findings import Finding, Occurrence, Severity
from kubealign.rules.grouping import group_findings
from repo_files import write_files as _repo


def _compose(env: dict[str, str], comment: str = "") -> str:
    lines = "".join(f"      {k}: {v}\n" for k, v in env.items())
    return f"services:\n  api:\n    image: example/api:1.0\n    environment:\n{comment}{lines}"


def _of(report: AuditReport, rule: str) -> list[Finding]:
    return [f for f in report.findings if f.rule == rule]


def test_same_ip_in_three_files_is_one_finding_with_three_occurrences(tmp_path: Path) -> None:
    report = audit(_repo(tmp_path, {
        f"docker-compose.{env}.yml": _compose({"AI_URL": "http://10.20.0.21:8001/v1"})
        for env in ("a", "b", "c")}))
    (finding,) = _of(report, "DSC001")
    assert finding.key == "10.20.0.21"
    assert [(o.path, o.line) for o in finding.places()] == [
        ("docker-compose.a.yml", 5), ("docker-compose.b.yml", 5), ("docker-compose.c.yml", 5)]
    assert (finding.path, finding.line) == ("docker-compose.a.yml", 5)
    assert all(o.detail == "service 'api' reaches AI_URL" for o in finding.places())
    assert "10.20.0.21" in finding.message


def test_two_ips_are_two_findings(tmp_path: Path) -> None:
    report = audit(_repo(tmp_path, {
        "docker-compose.a.yml": _compose({"AI_URL": "http://10.20.0.21:8001",
                                          "DB_URL": "postgres://10.20.0.22:5432/app"}),
        "docker-compose.b.yml": _compose({"AI_URL": "http://10.20.0.21:8001"}),
    }))
    found = {f.key: len(f.places()) for f in _of(report, "DSC001")}
    assert found == {"10.20.0.21": 2, "10.20.0.22": 1}
    assert report.summary.findings_total == len(report.findings)
    assert report.summary.occurrences_total == sum(len(f.places()) for f in report.findings)


_TOKEN = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"


def test_copies_of_one_credential_are_one_finding_named_by_a_fingerprint(
        tmp_path: Path) -> None:
    root = _repo(tmp_path, {
        "scripts/a.sh": f"#!/bin/bash\nset -euo pipefail\nexport GITHUB_TOKEN={_TOKEN}\n",
        "scripts/b.sh": f"#!/bin/bash\nset -euo pipefail\nexport GITHUB_TOKEN={_TOKEN}\n",
        "docs/examples/run.sh": f"#!/bin/bash\nexport GITHUB_TOKEN={_TOKEN}\n",
    })
    report = audit(root)
    (finding,) = _of(report, "SEC001")
    assert len(finding.places()) == 3
    # The worst place decides: critical in scripts, though the docs copy is low.
    assert finding.severity is Severity.CRITICAL
    assert {o.path: o.severity for o in finding.places()}["docs/examples/run.sh"] is Severity.LOW
    assert finding.key.startswith("sha256:") and len(finding.key) == len("sha256:") + 12
    # Not a plain digest of the value either (no lookup table of digests matches it).
    assert finding.key[7:] not in hashlib.sha256(_TOKEN.encode()).hexdigest()
    for name, render in RENDERERS.items():
        output = render(report)
        assert _TOKEN not in output, name
        assert _TOKEN[:8] not in output, name  # at most a four-character preview


def test_different_credentials_stay_apart(tmp_path: Path) -> None:
    other = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    report = audit(_repo(tmp_path, {
        "scripts/a.sh": f"#!/bin/bash\nset -euo pipefail\nexport GITHUB_TOKEN={_TOKEN}\n"
                        f"export OTHER_TOKEN={other}\n"}))
    assert len({f.key for f in _of(report, "SEC001")}) == len(_of(report, "SEC001")) == 2


def test_a_suppressed_place_leaves_the_others_and_ignore_group_silences_all(
        tmp_path: Path) -> None:
    ip = {"AI_URL": "http://10.20.0.21:8001"}
    files = {"docker-compose.a.yml": _compose(ip, "      # kubealign: ignore=DSC001 lab box\n"),
             "docker-compose.b.yml": _compose(ip), "docker-compose.c.yml": _compose(ip)}
    report = audit(_repo(tmp_path / "one", files))
    (finding,) = _of(report, "DSC001")
    assert [o.path for o in finding.places()] == ["docker-compose.b.yml", "docker-compose.c.yml"]
    assert [s.finding.path for s in report.suppressed] == ["docker-compose.a.yml"]

    files["docker-compose.a.yml"] = _compose(
        ip, "      # kubealign: ignore-group=DSC001 the lab box, everywhere\n")
    report = audit(_repo(tmp_path / "all", files))
    assert not _of(report, "DSC001")
    assert len(report.suppressed) == report.summary.suppressed_total == 3
    assert {s.reason for s in report.suppressed} == {"the lab box, everywhere"}


def test_json_lists_the_occurrences_and_sarif_one_result_per_root_cause(
        tmp_path: Path) -> None:
    report = audit(_repo(tmp_path, {
        f"docker-compose.{env}.yml": _compose({"AI_URL": "http://10.20.0.21:8001"})
        for env in ("a", "b", "c")}))
    data = json.loads(RENDERERS["json"](report))
    (finding,) = [f for f in data["findings"] if f["rule"] == "DSC001"]
    assert finding["key"] == "10.20.0.21"
    assert [o["path"] for o in finding["occurrences"]] == [
        "docker-compose.a.yml", "docker-compose.b.yml", "docker-compose.c.yml"]
    assert data["summary"]["occurrences_total"] >= 3
    run = json.loads(RENDERERS["sarif"](report))["runs"][0]
    (result,) = [r for r in run["results"] if r["ruleId"] == "DSC001"]
    assert len(result["relatedLocations"]) == 3
    assert "3 places: [docker-compose.a.yml:5](1)" in result["message"]["text"]
    assert result["properties"]["occurrences"] == 3


def test_grouping_keeps_the_worst_severity_and_the_first_place() -> None:
    def place(path: str, line: int, severity: Severity) -> Finding:
        return Finding("SEC001", severity, "committed credential (abcd…)", path, line,
                       key="sha256:0123456789ab", detail="literal x")

    (group,) = group_findings([place("b.sh", 3, Severity.CRITICAL),
                               place("a.sh", 9, Severity.LOW),
                               place("c.sh", 1, Severity.CRITICAL)])
    assert group.severity is Severity.CRITICAL
    assert (group.path, group.line) == ("b.sh", 3)
    assert group.occurrences == (
        Occurrence("a.sh", 9, "literal x", Severity.LOW),
        Occurrence("b.sh", 3, "literal x", Severity.CRITICAL),
        Occurrence("c.sh", 1, "literal x", Severity.CRITICAL),
    )


def test_findings_without_a_key_are_their_own_root_cause() -> None:
    findings = [Finding("DKF001", Severity.MEDIUM, "final stage runs as root", p, 1)
                for p in ("a/Dockerfile", "b/Dockerfile")]
    assert [len(g.places()) for g in group_findings(findings)] == [1, 1]
