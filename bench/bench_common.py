"""Shared helpers for the bench scripts: best-of timing, the bare-parse baseline, a table."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml


def best_of(action: Callable[[], Any], repeat: int = 3) -> float:
    """The fastest of ``repeat`` runs in seconds.

    As ``timeit`` does, the cyclic garbage collector is off while timing: its passes cost in
    proportion to everything alive (earlier stages' results included), which would make the
    bare parse itself look superlinear at 5,000 services.
    """
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            action()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return min(times)


def bare_parse(files: Sequence[Path]) -> list[Any]:
    """The baseline: read each file and ``yaml.load`` it with PyYAML's C loader."""
    return [yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) for path in files]


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    for row in (headers, *rows):
        print("  ".join(str(cell).rjust(width) for cell, width in zip(row, widths, strict=True)))
