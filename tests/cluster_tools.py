"""The local cluster's Python programs (tools/cluster/*.py) as modules for the tests: they are
scripts run by the Makefile, not part of the kubealign package."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

TOOLS = Path(__file__).resolve().parents[1] / "tools" / "cluster"


def cluster_tool(name: str) -> ModuleType:
    """``tools/cluster/<name>.py``, imported once (its folder is on the path only meanwhile)."""
    sys.path.insert(0, str(TOOLS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.pop(0)
