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

from kubealign.errors import ComposeError, LoadError
from kubealign.load.boundary import OUTSIDE_REASON, ReadBoundary
from kubealign.load.compose.envfile import read_env_file
from kubealign.load.compose.merge import keyed_mapping
from kubealign.load.compose.tolerance import (
    ENV_FILE_LINE,
    ENV_FILE_MISSING,
    ENV_FILE_UNREADABLE,
    Tolerance,
    env_file_template,
)
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


def _missing(path_text: str, item: Node, tolerance: Tolerance | None) -> Path | None:
    """A missing required env file: the error, or (tolerant) its committed template."""
    where, line = item.where()
    if tolerance is None:
        raise ComposeError(
            f"env file {path_text} not found; expected an existing file (or required: false)",
            path=where,
            line=line,
        )
    template = env_file_template(Path(path_text))
    if template is not None:
        tolerance.record(
            ENV_FILE_MISSING, Severity.MEDIUM,
            f"env file {path_text} is not in the repository; read its template {template} "
            "instead (its values are examples)",
            path=where, line=line,
            fix="give the real values through the environment's Secret/ConfigMap values")
        return template
    tolerance.record(
        ENV_FILE_MISSING, Severity.HIGH,
        f"env file {path_text} is not in the repository and has no template (.example, "
        ".sample, .dist); the service's variables from it are unknown",
        path=where, line=line,
        fix="declare the variables the service needs under `environment:` or commit a "
            "template of the file")
    return None


def _file_values(env_file: Node, project_env: Mapping[str, str], max_bytes: int,
                 boundary: ReadBoundary | None, refused: list[Finding],
                 tolerance: Tolerance | None = None) -> dict[str, Node]:
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
            if not required:
                continue
            found = _missing(path_text, item, tolerance)
            if found is None:
                continue
            path = found
        shown = str(path)
        lines: dict[str, int] = {}
        problems: list[LoadError] | None = [] if tolerance is not None else None
        try:
            read = read_env_file(path, lookup, lines=lines, max_bytes=max_bytes,
                                 problems=problems)
        except LoadError as exc:
            if tolerance is None:
                raise
            tolerance.record_error(ENV_FILE_UNREADABLE, Severity.HIGH, exc,
                                   "its variables are left out of the service")
            continue
        if tolerance is not None:
            for problem in problems or ():
                tolerance.record_error(ENV_FILE_LINE, Severity.MEDIUM, problem,
                                       "the line is skipped")
        for key, value in read.items():
            values.pop(key, None)
            values[key] = Node(value, SourceSpan(shown, lines.get(key, 1), 1))
    return values


def resolve_environment(service: Node, project_env: Mapping[str, str], max_bytes: int, *,
                        boundary: ReadBoundary | None = None,
                        refused: list[Finding] | None = None,
                        tolerance: Tolerance | None = None) -> None:
    """Fold ``env_file`` into ``environment`` (a mapping) in place.

    An ``env_file`` outside ``boundary`` is not read; a finding goes to ``refused``.
    ``tolerance`` records missing and malformed env files instead of raising.
    """
    if not isinstance(service.value, dict):
        return
    env_file = service.value.pop("env_file", None)
    environment = service.get("environment")
    if env_file is None and environment is None:
        return
    sink = refused if refused is not None else []
    merged = (_file_values(env_file, project_env, max_bytes, boundary, sink, tolerance)
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
