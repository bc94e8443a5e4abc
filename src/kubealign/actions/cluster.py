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
from kubealign.transform.cluster import GpuUse
from kubealign.transform.gpu_sharing import SHARING_FILE, SHARING_HEADER, GpuSharing, sharing_config
from kubealign.transform.node_preparation import (
    NodePreparation,
    capacity_problems,
    cluster_inventory,
    kubectl_script,
    node_preparation,
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


def cluster_files(prep: NodePreparation) -> dict[str, str]:
    header = ("# GPU node pools of release " + prep.plan.release + " (from kubealign.yaml): "
              "the labels and taints each pool's nodes need,\n# and which GPU services use "
              "it; nodeLabels: labels other services' placement requires.\n# Apply with "
              "prepare-nodes.sh.\n")
    files = {INVENTORY_FILE: header + dump_yaml(cluster_inventory(prep)),
             SCRIPT_FILE: kubectl_script(prep)}
    if prep.sharing:
        files[SHARING_FILE] = SHARING_HEADER + dump_yaml(sharing_config(prep.sharing))
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
    prep = node_preparation(plan, projects)
    files = cluster_files(prep)
    if out is not None:
        write_tree_atomic(out, files, protect=[root])
    return ClusterOutcome(plan, prep.uses, files, tuple(capacity_problems(prep)),
                          tuple(prep.sharing.values()))
