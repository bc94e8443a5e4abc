"""`kubealign plan`: detect environments and write the commented kubealign.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kubealign.actions.plan import plan
from kubealign.cli.base import app, err, one_line, out


@app.command("plan")
def plan_command(
    path: Annotated[Path, typer.Argument(help="Repository to plan.")] = Path(),
    output: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Plan file to write (default PATH/kubealign.yaml)."),
    ] = None,
    stdout: Annotated[
        bool, typer.Option("--stdout", help="Print the plan instead of writing it.")
    ] = False,
) -> None:
    """Detect the environments of a repository and write kubealign.yaml.

    Each environment is a compose file set (override chains, standalone per-instance copies,
    Swarm stacks) with its project directory, node pool and namespace; services that carry
    different names in different variants are matched with their evidence; files detection
    was not sure about are listed. Edit the file, then run `kubealign convert`.
    """
    outcome = plan(path, out=output, write=not stdout)
    if stdout:
        out.print(outcome.text, end="", markup=False)
        return
    result = outcome.plan
    table = Table(title=f"kubealign plan: release {result.release}", show_edge=False)
    for column in ("order", "environment", "kind", "files", "GPU pool"):
        table.add_column(column)
    for index, env in enumerate(result.environments, start=1):
        pools = env.node_pool or ", ".join(f"{s}->{p}" for s, p in env.service_pools) or "-"
        table.add_row(str(index), env.name + (" (base)" if env.name == result.base else ""),
                      env.kind.value, " + ".join(env.files), pools)
    out.print(table)
    for match in result.services:
        names = ", ".join(f"{env}: {name}" for env, name in match.names)
        out.print(f"matched {match.name} ({names})", markup=False)
    for doubt in result.ambiguous:
        err.print(one_line(f"check: {doubt.file}: {doubt.reason}"), markup=False)
    out.print(f"wrote {outcome.path}", markup=False)
