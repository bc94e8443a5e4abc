"""Use case: detect the environments of a repository and write ``kubealign.yaml``; read a
plan back (validated, every named file checked)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubealign.actions.inventory import build_inventory
from kubealign.actions.resolve import ResolveOptions, load_project
from kubealign.emit.atomic import write_text_atomic
from kubealign.emit.plan_yaml import render_plan
from kubealign.errors import KubealignError, UsageError
from kubealign.load.yaml_safe import load_yaml_file, read_text_file
from kubealign.model.compose import Project
from kubealign.model.plan import PLAN_FILE_NAME, Plan, PlanSource
from kubealign.transform.plan.codec import check_plan_files, read_plan_file
from kubealign.transform.plan.detect import DetectedPlan, detect_plan


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    plan: Plan
    text: str
    path: Path | None
    detected: DetectedPlan


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


def detect(root: Path) -> DetectedPlan:
    """The detected plan of the repository at ``root`` (nothing written)."""
    if not root.is_dir():
        raise UsageError("repository path is not a directory", path=root)
    inventory = build_inventory(root)
    read_yaml, read_text, load = _reader(root)
    return detect_plan(inventory, read_yaml=read_yaml, read_text=read_text, load=load,
                       root_name=root.resolve().name)


def plan(root: Path, *, out: Path | None = None, write: bool = True) -> PlanOutcome:
    """Detect and (unless ``write`` is false) write ``out`` (default ``ROOT/kubealign.yaml``)."""
    detected = detect(root)
    text = render_plan(detected.plan, detected.notes)
    target = out if out is not None else root / PLAN_FILE_NAME
    if write:
        write_text_atomic(target, text)
    return PlanOutcome(detected.plan, text, target if write else None, detected)


def load_plan(path: Path) -> tuple[PlanSource, Path]:
    """Read a plan and check the files it names; returns it with its root folder."""
    source = read_plan_file(path)
    root = path.parent
    check_plan_files(source, root)
    return source, root
