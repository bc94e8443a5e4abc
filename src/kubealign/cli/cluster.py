"""`kubealign cluster`: kubectl label/taint commands and an inventory of the GPU node pools."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from kubealign.actions.cluster import INVENTORY_FILE, SCRIPT_FILE, cluster
from kubealign.cli.base import app, err, out, write_document
from kubealign.model.plan import PLAN_FILE_NAME


@app.command("cluster")
def cluster_command(
    plan_file: Annotated[
        Path, typer.Argument(help="The plan (kubealign.yaml, or a folder holding it).")
    ] = Path(PLAN_FILE_NAME),
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write cluster/node-pools.yaml, "
                                         "cluster/prepare-nodes.sh and, when a pool shares "
                                         "its GPUs, cluster/gpu-sharing.yaml under this "
                                         "folder."),
    ] = None,
    inventory: Annotated[
        bool, typer.Option("--inventory", help="Print the YAML inventory instead of commands.")
    ] = False,
) -> None:
    """Print the node preparation the plan's GPU pools need.

    Each pool's nodes get the pool label (the plan's gpu.nodeSelectorKey) and the labels the
    converted placement constraints select, and the pool's taint; the inventory also lists
    which GPU services of which environment run there. A pool whose GPUs serve several pods
    (time-slicing: the plan's nodePools.<pool>.timeSlicing, or proposed where services pin one
    shared device) also gets the NVIDIA device plugin's configuration and its node label.
    """
    path = plan_file / PLAN_FILE_NAME if plan_file.is_dir() else plan_file
    outcome = cluster(path, out=out_dir, environ=dict(os.environ))
    if out_dir is not None:
        written = ", ".join(str(out_dir / name) for name in sorted(outcome.files))
        out.print(f"wrote {written}", markup=False)
    else:
        text = outcome.files[INVENTORY_FILE if inventory else SCRIPT_FILE]
        write_document(text)
    for shared in outcome.sharing:
        err.print(f"GPU time-slicing on pool {shared.pool} x{shared.replicas}"
                  + (f" (proposed): {shared.reason}" if shared.proposed else f": {shared.reason}"),
                  markup=False)
    for problem in outcome.problems:
        err.print(f"unschedulable: {problem}", markup=False)
    if outcome.problems:
        raise typer.Exit(1)
