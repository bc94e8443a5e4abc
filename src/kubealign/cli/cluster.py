"""`kubealign cluster`: kubectl label/taint commands and an inventory of the GPU node pools."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from kubealign.actions.cluster import INVENTORY_FILE, SCRIPT_FILE, cluster
from kubealign.cli.base import app, err, out
from kubealign.model.plan import PLAN_FILE_NAME


@app.command("cluster")
def cluster_command(
    plan_file: Annotated[
        Path, typer.Argument(help="The plan (kubealign.yaml, or a folder holding it).")
    ] = Path(PLAN_FILE_NAME),
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write cluster/node-pools.yaml and "
                                         "cluster/prepare-nodes.sh under this folder."),
    ] = None,
    inventory: Annotated[
        bool, typer.Option("--inventory", help="Print the YAML inventory instead of commands.")
    ] = False,
) -> None:
    """Print the node preparation the plan's GPU pools need.

    Each pool's nodes get the pool label (the plan's gpu.nodeSelectorKey) and the labels the
    converted placement constraints select, and the pool's taint; the inventory also lists
    which GPU services of which environment run there.
    """
    path = plan_file / PLAN_FILE_NAME if plan_file.is_dir() else plan_file
    outcome = cluster(path, out=out_dir, environ=dict(os.environ))
    if out_dir is not None:
        out.print(f"wrote {out_dir / INVENTORY_FILE}, {out_dir / SCRIPT_FILE}", markup=False)
    else:
        text = outcome.files[INVENTORY_FILE if inventory else SCRIPT_FILE]
        out.print(text, end="", markup=False)
    for problem in outcome.problems:
        err.print(f"unschedulable: {problem}", markup=False)
    if outcome.problems:
        raise typer.Exit(1)
