"""The example's nine environments: one chart, a base and an overlay each, proven by Helm."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from kubealign.actions.convert_plan import EnvironmentOutcome, PlanConvertOutcome
from kubealign.actions.validate import validate_chart_output
from kubealign.transform.consolidate import coalesce, expected_merge

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
        merged = coalesce(result.base, result.overlays[env.name])
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


def test_base_is_the_base_environment_itself(sophia_environments: PlanConvertOutcome) -> None:
    """values.yaml alone installs the plan's base environment; its overlay is empty."""
    result = sophia_environments.consolidation
    base = sophia_environments.plan.base
    assert base == "cloud" and result.base_environment == base
    assert result.overlays[base] == {}
    cloud = _env(sophia_environments, base)
    own = expected_merge(cloud.variant, {})
    assert {k: v for k, v in result.base.items() if k != "services"} == {
        k: v for k, v in own.items() if k != "services"}
    for name, svc in result.base["services"].items():
        assert svc == own["services"][name] if name in own["services"] else \
            svc["enabled"] is False, name
    enabled = [k for k, svc in result.base["services"].items() if svc["enabled"]]
    assert enabled == [k for k, svc in cloud.variant["services"].items()
                       if svc.get("enabled", True)]
    assert len(enabled) >= 10
    text = (sophia_environments.out / f"chart/values-{base}.yaml").read_text()
    assert [line for line in text.splitlines() if not line.startswith("#") and line] == []


def test_services_outside_the_base_are_written_once_switched_off(
        sophia_environments: PlanConvertOutcome) -> None:
    result = sophia_environments.consolidation
    assert result.base["services"]["dcgm-exporter"]["enabled"] is False
    assert result.overlays["ai-core"]["services"]["dcgm-exporter"]["enabled"] is True
    holders = [env for env, overlay in result.overlays.items()
               if "dcgm-exporter" in overlay.get("services", {})]
    assert holders == ["ai-core"]
    cloud = {o["metadata"]["name"] for o in _env(sophia_environments, "cloud").objects}
    assert "dcgm-exporter" not in cloud


def test_base_services_an_environment_lacks_are_switched_off(
        sophia_environments: PlanConvertOutcome) -> None:
    result = sophia_environments.consolidation
    local = _env(sophia_environments, "local")
    missing = set(result.base["services"]) - set(local.variant["services"])
    assert missing
    switched_off = {n for n in missing if result.base["services"][n]["enabled"]}
    assert switched_off
    for name in missing:
        overlay = result.overlays["local"]["services"].get(name)
        assert overlay == ({"enabled": False} if name in switched_off else None), name
    rendered = {o["metadata"]["name"] for o in local.objects}
    assert not missing & rendered


def test_keys_the_base_has_and_an_environment_lacks_are_null(
        sophia_environments: PlanConvertOutcome) -> None:
    """Helm deletes a chart default's key given null: the overlay removes what the base
    environment sets and this one does not (the law above proves the render)."""
    result = sophia_environments.consolidation
    for env in sophia_environments.environments:
        for name, svc in env.variant["services"].items():
            base = result.base["services"].get(name)
            if not isinstance(base, Mapping):
                continue
            overlay = result.overlays[env.name].get("services", {}).get(name, {})
            for key in set(base) - set(svc) - {"enabled"}:
                assert key in overlay and overlay[key] is None, (env.name, name, key)


def test_renamed_service_keeps_its_old_dns_name(sophia_environments: PlanConvertOutcome
                                                ) -> None:
    local = _env(sophia_environments, "local")
    services = {o["metadata"]["name"] for o in local.objects if o["kind"] == "Service"}
    assert {"sophia-backend", "backend", "sophia-frontend", "frontend"} <= services
    assert "backend" not in local.variant["services"]


def test_only_differences_go_to_overlays(sophia_environments: PlanConvertOutcome) -> None:
    result = sophia_environments.consolidation
    cloud = _env(sophia_environments, "cloud").variant["services"]["sophia-backend"]
    assert result.base["services"]["sophia-backend"]["image"] == cloud["image"]
    for env in sophia_environments.environments:
        own = env.variant["services"].get("sophia-backend")
        overlay = result.overlays[env.name].get("services", {}).get("sophia-backend", {})
        if own is not None and own["image"] == cloud["image"]:
            assert "image" not in overlay, env.name
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
