"""Walk a repository: honour .gitignore, prune vendored and generated trees, stay inside root.

Symlinks are followed only when they resolve inside the repository root; a directory link
that points at one of its own ancestors (a loop) is skipped. Every pruned directory and
refused symlink is reported as a :class:`SkippedPath` so that users can see why a file
was not classified. Output is sorted by POSIX relative path.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from kubealign.discover.gitignore import IgnoreMatcher, parse_gitignore
from kubealign.model.inventory import SkippedPath

_VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr"})
_DEPENDENCY_DIRS = frozenset({"node_modules", "vendor", "third_party", "bower_components"})
_VIRTUALENV_DIRS = frozenset({".venv", "venv", ".virtualenv", "virtualenv"})
_CACHE_DIRS = frozenset(
    {
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        ".tox",
        ".nox",
        ".eggs",
        ".gradle",
        ".terraform",
        ".next",
        ".parcel-cache",
        ".cache",
        ".import_linter_cache",
    }
)


@dataclass(frozen=True, slots=True)
class WalkedFile:
    """A regular file found by the walk: relative POSIX path, real location, size."""

    path: str
    location: Path
    size: int


@dataclass(frozen=True, slots=True)
class WalkResult:
    files: tuple[WalkedFile, ...]
    #: Every directory the walk entered (relative POSIX paths, "" for the root), sorted.
    directories: tuple[str, ...]
    skipped: tuple[SkippedPath, ...]


def _excluded_dir_reason(name: str, location: Path) -> str | None:
    if name in _VCS_DIRS:
        return "version-control metadata"
    if name in _DEPENDENCY_DIRS:
        return "vendored or third-party dependencies"
    # os.path.isfile, not Path.is_file: a folder without read permission raises
    # PermissionError from the latter; the walk reports that folder as unreadable instead.
    if name in _VIRTUALENV_DIRS or os.path.isfile(location / "pyvenv.cfg"):  # noqa: PTH113
        return "Python virtual environment"
    if name in _CACHE_DIRS or name.endswith(".egg-info"):
        return "build or tool cache"
    return None


def _is_inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _read_ignore_file(location: Path) -> str:
    try:
        return location.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


class _Walker:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root_real = os.path.realpath(root)
        self.files: list[WalkedFile] = []
        self.directories: list[str] = []
        self.skipped: list[SkippedPath] = []

    def run(self) -> WalkResult:
        matcher = IgnoreMatcher()
        info_exclude = self.root / ".git" / "info" / "exclude"
        if info_exclude.is_file():
            matcher = matcher.extended(parse_gitignore(_read_ignore_file(info_exclude), ""))
        self._walk_dir(self.root, "", matcher, frozenset({self.root_real}))
        return WalkResult(
            files=tuple(sorted(self.files, key=lambda f: f.path)),
            directories=tuple(sorted(self.directories)),
            skipped=tuple(sorted(self.skipped, key=lambda s: s.path)),
        )

    def _walk_dir(
        self, location: Path, rel: str, matcher: IgnoreMatcher, ancestors: frozenset[str]
    ) -> None:
        self.directories.append(rel)
        try:
            entries = sorted(os.scandir(location), key=lambda e: e.name)
        except OSError as exc:
            self.skipped.append(SkippedPath(rel or ".", f"unreadable directory ({exc.strerror})"))
            return
        if any(e.name == ".gitignore" for e in entries):
            matcher = matcher.extended(
                parse_gitignore(_read_ignore_file(location / ".gitignore"), rel)
            )
        for entry in entries:
            self._visit(entry, f"{rel}/{entry.name}" if rel else entry.name, matcher, ancestors)

    def _visit(
        self, entry: os.DirEntry[str], rel: str, matcher: IgnoreMatcher, ancestors: frozenset[str]
    ) -> None:
        entry_path = Path(entry.path)
        try:
            is_link = entry.is_symlink()
            mode = entry.stat(follow_symlinks=True).st_mode
        except OSError:
            if matcher.is_ignored(rel, False):
                return
            self.skipped.append(SkippedPath(rel, "broken symlink"))
            return
        is_dir = stat.S_ISDIR(mode)
        if matcher.is_ignored(rel, is_dir):
            return
        target = os.path.realpath(entry_path) if is_link else None
        if target is not None and not _is_inside(target, self.root_real):
            self.skipped.append(SkippedPath(rel, "symlink points outside the repository"))
            return
        if is_dir:
            real = target if target is not None else os.path.realpath(entry_path)
            if real in ancestors:
                self.skipped.append(SkippedPath(rel, "symlink loop"))
                return
            reason = _excluded_dir_reason(entry.name, entry_path)
            if reason is not None:
                self.skipped.append(SkippedPath(rel, reason))
                return
            self._walk_dir(entry_path, rel, matcher, ancestors | {real})
        elif stat.S_ISREG(mode):
            if entry.name == ".git":
                return  # a submodule's or worktree's pointer file, not repository content
            size = entry.stat(follow_symlinks=True).st_size
            self.files.append(WalkedFile(rel, entry_path, size))
        else:
            self.skipped.append(SkippedPath(rel, "not a regular file"))


def walk_repository(root: Path) -> WalkResult:
    """All files below ``root`` that git would track, plus what was skipped and why."""
    return _Walker(root).run()
