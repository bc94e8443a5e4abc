"""GPU time-slicing: proposed where services pin one shared device, taken from the plan
otherwise, and turned into the device plugin's configuration and node labels."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import yaml

from kubealign.actions.cluster import INVENTORY_FILE, SCRIPT_FILE, cluster, cluster_files
from kubealign.model.plan import Environment, NodePool, Plan
from kubealign.transform.cluster import GpuUse
from kubealign.transform.gpu_sharing import SHARING_FILE, gpu_sharing, sharing_config
from kubealign.transform.node_preparation import (
    capacity_problems,
    cluster_inventory,
    kubectl_script,
    node_preparation,
    prepare,
)

POOL = NodePool("gh200", gpu="GH200", gpus_per_node=1, nodes=("gh200-a", "gh200-b"))
PLAN = Plan(release="r", namespace="r", base="ai-core",
            environments=(Environment("ai-core", ("c.yaml",), ".", node_pool="gh200"),),
            node_pools=(POOL,))


def _pinned(*names: str, replicas: int = 2, device: str | None = "0") -> list[GpuUse]:
    return [GpuUse("ai-core", name, 1, "gh200", replicas=replicas, pinned_device=device)
            for name in names]


def test_services_pinning_one_device_beyond_the_pool_share_it() -> None:
    # Real (Sophia, deployment/docker-compose-ai-core.yml): eight services x 2 replicas each
    # claim a GPU and set CUDA_VISIBLE_DEVICES=0 on the one GH200 instance they ran on.
    uses = _pinned("llm", "embed", "rerank")  # 6 pods on 2 GPUs
    [shared] = gpu_sharing(PLAN, uses).values()
    assert (shared.pool, shared.replicas, shared.proposed) == ("gh200", 3, True)
    assert "each pin GPU index 0" in shared.reason and "embed, llm, rerank" in shared.reason
    assert capacity_problems(prepare(PLAN, uses)) == []  # 2 GPUs x 3 pods each hold the 6 pods


def test_no_sharing_without_evidence_of_one_shared_device() -> None:
    cases = {
        "no pinned device": _pinned("llm", "embed", "rerank", device=None),
        "two devices": [*_pinned("llm", "embed"), *_pinned("rerank", device="1")],
        "one service": _pinned("llm", replicas=6),
        "fits": _pinned("llm", replicas=1),
        "a claim of two": [GpuUse("ai-core", "train", 2, "gh200", 2, "0"),
                           *_pinned("embed")],
    }
    for case, uses in cases.items():
        assert gpu_sharing(PLAN, uses) == {}, case
    assert capacity_problems(prepare(PLAN, cases["no pinned device"]))  # still said, as before


def test_the_plan_decides_and_one_turns_sharing_off() -> None:
    uses = _pinned("llm", "embed", "rerank")
    chosen = dataclasses.replace(PLAN, node_pools=(dataclasses.replace(POOL, time_slicing=4),))
    [shared] = gpu_sharing(chosen, uses).values()
    assert (shared.replicas, shared.proposed) == (4, False)
    off = dataclasses.replace(PLAN, node_pools=(dataclasses.replace(POOL, time_slicing=1),))
    assert gpu_sharing(off, uses) == {}
    [problem] = capacity_problems(prepare(off, uses))
    assert "claims 6 GPUs on pool gh200" in problem


def test_sharing_becomes_device_plugin_config_labels_and_inventory() -> None:
    uses = _pinned("llm", "embed", "rerank")
    config = sharing_config(gpu_sharing(PLAN, uses))
    assert config["metadata"] == {"name": "kubealign-gpu-sharing", "namespace": "gpu-operator"}
    assert yaml.safe_load(config["data"]["gh200"]) == {"version": "v1", "sharing": {
        "timeSlicing": {"resources": [{"name": "nvidia.com/gpu", "replicas": 3}]}}}
    script = kubectl_script(prepare(PLAN, uses))
    for node in POOL.nodes:
        assert f"kubectl label node {node} nvidia.com/device-plugin.config=gh200 " \
               "--overwrite" in script
    assert "# time-slicing x3 (proposed)" in script
    [pool] = cluster_inventory(prepare(PLAN, uses))["pools"]
    assert pool["timeSlicing"]["replicas"] == 3
    assert pool["timeSlicing"]["nodeLabel"] == "nvidia.com/device-plugin.config=gh200"
    # No GPU use: no sharing file.
    assert SHARING_FILE not in cluster_files(node_preparation(PLAN, {}))


def test_cluster_command_writes_the_sharing_file_from_a_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    service = """
  {name}:
    image: ghcr.io/acme/{name}:1
    environment: [CUDA_VISIBLE_DEVICES=0]
    deploy:
      replicas: 2
      resources:
        reservations:
          devices: [{{driver: nvidia, count: 1, capabilities: [gpu]}}]
"""
    (repo / "compose.yaml").write_text("services:" + "".join(
        service.format(name=n) for n in ("llm", "embed")), encoding="utf-8")
    (repo / "kubealign.yaml").write_text(yaml.safe_dump({
        "release": "demo", "namespace": "demo", "base": "one",
        "environments": {"one": {"files": ["compose.yaml"], "nodePool": "gh200"}},
        "nodePools": {"gh200": {"gpu": "GH200", "gpusPerNode": 1, "nodes": ["gh200-a"]}},
    }), encoding="utf-8")
    outcome = cluster(repo / "kubealign.yaml", out=tmp_path / "out", environ={})
    assert outcome.problems == ()
    [shared] = outcome.sharing
    assert shared.replicas == 4  # 2 services x 2 pods on one GPU
    assert (tmp_path / "out" / SHARING_FILE).is_file()
    assert "nvidia.com/device-plugin.config=gh200" in outcome.files[SCRIPT_FILE]
    assert "timeSlicing" in outcome.files[INVENTORY_FILE]
