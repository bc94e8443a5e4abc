"""The node preparation a plan needs: one computation of who uses which pool (GPU claims,
time-slicing, placement labels) turned into the inventory (``node-pools.yaml``), the kubectl
commands (``prepare-nodes.sh``) and the capacity problems, so the three always agree."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubealign.model.compose import Project
from kubealign.model.plan import NodePool, Plan
from kubealign.transform.cluster import GpuUse, LabelUse, gpu_uses, label_uses, pool_labels
from kubealign.transform.gpu_sharing import (
    CONFIG_LABEL,
    CONFIG_MAP,
    CONFIG_NAMESPACE,
    GpuSharing,
    gpu_sharing,
    physical_gpus,
)


@dataclass(frozen=True, slots=True)
class NodePreparation:
    """What the plan's services need of the cluster's nodes, computed once."""

    plan: Plan
    uses: tuple[GpuUse, ...]
    labelled: tuple[LabelUse, ...] = ()
    sharing: Mapping[str, GpuSharing] = field(default_factory=dict)

    def pool_placement(self, pool: str) -> tuple[dict[str, str], list[str], list[LabelUse]]:
        """(labels every node of ``pool`` gets for its services' placement, keys its
        services want with different values — one node cannot carry both —, the users)."""
        users = [u for u in self.labelled if u.pool == pool]
        wanted: dict[str, set[str]] = {}
        for use in users:
            for key, value in use.labels:
                wanted.setdefault(key, set()).add(value)
        labels = {k: next(iter(v)) for k, v in sorted(wanted.items()) if len(v) == 1}
        return labels, sorted(k for k, v in wanted.items() if len(v) > 1), users

    def free_label_sets(self) -> list[tuple[tuple[tuple[str, str], ...], int, list[LabelUse]]]:
        """(labels, nodes needed, users) per label set that no pool carries, sorted."""
        grouped: dict[tuple[tuple[str, str], ...], list[LabelUse]] = {}
        for use in self.labelled:
            if use.pool is None:
                grouped.setdefault(use.labels, []).append(use)
        return [(labels, max(u.nodes for u in users), users)
                for labels, users in sorted(grouped.items())]


def prepare(plan: Plan, uses: Sequence[GpuUse],
            labelled: Sequence[LabelUse] = ()) -> NodePreparation:
    return NodePreparation(plan, tuple(uses), tuple(labelled), gpu_sharing(plan, uses))


def node_preparation(plan: Plan, projects: Mapping[str, Project]) -> NodePreparation:
    """Everything the environments' services need of the nodes."""
    return prepare(plan, gpu_uses(plan, projects), label_uses(plan, projects))


def label_placeholder(labels: Sequence[tuple[str, str]], index: int) -> str:
    """The stand-in node name of ``prepare-nodes.sh`` for the ``index``-th node (from 1) to
    give ``labels`` (no node names are known for them)."""
    return "<node:" + ",".join(f"{k}={v}" for k, v in labels) + f":{index}>"


def _label_gpus(users: Sequence[LabelUse]) -> int:
    """GPUs each labelled node must have for the label set's GPU users (0: none)."""
    return max((u.gpus for u in users), default=0)


def _taint_parts(taint: str) -> dict[str, str]:
    key_value, _, effect = taint.rpartition(":")
    key, _, value = key_value.partition("=")
    parts = {"key": key, "effect": effect}
    if value:
        parts["value"] = value
    return parts


def _users_text(users: Sequence[LabelUse]) -> str:
    names = sorted({f"{u.environment}/{u.service}" for u in users})
    return ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")


def _pool_entry(prep: NodePreparation, pool: NodePool) -> dict[str, Any]:
    users = [u for u in prep.uses if u.pool == pool.name]
    shared = prep.sharing.get(pool.name)
    placement, _, placed = prep.pool_placement(pool.name)
    entry: dict[str, Any] = {
        "name": pool.name,
        "gpu": pool.gpu,
        "gpusPerNode": pool.gpus_per_node,
        "architecture": pool.architecture,
        "labels": pool_labels(prep.plan, pool),
        "placementLabels": {
            "labels": placement,
            "usedBy": [{"environment": u.environment, "service": u.service} for u in placed],
        } if placement else None,
        "taints": [_taint_parts(pool.taint)] if pool.taint else [],
        "nodes": list(pool.nodes),
        "expectedGpuProduct": pool.product,
        "usedBy": [{"environment": u.environment, "service": u.service, "gpus": u.gpus}
                   for u in users],
        "timeSlicing": None if shared is None else {
            "replicas": shared.replicas, "proposed": shared.proposed,
            "reason": shared.reason,
            "config": f"{CONFIG_NAMESPACE}/{CONFIG_MAP} key {pool.name} (gpu-sharing.yaml)",
            "nodeLabel": f"{CONFIG_LABEL}={pool.name}"},
    }
    return {k: v for k, v in entry.items() if v is not None}


def cluster_inventory(prep: NodePreparation) -> dict[str, Any]:
    plan = prep.plan
    unplaced = [{"environment": u.environment, "service": u.service, "gpus": u.gpus}
                for u in prep.uses if u.pool is None]
    data: dict[str, Any] = {"nodeSelectorKey": plan.node_selector_key,
                            "pools": [_pool_entry(prep, pool) for pool in plan.node_pools]}
    problems = capacity_problems(prep)
    if problems:
        data["capacityProblems"] = problems
    if unplaced:
        data["gpuServicesWithoutPool"] = unplaced
    sets = prep.free_label_sets()
    if sets:
        data["nodeLabels"] = [
            {"labels": dict(labels), "nodes": nodes,
             **({"gpusPerNode": _label_gpus(users)} if _label_gpus(users) else {}),
             "placeholders": [label_placeholder(labels, i) for i in range(1, nodes + 1)],
             "usedBy": [{"environment": u.environment, "service": u.service,
                         **({"gpus": u.gpus} if u.gpus else {})} for u in users]}
            for labels, nodes, users in sets]
    return data


def capacity_problems(prep: NodePreparation) -> list[str]:
    """GPU services asking for more GPUs than one node of their pool has (never schedulable),
    environments whose GPU pods together claim more GPUs than their pool's known nodes hold
    (the rest stay Pending: Insufficient nvidia.com/gpu), and pools whose services want one
    node label with different values."""
    plan = prep.plan
    problems = []
    for use in prep.uses:
        pool = plan.pool(use.pool) if use.pool else None
        if pool is not None and pool.gpus_per_node is not None and use.gpus > pool.gpus_per_node:
            problems.append(f"{use.environment}/{use.service} asks for {use.gpus} GPUs; a "
                            f"{pool.name} node has {pool.gpus_per_node}")
    claimed: dict[tuple[str, str], int] = {}
    for use in prep.uses:
        if use.pool is not None and use.gpus > 0:
            key = (use.environment, use.pool)
            claimed[key] = claimed.get(key, 0) + use.gpus * use.replicas
    for (environment, pool_name), total in sorted(claimed.items()):
        pool = plan.pool(pool_name)
        if pool is None or not pool.nodes:
            continue  # no node known: nothing to compare with
        # A node of a GPU pool has one GPU at least; the plan's count when it knows it; each
        # serves as many pods as its time-slicing says.
        shared = prep.sharing.get(pool_name)
        capacity = physical_gpus(pool) * (shared.replicas if shared else 1)
        if total > capacity:
            held = f"hold {capacity}" if pool.gpus_per_node else f"hold {capacity} or more"
            if shared:
                held += f" with time-slicing x{shared.replicas}"
            problems.append(
                f"{environment} claims {total} GPUs on pool {pool.name}, whose "
                f"{len(pool.nodes)} known node(s) {held}: up to {total - capacity} GPU "
                "claim(s) stay Pending (Insufficient nvidia.com/gpu); let services that use "
                "one device share it (gpu.shared: true), lower their replicas, or add nodes")
    for pool in plan.node_pools:
        _, conflicts, users = prep.pool_placement(pool.name)
        for label in conflicts:
            wants = sorted({f"{u.environment}/{u.service} {label}={v}"
                            for u in users for k, v in u.labels if k == label})
            problems.append(
                f"pool {pool.name}: its services' placement wants node label {label} with "
                f"different values ({', '.join(wants)}); a node carries one, so those pods "
                "stay Pending: give them pools of their own (servicePools in kubealign.yaml)")
    return problems


def _pool_commands(prep: NodePreparation, pool: NodePool) -> list[str]:
    users = sorted({f"{u.environment}/{u.service}" for u in prep.uses if u.pool == pool.name})
    lines = [f"# pool {pool.name}: {pool.gpu or 'GPU'}"
             + (f" x{pool.gpus_per_node} per node" if pool.gpus_per_node else "")
             + (f", {pool.architecture}" if pool.architecture else "")
             + (f"; used by {', '.join(users)}" if users else "; no GPU service yet")]
    nodes = list(pool.nodes) or [f"<{pool.name}-node>"]
    if not pool.nodes:
        lines.append("# no node names known: replace the placeholder")
    labels = pool_labels(prep.plan, pool)
    placement, conflicts, placed = prep.pool_placement(pool.name)
    if placement:
        lines.append("# placement of " + _users_text(placed) + " also needs "
                     + " ".join(f"{k}={v}" for k, v in placement.items())
                     + " on this pool's nodes")
        labels = {**labels, **placement}
    if conflicts:
        lines.append(f"# NOT labelled: {', '.join(conflicts)} (its services want different "
                     "values; see capacityProblems in node-pools.yaml)")
    text = " ".join(shlex.quote(f"{k}={v}") for k, v in labels.items())
    shared = prep.sharing.get(pool.name)
    if shared is not None:
        lines.append(f"# time-slicing x{shared.replicas}"
                     + (" (proposed)" if shared.proposed else "")
                     + ": the device plugin reads its key of gpu-sharing.yaml (apply it "
                     "and point the GPU operator at it first)")
    for node in nodes:
        lines.append(f"kubectl label node {shlex.quote(node)} {text} --overwrite")
        if pool.taint:
            lines.append(f"kubectl taint node {shlex.quote(node)} "
                         f"{shlex.quote(pool.taint)} --overwrite")
        if shared is not None:
            lines.append(f"kubectl label node {shlex.quote(node)} "
                         f"{shlex.quote(f'{CONFIG_LABEL}={pool.name}')} --overwrite")
    return [*lines, ""]


def kubectl_script(prep: NodePreparation) -> str:
    """Shell commands that label and taint the nodes of every pool (idempotent)."""
    plan = prep.plan
    lines = ["#!/bin/sh", "# Node preparation for the GPU pools of kubealign.yaml "
             f"(release {plan.release}). Safe to run again (--overwrite).", "set -eu", ""]
    for pool in plan.node_pools:
        lines += _pool_commands(prep, pool)
    sets = prep.free_label_sets()
    if sets:
        lines += ["# Node labels the services' placement constraints require (Swarm",
                  "# node.labels.*), given by no pool above. No node names are known: replace",
                  "# each placeholder with a node of your choice, or the services stay Pending."]
    for label_set, count, label_users in sets:
        text = " ".join(shlex.quote(f"{k}={v}") for k, v in label_set)
        gpus = _label_gpus(label_users)
        lines.append(f"# {text}: {count} node(s)"
                     + (f" with {gpus} GPU(s) each (their pods claim GPUs)" if gpus else "")
                     + (" (at most one replica per node)" if count > 1 and not gpus else "")
                     + f"; used by {_users_text(label_users)}")
        lines += [f"kubectl label node {shlex.quote(label_placeholder(label_set, i))} {text} "
                  "--overwrite" for i in range(1, count + 1)]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
