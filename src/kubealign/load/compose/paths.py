"""Relative host paths made absolute, as ``docker compose config`` prints them.

Resolved against the directory that the Compose spec names: the project directory for the
files given with ``-f`` (override files included), the extended file's directory for a service
taken from another file with ``extends``, the included project's directory for ``include``.
"""

from __future__ import annotations

import os
from pathlib import Path

from kubealign.load.compose.short_syntax import parse_volume_spec
from kubealign.load.compose.tree import Node

_REMOTE_PREFIXES = ("http://", "https://", "git://", "git@", "github.com/", "ssh://")


def absolute(text: str, base: Path, home: str) -> str:
    """``text`` made absolute against ``base``; ``~`` is the user's home directory."""
    if text == "~" or text.startswith("~/"):
        return os.path.normpath(home + text[1:])
    if Path(text).is_absolute():
        return text
    return os.path.normpath(base / text)


def _is_remote(context: str) -> bool:
    return context.startswith(_REMOTE_PREFIXES) or "://" in context


def _resolve_string(node: Node | None, base: Path, home: str) -> None:
    if node is not None and isinstance(node.value, str) and node.value:
        node.value = absolute(node.value, base, home)


def _resolve_volume(item: Node, base: Path, home: str) -> None:
    if isinstance(item.value, str):
        try:
            spec = parse_volume_spec(item.value)
        except ValueError:
            return  # reported by the normaliser with its position
        source = spec["source"]
        if spec["type"] == "bind" and source and not Path(source).is_absolute():
            item.value = absolute(source, base, home) + item.value[len(source) :]
    elif isinstance(item.value, dict):
        kind, source = item.get("type"), item.get("source")
        if kind is not None and kind.value == "bind" and source is not None:
            _resolve_string(source, base, home)


def _resolve_build(service: Node, base: Path, home: str) -> None:
    build = service.get("build")
    if build is None:
        return
    context = build if isinstance(build.value, str) else build.get("context")
    if context is None and isinstance(build.value, dict):
        build.value["context"] = Node(".", build.span)
        context = build.value["context"]
    if context is not None and isinstance(context.value, str) and not _is_remote(context.value):
        context.value = absolute(context.value, base, home)


def _resolve_env_files(service: Node, base: Path, home: str) -> None:
    env_file = service.get("env_file")
    if env_file is None:
        return
    items = env_file.value if isinstance(env_file.value, list) else [env_file]
    for item in items:
        _resolve_string(item.get("path") if isinstance(item.value, dict) else item, base, home)


def resolve_service_paths(service: Node, base: Path, home: str) -> None:
    """Make one service's host paths absolute in place."""
    if not isinstance(service.value, dict):
        return
    _resolve_build(service, base, home)
    _resolve_env_files(service, base, home)
    volumes = service.get("volumes")
    if volumes is not None and isinstance(volumes.value, list):
        for item in volumes.value:
            _resolve_volume(item, base, home)


def resolve_project_paths(document: Node, base: Path, home: str) -> None:
    """Services, and the ``file:`` of top-level secrets and configs."""
    services = document.get("services")
    if services is not None and isinstance(services.value, dict):
        for service in services.value.values():
            resolve_service_paths(service, base, home)
    for section in ("secrets", "configs"):
        resources = document.get(section)
        if resources is None or not isinstance(resources.value, dict):
            continue
        for resource in resources.value.values():
            _resolve_string(resource.get("file"), base, home)
