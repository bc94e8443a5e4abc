"""The read boundary: kubealign reads a file only when it stays inside the repository.

kubealign runs on repositories its user did not write, often in CI beside credentials, and
what it reads can end up in a committed chart. So every path a repository file names (a
compose file's ``env_file``, ``extends``, ``include``, bind mount, ``configs``/``secrets``
``file:``, a Dockerfile, a kustomization or script reference) is resolved with symlinks and
read only when the real path is inside the boundary: the repository root (the enclosing git
work tree of the project directory, else the project directory), the project directory the
user names, or a path the user allowed explicitly (``--allow-path``). A path outside is not
read at all; callers report the key as not convertible with :data:`OUTSIDE_REASON`.

Only regular files are read (a FIFO would block, a device never ends), and never more than
``max_bytes``. This module is the one place the rule lives: everything else asks it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kubealign.errors import LoadError

OUTSIDE_REASON = ("host path outside the repository: mount it from a Secret/ConfigMap you "
                  "create, or pass --allow-path")
DEFAULT_MAX_READ_BYTES = 16 * 1024 * 1024


class OutsideRepository(LoadError):
    """A path named by the repository resolves outside the read boundary (nothing was read)."""


def _real(path: str | Path) -> Path:
    # realpath, not Path.resolve(strict=True): a missing path still gets a location to judge,
    # and symlink loops end in a path that does not exist instead of an exception.
    return Path(os.path.realpath(os.fspath(path)))


def _within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def repository_root(directory: Path) -> Path:
    """The git work tree holding ``directory`` (a ``.git`` folder or file), else itself."""
    start = _real(directory)
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return start


@dataclass(frozen=True, slots=True)
class ReadBoundary:
    """Folders kubealign may read below (real paths), and single paths the user allowed."""

    roots: tuple[Path, ...]
    allowed: tuple[Path, ...] = ()

    @classmethod
    def for_project(cls, directory: Path, *, allow: Iterable[Path] = (),
                    named: Iterable[Path] = (), exact: bool = False) -> ReadBoundary:
        """The boundary of a project in ``directory``.

        ``exact``: the user named ``directory`` (``--project-directory``), so it is the root
        itself; otherwise the enclosing repository. ``named`` are files the user typed on
        the command line (``-f``, ``--env-file``): reading them is what was asked.
        ``allow`` are ``--allow-path`` opt-ins (a file or a folder and everything below).
        """
        root = _real(directory) if exact else repository_root(directory)
        return cls((root,), tuple(_real(p) for p in (*named, *allow)))

    def widened(self, *paths: Path) -> ReadBoundary:
        return ReadBoundary(self.roots, (*self.allowed, *(_real(p) for p in paths)))

    def refusal(self, path: str | Path) -> str | None:
        """None when ``path`` (symlinks resolved) may be read; else why not (one line)."""
        real = _real(path)
        if any(_within(real, root) for root in self.roots):
            return None
        if any(_within(real, allowed) for allowed in self.allowed):
            return None
        return OUTSIDE_REASON

    def permits(self, path: str | Path) -> bool:
        return self.refusal(path) is None

    def require(self, path: str | Path, *, display: str | None = None,
                line: int | None = None) -> Path:
        """The real path of ``path``, or OutsideRepository naming ``display`` (and line)."""
        reason = self.refusal(path)
        if reason is not None:
            shown = display if display is not None else str(path)
            raise OutsideRepository(f"{path}: {reason}", path=shown, line=line)
        return _real(path)

    def read_bytes(self, path: str | Path, *, max_bytes: int = DEFAULT_MAX_READ_BYTES,
                   display: str | None = None) -> bytes:
        """The bytes of a regular file inside the boundary; LoadError otherwise."""
        real = self.require(path, display=display)
        shown = display if display is not None else str(path)
        try:
            # O_NONBLOCK: a FIFO planted in the repository must not hang the run.
            fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            raise LoadError("file not found", path=shown) from None
        except OSError as exc:
            raise LoadError(f"cannot read file: {exc.strerror}", path=shown) from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise LoadError("not a regular file", path=shown)
        if info.st_size > max_bytes:
            os.close(fd)
            raise LoadError(f"file is {info.st_size} bytes, larger than the {max_bytes}-byte "
                            "limit", path=shown)
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise LoadError(f"file grew beyond the {max_bytes}-byte limit", path=shown)
        return data

    def bytes_or_none(self, path: str) -> bytes | None:
        """For the converter: the file's bytes, or None when it may not or cannot be read."""
        try:
            return self.read_bytes(path)
        except LoadError:
            return None

    def text_or_none(self, path: str) -> str | None:
        """The file as UTF-8 text, or None (outside, unreadable, binary)."""
        data = self.bytes_or_none(path)
        if data is None:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None
