"""``include`` (Compose spec 14-include.md): other compose projects pulled in whole.

Each entry is loaded as its own project (own project directory, own ``.env``) and its
resources are copied in; a name that the including project already defines differently is
an error (no merge). Relative ``path``s resolve against the including project's directory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kubealign.errors import ComposeError
from kubealign.load.compose.paths import absolute
from kubealign.load.compose.tree import Node, plain

SECTIONS = ("services", "volumes", "networks", "secrets", "configs", "models")


@dataclass(frozen=True, slots=True)
class IncludeEntry:
    files: tuple[Path, ...]
    project_directory: Path
    env_files: tuple[Path, ...]
    node: Node


# Loads an included project and returns its resolved document.
ProjectLoader = Callable[[IncludeEntry], Node]


def _error(message: str, node: Node) -> ComposeError:
    path, line = node.where()
    return ComposeError(message, path=path, line=line)


def _strings(node: Node | None, what: str) -> list[str]:
    if node is None:
        return []
    if isinstance(node.value, str):
        return [node.value]
    if isinstance(node.value, list) and all(isinstance(i.value, str) for i in node.value):
        return [i.value for i in node.value]
    raise _error(f"expected include {what} to be a string or a list of strings", node)


def parse_entries(include: Node, base_dir: Path, home: str) -> list[IncludeEntry]:
    items = include.value if isinstance(include.value, list) else None
    if items is None:
        raise _error("expected 'include' to be a list", include)
    entries: list[IncludeEntry] = []
    for item in items:
        if isinstance(item.value, str):
            paths, directory, env_files = [item.value], None, []
        elif isinstance(item.value, dict):
            paths = _strings(item.get("path"), "path")
            project_dir_node = item.get("project_directory")
            directory = (
                _strings(project_dir_node, "project_directory")[0] if project_dir_node else None
            )
            env_files = _strings(item.get("env_file"), "env_file")
        else:
            raise _error(
                "expected an include entry: a path or {path, project_directory, env_file}", item
            )
        if not paths:
            raise _error("expected include 'path'", item)
        files = tuple(Path(absolute(p, base_dir, home)) for p in paths)
        project_dir = Path(absolute(directory, base_dir, home)) if directory else files[0].parent
        env = tuple(Path(absolute(e, base_dir, home)) for e in env_files)
        entries.append(IncludeEntry(files, project_dir, env, item))
    return entries


def copy_resources(document: Node, included: Node, entry: IncludeEntry) -> None:
    """Copy the included project's resources into ``document``; conflicts are errors."""
    for section in SECTIONS:
        source = included.get(section)
        if source is None or not isinstance(source.value, dict) or not source.value:
            continue
        target = document.get(section)
        if target is None or not isinstance(target.value, dict):
            target = Node({}, source.span)
            document.value[section] = target
        for name, resource in source.value.items():
            existing = target.value.get(name)
            if existing is not None and plain(existing) != plain(resource):
                path, line = existing.where()
                where = f" (already defined at {path}:{line})" if path else ""
                raise _error(
                    f"included file {entry.files[0]} defines {section[:-1]} {name!r} "
                    f"differently{where}; expected distinct names",
                    entry.node,
                )
            target.value[name] = resource


def apply_includes(document: Node, base_dir: Path, home: str, load: ProjectLoader) -> None:
    include = document.value.pop("include", None) if isinstance(document.value, dict) else None
    if include is None:
        return
    for entry in parse_entries(include, base_dir, home):
        copy_resources(document, load(entry), entry)
