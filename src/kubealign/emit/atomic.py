"""Atomic writes: a reader sees the old file or the new one, never half of either.

A single file is written to a temporary sibling and renamed over the target. A whole
output tree is staged in a temporary sibling directory and swapped in with renames, so
an error while producing the output leaves the previous tree untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path


def write_bytes_atomic(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(mode)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str, *, mode: int = 0o644) -> None:
    write_bytes_atomic(path, text.encode("utf-8"), mode=mode)


def write_tree_atomic(root: Path, files: Mapping[str, bytes | str]) -> None:
    """Replace directory ``root`` by exactly ``files`` (relative POSIX paths -> content).

    Files are written in sorted order so the staging is itself deterministic.
    """
    root = root.resolve()
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.", suffix=".staging", dir=root.parent))
    try:
        for rel in sorted(files):
            target = staging / rel
            if staging not in target.resolve().parents:
                raise ValueError(f"output path escapes the output directory: {rel}")
            content = files[rel]
            data = content.encode("utf-8") if isinstance(content, str) else content
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        old: Path | None = None
        if root.exists():
            old = root.with_name(f".{root.name}.old-{os.getpid()}")
            root.rename(old)
        staging.rename(root)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
