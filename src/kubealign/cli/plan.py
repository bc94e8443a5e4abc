"""`kubealign plan`: detect environments and write the commented kubealign.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from kubealign.actions.plan import PlanOutcome, no_environment_reason, plan
from kubealign.cli.base import (
    app,
    diagnostic_lines,
    err,
    one_line,
    out,
    terminal_width,
    write_document,
)
from kubealign.cli.progress import progress
from kubealign.emit.text_wrap import wrap
from kubealign.errors import UsageError
from kubealign.model.contracts import document, dumps


def plan_json(outcome: PlanOutcome) -> dict[str, Any]:
    """The ``plan --format json`` contract (docs/json-output.md)."""
    result = outcome.plan
    merge = outcome.merge
    return document("plan", {
        "plan_file": str(outcome.path) if outcome.path is not None else None,
        "release": result.release,
        "namespace": result.namespace,
        "base": result.base,
        "migration_order": list(result.migration_order),
        "environments": [{
            "name": env.name,
            "kind": env.kind.value,
            "files": list(env.files),
            "project_directory": env.project_directory,
            "env_files": list(env.env_files),
            "profiles": list(env.profiles),
            "namespace": env.namespace,
            "node_pool": env.node_pool,
            "service_pools": [{"service": svc, "pool": pool} for svc, pool in env.service_pools],
            "gpus_for_all": env.gpus_for_all,
        } for env in result.environments],
        "node_pools": [{"name": pool.name, "gpu": pool.gpu, "gpus_per_node": pool.gpus_per_node,
                        "label": pool.label, "product": pool.product, "taint": pool.taint}
                       for pool in result.node_pools],
        "services": [{"name": match.name,
                      "names": [{"environment": env, "name": name} for env, name in match.names]}
                     for match in result.services],
        "ambiguous": [{"file": doubt.file, "reason": doubt.reason} for doubt in result.ambiguous],
        # What a re-plan did to the user's file, the same lines the text output prints.
        "merge": None if merge is None else {
            "added": list(merge.added),
            "marked": list(merge.marked),
            "kept": list(merge.kept),
            "unchanged": merge.unchanged,
        },
    })


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
    output_format: Annotated[
        str, typer.Option("--format", help="What to print after writing: text, or json "
                          "(docs/json-output.md).")
    ] = "text",
    replace: Annotated[
        bool, typer.Option("--replace", help="Write the freshly detected plan over an existing "
                           "one instead of merging with it (its edits and comments are lost).")
    ] = False,
) -> None:
    """Detect the environments of a repository and write kubealign.yaml.

    Each environment is a compose file set (override chains, standalone per-instance copies,
    Swarm stacks) with its project directory, node pool and namespace; services that carry
    different names in different variants are matched with their evidence; files detection
    was not sure about are listed. Edit the file, then run `kubealign convert`.

    Run again on a repository that has a plan, it merges with the file instead of replacing
    it: your comments, names and values stay, environments detected since are added, the ones
    no longer detected are marked, and it prints what it added and which of your values
    differ from what it detects now (--replace writes the fresh plan instead).
    """
    if output_format not in {"text", "json"}:
        raise UsageError(f"unknown format {output_format!r}; expected text or json")
    if stdout and output_format == "json":
        raise UsageError("--stdout prints the plan file (YAML); --format json describes it: "
                         "choose one")
    with progress("plan", quiet=stdout) as step:
        step("detecting environments")
        outcome = plan(path, out=output, write=not stdout, replace=replace)
    if stdout:
        write_document(outcome.text)
        return
    if output_format == "json":
        write_document(dumps(plan_json(outcome)))
        if not outcome.plan.environments:
            raise typer.Exit(1)
        return
    result = outcome.plan
    if not result.environments:
        for doubt in result.ambiguous:
            for line in diagnostic_lines(f"check: {doubt.file}: {doubt.reason}"):
                err.print(line, markup=False)
        for line in diagnostic_lines(f"{no_environment_reason(result)}; no plan written"):
            err.print(line, style="bold red", markup=False)
        raise typer.Exit(1)
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

    def say(text: str) -> None:
        # Merge lines quote the user's own values: control characters escaped, then wrapped.
        for line in wrap(one_line(text), width, subsequent="    "):
            out.print(line, markup=False)

    merge = outcome.merge
    if merge is None:
        say(f"wrote {outcome.path}")
        return
    for line in merge.added:
        say(f"added: {line}")
    for line in merge.marked:
        say(f"marked: {line}")
    for line in merge.kept:
        say(f"kept yours: {line}")
    if merge.unchanged:
        say(f"{outcome.path}: nothing new detected; your plan is unchanged")
    else:
        say(f"wrote {outcome.path} (merged with your edits)")
