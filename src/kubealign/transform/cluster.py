"""GPU node pools on the cluster side: the values every GPU service gets (pool selector,
label key) and the node preparation the plan needs (labels, taints, an inventory)."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubealign.model.compose import Project, Service, gpu_claim
from kubealign.model.plan import Environment, NodePool, Plan
from kubealign.transform.gpu_sharing import (
    CONFIG_LABEL,
    CONFIG_MAP,
    CONFIG_NAMESPACE,
    gpu_sharing,
    physical_gpus,
)
from kubealign.transform.naming import service_key
from kubealign.transform.placement import translate_constraint


@dataclass(frozen=True, slots=True)
class GpuUse:
    environment: str
    service: str
    gpus: int
    pool: str | None
    replicas: int = 1
    """Pods of the service, each claiming ``gpus``."""
    pinned_device: str | None = None
    """The one device index the service pins (``CUDA_VISIBLE_DEVICES=0``), if it does."""


# Variables with which a program picks its GPU by index; one index means one device.
_DEVICE_VARIABLES = ("CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES")


def pinned_device(service: Service) -> str | None:
    """The single device index ``service`` pins its GPU work to, or None."""
    for variable in _DEVICE_VARIABLES:
        value = (service.environment.get(variable) or "").strip()
        if value.isdigit():
            return value
    return None


def pool_of(plan: Plan, env: Environment, service: str) -> str | None:
    """The pool of a GPU service (canonical name) in ``env``."""
    return dict(env.service_pools).get(service, env.node_pool)


def gpus_for_all(plan: Plan, env: Environment, service: str) -> int | None:
    """What compose ``count: all`` (every GPU of the machine) means for ``service`` in ``env``:
    the GPUs per node of the pool it is pinned to, else the environment's ``gpusForAll``,
    else the GPUs per node of the environment's pool; None when the plan does not say."""
    pinned = dict(env.service_pools).get(service)
    pinned_pool = plan.pool(pinned) if pinned else None
    if pinned_pool is not None and pinned_pool.gpus_per_node:
        return pinned_pool.gpus_per_node
    if env.gpus_for_all:
        return env.gpus_for_all
    pool = plan.pool(env.node_pool) if env.node_pool else None
    return pool.gpus_per_node if pool is not None and pool.gpus_per_node else None


def environment_gpus_for_all(plan: Plan, env: Environment,
                             services: Sequence[str]) -> tuple[tuple[str, int], ...]:
    """(service, GPUs) for every service whose ``count: all`` the plan resolves."""
    found = ((name, gpus_for_all(plan, env, name)) for name in services)
    return tuple(sorted((name, count) for name, count in found if count))


def apply_node_pools(values: Mapping[str, Any], plan: Plan, env: Environment) -> dict[str, Any]:
    """``values`` (plain) with the plan's label key and each GPU service's pool written in."""
    out = dict(values)
    glob = dict(out.get("global") or {})
    glob["gpu"] = {**(glob.get("gpu") or {}), "nodeSelectorKey": plan.node_selector_key}
    out["global"] = glob
    pools_by_key = {service_key(name): pool for name, pool in env.service_pools}
    services = {}
    for key, svc in (out.get("services") or {}).items():
        gpu = svc.get("gpu") if isinstance(svc, Mapping) else None
        pool_name = pools_by_key.get(key, env.node_pool)
        pool = plan.pool(pool_name) if pool_name else None
        if isinstance(gpu, Mapping) and pool is not None:
            services[key] = {**svc, "gpu": {**gpu, "pool": pool.selector_value}}
        else:
            services[key] = svc
    if services:
        out["services"] = services
    return out


def gpu_uses(plan: Plan, projects: Mapping[str, Project]) -> list[GpuUse]:
    """Every GPU service of every environment, with its GPU count and pool."""
    uses: list[GpuUse] = []
    for env in plan.environments:
        project = projects.get(env.name)
        if project is None:
            continue
        for service in project.services:
            claim = gpu_claim(service, gpus_for_all(plan, env, service.name) or 1)
            if claim is None:
                continue
            replicas = service.deploy.replicas if service.deploy else None
            uses.append(GpuUse(env.name, service.name, claim.count,
                               pool_of(plan, env, service.name), max(1, replicas or 1),
                               pinned_device(service)))
    return uses


@dataclass(frozen=True, slots=True)
class LabelUse:
    """A service whose placement requires nodes with labels no GPU pool gives (Swarm
    ``node.labels.role == monitoring``): someone must label nodes for it, or it stays
    Pending as its Swarm tasks would."""

    environment: str
    service: str
    labels: tuple[tuple[str, str], ...]
    nodes: int
    """Nodes it needs with those labels: its replicas when at most one may run per node, or
    when each pod claims GPUs."""
    gpus: int = 0
    """GPUs each pod claims: the labelled nodes must have them (``node.labels.gpu == true``
    on a GPU service of an environment with no GPU pool)."""


def label_uses(plan: Plan, projects: Mapping[str, Project]) -> list[LabelUse]:
    """Every service of every environment that requires node labels (``==`` constraints on
    ``node.labels.*``) that no pool of the plan puts on its nodes."""
    pool_label_sets = [set(pool_labels(plan, pool).items()) for pool in plan.node_pools]
    uses: list[LabelUse] = []
    for env in plan.environments:
        project = projects.get(env.name)
        for service in project.services if project is not None else ():
            placement = service.deploy.placement if service.deploy else None
            if placement is None:
                continue
            required = [requirement for requirement, _ in
                        (translate_constraint(str(c)) for c in placement.constraints)
                        if requirement is not None and requirement.operator == "In"
                        and not requirement.key.startswith("kubernetes.io/")]
            labels = tuple(sorted((r.key, r.values[0]) for r in required if len(r.values) == 1))
            if not labels or any(set(labels) <= pool for pool in pool_label_sets):
                continue
            one_per_node = placement.max_replicas_per_node == 1
            replicas = max(1, (service.deploy.replicas if service.deploy else None) or 1)
            claim = gpu_claim(service, gpus_for_all(plan, env, service.name) or 1)
            gpus = claim.count if claim is not None else 0
            # A pod claiming GPUs needs a node of its own unless the node's GPU count is
            # known, and nothing says it here: one labelled node per GPU pod.
            uses.append(LabelUse(env.name, service.name, labels,
                                 replicas if one_per_node or gpus else 1, gpus))
    return uses


def label_placeholder(labels: Sequence[tuple[str, str]], index: int) -> str:
    """The stand-in node name of ``prepare-nodes.sh`` for the ``index``-th node (from 1) to
    give ``labels`` (no node names are known for them)."""
    return "<node:" + ",".join(f"{k}={v}" for k, v in labels) + f":{index}>"


def _label_sets(uses: Sequence[LabelUse]) -> list[tuple[tuple[tuple[str, str], ...], int,
                                                          list[LabelUse]]]:
    """(labels, nodes needed, users) per distinct label set, sorted by labels."""
    grouped: dict[tuple[tuple[str, str], ...], list[LabelUse]] = {}
    for use in uses:
        grouped.setdefault(use.labels, []).append(use)
    return [(labels, max(u.nodes for u in users), users)
            for labels, users in sorted(grouped.items())]


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


def pool_labels(plan: Plan, pool: NodePool) -> dict[str, str]:
    labels = {plan.node_selector_key: pool.selector_value}
    labels.update(dict(pool.labels))
    return dict(sorted(labels.items()))


def cluster_inventory(plan: Plan, uses: Sequence[GpuUse],
                      labelled: Sequence[LabelUse] = ()) -> dict[str, Any]:
    pools = []
    sharing = gpu_sharing(plan, uses)
    for pool in plan.node_pools:
        users = [u for u in uses if u.pool == pool.name]
        shared = sharing.get(pool.name)
        entry: dict[str, Any] = {
            "name": pool.name,
            "gpu": pool.gpu,
            "gpusPerNode": pool.gpus_per_node,
            "architecture": pool.architecture,
            "labels": pool_labels(plan, pool),
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
        pools.append({k: v for k, v in entry.items() if v is not None})
    unplaced = [{"environment": u.environment, "service": u.service, "gpus": u.gpus}
                for u in uses if u.pool is None]
    data: dict[str, Any] = {"nodeSelectorKey": plan.node_selector_key, "pools": pools}
    problems = capacity_problems(plan, uses)
    if problems:
        data["capacityProblems"] = problems
    if unplaced:
        data["gpuServicesWithoutPool"] = unplaced
    if labelled:
        data["nodeLabels"] = [
            {"labels": dict(labels), "nodes": nodes,
             **({"gpusPerNode": _label_gpus(users)} if _label_gpus(users) else {}),
             "placeholders": [label_placeholder(labels, i) for i in range(1, nodes + 1)],
             "usedBy": [{"environment": u.environment, "service": u.service,
                         **({"gpus": u.gpus} if u.gpus else {})} for u in users]}
            for labels, nodes, users in _label_sets(labelled)]
    return data


def capacity_problems(plan: Plan, uses: Sequence[GpuUse]) -> list[str]:
    """GPU services asking for more GPUs than one node of their pool has (never schedulable),
    and environments whose GPU pods together claim more GPUs than their pool's known nodes
    hold (the rest stay Pending: Insufficient nvidia.com/gpu)."""
    problems = []
    for use in uses:
        pool = plan.pool(use.pool) if use.pool else None
        if pool is not None and pool.gpus_per_node is not None and use.gpus > pool.gpus_per_node:
            problems.append(f"{use.environment}/{use.service} asks for {use.gpus} GPUs; a "
                            f"{pool.name} node has {pool.gpus_per_node}")
    sharing = gpu_sharing(plan, uses)
    claimed: dict[tuple[str, str], int] = {}
    for use in uses:
        if use.pool is not None and use.gpus > 0:
            key = (use.environment, use.pool)
            claimed[key] = claimed.get(key, 0) + use.gpus * use.replicas
    for (environment, pool_name), total in sorted(claimed.items()):
        pool = plan.pool(pool_name)
        if pool is None or not pool.nodes:
            continue  # no node known: nothing to compare with
        # A node of a GPU pool has one GPU at least; the plan's count when it knows it; each
        # serves as many pods as its time-slicing says.
        shared = sharing.get(pool_name)
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
    return problems


def kubectl_script(plan: Plan, uses: Sequence[GpuUse],
                   labelled: Sequence[LabelUse] = ()) -> str:
    """Shell commands that label and taint the nodes of every pool (idempotent)."""
    lines = ["#!/bin/sh", "# Node preparation for the GPU pools of kubealign.yaml "
             f"(release {plan.release}). Safe to run again (--overwrite).", "set -eu", ""]
    sharing = gpu_sharing(plan, uses)
    for pool in plan.node_pools:
        users = sorted({f"{u.environment}/{u.service}" for u in uses if u.pool == pool.name})
        lines.append(f"# pool {pool.name}: {pool.gpu or 'GPU'}"
                     + (f" x{pool.gpus_per_node} per node" if pool.gpus_per_node else "")
                     + (f", {pool.architecture}" if pool.architecture else "")
                     + (f"; used by {', '.join(users)}" if users else "; no GPU service yet"))
        nodes = list(pool.nodes) or [f"<{pool.name}-node>"]
        if not pool.nodes:
            lines.append("# no node names known: replace the placeholder")
        labels = " ".join(shlex.quote(f"{k}={v}") for k, v in pool_labels(plan, pool).items())
        shared = sharing.get(pool.name)
        if shared is not None:
            lines.append(f"# time-slicing x{shared.replicas}"
                         + (" (proposed)" if shared.proposed else "")
                         + ": the device plugin reads its key of gpu-sharing.yaml (apply it "
                         "and point the GPU operator at it first)")
        for node in nodes:
            lines.append(f"kubectl label node {shlex.quote(node)} {labels} --overwrite")
            if pool.taint:
                lines.append(f"kubectl taint node {shlex.quote(node)} "
                             f"{shlex.quote(pool.taint)} --overwrite")
            if pool.name in sharing:
                lines.append(f"kubectl label node {shlex.quote(node)} "
                             f"{shlex.quote(f'{CONFIG_LABEL}={pool.name}')} --overwrite")
        lines.append("")
    sets = _label_sets(labelled)
    if sets:
        lines += ["# Node labels the services' placement constraints require (Swarm",
                  "# node.labels.*), given by no pool above. No node names are known: replace",
                  "# each placeholder with a node of your choice, or the services stay Pending."]
    for label_set, count, label_users in sets:
        names = sorted({f"{u.environment}/{u.service}" for u in label_users})
        shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        text = " ".join(shlex.quote(f"{k}={v}") for k, v in label_set)
        gpus = _label_gpus(label_users)
        lines.append(f"# {text}: {count} node(s)"
                     + (f" with {gpus} GPU(s) each (their pods claim GPUs)" if gpus else "")
                     + (" (at most one replica per node)" if count > 1 and not gpus else "")
                     + f"; used by {shown}")
        lines += [f"kubectl label node {shlex.quote(label_placeholder(label_set, i))} {text} "
                  "--overwrite" for i in range(1, count + 1)]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
