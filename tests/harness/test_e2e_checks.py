"""The harness's own judgements (tools/cluster/e2e.py), on made-up objects: a false alarm of
the harness would send someone to fix a converter that did nothing wrong."""

from __future__ import annotations

from cluster_tools import cluster_tool


def test_a_node_s_condition_taint_is_not_a_gpu_pool_s() -> None:
    e2e = cluster_tool("e2e")
    not_ready = {"spec": {"taints": [{"key": "node.kubernetes.io/not-ready",
                                      "effect": "NoSchedule"}]}}
    gpu = {"spec": {"taints": [{"key": "nvidia.com/gpu", "value": "present",
                                "effect": "NoSchedule"}]}}
    assert not e2e.plan_tainted(not_ready)
    assert not e2e.plan_tainted({"spec": {}})
    assert e2e.plan_tainted(gpu)


def test_a_long_failure_keeps_what_failed_and_why() -> None:
    e2e = cluster_tool("e2e")
    said = e2e.one_line("Error: UPGRADE FAILED: server-side apply failed for object "
                        + "x" * 900 + " Service \"api\" is invalid: spec.ports: Required value")
    assert said.startswith("Error: UPGRADE FAILED")
    assert said.endswith("spec.ports: Required value")
    assert len(said) <= 600
