"""The benchmark peers (kubeconform, kompose) and whole-process timing.

The peers are Go programs that ``make bench-tools`` installs into ``.tools/bench/bin`` (never a
runtime dependency of kubealign). Every figure here is a whole process, start-up included,
because that is what a user or a CI job pays for each call.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TOOLS_BIN = REPO_ROOT / ".tools" / "bench" / "bin"


def find_tool(name: str) -> Path:
    """``.tools/bin/NAME`` (what ``make bench-tools`` installs), else NAME on PATH."""
    local = TOOLS_BIN / name
    if local.is_file() and os.access(local, os.X_OK):
        return local
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: run `make bench-tools` (installs it into {TOOLS_BIN})")
    return Path(found)


def kubealign_command() -> list[str]:
    """kubealign as an installed user runs it: the console script of this interpreter's venv."""
    script = Path(sys.executable).parent / "kubealign"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kubealign"]


def run(argv: Sequence[str], *, ok: Sequence[int] = (0,), cwd: Path | None = None) -> str:
    """Run a process to the end and return its stdout; fail loudly on an unexpected exit."""
    done = subprocess.run(list(argv), capture_output=True, text=True, cwd=cwd, check=False)
    if done.returncode not in ok:
        raise SystemExit(
            f"{' '.join(argv)} exited {done.returncode}:\n"
            f"{done.stderr[-2000:]}{done.stdout[-2000:]}"
        )
    return done.stdout


def time_process(argv: Sequence[str], *, repeat: int = 3, ok: Sequence[int] = (0,),
                 cwd: Path | None = None) -> float:
    """The fastest wall-clock time of ``repeat`` whole runs, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run(argv, ok=ok, cwd=cwd)
        best = min(best, time.perf_counter() - started)
    return best
