"""The audit of examples/sophia: golden JSON plus the seed report's inventory and findings."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kubealign.actions.audit import audit, render_json

REPO_ROOT = Path(__file__).resolve().parents[2]
SOPHIA = REPO_ROOT / "examples" / "sophia"
GOLDEN = Path(__file__).parent / "golden" / "sophia.json"


@pytest.fixture(scope="module")
def report_json() -> str:
    return render_json(audit(SOPHIA))


@pytest.fixture(scope="module")
def report(report_json: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(report_json)
    return data


def _at(report: dict[str, Any], rule: str) -> set[tuple[str, int | None]]:
    """Every place the rule's findings have (a finding is a root cause with its places)."""
    return {(o["path"], o["line"]) for f in report["findings"] if f["rule"] == rule
            for o in f["occurrences"]}


def test_golden_json(report_json: str, check_golden: Callable[[Path, str], None]) -> None:
    check_golden(GOLDEN, report_json)


def test_deterministic(report_json: str) -> None:
    assert render_json(audit(SOPHIA)) == report_json


def test_seed_inventory_compose_files(report: dict[str, Any]) -> None:
    variants = {v["file"]: v for v in report["compose"]["variants"]}
    for primary in (
        "docker-compose.cloud.yml",
        "docker-compose.unified.yml",
        "docker-compose.enhanced.yml",
    ):
        assert primary in variants
    instances = [f for f, v in variants.items() if v["role"] == "instance"]
    assert sorted(instances) == [
        "deployment/docker-compose-ai-core.yml",
        "deployment/docker-compose-data-pipeline.yml",
        "deployment/docker-compose-development.yml",
        "deployment/docker-compose-mcp-orchestrator.yml",
        "deployment/docker-compose-production.yml",
    ]
    assert variants["docker-compose.cloud.yml"]["role"] == "stack"
    assert variants["docker-compose.cloud.yml"]["live"] is True
    assert "docker-compose.cloud.yml" in variants["docker-compose.unified.yml"]["variant_of"]


def test_seed_inventory_dockerfiles(report: dict[str, Any]) -> None:
    groups = {g["service"]: g for g in report["dockerfiles"]}
    backend = {v["path"] for v in groups["sophia-backend"]["variants"]}
    assert {
        "Dockerfile.production",
        "Dockerfile.production.2025",
        "docker/Dockerfile.optimized",
    } <= backend
    assert groups["sophia-backend"]["recommended"] == "Dockerfile.production.2025"
    assert {v["path"] for v in groups["sophia-frontend"]["variants"]} == {
        "frontend/Dockerfile",
        "frontend/Dockerfile.simple",
    }
    all_paths = {v["path"] for g in report["dockerfiles"] for v in g["variants"]}
    assert "docker/Dockerfile.gh200" in all_paths
    assert ("frontend/Dockerfile.simple", 1) in _at(report, "DKF004")


def test_seed_inventory_kubernetes(report: dict[str, Any]) -> None:
    folders = {m["path"].split("/")[1] for m in report["kubernetes"]["manifests"]}
    assert {"production", "gitops", "keel", "monitoring", "security", "mcp-servers"} <= folders
    charts = report["kubernetes"]["charts"]
    assert [(c["directory"], c["installed"]) for c in charts] == [
        ("kubernetes/helm/sophia-platform", False)
    ]
    assert ("kubernetes/helm/sophia-platform/Chart.yaml", 1) in _at(report, "K8S004")
    namespaces = {n["name"] for n in report["kubernetes"]["namespaces"]}
    assert {"sophia-ai", "sophia-production", "mcp", "monitoring"} <= namespaces
    assert _at(report, "K8S001"), "conflicting namespaces"
    assert not any(m["applied"] for m in report["kubernetes"]["manifests"])
    assert report["kubernetes"]["keel"]


def test_seed_inventory_scripts(report: dict[str, Any]) -> None:
    scripts = {s["path"]: s for s in report["scripts"]}
    assert len(scripts) >= 15
    for named in (
        "deploy_sophia_unified.sh",
        "scripts/deploy_to_lambda_labs_kubernetes.py",
        "deploy_sophia_platform.sh",
        "scripts/deploy_lambda_labs_complete.py",
        "lambda_migration_deploy.sh",
    ):
        assert named in scripts
    assert scripts["deploy_sophia_unified.sh"]["live"] is True
    assert scripts["scripts/deploy_to_lambda_labs_kubernetes.py"]["live"] is False
    assert report["duplicate_groups"]
    assert report["script_reduction_percent"] >= 85.0


def test_strategies(report: dict[str, Any]) -> None:
    live = set(report["summary"]["live_strategies"])
    dead = set(report["summary"]["dead_strategies"])
    assert "swarm" in live
    assert {"kubernetes", "helm", "argocd", "kustomize"} <= dead


def test_orchestration_confusion(report: dict[str, Any]) -> None:
    assert ("docs/DEPLOYMENT.md", 7) in _at(report, "STR003")
    assert _at(report, "STR001")


def test_secret_management(report: dict[str, Any]) -> None:
    assert ("kubernetes/production/secrets.yaml", 9) in _at(report, "SEC002")
    assert ("scripts/deploy_lambda_labs_complete.py", 13) in _at(report, "SEC001")
    assert _at(report, "SEC003"), "services get secrets several ways"


def test_service_discovery(report: dict[str, Any]) -> None:
    assert ("docker-compose.cloud.yml", 241) in _at(report, "DSC001")
    assert _at(report, "DSC003")


def test_resource_management(report: dict[str, Any]) -> None:
    assert _at(report, "GPU001")
    assert _at(report, "RES001")


def test_networking(report: dict[str, Any]) -> None:
    assert ("docker-compose.cloud.yml", 534) in _at(report, "CMP201")
    assert ("kubernetes/production/ingress.yaml", 13) in _at(report, "NET001")
    assert all(n > 0 for n in report["summary"]["inconsistencies"].values())


def test_no_secret_value_in_report(report_json: str) -> None:
    assert "FAKE-Pg-k8s" not in report_json
    assert "RkFLRS1Q" not in report_json
