"""Env files: variable names only. Values are never read into any object."""

from __future__ import annotations

import re

from kubealign.model.inventory import EnvFileInfo

_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=")


def env_file_info(text: str) -> EnvFileInfo:
    names: dict[str, None] = {}
    for line in text.splitlines():
        match = _ASSIGNMENT.match(line)
        if match:
            names.setdefault(match.group(1), None)
    return EnvFileInfo(variables=tuple(names))


def looks_like_env_file(text: str) -> bool:
    """Every meaningful line is ``NAME=value`` (used for files only named like env files)."""
    lines = [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    return bool(lines) and all(_ASSIGNMENT.match(line) for line in lines)
