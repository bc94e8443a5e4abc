"""`kubealign cluster`: kubectl commands and inventory for the plan's GPU pools."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from kubealign.actions.cluster import INVENTORY_FILE, SCRIPT_FILE, ClusterOutcome, cluster
from kubealign.actions.plan import plan
from kubealign.model.plan import Environment, NodePool, Plan
from kubealign.transform.cluster import GpuUse
from kubealign.transform.node_preparation import capacity_problems, kubectl_script, prepare

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
    assert capacity_problems(prepare(plan_, uses)) == ["e/train asks for 4 GPUs; a t4 node has 1"]
    assert "<t4-node>" in kubectl_script(prepare(plan_, uses))


def test_an_environment_claiming_more_gpus_than_its_pool_holds_is_reported() -> None:
    # Real (Sophia, deployment/docker-compose-ai-core.yml): eight services x 2 replicas each
    # claim a GPU of the one GH200 instance; on the cluster 10 of 16 pods stayed Pending.
    plan_ = Plan(release="r", namespace="r", base="ai-core",
                 environments=(Environment("ai-core", ("c.yaml",), ".", node_pool="gh200"),),
                 node_pools=(NodePool("gh200", gpu="GH200", gpus_per_node=1,
                                      nodes=("gh200-a", "gh200-b")),))
    uses = [GpuUse("ai-core", "llm", 1, "gh200", replicas=2),
            GpuUse("ai-core", "embed", 1, "gh200"),
            GpuUse("ai-core", "exporter", 0, "gh200")]  # shares the node's GPUs: no claim
    [problem] = capacity_problems(prepare(plan_, uses))
    assert problem.startswith("ai-core claims 3 GPUs on pool gh200, whose 2 known node(s) "
                              "hold 2: up to 1 GPU claim(s) stay Pending")
    assert capacity_problems(prepare(plan_, uses[1:])) == []


def test_node_labels_required_by_placement_are_listed_with_the_nodes_they_need(
        tmp_path: Path) -> None:
    # Real (erlmcp): a Swarm monitoring stack pinned with `node.labels.erlmcp.role ==
    # monitoring` stayed Pending on every cluster: nothing said which nodes to label.
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "docker-compose.yml").write_text(
        "services:\n"
        "  grafana:\n    image: grafana/grafana:11.0.0\n    deploy:\n      replicas: 2\n"
        "      placement:\n        constraints: [node.labels.role == monitoring]\n"
        "        max_replicas_per_node: 1\n"
        "  loki:\n    image: grafana/loki:3.0.0\n    deploy:\n      placement:\n"
        "        constraints: [node.labels.role == monitoring, node.role == manager]\n"
        "  api:\n    image: acme/api:1\n    deploy:\n      placement:\n"
        "        constraints: [node.labels.role != monitoring]\n", encoding="utf-8")
    plan(repo)
    outcome = cluster(repo / "kubealign.yaml", out=repo / "out", environ={})
    inventory = yaml.safe_load(outcome.files[INVENTORY_FILE])
    [entry] = inventory["nodeLabels"]  # `!=` needs no label: an unlabelled node satisfies it
    assert entry["labels"] == {"role": "monitoring"}
    assert entry["nodes"] == 2  # two replicas, at most one per node
    assert {u["service"] for u in entry["usedBy"]} == {"grafana", "loki"}
    script = outcome.files[SCRIPT_FILE]
    for placeholder in entry["placeholders"]:
        assert f"kubectl label node '{placeholder}' role=monitoring --overwrite" in script
    assert "(at most one replica per node)" in script


def test_labelled_nodes_of_gpu_services_have_gpus(tmp_path: Path) -> None:
    # Real (Sophia, docker-compose.enhanced.yml): a GPU service of 2 replicas placed with
    # `node.labels.gpu == true`, in an environment with no GPU pool: the labelled node the
    # inventory asked for had no GPU, and both pods stayed Pending (Insufficient nvidia.com/gpu).
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "docker-compose.yml").write_text(
        "services:\n"
        "  cortex:\n    image: acme/cortex:1\n    deploy:\n      replicas: 2\n"
        "      placement:\n        constraints: [node.labels.gpu == true]\n"
        "      resources:\n        reservations:\n          devices:\n"
        "            - {driver: nvidia, count: 1, capabilities: [gpu]}\n"
        "  cache:\n    image: redis:7\n    deploy:\n      placement:\n"
        "        constraints: [node.labels.ssd == true]\n", encoding="utf-8")
    plan(repo)
    outcome = cluster(repo / "kubealign.yaml", out=repo / "out", environ={})
    entries = {tuple(e["labels"].items()): e
               for e in yaml.safe_load(outcome.files[INVENTORY_FILE])["nodeLabels"]}
    gpu = entries[(("gpu", "true"),)]
    assert (gpu["nodes"], gpu["gpusPerNode"]) == (2, 1)  # a node per GPU pod, each with a GPU
    assert gpu["usedBy"] == [{"environment": gpu["usedBy"][0]["environment"],
                              "service": "cortex", "gpus": 1}]
    ssd = entries[(("ssd", "true"),)]
    assert "gpusPerNode" not in ssd and ssd["nodes"] == 1
    assert "gpu=true: 2 node(s) with 1 GPU(s) each" in outcome.files[SCRIPT_FILE]


def _gpu_pool_repo(tmp_path: Path, constraints: dict[str, str]) -> Path:
    """A repository whose GPU services (one per placement constraint) run on pool a100."""
    repo = tmp_path / "repo"
    repo.mkdir()
    services = "".join(
        f"  {name}:\n    image: acme/{name}:1\n    deploy:\n      placement:\n"
        f"        constraints: [{constraint}]\n"
        "      resources:\n        reservations:\n          devices:\n"
        "            - {driver: nvidia, count: 1, capabilities: [gpu]}\n"
        for name, constraint in constraints.items())
    (repo / "docker-compose.yml").write_text("services:\n" + services, encoding="utf-8")
    plan(repo)
    data = yaml.safe_load((repo / "kubealign.yaml").read_text(encoding="utf-8"))
    for env in data["environments"].values():
        env["nodePool"] = "a100"
    data["nodePools"] = {"a100": {"gpu": "A100", "gpusPerNode": 1, "nodes": ["gpu-1", "gpu-2"]}}
    data.pop("ambiguous", None)
    (repo / "kubealign.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return repo


def test_placement_labels_of_a_pool_service_go_on_the_pool_nodes(tmp_path: Path) -> None:
    # A GPU service of pool a100 placed with `node.labels.zone == east`: its pods select the
    # pool label AND zone=east. Nodes labelled zone=east apart from the pool (the former
    # placeholders) carried no pool label, so no node had both and the pods stayed Pending.
    repo = _gpu_pool_repo(tmp_path, {"cortex": "node.labels.zone == east"})
    outcome = cluster(repo / "kubealign.yaml", out=repo / "out", environ={})
    inventory = yaml.safe_load(outcome.files[INVENTORY_FILE])
    assert "nodeLabels" not in inventory  # no node apart from the pool's
    [pool] = inventory["pools"]
    assert pool["placementLabels"]["labels"] == {"zone": "east"}
    assert [u["service"] for u in pool["placementLabels"]["usedBy"]] == ["cortex"]
    script = outcome.files[SCRIPT_FILE]
    for node in ("gpu-1", "gpu-2"):
        assert f"kubectl label node {node} gpu-type=a100 zone=east --overwrite" in script
    assert "<node:" not in script
    assert outcome.problems == ()


def test_a_pool_whose_services_want_one_label_with_two_values_is_a_problem(
        tmp_path: Path) -> None:
    repo = _gpu_pool_repo(tmp_path, {"east": "node.labels.zone == east",
                                     "west": "node.labels.zone == west"})
    outcome = cluster(repo / "kubealign.yaml", out=repo / "out", environ={})
    [problem] = [p for p in outcome.problems if p.startswith("pool a100")]
    assert "zone with different values" in problem and "servicePools" in problem
    script = outcome.files[SCRIPT_FILE]
    assert "kubectl label node gpu-1 gpu-type=a100 --overwrite" in script  # zone left alone
    assert "# NOT labelled: zone" in script
