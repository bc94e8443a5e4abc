"""A service's environment: ``env_file`` contents under ``environment`` (which wins).

Compose reference (``env_file``, ``environment``): files are read in order, later files win;
``required: false`` skips a missing file; an ``environment`` key without a value takes its
value from the project environment (process environment, then ``.env``) and stays null when
that has none. The result is always a mapping, and ``env_file`` is removed (as
``docker compose config`` does) since its contents now live in ``environment``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from kubealign.errors import ComposeError
from kubealign.load.boundary import OUTSIDE_REASON, ReadBoundary
from kubealign.load.compose.envfile import read_env_file
from kubealign.load.compose.merge import keyed_mapping
from kubealign.load.compose.tree import Node
from kubealign.model.findings import Finding, Severity
from kubealign.model.source import SourceSpan


def _env_file_entries(env_file: Node) -> list[tuple[str, bool, Node]]:
    items = env_file.value if isinstance(env_file.value, list) else [env_file]
    entries: list[tuple[str, bool, Node]] = []
    for item in items:
        if isinstance(item.value, str):
            entries.append((item.value, True, item))
            continue
        path = item.get("path")
        required = item.get("required")
        if path is None or not isinstance(path.value, str):
            where, line = item.where()
            raise ComposeError("expected env_file entry {path, required}", path=where, line=line)
        entries.append((path.value, required is None or required.value is not False, item))
    return entries


def _file_values(env_file: Node, project_env: Mapping[str, str], max_bytes: int,
                 boundary: ReadBoundary | None, refused: list[Finding]) -> dict[str, Node]:
    values: dict[str, Node] = {}

    def lookup(name: str) -> str | None:
        earlier = values.get(name)
        if earlier is not None and isinstance(earlier.value, str):
            return earlier.value
        return project_env.get(name)

    for path_text, required, item in _env_file_entries(env_file):
        path = Path(path_text)
        if boundary is not None and not boundary.permits(path):
            # Not read: a host file's variables would end up in the manifests.
            where, line = item.where()
            refused.append(Finding(
                rule="LOAD003", severity=Severity.HIGH,
                message=f"env_file {path_text} not read: {OUTSIDE_REASON}", path=where,
                line=line, fix="copy the variables into the repository or a Secret you "
                "create, or pass --allow-path if reading the file is intended",
                category="load"))
            continue
        if not path.is_file():
            if required:
                where, line = item.where()
                raise ComposeError(
                    f"env file {path_text} not found; expected an existing file "
                    "(or required: false)",
                    path=where,
                    line=line,
                )
            continue
        lines: dict[str, int] = {}
        for key, value in read_env_file(path, lookup, lines=lines, max_bytes=max_bytes).items():
            values.pop(key, None)
            values[key] = Node(value, SourceSpan(path_text, lines.get(key, 1), 1))
    return values


def resolve_environment(service: Node, project_env: Mapping[str, str], max_bytes: int, *,
                        boundary: ReadBoundary | None = None,
                        refused: list[Finding] | None = None) -> None:
    """Fold ``env_file`` into ``environment`` (a mapping) in place.

    An ``env_file`` outside ``boundary`` is not read; a finding goes to ``refused``.
    """
    if not isinstance(service.value, dict):
        return
    env_file = service.value.pop("env_file", None)
    environment = service.get("environment")
    if env_file is None and environment is None:
        return
    sink = refused if refused is not None else []
    merged = (_file_values(env_file, project_env, max_bytes, boundary, sink)
              if env_file is not None else {})
    if environment is None and not merged:
        return  # every env_file was refused or optional and missing: nothing to write
    if environment is not None:
        for key, written in keyed_mapping(environment).items():
            value = written
            if written.value is None and key in project_env:
                value = Node(project_env[key], written.span)
            merged.pop(key, None)
            merged[key] = value
    anchor = environment if environment is not None else env_file
    service.value["environment"] = Node(merged, anchor.span if anchor is not None else None)
