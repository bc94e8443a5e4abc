"""GPU node pools on the cluster side: the values every GPU service gets (pool selector,
label key), and which services need GPUs or node labels of which pool
(:mod:`.node_preparation` turns them into the inventory and the kubectl script)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubealign.model.compose import Project, Service, gpu_claim
from kubealign.model.plan import Environment, NodePool, Plan
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
    pool: str | None = None
    """The GPU pool the service runs on: its nodes need the labels (beside the pool's own),
    not nodes of their own."""


def label_uses(plan: Plan, projects: Mapping[str, Project]) -> list[LabelUse]:
    """Every service of every environment that requires node labels (``==`` constraints on
    ``node.labels.*``) that no pool of the plan puts on its nodes. A GPU service on a pool
    needs them on that pool's nodes: the pool selector and the labels select together."""
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
            claim = gpu_claim(service, gpus_for_all(plan, env, service.name) or 1)
            pool_name = pool_of(plan, env, service.name) if claim is not None else None
            pool = plan.pool(pool_name) if pool_name else None
            if pool is not None:
                given = set(pool_labels(plan, pool).items())
                labels = tuple(label for label in labels if label not in given)
            elif any(set(labels) <= pool_set for pool_set in pool_label_sets):
                continue
            if not labels:
                continue
            one_per_node = placement.max_replicas_per_node == 1
            replicas = max(1, (service.deploy.replicas if service.deploy else None) or 1)
            gpus = claim.count if claim is not None else 0
            # A pod claiming GPUs needs a node of its own unless the node's GPU count is
            # known, and nothing says it here: one labelled node per GPU pod.
            uses.append(LabelUse(env.name, service.name, labels,
                                 replicas if one_per_node or gpus else 1, gpus,
                                 pool.name if pool is not None else None))
    return uses


def pool_labels(plan: Plan, pool: NodePool) -> dict[str, str]:
    """The labels that make a node one of ``pool``'s: its selector value and its own labels."""
    labels = {plan.node_selector_key: pool.selector_value}
    labels.update(dict(pool.labels))
    return dict(sorted(labels.items()))
