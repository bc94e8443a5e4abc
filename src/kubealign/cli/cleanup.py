"""`kubealign cleanup`: the git rm / git mv commands the audit's tech-debt list recommends."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kubealign.actions.audit import audit
from kubealign.actions.cleanup import apply_cleanup, plan_cleanup
from kubealign.cli.base import app, err, out, write_document
from kubealign.errors import UsageError

_CURRENT_DIRECTORY = Path()


@app.command()
def cleanup(
    path: Annotated[
        Path, typer.Argument(help="Repository to clean up (default: the current directory).")
    ] = _CURRENT_DIRECTORY,
    plan: Annotated[
        bool, typer.Option("--plan", help="Print the commands with their reasons (default).")
    ] = False,
    apply: Annotated[
        bool,
        typer.Option("--apply", help="Run them (clean git work tree only; changes are staged, "
                     "not committed)."),
    ] = False,
) -> None:
    """Remove or move the files the consolidation makes redundant.

    Never touches a file a live path (CI, Makefile, a live script) still uses, never deletes
    an untracked file, and --apply refuses a work tree with uncommitted changes (exit 2).
    """
    if plan and apply:
        raise UsageError("--plan and --apply exclude each other")
    if not path.is_dir():
        raise UsageError("repository path is not a directory", path=path)
    report = audit(path)
    if not apply:
        write_document(plan_cleanup(report, path).script())
        return
    result = apply_cleanup(report, path)
    for step in result.done:
        out.print(step.command(), markup=False)
    for held in result.plan.held_back:
        err.print(f"held back {held.path}: {held.why_not}", markup=False)
    err.print(f"{len(result.done)} changes staged; review with `git status` and commit them.",
              markup=False)
