"""`kubealign cluster`: kubectl commands and inventory for the plan's GPU pools."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from kubealign.actions.cluster import INVENTORY_FILE, SCRIPT_FILE, ClusterOutcome, cluster
from kubealign.actions.plan import plan
from kubealign.model.plan import Environment, NodePool, Plan
from kubealign.transform.cluster import GpuUse, capacity_problems, kubectl_script

SOPHIA = Path(__file__).resolve().parents[2] / "examples" / "sophia"


@pytest.fixture(scope="module")
def sophia(tmp_path_factory: pytest.TempPathFactory) -> ClusterOutcome:
    repo = tmp_path_factory.mktemp("cluster") / "sophia"
    shutil.copytree(SOPHIA, repo)
    plan(repo)
    return cluster(repo / "kubealign.yaml", out=repo / "out", environ={})


def test_commands_label_and_taint_each_pool(sophia: ClusterOutcome) -> None:
    script = sophia.files[SCRIPT_FILE]
    assert ("kubectl label node sophia-ai-core gpu=gh200 gpu-type=gh200 --overwrite"
            in script)
    assert "kubectl taint node sophia-ai-core nvidia.com/gpu=true:NoSchedule --overwrite" in script
    assert "kubectl taint node sophia-mcp-orchestrator" not in script
    assert sophia.problems == ()


def test_inventory_lists_pools_and_their_gpu_services(sophia: ClusterOutcome) -> None:
    data = yaml.safe_load(sophia.files[INVENTORY_FILE])
    pools = {p["name"]: p for p in data["pools"]}
    assert set(pools) == {"a10", "a100", "a6000", "gh200", "rtx6000"}
    assert {"environment": "cloud", "service": "data-pipeline", "gpus": 2} in \
        pools["a100"]["usedBy"]
    assert pools["gh200"]["architecture"] == "arm64"
    assert pools["gh200"]["taints"] == [{"key": "nvidia.com/gpu", "value": "true",
                                         "effect": "NoSchedule"}]


def test_too_many_gpus_for_a_node_is_reported() -> None:
    plan_ = Plan(release="r", namespace="r", base="e",
                 environments=(Environment("e", ("c.yaml",), ".", node_pool="t4"),),
                 node_pools=(NodePool("t4", gpu="T4", gpus_per_node=1),))
    uses = [GpuUse("e", "train", 4, "t4")]
    assert capacity_problems(plan_, uses) == ["e/train asks for 4 GPUs; a t4 node has 1"]
    assert "<t4-node>" in kubectl_script(plan_, uses)
