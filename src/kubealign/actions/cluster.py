"""Use case: the node preparation a plan needs (labels and taints per GPU pool) as kubectl
commands and a YAML inventory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kubealign.actions.plan import load_plan
from kubealign.actions.resolve import ResolveOptions, load_project
from kubealign.emit.atomic import write_tree_atomic
from kubealign.emit.values_yaml import dump_yaml
from kubealign.load.boundary import ReadBoundary
from kubealign.model.compose import Project
from kubealign.model.plan import Plan
from kubealign.transform.cluster import (
    GpuUse,
    capacity_problems,
    cluster_inventory,
    gpu_uses,
    kubectl_script,
    label_uses,
)
from kubealign.transform.gpu_sharing import (
    SHARING_FILE,
    SHARING_HEADER,
    GpuSharing,
    gpu_sharing,
    sharing_config,
)
from kubealign.transform.plan.rename import rename_services

INVENTORY_FILE = "cluster/node-pools.yaml"
SCRIPT_FILE = "cluster/prepare-nodes.sh"


@dataclass(frozen=True, slots=True)
class ClusterOutcome:
    plan: Plan
    uses: tuple[GpuUse, ...]
    files: dict[str, str]
    problems: tuple[str, ...]
    sharing: tuple[GpuSharing, ...] = ()


def cluster_files(plan: Plan, projects: Mapping[str, Project]) -> dict[str, str]:
    uses = gpu_uses(plan, projects)
    labelled = label_uses(plan, projects)
    header = ("# GPU node pools of release " + plan.release + " (from kubealign.yaml): the "
              "labels and taints each pool's nodes need,\n# and which GPU services use it; "
              "nodeLabels: labels other services' placement requires.\n# Apply with "
              "prepare-nodes.sh.\n")
    files = {INVENTORY_FILE: header + dump_yaml(cluster_inventory(plan, uses, labelled)),
             SCRIPT_FILE: kubectl_script(plan, uses, labelled)}
    sharing = gpu_sharing(plan, uses)
    if sharing:
        files[SHARING_FILE] = SHARING_HEADER + dump_yaml(sharing_config(sharing))
    return files


def cluster(plan_path: Path, *, out: Path | None = None,
            environ: Mapping[str, str] | None = None) -> ClusterOutcome:
    source, root = load_plan(plan_path)
    plan = source.plan
    projects: dict[str, Project] = {}
    env_vars = dict(os.environ) if environ is None else environ
    # Loaded as migrate and convert load them: tolerant of what real repositories get wrong
    # (each problem a finding there, not a refusal here) and inside the repository only.
    boundary = ReadBoundary.for_project(root)
    for env in plan.environments:
        project, _ = load_project(ResolveOptions(
            files=tuple(root / f for f in env.files),
            project_directory=root / env.project_directory,
            env_files=tuple(root / e for e in env.env_files), profiles=env.profiles,
            environ=env_vars, boundary=boundary, tolerant=True, keep_inactive=True))
        projects[env.name] = rename_services(project, plan.renames(env.name),
                                             plan_path=source.path)
    files = cluster_files(plan, projects)
    if out is not None:
        write_tree_atomic(out, files, protect=[root])
    uses = tuple(gpu_uses(plan, projects))
    return ClusterOutcome(plan, uses, files, tuple(capacity_problems(plan, uses)),
                          tuple(gpu_sharing(plan, uses).values()))
