"""Atomic writes: a reader sees the old file or the new one, never half of either.

A single file is written to a temporary sibling and renamed over the target. A whole output
folder (``--out``) is written through an :class:`OutputSession`: the step writes into a
staging folder beside ``--out`` and :meth:`OutputSession.commit` renames it into place, so a
failure while producing the output leaves the previous output untouched.

kubealign replaces only a folder it wrote itself. Each committed folder holds a marker file
(:data:`MARKER`) listing the files kubealign put there; an existing ``--out`` is replaced
only when it is empty or holds nothing but the files its marker lists, and never when it is
(or contains) the repository being read or the working directory. A lock file beside
``--out`` makes a second concurrent run into the same folder fail at once.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from kubealign.errors import KubealignError, UsageError

MARKER = ".kubealign-output"
"""The file that marks a folder as kubealign's own output (first line, then one path a line)."""

_MARKER_HEADER = (
    "# Written by kubealign: this folder is its output and the next run into it replaces it.\n"
    "# The files kubealign wrote (a folder holding anything else is never replaced):\n"
)


def _umask() -> int:
    # os.umask can only be read by setting it; restore at once (single-threaded CLI).
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_bytes_atomic(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write ``path`` atomically; ``mode`` defaults to 0o666 minus the umask (like ``open``)."""
    if path.is_dir():
        raise UsageError(f"{path} is a directory, not a file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _os_error(exc, path) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(mode if mode is not None else 0o666 & ~_umask())
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _os_error(exc, path) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str, *, mode: int | None = None) -> None:
    write_bytes_atomic(path, text.encode("utf-8"), mode=mode)


def _os_error(exc: OSError, path: Path) -> UsageError:
    reason = exc.strerror or str(exc)
    return UsageError(f"cannot write {path}: {reason}", path=None)


# --------------------------------------------------------------------------- ownership


def _listed(root: Path) -> set[str] | None:
    """The files the marker of ``root`` lists; None when ``root`` has no readable marker."""
    marker = root / MARKER
    if marker.is_symlink() or not marker.is_file():
        return None
    try:
        text = marker.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not text.startswith("# Written by kubealign"):
        return None
    return {line for line in text.splitlines() if line and not line.startswith("#")}


def _present(root: Path) -> Iterator[str]:
    """Every non-folder entry under ``root`` (relative POSIX), symlinks not followed."""
    for folder, dirs, names in os.walk(root, followlinks=False):
        base = Path(folder)
        # A symlink to a folder is listed as an entry, never walked into.
        for name in [*names, *(d for d in dirs if (base / d).is_symlink())]:
            yield (base / name).relative_to(root).as_posix()


def _is_within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def check_replaceable(out: Path, *, protect: Iterable[Path] = ()) -> None:
    """Refuse (UsageError, exit 2) unless kubealign may replace folder ``out``.

    ``protect`` are folders that must survive (the repository being read); the working
    directory is always protected. ``out`` may not be one of them or a parent of one.
    """
    resolved = out.resolve()
    guarded = [Path.cwd().resolve(), *(p.resolve() for p in protect)]
    for index, folder in enumerate(guarded):
        if _is_within(folder, resolved):
            if folder == resolved:
                what = "would replace " + ("the working directory" if index == 0
                                           else "the repository itself")
            else:
                what = "holds " + ("the working directory" if index == 0
                                   else f"the repository {folder}")
            raise UsageError(f"--out {out} {what}; kubealign writes only into a new folder or "
                             "one it wrote before (e.g. kubealign-out)")
    if not out.exists() and not out.is_symlink():
        return
    if out.is_symlink() or not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a directory")
    try:
        present = sorted(_present(out))
    except OSError as exc:
        raise _os_error(exc, out) from None
    if not present:
        return
    listed = _listed(out)
    if listed is None:
        raise UsageError(f"--out {out} is not empty and was not written by kubealign (no "
                         f"{MARKER}); choose a new or empty folder")
    foreign = [p for p in present if p != MARKER and p not in listed]
    if foreign:
        more = f" and {len(foreign) - 1} more" if len(foreign) > 1 else ""
        raise UsageError(f"--out {out} holds files kubealign did not write ({foreign[0]}{more}); "
                         "move them or choose another folder")


# --------------------------------------------------------------------------- lock


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold an exclusive lock beside ``out`` (released by the OS if the process dies)."""
    lock = out.parent / f".{out.name}.kubealign-lock"
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666 & ~_umask())
        except OSError as exc:
            raise _os_error(exc, lock) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise UsageError(f"another kubealign run is writing {out} (lock {lock}); "
                                 "wait for it to finish") from None
            raise _os_error(exc, lock) from None
        # The previous holder may have unlinked the file between our open and flock.
        try:
            same = lock.stat().st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)
        os.close(fd)


# --------------------------------------------------------------------------- session


class OutputSession:
    """The output folder of one command: stage files, then commit them into place.

    Files written since the last :meth:`commit` live in :attr:`staging` (beside ``out``);
    ``commit`` swaps the staging folder in with renames. After a commit the next write
    starts a new staging folder seeded with what was committed, so a multi-step command
    (migrate) can commit after each step and a failed later step leaves the earlier ones.
    Create sessions with :func:`output_session`, which checks ownership and locks.
    """

    def __init__(self, out: Path) -> None:
        self.out = out.resolve()
        self.given = out  # as the user typed it: what messages name
        self._staging: Path | None = None
        self.committed: tuple[str, ...] = ()

    def final_text(self, text: str) -> str:
        """``text`` naming the output folder instead of the staging folder it was staged in:
        a message (Helm's, an OS error's) about a staged file names where the file goes."""
        if self._staging is None:
            return text
        for staged in dict.fromkeys((str(self._staging.resolve()), str(self._staging))):
            text = text.replace(staged, str(self.given))
        return text

    @property
    def staging(self) -> Path:
        """The folder the current step writes into (created on first use)."""
        if self._staging is None:
            self._staging = self._new_staging()
        return self._staging

    def _new_staging(self) -> Path:
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.", suffix=".staging",
                                            dir=self.out.parent))
            # mkdtemp makes 0700; the output is an ordinary folder (umask applies).
            staging.chmod(0o777 & ~_umask())
            if self.committed:
                for rel in self.committed:
                    source = self.out / rel
                    target = staging / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, target, follow_symlinks=False)
        except OSError as exc:
            raise _os_error(exc, self.out) from None
        return staging

    def path(self, rel: str) -> Path:
        """Where ``rel`` lives in the staging folder (to render what was just written)."""
        return self.staging / rel

    def write(self, rel: str, content: bytes | str) -> Path:
        staging = self.staging
        target = staging / rel
        if rel == MARKER or not _is_within(target.resolve(), staging.resolve()) or \
                target.resolve() == staging.resolve():
            raise ValueError(f"output path escapes the output directory: {rel}")
        data = content.encode("utf-8") if isinstance(content, str) else content
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as exc:
            raise _os_error(exc, self.out / rel) from None
        return target

    def write_files(self, files: Mapping[str, bytes | str]) -> None:
        # Sorted order keeps the staging itself deterministic.
        for rel in sorted(files):
            self.write(rel, files[rel])

    def remove(self, rel: str) -> None:
        """Drop ``rel`` (a file or folder) from the staging (a step replacing its own output)."""
        target = self.staging / rel
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)

    def commit(self) -> None:
        """Rename the staging folder into place; the previous output is removed after."""
        staging = self.staging
        present = sorted(p for p in _present(staging) if p != MARKER)
        try:
            (staging / MARKER).write_text(_MARKER_HEADER + "".join(f"{p}\n" for p in present),
                                          encoding="utf-8")
            old: Path | None = None
            if self.out.exists():
                old = self.out.with_name(f".{self.out.name}.old-{os.getpid()}")
                if old.exists():
                    shutil.rmtree(old)
                self.out.rename(old)
            staging.rename(self.out)
        except OSError as exc:
            raise _os_error(exc, self.out) from None
        self._staging = None
        self.committed = tuple(present)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None


@contextmanager
def output_session(out: Path, *, protect: Iterable[Path] = ()) -> Iterator[OutputSession]:
    """Lock ``out``, check kubealign may replace it, and yield a session writing it.

    Uncommitted files are discarded when the block ends, by an error or not: call
    :meth:`OutputSession.commit` once the step succeeded.
    """
    protect = tuple(protect)
    check_replaceable(out, protect=protect)
    try:
        out.resolve().parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _os_error(exc, out) from None
    with _locked(out.resolve()):
        # Checked again under the lock: another run may have written it meanwhile.
        check_replaceable(out, protect=protect)
        session = OutputSession(out)
        try:
            yield session
        except KubealignError as exc:
            exc.message = session.final_text(exc.message)
            exc.args = (exc.message,)
            if exc.path is not None:
                exc.path = session.final_text(exc.path)
            raise
        finally:
            session.discard()


def write_tree_atomic(root: Path, files: Mapping[str, bytes | str], *,
                      protect: Iterable[Path] = ()) -> None:
    """Replace folder ``root`` by exactly ``files`` (relative POSIX paths -> content).

    Same ownership rules and lock as :func:`output_session`, in one step.
    """
    with output_session(root, protect=protect) as session:
        session.write_files(files)
        session.commit()
