"""Use case: detect the environments of a repository and write ``kubealign.yaml``; read a
plan back (validated, every named file checked)."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubealign.actions.inventory import build_inventory
from kubealign.actions.resolve import ResolveOptions, load_project
from kubealign.emit.atomic import write_text_atomic
from kubealign.emit.plan_merge import PlanMerge, merge_plan
from kubealign.emit.plan_yaml import render_plan
from kubealign.errors import KubealignError, PlanError, UsageError
from kubealign.load.yaml_safe import load_yaml_file, read_text_file
from kubealign.model.compose import Project
from kubealign.model.inventory import Inventory
from kubealign.model.plan import PLAN_FILE_NAME, Plan, PlanSource
from kubealign.transform.plan.codec import check_plan_files, read_plan_file, read_plan_text
from kubealign.transform.plan.detect import DetectedPlan, detect_plan


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    plan: Plan
    """The plan as written (merged with the user's file when one was there)."""
    text: str
    path: Path | None
    detected: DetectedPlan
    merge: PlanMerge | None = None
    """How the detection was merged into an existing plan file; None for a fresh plan."""


def _reader(root: Path) -> tuple[Any, Any, Any]:
    def read_yaml(rel: str) -> tuple[str, Any]:
        text = read_text_file(root / rel, display=rel)
        return text, load_yaml_file(root / rel, display_path=rel).data

    def read_text(rel: str) -> str | None:
        try:
            return read_text_file(root / rel, display=rel)
        except KubealignError:  # unreadable prose is simply not evidence
            return None

    def load(files: list[str], project_dir: str, env_files: list[str]) -> Project:
        project, _ = load_project(ResolveOptions(
            files=tuple(root / f for f in files), project_directory=root / project_dir,
            env_files=tuple(root / e for e in env_files), environ={}, tolerant=True))
        return project

    return read_yaml, read_text, load


def detect(root: Path, *, inventory: Inventory | None = None) -> DetectedPlan:
    """The detected plan of the repository at ``root`` (nothing written); ``inventory``: its
    inventory when the caller already walked it."""
    if not root.is_dir():
        raise UsageError("repository path is not a directory", path=root)
    inventory = inventory if inventory is not None else build_inventory(root)
    read_yaml, read_text, load = _reader(root)
    return detect_plan(inventory, read_yaml=read_yaml, read_text=read_text, load=load,
                       root_name=root.resolve().name)


def plan(root: Path, *, out: Path | None = None, write: bool = True,
         replace: bool = False, previous: str | None = None,
         inventory: Inventory | None = None) -> PlanOutcome:
    """Detect and (unless ``write`` is false) write ``out`` (default ``ROOT/kubealign.yaml``).

    An existing plan file is merged with, not overwritten (``emit.plan_merge``: the user's
    edits and comments stay, new environments are added, vanished ones marked); ``replace``
    writes the fresh plan instead. The file is rewritten only when the merge changed it,
    and never when no environment could be loaded (``path`` is then None). ``previous`` is
    the text to merge with when the caller read the file already (migrate reads
    ``DIR/kubealign.yaml`` before its first step replaces ``DIR``); ``inventory`` is the
    repository's inventory when the caller already walked it.
    """
    detected = detect(root, inventory=inventory)
    target = out if out is not None else root / PLAN_FILE_NAME
    planned = dataclasses.replace(detected.plan, root=root_from(target.parent, root))
    text = render_plan(planned, detected.notes)
    merge: PlanMerge | None = None
    if not planned.environments:
        # Nothing loaded: a plan without environments is one kubealign refuses to read, so
        # none is written (an existing one is left alone); the caller says why.
        return PlanOutcome(planned, text, None, detected)
    if previous is None and target.is_file() and not replace:
        previous = read_text_file(target, display=str(target))
    if previous is not None and not replace:
        display = str(target)
        merge = merge_plan(previous, display, planned,
                           detected.notes, exists=lambda rel: (root / rel).exists())
        text = merge.text
        # The merged file must read back; a mistake in the user's own edits names its line.
        planned = read_plan_text(text, display).plan
    if write and (merge is None or not merge.unchanged):
        write_text_atomic(target, text)
    return PlanOutcome(planned, text, target if write else None, detected, merge)


def no_environment_reason(plan: Plan) -> str:
    """Why a detected plan has no environment, from the files detection could not load."""
    why = "; ".join(f"{a.file}: {a.reason}" for a in plan.ambiguous)
    return f"no environment could be loaded: {why or 'the repository has no compose file'}"


def plan_root(plan_file: Path, plan: Plan) -> Path:
    """The repository a plan describes: its ``root`` taken from the plan file's folder, so a
    plan works the same from any working directory and from wherever it is kept."""
    return Path(os.path.normpath(plan_file.parent / plan.root))


def root_from(plan_dir: Path, repository: Path) -> str:
    """The ``root`` a plan written into ``plan_dir`` needs to reach ``repository``."""
    return Path(os.path.relpath(repository.resolve(), plan_dir.resolve())).as_posix()


def load_plan(path: Path) -> tuple[PlanSource, Path]:
    """Read a plan and check the files it names; returns it with its repository folder."""
    source = read_plan_file(path)
    root = plan_root(path, source.plan)
    if not root.is_dir():
        raise PlanError(f"root: folder {source.plan.root!r} does not exist (relative to "
                        f"{path.parent})", path=source.path, line=_line(source, "/root"))
    check_plan_files(source, root)
    return source, root


def _line(source: PlanSource, ptr: str) -> int | None:
    span = source.where(ptr)
    return span.line if span else None
