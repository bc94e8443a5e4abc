"""`kubealign plan`: detect environments and write the commented kubealign.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kubealign.actions.plan import plan
from kubealign.cli.base import app, diagnostic_lines, err, out, terminal_width
from kubealign.emit.text_wrap import wrap


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
    # One block per environment, every file on its own line: a table cut the file column.
    width = terminal_width()
    out.print(f"kubealign plan: release {result.release}", markup=False)
    for index, env in enumerate(result.environments, start=1):
        pools = env.node_pool or ", ".join(f"{s}->{p}" for s, p in env.service_pools) or "-"
        base = " (base)" if env.name == result.base else ""
        head = f"{index}. {env.name}{base}: {env.kind.value}; GPU pool {pools}"
        for line in wrap(head, width, subsequent="     "):
            out.print(line, markup=False)
        for position, name in enumerate(env.files):
            for line in wrap(("+ " if position else "  ") + name, width, indent="   ",
                             subsequent="       "):
                out.print(line, markup=False)
    for match in result.services:
        names = ", ".join(f"{env}: {name}" for env, name in match.names)
        for line in wrap(f"matched {match.name} ({names})", width, subsequent="    "):
            out.print(line, markup=False)
    for doubt in result.ambiguous:
        for line in diagnostic_lines(f"check: {doubt.file}: {doubt.reason}"):
            err.print(line, markup=False)
    for line in wrap(f"wrote {outcome.path}", width, subsequent="    "):
        out.print(line, markup=False)
