"""Use case: carry out the audit's technical-debt list with git (``kubealign cleanup``).

The plan is pure: it turns the report's tech-debt items into ``git rm`` / ``git mv`` steps and
sets aside every item it must not touch (still referenced by a live path, not tracked by git,
missing, a path outside the repository, a move onto an existing file). Applying re-checks all
of that against the repository *before* the first command runs, and refuses to start on a work
tree with any change (git's own "working tree clean": no staged, unstaged or untracked files),
so the whole cleanup is one reviewable diff that ``git restore --staged --worktree .`` undoes.
Changes are staged, never committed.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kubealign.actions.cleanup_references import (
    WorkTreeText,
    load_work_tree,
    references,
    runner_kind,
)
from kubealign.errors import KubealignError
from kubealign.model.audit import AuditReport, KeptFile, TechDebtItem

_GIT_TIMEOUT_SECONDS = 60


class CleanupRefused(KubealignError):
    """The repository is not in a state where the cleanup may run (exit code 2)."""


@dataclass(frozen=True, slots=True)
class CleanupStep:
    """One git command: ``rm`` a redundant file, or ``mv`` it where it belongs."""

    operation: str  # rm | mv
    path: str
    destination: str | None
    reason: str
    directory: bool = False

    def argv(self) -> tuple[str, ...]:
        if self.operation == "mv" and self.destination is not None:
            return ("git", "mv", "--", self.path, self.destination)
        recursive = ("-r",) if self.directory else ()
        return ("git", "rm", "-q", *recursive, "--", self.path)

    def command(self) -> str:
        """As a user would type it (quoted for any file name); ``-q`` is an output detail."""
        return " ".join(shlex.quote(a) for a in self.argv() if a != "-q")


@dataclass(frozen=True, slots=True)
class HeldBack:
    """A tech-debt item the cleanup will not touch, and why."""

    path: str
    reason: str
    why_not: str


@dataclass(frozen=True, slots=True)
class CleanupPlan:
    root: str
    steps: tuple[CleanupStep, ...]
    held_back: tuple[HeldBack, ...]
    #: Application configuration the new path keeps, never touched.
    kept: tuple[KeptFile, ...] = ()

    def script(self) -> str:
        """The plan as a shell script: each command after a comment with its reason."""
        lines = [f"# kubealign cleanup plan for {self.root}: {len(self.steps)} steps, "
                 f"{len(self.held_back)} held back"]
        for step in self.steps:
            lines.append(f"# {_one_line(step.reason)}")
            lines.append(step.command())
        if self.held_back:
            lines.append("# held back (not touched by --apply):")
            lines.extend(f"#   {_one_line(h.path)}: {_one_line(h.why_not)}"
                         for h in self.held_back)
        if self.kept:
            lines.append("# kept (the new path keeps them as they are):")
            lines.extend(f"#   {_one_line(k.path)}: {_one_line(k.reason)}" for k in self.kept)
        return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class CleanupResult:
    plan: CleanupPlan
    done: tuple[CleanupStep, ...]


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- git


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=False,
            timeout=_GIT_TIMEOUT_SECONDS,
        )
    except FileNotFoundError:
        raise CleanupRefused("git is not installed; cleanup needs git", path=root) from None


def _in_work_tree(root: Path) -> bool:
    done = _git(root, "rev-parse", "--is-inside-work-tree")
    return done.returncode == 0 and done.stdout.strip() == "true"


def _tracked(root: Path) -> set[str]:
    """Every tracked file under ``root``, as a path relative to ``root``."""
    done = _git(root, "ls-files", "-z", "--full-name", "--", ".")
    prefix = _git(root, "rev-parse", "--show-prefix").stdout.strip()
    names = [n for n in done.stdout.split("\0") if n]
    return {n[len(prefix):] if prefix and n.startswith(prefix) else n for n in names}


def _dirty(root: Path) -> list[str]:
    done = _git(root, "status", "--porcelain", "--untracked-files=all")
    if done.returncode != 0:
        raise CleanupRefused(f"git status failed: {_one_line(done.stderr)}", path=root)
    return [line for line in done.stdout.splitlines() if line.strip()]


# --------------------------------------------------------------------------- planning


def _inside(path: str) -> bool:
    pure = PurePosixPath(path)
    return bool(path) and not pure.is_absolute() and ".." not in pure.parts


def _why_not(item: TechDebtItem, root: Path, tracked: set[str] | None) -> str | None:
    if item.referenced_by_live:
        users = ", ".join(item.referenced_by) or "a live path"
        return f"still referenced by a live path ({users})"
    if not _inside(item.path) or (item.destination is not None
                                  and not _inside(item.destination)):
        return "path outside the repository"
    if item.action not in {"delete", "move"}:
        return f"unknown action {item.action!r}"
    if item.action == "move" and not item.destination:
        return "move without a destination"
    target = root / item.path
    if not (target.exists() or target.is_symlink()):
        return "no longer exists"
    if tracked is not None:
        if target.is_dir():
            inside = [t for t in tracked if t.startswith(item.path.rstrip("/") + "/")]
            if not inside:
                return "not tracked by git (cleanup never deletes untracked files)"
        elif item.path not in tracked:
            return "not tracked by git (cleanup never deletes untracked files)"
    if item.action == "move" and item.destination and (root / item.destination).exists():
        return f"destination {item.destination} already exists"
    return None


def _top(root: Path) -> Path:
    """The git work tree's top folder (a monorepo's root above the audited folder)."""
    done = _git(root, "rev-parse", "--show-toplevel")
    return Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else root


def _hold_back_used(report: AuditReport, steps: list[CleanupStep], root: Path,
                    tree: WorkTreeText, held: list[HeldBack]) -> list[CleanupStep]:
    """Keep every step whose file a staying file of the work tree still uses; a file kept
    keeps what it uses in turn, so this runs until nothing changes.

    Inside the audited folder a script counts when the audit found it live (CI, a Makefile
    or a live script runs it); outside it (a monorepo around it) every script counts, as do
    workflows, Makefiles, compose files, Dockerfiles and kustomizations everywhere."""
    prefix = Path(os.path.relpath(root.resolve(), tree.top.resolve())).as_posix()

    def wt(path: str) -> str:
        return path if prefix == "." else f"{prefix}/{path}"

    live = {wt(s.path) for s in report.scripts if s.live}
    inside = "" if prefix == "." else prefix + "/"
    silent = {t for t in tree.texts if t.startswith(inside) and runner_kind(t) == "script"
              and t not in live}
    remaining = list(steps)
    while True:
        leaving = silent | {wt(s.path) for s in remaining if s.operation == "rm"}
        leaving |= {t for s in remaining if s.directory for t in tree.texts
                    if t.startswith(wt(s.path).rstrip("/") + "/")}
        kept: list[CleanupStep] = []
        for step in remaining:
            targets = _files_under(root, step.path) if step.directory else [step.path]
            users = [u for t in targets for u in references(tree, wt(t), ignore=leaving)]
            if users:
                shown = ", ".join(str(u) for u in users[:3])
                more = f" (+{len(users) - 3} more)" if len(users) > 3 else ""
                held.append(HeldBack(step.path, step.reason,
                                     f"still used by {shown}{more}"))
                kept.append(step)
        if not kept:
            return remaining
        remaining = [s for s in remaining if s not in kept]


def _files_under(root: Path, directory: str) -> list[str]:
    found: list[str] = []
    for folder, _, files in os.walk(root / directory):
        found += [(Path(folder) / f).relative_to(root).as_posix() for f in sorted(files)]
    return sorted(found)


def plan_cleanup(report: AuditReport, root: Path) -> CleanupPlan:
    """The steps for ``report``'s tech debt in ``root`` (read-only; works outside git too,
    where tracking cannot be checked and ``apply_cleanup`` will refuse).

    Besides the audit's own liveness, every file of the whole git work tree that can run
    something is searched for each file to remove (see ``cleanup_references``)."""
    in_git = _in_work_tree(root)
    tracked = _tracked(root) if in_git else None
    tree = load_work_tree(_top(root) if in_git else root, use_git=in_git)
    steps: list[CleanupStep] = []
    held: list[HeldBack] = []
    removed_directories: list[str] = []
    for item in sorted(report.tech_debt, key=lambda i: i.path):
        covering = next((d for d in removed_directories if item.path.startswith(d + "/")), None)
        why_not = (f"inside {covering}, which is removed as a whole" if covering
                   else _why_not(item, root, tracked))
        if why_not is not None:
            held.append(HeldBack(item.path, item.reason, why_not))
            continue
        operation = "mv" if item.action == "move" else "rm"
        directory = (root / item.path).is_dir() and not (root / item.path).is_symlink()
        if directory and operation == "rm":
            removed_directories.append(item.path.rstrip("/"))
        steps.append(CleanupStep(operation, item.path, item.destination, item.reason,
                                 directory=directory))
    steps = _hold_back_used(report, steps, root, tree, held)
    return CleanupPlan(report.root, tuple(steps), tuple(sorted(held, key=lambda h: h.path)),
                       report.kept)


# --------------------------------------------------------------------------- applying


def _refuse_unless_clean(root: Path) -> None:
    if not _in_work_tree(root):
        raise CleanupRefused("not a git work tree: --apply only runs where git can undo it",
                             path=root)
    changes = _dirty(root)
    if changes:
        shown = "; ".join(changes[:3]) + (f" (+{len(changes) - 3} more)"
                                          if len(changes) > 3 else "")
        raise CleanupRefused(f"the git work tree is not clean ({shown}); commit or stash "
                             "first so the cleanup is one reviewable change", path=root)


def apply_cleanup(report: AuditReport, root: Path) -> CleanupResult:
    """Run the plan's git commands on a clean work tree; changes are staged, not committed.

    The plan is computed here, against the repository as it is now, so nothing that became
    untracked, moved or referenced since the report was written is touched.
    """
    _refuse_unless_clean(root)
    plan = plan_cleanup(report, root)
    _check_destinations_distinct(plan.steps)
    done: list[CleanupStep] = []
    for step in plan.steps:
        if step.operation == "mv" and step.destination is not None:
            (root / step.destination).parent.mkdir(parents=True, exist_ok=True)
        completed = _git(root, *step.argv()[1:])
        if completed.returncode != 0:
            finished = ", ".join(s.path for s in done) or "none"
            raise KubealignError(
                f"{step.command()} failed: {_one_line(completed.stderr)} "
                f"(already done: {finished}; undo with git restore --staged --worktree .)",
                path=root,
            )
        done.append(step)
    return CleanupResult(plan, tuple(done))


def _check_destinations_distinct(steps: Sequence[CleanupStep]) -> None:
    seen: set[str] = set()
    for step in steps:
        if step.destination is None:
            continue
        if step.destination in seen:
            raise CleanupRefused(f"two files would move to {step.destination}")
        seen.add(step.destination)
