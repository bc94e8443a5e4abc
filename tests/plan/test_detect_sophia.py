"""`kubealign plan` on the bundled example: environments, matches, pools, golden file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kubealign.actions.plan import PlanOutcome, plan
from kubealign.model.plan import EnvironmentKind
from kubealign.transform.plan.codec import read_plan_text

REPO = Path(__file__).resolve().parents[2]
SOPHIA = REPO / "examples" / "sophia"
GOLDEN = Path(__file__).parent / "golden" / "sophia-kubealign.yaml"


@pytest.fixture(scope="module")
def detected() -> PlanOutcome:
    return plan(SOPHIA, write=False)


def test_environments_of_the_example(detected: PlanOutcome) -> None:
    envs = {e.name: e for e in detected.plan.environments}
    assert set(envs) == {"local", "development", "production", "ai-core", "mcp-orchestrator",
                         "data-pipeline", "cloud", "enhanced", "unified"}
    assert envs["local"].files == ("docker-compose.yml", "docker-compose.override.yml")
    assert envs["ai-core"].files == ("deployment/docker-compose-ai-core.yml",)
    assert envs["ai-core"].project_directory == "deployment"
    assert envs["ai-core"].kind is EnvironmentKind.STANDALONE
    assert envs["cloud"].kind is EnvironmentKind.SWARM
    assert detected.plan.base == "cloud"
    assert detected.plan.migration_order[0] == "development"
    assert detected.plan.migration_order[-1] == "cloud"


def test_override_is_attached_not_an_environment(detected: PlanOutcome) -> None:
    files = [f for e in detected.plan.environments for f in e.files]
    assert files.count("docker-compose.override.yml") == 1


def test_gpu_pools_per_environment(detected: PlanOutcome) -> None:
    envs = {e.name: e for e in detected.plan.environments}
    assert {n: envs[n].node_pool for n in ("development", "production", "ai-core",
                                           "mcp-orchestrator", "data-pipeline")} == {
        "development": "a10", "production": "rtx6000", "ai-core": "gh200",
        "mcp-orchestrator": "a6000", "data-pipeline": "a100"}
    assert dict(envs["cloud"].service_pools) == {"ai-core": "gh200", "data-pipeline": "a100"}
    assert envs["local"].node_pool is None  # no GPU service runs by default there
    pools = {p.name: p for p in detected.plan.node_pools}
    assert pools["gh200"].architecture == "arm64"
    assert pools["gh200"].taint == "nvidia.com/gpu=true:NoSchedule"
    assert pools["a6000"].taint is None  # MCP servers without GPUs are pinned there
    assert pools["a100"].gpus_per_node == 2
    assert pools["gh200"].nodes == ("sophia-ai-core",)


def test_backend_matched_across_names_with_evidence(detected: PlanOutcome) -> None:
    matches = {m.name: m for m in detected.plan.services}
    backend = matches["sophia-backend"]
    assert dict(backend.names) == {"local": "backend", "unified": "backend"}
    assert "scoobyjava15/sophia-backend" in backend.evidence
    assert detected.plan.renames("local") == {"backend": "sophia-backend",
                                              "frontend": "sophia-frontend"}


def test_doubtful_files_are_listed(detected: PlanOutcome) -> None:
    doubtful = {a.file for a in detected.plan.ambiguous}
    assert "docker-compose.unified.yml" in doubtful


def test_plan_reads_back_identically(detected: PlanOutcome) -> None:
    assert read_plan_text(detected.text, "kubealign.yaml").plan == detected.plan


def test_plan_is_deterministic(detected: PlanOutcome) -> None:
    assert plan(SOPHIA, write=False).text == detected.text


def test_plan_golden(detected: PlanOutcome, check_golden: Callable[[Path, str], None]) -> None:
    check_golden(GOLDEN, detected.text)
