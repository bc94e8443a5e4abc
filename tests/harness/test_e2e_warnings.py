"""tools/cluster/e2e.py: why a failed install failed, from the events that outlive its pods."""

from __future__ import annotations

from typing import Any

import pytest

from cluster_tools import cluster_tool


def _event(kind: str, name: str, reason: str, message: str) -> dict[str, Any]:
    return {"involvedObject": {"kind": kind, "name": name}, "reason": reason,
            "message": message, "type": "Warning"}


def test_warnings_are_one_line_per_workload_and_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    e2e = cluster_tool("e2e")
    items = [
        _event("Pod", "api-7d9f8c6b5d-x2x4q", "FailedScheduling", "0/9 nodes: Insufficient "
               "nvidia.com/gpu"),
        _event("Pod", "api-7d9f8c6b5d-k9z7w", "FailedScheduling", "0/9 nodes: Insufficient "
               "nvidia.com/gpu"),
        _event("Pod", "my-db-0", "FailedMount", "claim my-db-data not found"),
        _event("Pod", "setup-abcde", "BackOff", "back-off restarting"),
    ]
    asked: list[tuple[str, ...]] = []

    def kubectl_json(*args: str) -> dict[str, Any]:
        asked.append(args)
        return {"items": items}

    monkeypatch.setattr(e2e.lc, "kubectl_json", kubectl_json)
    lines = e2e.namespace_warnings("ns")
    assert lines == [
        "Pod/api FailedScheduling: 0/9 nodes: Insufficient nvidia.com/gpu",
        "Pod/my-db FailedMount: claim my-db-data not found",
        "Pod/setup BackOff: back-off restarting",
    ]
    assert asked == [("get", "events", "-n", "ns", "--field-selector", "type=Warning")]
    assert e2e.namespace_warnings("ns", limit=1)[-1] == "... and 2 more warning(s)"


def test_labelled_nodes_get_the_gpus_their_entry_asks_for() -> None:
    lc = cluster_tool("localcluster")
    nodes = lc.labelled_nodes({"nodeLabels": [
        {"labels": {"gpu": "true"}, "nodes": 2, "gpusPerNode": 1,
         "placeholders": ["<node:gpu=true:1>", "<node:gpu=true:2>"]},
        {"labels": {"ssd": "true"}, "nodes": 1, "placeholders": ["<node:ssd=true:1>"]}]})
    capacity = {name: obj["status"]["capacity"].get("nvidia.com/gpu")
                for _, name, obj in nodes}
    assert capacity == {"labelled-0-1": "1", "labelled-0-2": "1", "labelled-1-1": None}
