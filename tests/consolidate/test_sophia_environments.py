"""The example's nine environments: one chart, a base and an overlay each, proven by Helm."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from kubealign.actions.convert_plan import EnvironmentOutcome, PlanConvertOutcome
from kubealign.actions.validate import validate_chart_output
from kubealign.transform.consolidate import deep_merge, expected_merge

GOLDEN = Path(__file__).parent / "golden"


def _env(outcome: PlanConvertOutcome, name: str) -> EnvironmentOutcome:
    return next(e for e in outcome.environments if e.name == name)


def _workload(env: EnvironmentOutcome, name: str) -> Mapping[str, Any]:
    return next(o for o in env.objects if o["kind"] in ("Deployment", "StatefulSet", "DaemonSet")
                and o["metadata"]["name"] == name)


def _pod(workload: Mapping[str, Any]) -> Mapping[str, Any]:
    pod: Mapping[str, Any] = workload["spec"]["template"]["spec"]
    return pod


def test_one_chart_a_base_and_one_overlay_per_environment(
        sophia_environments: PlanConvertOutcome) -> None:
    names = [e.name for e in sophia_environments.plan.environments]
    files = set(sophia_environments.files)
    assert "chart/values.yaml" in files
    assert {f"chart/values-{n}.yaml" for n in names} <= files
    assert len([f for f in files if f.startswith("chart/Chart.yaml")]) == 1


def test_every_environment_renders_validates_and_matches_its_compose_files(
        sophia_environments: PlanConvertOutcome) -> None:
    for env in sophia_environments.environments:
        assert env.objects, env.name
        assert env.invalid == (), env.name
        assert env.semantic == (), env.name


def test_law_with_real_helm_base_plus_overlay_renders_the_variant_alone(
        sophia_environments: PlanConvertOutcome) -> None:
    for env in sophia_environments.environments:
        assert env.proof == (), (env.name, env.proof)


def test_law_on_values(sophia_environments: PlanConvertOutcome) -> None:
    result = sophia_environments.consolidation
    for env in sophia_environments.environments:
        merged = deep_merge(result.base, result.overlays[env.name])
        assert merged == expected_merge(env.variant, result.base), env.name


def test_validate_all_environments_of_the_output(sophia_environments: PlanConvertOutcome
                                                 ) -> None:
    report = validate_chart_output(sophia_environments.out)
    assert report.results
    assert not [r for r in report.results if r.violations]


@pytest.mark.parametrize(("env", "service", "pool", "gpus"), [
    ("ai-core", "ai-core", "gh200", 1),
    ("cloud", "ai-core", "gh200", 1),
    ("cloud", "data-pipeline", "a100", 2),
    ("data-pipeline", "data-pipeline", "a100", 2),
    ("development", "ai-core", "a10", 1),
    ("mcp-orchestrator", "mcp-orchestrator", "a6000", 1),
    ("production", "sophia-backend", "rtx6000", 1),
])
def test_gpu_services_land_on_their_pool(sophia_environments: PlanConvertOutcome, env: str,
                                         service: str, pool: str, gpus: int) -> None:
    pod = _pod(_workload(_env(sophia_environments, env), service))
    assert pod["nodeSelector"]["gpu-type"] == pool
    assert pod["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == gpus
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in \
        pod["tolerations"]


def test_non_gpu_services_get_no_gpu_pool(sophia_environments: PlanConvertOutcome) -> None:
    pod = _pod(_workload(_env(sophia_environments, "cloud"), "postgres"))
    assert "gpu-type" not in pod.get("nodeSelector", {})


def test_partial_services_disabled_in_base_enabled_in_their_overlays(
        sophia_environments: PlanConvertOutcome) -> None:
    result = sophia_environments.consolidation
    assert result.base["services"]["dcgm-exporter"]["enabled"] is False
    assert result.overlays["ai-core"]["services"]["dcgm-exporter"]["enabled"] is True
    holders = [env for env, overlay in result.overlays.items()
               if "dcgm-exporter" in overlay.get("services", {})]
    assert holders == ["ai-core"]
    cloud = {o["metadata"]["name"] for o in _env(sophia_environments, "cloud").objects}
    assert "dcgm-exporter" not in cloud


def test_renamed_service_keeps_its_old_dns_name(sophia_environments: PlanConvertOutcome
                                                ) -> None:
    local = _env(sophia_environments, "local")
    services = {o["metadata"]["name"] for o in local.objects if o["kind"] == "Service"}
    assert {"sophia-backend", "backend", "sophia-frontend", "frontend"} <= services
    assert "backend" not in local.variant["services"]


def test_only_differences_go_to_overlays(sophia_environments: PlanConvertOutcome) -> None:
    result = sophia_environments.consolidation
    assert result.base["services"]["sophia-backend"]["image"]["tag"] == "2025.01.10"
    assert "image" not in result.overlays["cloud"]["services"]["sophia-backend"]
    assert result.overlays["enhanced"]["services"]["sophia-backend"]["image"] == {
        "tag": "2025.01.12-enhanced"}
    assert result.base["global"]["gpu"]["nodeSelectorKey"] == "gpu-type"


def test_difference_report_names_the_suspicious_values(sophia_environments: PlanConvertOutcome
                                                       ) -> None:
    report = (sophia_environments.out / "environments.md").read_text()
    assert "**sophia-backend** runs 5 different tags" in report
    assert "`AI_CORE_URL` hard-codes 192.0.2.21 in cloud (mcp-orchestrator)" in report
    assert "FAKE" not in report  # secret values never reach the report


def test_no_secret_value_in_any_output(sophia_environments: PlanConvertOutcome) -> None:
    for rel in sophia_environments.files:
        text = (sophia_environments.out / rel).read_text(encoding="utf-8")
        for secret in ("hf_FAKEEXAMPLE", "FAKE-Pg-7qL2", "ghp_EXAMPLEFAKE", "sophia-dev-FAKE"):
            assert secret not in text, rel


@pytest.mark.parametrize("name", ["chart/values.yaml", "chart/values-ai-core.yaml",
                                  "chart/values-cloud.yaml", "chart/values-development.yaml",
                                  "chart/values-local.yaml", "environments.md",
                                  "gitops/applicationset.yaml", "cluster/node-pools.yaml"])
def test_golden(sophia_environments: PlanConvertOutcome, name: str,
                check_golden: Callable[[Path, str], None]) -> None:
    text = (sophia_environments.out / name).read_text(encoding="utf-8")
    check_golden(GOLDEN / name.replace("/", "__"), text)


def test_output_is_deterministic(sophia_environments: PlanConvertOutcome,
                                 tmp_path: Path) -> None:
    from sophia_plan import converted_example

    again = converted_example(tmp_path)
    for rel in sophia_environments.files:
        assert (again.out / rel).read_bytes() == (sophia_environments.out / rel).read_bytes(), rel
