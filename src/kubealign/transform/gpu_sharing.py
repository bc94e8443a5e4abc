"""GPU time-slicing: pools whose GPUs serve several pods each.

Services that each claim one GPU but pin one device index (``CUDA_VISIBLE_DEVICES=0`` in all
of them) shared that device on the one machine they ran on. On Kubernetes each claim is a
whole GPU, so the environment asks for more GPUs than its pool has and the rest stay Pending.
The NVIDIA device plugin's time-slicing (``sharing.timeSlicing.replicas``) makes every GPU of
a node count as that many, which is what those services did: proposed here with its evidence
when the repository shows it, or taken from the plan (``timeSlicing`` of a node pool), which
is always the user's to set (1 turns it off).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from math import ceil
from typing import TYPE_CHECKING, Any

from kubealign.model.plan import NodePool, Plan

if TYPE_CHECKING:
    from kubealign.transform.cluster import GpuUse

SHARING_FILE = "cluster/gpu-sharing.yaml"
CONFIG_MAP = "kubealign-gpu-sharing"
CONFIG_NAMESPACE = "gpu-operator"
CONFIG_LABEL = "nvidia.com/device-plugin.config"
"""The node label with which the GPU operator's device plugin picks its configuration."""
GPU_RESOURCE = "nvidia.com/gpu"


@dataclass(frozen=True, slots=True)
class GpuSharing:
    pool: str
    replicas: int
    """Pods each GPU of the pool serves."""
    proposed: bool
    """Derived from the repository (the plan does not set it)."""
    reason: str


def physical_gpus(pool: NodePool) -> int:
    """GPUs the pool's known nodes hold: one per node at least, the plan's count if known."""
    return len(pool.nodes) * (pool.gpus_per_node or 1)


def gpu_sharing(plan: Plan, uses: Sequence[GpuUse]) -> dict[str, GpuSharing]:
    """Pool name -> its time-slicing, for every pool that has it (set or proposed)."""
    out: dict[str, GpuSharing] = {}
    for pool in plan.node_pools:
        if pool.time_slicing is not None:
            if pool.time_slicing > 1:
                out[pool.name] = GpuSharing(pool.name, pool.time_slicing, False,
                                            "set in kubealign.yaml (nodePools."
                                            f"{pool.name}.timeSlicing)")
            continue
        proposal = _proposal(pool, [u for u in uses if u.pool == pool.name and u.gpus > 0])
        if proposal is not None:
            out[pool.name] = proposal
    return out


def _proposal(pool: NodePool, uses: Sequence[GpuUse]) -> GpuSharing | None:
    if not pool.nodes:
        return None  # no node known: nothing to compare the claims with
    capacity = physical_gpus(pool)
    best: GpuSharing | None = None
    for environment, grouped in groupby(sorted(uses, key=lambda u: u.environment),
                                        key=lambda u: u.environment):
        env_uses = list(grouped)
        total = sum(u.gpus * u.replicas for u in env_uses)
        devices = {u.pinned_device for u in env_uses}
        if total <= capacity or len(env_uses) < 2 or len(devices) != 1 or None in devices \
                or any(u.gpus != 1 for u in env_uses):
            continue  # fits, or no sign of one shared device: a capacity problem, if any
        replicas = ceil(total / capacity)
        if best is not None and best.replicas >= replicas:
            continue
        services = ", ".join(sorted(u.service for u in env_uses))
        best = GpuSharing(pool.name, replicas, True, (
            f"environment {environment}: {len(env_uses)} GPU services ({services}) each pin "
            f"GPU index {devices.pop()}, sharing one device where they ran; their {total} "
            f"pods claim one GPU each and the pool's {len(pool.nodes)} known node(s) hold "
            f"{capacity}: time-slicing serves {replicas} pods per GPU (set "
            f"nodePools.{pool.name}.timeSlicing in kubealign.yaml to choose, 1 for none)"))
    return best


SHARING_HEADER = (
    "# GPU time-slicing for the NVIDIA device plugin (GPU operator), one key per node pool;\n"
    "# each pool's nodes carry the label " + CONFIG_LABEL + "=<pool> (prepare-nodes.sh).\n"
    "# kubectl apply -f gpu-sharing.yaml, then: kubectl patch clusterpolicies.nvidia.com/"
    "cluster-policy --type merge\n"
    "#   -p '{\"spec\":{\"devicePlugin\":{\"config\":{\"name\":\"" + CONFIG_MAP + "\"}}}}'\n"
    "# (a standalone device plugin: helm --set config.name=" + CONFIG_MAP + ").\n")


def sharing_config(sharing: Mapping[str, GpuSharing]) -> dict[str, Any]:
    """The device plugin configuration: one ConfigMap, a key per pool (the value of each
    pool node's ``nvidia.com/device-plugin.config`` label), in the plugin's config format."""
    data = {name: ("version: v1\nsharing:\n  timeSlicing:\n    resources:\n"
                   f"    - name: {GPU_RESOURCE}\n      replicas: {entry.replicas}\n")
            for name, entry in sorted(sharing.items())}
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": CONFIG_MAP, "namespace": CONFIG_NAMESPACE}, "data": data}
