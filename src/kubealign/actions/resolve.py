"""Use case: the fully resolved Compose project, as ``docker compose config`` would print it.

Pipeline: load (merge, interpolation, extends, include, profiles) -> structural validation
against the compose-spec schema -> normalisation to the typed model -> serialisation.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubealign.load.boundary import ReadBoundary
from kubealign.load.compose.interpolate import naming_variables
from kubealign.load.compose.loader import ComposeOptions, load_raw_project, project_boundary
from kubealign.load.compose.normalize import normalize_project
from kubealign.load.compose.salvage import salvage_project
from kubealign.load.compose.schema import check_compose
from kubealign.load.compose.serialize import (
    MASK,
    dump_json,
    dump_yaml,
    project_to_compose_json,
)
from kubealign.model.compose import Project
from kubealign.model.findings import Finding
from kubealign.model.secret_names import is_secret_name
from kubealign.transform.secret_detect import is_secret_value
from kubealign.transform.secrets.references import mask_text
from kubealign.transform.secrets.scrub import SecretValues, project_secret_values


def _mask_values(data: Any, secrets: SecretValues) -> Any:
    if isinstance(data, dict):
        # A value under a secret name (build args, labels, env) is masked whatever it is.
        return {k: MASK if isinstance(v, str) and isinstance(k, str) and v
                and is_secret_value(k, v) and is_secret_name(k)
                else _mask_values(v, secrets) for k, v in data.items()}
    if isinstance(data, list):
        return [_mask_values(v, secrets) for v in data]
    if isinstance(data, str) and secrets:
        return mask_text(data, secrets, MASK)
    return data


class ResolveFormat(enum.Enum):
    YAML = "yaml"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class ResolveOptions:
    files: tuple[Path, ...] = ()
    project_directory: Path | None = None
    env_files: tuple[Path, ...] = ()
    profiles: tuple[str, ...] = ()
    project_name: str | None = None
    environ: Mapping[str, str] = field(default_factory=dict)
    output_format: ResolveFormat = ResolveFormat.YAML
    mask_secrets: bool = False
    validate: bool = True
    allow_paths: tuple[Path, ...] = ()
    """``--allow-path``: host paths outside the repository the user lets kubealign read."""
    boundary: ReadBoundary | None = None
    """What may be read, when the caller knows the repository (a plan's folder)."""
    tolerant: bool = False
    """Read the repository as it is (migration): what Docker Compose would refuse becomes a
    finding with the recovery chosen (``load/compose/tolerance.py``, ``salvage.py``)."""
    keep_inactive: bool = False
    """Keep services of profiles that are not active (``Project.is_active``), for conversion."""


@dataclass(frozen=True, slots=True)
class ResolveResult:
    project: Project
    data: dict[str, Any]
    text: str
    warnings: Sequence[Finding] = ()


def _compose_options(options: ResolveOptions) -> ComposeOptions:
    return ComposeOptions(
        files=options.files,
        project_directory=options.project_directory,
        env_files=options.env_files,
        profiles=options.profiles,
        environ=options.environ,
        project_name=options.project_name,
        allow_paths=options.allow_paths,
        boundary=options.boundary,
        tolerant=options.tolerant,
        keep_inactive=options.keep_inactive,
    )


def read_boundary(options: ResolveOptions) -> ReadBoundary:
    """What loading and converting the project may read (the repository, what was typed)."""
    return project_boundary(_compose_options(options))


def load_project(options: ResolveOptions) -> tuple[Project, list[Finding]]:
    """The typed, validated project (for other actions that need the model, not the text)."""
    raw = load_raw_project(_compose_options(options))
    if options.tolerant:
        project, salvaged = salvage_project(raw)
        return _with_inactive(project, raw.active_profiles), [*raw.warnings, *salvaged]
    if options.validate:
        fallback = str(raw.files[0]) if raw.files else None
        with naming_variables(raw.expansions):
            check_compose(raw.data, raw.sources, fallback_path=fallback)
    return _with_inactive(normalize_project(raw), raw.active_profiles), list(raw.warnings)


def _with_inactive(project: Project, active: tuple[str, ...] | None) -> Project:
    return project if active is None else dataclasses.replace(project, active_profiles=active)


def resolve(options: ResolveOptions) -> ResolveResult:
    project, warnings = load_project(options)
    data = project_to_compose_json(project, mask_secrets=options.mask_secrets)
    if options.mask_secrets:
        # Interpolation copies secrets into URLs, args and labels: mask every occurrence of
        # every secret value the project holds, not only variables with secret names.
        data = _mask_values(data, project_secret_values(project,
                                                             read_boundary(options).bytes_or_none))
    text = dump_json(data) if options.output_format is ResolveFormat.JSON else dump_yaml(data)
    return ResolveResult(project=project, data=data, text=text, warnings=tuple(warnings))
