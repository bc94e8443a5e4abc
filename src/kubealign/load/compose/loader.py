"""Raw compose loading: files found, interpolated, merged, extended, included, filtered.

Order (Compose spec, reference §1.2): anchors and merge keys while parsing; interpolation per
file; ``-f`` files merged in order; ``extends``; relative paths made absolute; ``include``;
keyed sequences de-duplicated; profiles; ``env_file`` folded into ``environment``. Short and
long syntaxes stay as written for the typed normalisation on top of this.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubealign.errors import ComposeError, InterpolationError, LoadError
from kubealign.load.boundary import OUTSIDE_REASON, OutsideRepository, ReadBoundary
from kubealign.load.compose.envfile import read_env_file
from kubealign.load.compose.environment import resolve_environment
from kubealign.load.compose.extends import ExtendsResolver
from kubealign.load.compose.include import IncludeEntry, apply_includes
from kubealign.load.compose.interpolate import (
    TemplateError,
    UnsetVariables,
    interpolate_tree,
    substitute,
)
from kubealign.load.compose.merge import enforce_unicity, merge_documents
from kubealign.load.compose.paths import resolve_project_paths
from kubealign.load.compose.profiles import apply_profiles
from kubealign.load.compose.tolerance import (
    ENV_FILE_LINE,
    ENV_FILE_MISSING,
    ENV_FILE_UNREADABLE,
    INCLUDE_MISSING,
    INTERPOLATION,
    REQUIRED_VARIABLE,
    Tolerance,
    env_file_template,
)
from kubealign.load.compose.tree import Node, from_loaded, to_plain
from kubealign.load.yaml_safe import DEFAULT_MAX_BYTES, load_yaml_file
from kubealign.model.findings import Finding, Severity
from kubealign.model.source import SourceMap

DEFAULT_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
_MAX_INCLUDE_DEPTH = 20


@dataclass(frozen=True, slots=True)
class ComposeOptions:
    """What ``docker compose`` takes on its command line, plus the process environment."""

    files: tuple[Path, ...] = ()
    project_directory: Path | None = None
    env_files: tuple[Path, ...] = ()
    profiles: tuple[str, ...] = ()
    environ: Mapping[str, str] = field(default_factory=dict)
    project_name: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    allow_paths: tuple[Path, ...] = ()
    """``--allow-path``: host files or folders outside the repository the user lets it read."""
    boundary: ReadBoundary | None = None
    """What may be read (default: the repository holding the project directory)."""
    tolerant: bool = False
    """Read the repository as its authors left it: missing env files, required variables
    without a value, malformed env-file lines and missing includes become findings
    (``RawProject.warnings``) with the recovery chosen, instead of errors."""
    keep_inactive: bool = False
    """Keep the services no active profile enables (``RawProject.active_profiles``), for
    conversion: they become ``enabled: false`` in values instead of disappearing."""


@dataclass(slots=True)
class RawProject:
    """A merged, interpolated compose project, syntax still as written."""

    name: str
    data: dict[str, Any]
    sources: SourceMap
    project_directory: Path
    files: tuple[Path, ...]
    variables: dict[str, str]  # may hold secrets: never print
    warnings: list[Finding]
    expansions: dict[str, set[str]] = field(default_factory=dict)
    """Variable -> what its references expanded to (may hold secrets: never print; errors
    name the variable instead, ``interpolate.naming_variables``)."""
    active_profiles: tuple[str, ...] | None = None
    """With ``keep_inactive``: the active profiles (services of none of them were kept);
    None when disabled services were removed."""


def normalize_project_name(text: str) -> str:
    """compose-go's rule: lowercase, keep ``[a-z0-9_-]``, no leading ``_``/``-``."""
    return re.sub(r"[^-_a-z0-9]+", "", text.lower()).lstrip("_-")


def _default_files(directory: Path) -> tuple[Path, ...]:
    for name in DEFAULT_FILE_NAMES:
        candidate = directory / name
        if candidate.is_file():
            stem, suffix = name.rsplit(".", 1)
            overrides = [directory / f"{stem}.override.{ext}" for ext in (suffix, "yaml", "yml")]
            override = next((o for o in overrides if o.is_file()), None)
            return (candidate,) if override is None else (candidate, override)
    expected = ", ".join(DEFAULT_FILE_NAMES)
    raise LoadError(f"no compose file found; expected one of {expected}", path=str(directory))


def outside_finding(what: str, path: Path | str, where: str | None, line: int | None
                    ) -> Finding:
    """The finding for a file the repository names outside the read boundary (not read)."""
    return Finding(rule="LOAD003", severity=Severity.HIGH,
                   message=f"{what} {path} not read: {OUTSIDE_REASON}", path=where, line=line,
                   fix="copy the file into the repository, create the Secret/ConfigMap "
                       "yourself, or pass --allow-path if reading it is intended",
                   category="load")


def _read_env_files(
    files: tuple[Path, ...], environ: Mapping[str, str], max_bytes: int,
    tolerance: Tolerance | None = None,
) -> dict[str, str]:
    """Variables from env files; the process environment is looked up first, as compose does."""
    values: dict[str, str] = {}

    def lookup(name: str) -> str | None:
        found = environ.get(name)
        return found if found is not None else values.get(name)

    for path in files:
        if tolerance is None:
            values.update(read_env_file(path, lookup, max_bytes=max_bytes))
            continue
        problems: list[LoadError] = []
        try:
            values.update(read_env_file(path, lookup, max_bytes=max_bytes, problems=problems))
        except LoadError as exc:
            tolerance.record_error(ENV_FILE_UNREADABLE, Severity.HIGH, exc,
                                   "its variables are treated as unset")
        for problem in problems:
            tolerance.record_error(ENV_FILE_LINE, Severity.MEDIUM, problem, "the line is skipped")
    return values


def _project_env_files(options: ComposeOptions, tolerance: Tolerance | None
                       ) -> tuple[Path, ...]:
    """``--env-file`` paths; a missing one is an error, or (tolerant) its template or nothing."""
    found: list[Path] = []
    for env_file in (Path(f).absolute() for f in options.env_files):
        if env_file.is_file():
            found.append(env_file)
            continue
        if tolerance is None:
            raise LoadError("env file not found", path=str(env_file))
        template = env_file_template(env_file)
        if template is not None:
            found.append(template)
        tolerance.record(
            ENV_FILE_MISSING, Severity.MEDIUM if template else Severity.HIGH,
            f"--env-file {env_file.name} is not in the repository; "
            + (f"read its template {template.name} instead (its values are examples)"
               if template else "its variables are treated as unset"),
            path=str(env_file),
            fix="give the real values through the environment's values file or Secrets")
    return tuple(found)


class _Session:
    """State of one ``load_raw_project`` call: environment, home and warnings."""

    def __init__(self, options: ComposeOptions) -> None:
        self.options = options
        self.environ = dict(options.environ)
        self.home = self.environ.get("HOME") or str(Path.home())
        self.unset = UnsetVariables(tolerant=options.tolerant)
        self.tolerance: Tolerance | None = Tolerance() if options.tolerant else None
        self.boundary = options.boundary or ReadBoundary((), ())
        self.refused: list[Finding] = []

    def readable_env_files(self, files: tuple[Path, ...], where: str | None,
                           line: int | None) -> tuple[Path, ...]:
        """``files`` minus those outside the boundary (each reported, none read)."""
        kept = []
        for path in files:
            if self.boundary.permits(path):
                kept.append(path)
            else:
                self.refused.append(outside_finding("env file", path, where, line))
        return tuple(kept)

    def load_document(self, path: Path, variables: Mapping[str, str]) -> Node:
        node = self.parse(path)
        interpolate_tree(node, variables.get, self.unset)
        return node

    def parse(self, path: Path) -> Node:
        self.boundary.require(path)
        loaded = load_yaml_file(path, max_bytes=self.options.max_bytes, display_path=str(path))
        node = from_loaded(loaded)
        if not isinstance(node.value, dict):
            raise ComposeError("expected a mapping at the top level", path=str(path), line=1)
        services = node.get("services")
        if services is not None and not isinstance(services.value, dict | type(None)):
            where, line = services.where()
            raise ComposeError("expected 'services' to be a mapping", path=where, line=line)
        if services is not None and services.value is None:
            services.value = {}
        return node

    def build_model(
        self,
        documents: list[Node],
        project_dir: Path,
        variables: Mapping[str, str],
        chain: tuple[Path, ...],
    ) -> Node:
        for document in documents:
            interpolate_tree(document, variables.get, self.unset)
        merged = merge_documents(documents)
        resolver = ExtendsResolver(lambda p: self.load_document(p, variables), self.home)
        resolver.resolve_document(merged, "", project_dir)
        resolve_project_paths(merged, project_dir, self.home)

        def load_included(entry: IncludeEntry) -> Node:
            return self.load_included(entry, variables, chain)

        apply_includes(merged, project_dir, self.home, load_included)
        services = merged.get("services")
        for service in services.value.values() if services is not None else ():
            enforce_unicity(service)
            resolve_environment(service, variables, self.options.max_bytes,
                                boundary=self.boundary, refused=self.refused,
                                tolerance=self.tolerance)
        return merged

    def load_included(
        self, entry: IncludeEntry, parent_variables: Mapping[str, str], chain: tuple[Path, ...]
    ) -> Node:
        for path in entry.files:
            if path in chain:
                where, line = entry.node.where()
                raise ComposeError(f"include cycle through {path}", path=where, line=line)
            where, line = entry.node.where()
            if not self.boundary.permits(path):
                raise OutsideRepository(f"included file {path}: {OUTSIDE_REASON}", path=where,
                                        line=line)
            if not path.is_file():
                if self.tolerance is None:
                    raise ComposeError(f"included file {path} not found", path=where, line=line)
                self.tolerance.record(
                    INCLUDE_MISSING, Severity.HIGH,
                    f"included file {path} is not in the repository; its services are left "
                    "out", path=where, line=line)
                return Node({"services": Node({}, None)}, None)
        if len(chain) > _MAX_INCLUDE_DEPTH:
            where, line = entry.node.where()
            raise ComposeError("includes nested too deeply", path=where, line=line)
        env_files = entry.env_files
        if not env_files and (entry.project_directory / ".env").is_file():
            env_files = (entry.project_directory / ".env",)
        where, line = entry.node.where()
        env_files = self.readable_env_files(env_files, where, line)
        variables = dict(parent_variables)
        variables.update(_read_env_files(env_files, parent_variables, self.options.max_bytes,
                                         self.tolerance))
        documents = [self.parse(path) for path in entry.files]
        return self.build_model(
            documents, entry.project_directory, variables, (*chain, *entry.files)
        )


def _locate(options: ComposeOptions, environ: Mapping[str, str]) -> tuple[Path, tuple[Path, ...]]:
    files = tuple(Path(f).absolute() for f in options.files)
    if options.project_directory is not None:
        project_dir = Path(options.project_directory).absolute()
    elif files:
        project_dir = files[0].parent
    else:
        project_dir = Path.cwd()
    return project_dir, files


def _project_name(
    options: ComposeOptions, variables: Mapping[str, str], documents: list[Node], project_dir: Path
) -> str:
    if options.project_name:
        return normalize_project_name(options.project_name)
    if variables.get("COMPOSE_PROJECT_NAME"):
        return normalize_project_name(variables["COMPOSE_PROJECT_NAME"])
    for document in reversed(documents):
        name = document.get("name")
        if name is not None and isinstance(name.value, str) and name.value:
            try:
                return normalize_project_name(substitute(name.value, variables.get))
            except TemplateError as exc:  # `name: ${X:?}` with X unset, as anywhere else
                path, line = name.where()
                raise InterpolationError(f"name: {exc}", path=path, line=line) from None
    return normalize_project_name(project_dir.name)


def _active_profiles(options: ComposeOptions, variables: Mapping[str, str]) -> tuple[str, ...]:
    if options.profiles:
        return options.profiles
    text = variables.get("COMPOSE_PROFILES", "")
    return tuple(p.strip() for p in text.split(",") if p.strip())


def project_boundary(options: ComposeOptions) -> ReadBoundary:
    """What loading and converting this project may read (see ``load.boundary``).

    The files the user typed (``-f``, ``--env-file``) and ``--allow-path`` may be read;
    whatever the repository names must stay inside it (the project directory the user
    named, else the repository holding the project directory).
    """
    if options.boundary is not None:
        return options.boundary
    project_dir, files = _locate(options, options.environ)
    env_files = tuple(Path(f).absolute() for f in options.env_files)
    return ReadBoundary.for_project(project_dir, allow=options.allow_paths,
                                    named=(*files, *env_files),
                                    exact=options.project_directory is not None)


def _tolerated(session: _Session) -> list[Finding]:
    """Findings of a tolerant load: required variables, malformed templates, env files."""
    if session.tolerance is None:
        return []
    tolerance = session.tolerance
    for name, (message, path, line) in sorted(session.unset.required.items()):
        reason = f" ({message})" if message else ""
        tolerance.record(
            REQUIRED_VARIABLE, Severity.HIGH,
            f"required variable {name} has no value{reason}; Docker Compose refuses to start "
            "without it, kubealign goes on with it unset",
            path=path, line=line,
            fix=f"give {name} its value in the environment's values-<env>.yaml (or its Secret)")
    for message, path, line in session.unset.malformed:
        tolerance.record(INTERPOLATION, Severity.MEDIUM, f"{message}; the value is kept as "
                         "written", path=path, line=line)
    return list(tolerance.findings)


def load_raw_project(options: ComposeOptions) -> RawProject:
    """Load a compose project the way ``docker compose config`` does (before typing)."""
    project_dir, files = _locate(options, options.environ)
    if options.boundary is None:
        options = dataclasses.replace(options, boundary=project_boundary(options))
    session = _Session(options)
    environ = session.environ
    env_files = _project_env_files(options, session.tolerance)
    if not options.env_files and (project_dir / ".env").is_file():
        env_files = session.readable_env_files((project_dir / ".env",), str(project_dir), None)
    dotenv = _read_env_files(env_files, environ, options.max_bytes, session.tolerance)
    variables = {**dotenv, **environ}
    if not files:
        compose_file = variables.get("COMPOSE_FILE")
        if compose_file:
            separator = variables.get("COMPOSE_PATH_SEPARATOR") or os.pathsep
            files = tuple(
                Path(os.path.normpath(project_dir / f)) for f in compose_file.split(separator) if f
            )
        else:
            files = _default_files(project_dir)
    documents = [session.parse(path) for path in files]
    name = _project_name(options, variables, documents, project_dir)
    if not name:
        raise ComposeError(
            "project name is empty after normalisation; expected letters or digits "
            "(set it with a top-level 'name:' or COMPOSE_PROJECT_NAME)",
            path=str(files[0]),
        )
    variables.setdefault("COMPOSE_PROJECT_NAME", name)
    model = session.build_model(documents, project_dir, variables, files)
    active = _active_profiles(options, variables)
    disabled = apply_profiles(model, active, session.tolerance, keep=options.keep_inactive)
    for key in ("version", "include"):
        model.value.pop(key, None)
    model.value["name"] = Node(name, model.value["name"].span if "name" in model.value else None)
    data, sources = to_plain(model)
    warnings = [*session.refused]
    warnings += [
        Finding(
            rule="LOAD001",
            severity=Severity.LOW,
            message=f"variable {var!r} is not set; defaulting to a blank string",
            path=path,
            line=line,
            fix=f"set {var} in the environment or the .env file, or give a default: ${{{var}:-…}}",
            category="load",
        )
        for var, (path, line) in sorted(session.unset.first_use.items())
    ]
    warnings += _tolerated(session)
    if disabled:
        warnings.append(
            Finding(
                rule="LOAD002",
                severity=Severity.INFO,
                message="services disabled by profiles: " + ", ".join(disabled)
                + ("; kept in values with enabled: false" if options.keep_inactive else ""),
                path=str(files[0]),
                category="load",
            )
        )
    return RawProject(
        name=name,
        data=data,
        sources=sources,
        project_directory=project_dir,
        files=files,
        variables=variables,
        warnings=warnings,
        expansions=session.unset.expansions,
        active_profiles=active if options.keep_inactive else None,
    )
