"""`kubealign resolve`: print the fully resolved Compose project (like docker compose config)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from kubealign.actions.resolve import ResolveFormat, ResolveOptions, resolve
from kubealign.cli.base import app, err, one_line, write_document


@app.command("resolve")
def resolve_command(
    files: Annotated[
        list[Path] | None,
        typer.Option("--file", "-f", help="Compose file (repeatable; later files override)."),
    ] = None,
    env_files: Annotated[
        list[Path] | None,
        typer.Option("--env-file", help="Variables file for interpolation (repeatable)."),
    ] = None,
    profiles: Annotated[
        list[str] | None, typer.Option("--profile", help="Profile to enable (repeatable).")
    ] = None,
    project_directory: Annotated[
        Path | None,
        typer.Option("--project-directory", help="Base for relative paths and the .env file."),
    ] = None,
    project_name: Annotated[
        str | None, typer.Option("--project-name", "-p", help="Project name.")
    ] = None,
    output_format: Annotated[
        ResolveFormat, typer.Option("--format", help="Output format.", case_sensitive=False)
    ] = ResolveFormat.YAML,
    mask_secrets: Annotated[
        bool,
        typer.Option(
            "--mask-secrets",
            help="Mask environment values whose names look secret (*_PASSWORD, *_TOKEN, ...).",
        ),
    ] = False,
    no_validate: Annotated[
        bool, typer.Option("--no-validate", help="Skip the compose-spec schema check.")
    ] = False,
    allow_paths: Annotated[
        list[Path] | None,
        typer.Option("--allow-path", help="Let kubealign read this host file or folder outside "
                     "the repository (repeatable; normally refused, see docs/security.md)."),
    ] = None,
) -> None:
    """Print the fully resolved Compose project, in the shape of `docker compose config`."""
    result = resolve(
        ResolveOptions(
            files=tuple(files or ()),
            project_directory=project_directory,
            env_files=tuple(env_files or ()),
            profiles=tuple(profiles or ()),
            project_name=project_name,
            environ=dict(os.environ),
            output_format=output_format,
            mask_secrets=mask_secrets,
            validate=not no_validate,
            allow_paths=tuple(allow_paths or ()),
        )
    )
    for warning in result.warnings:
        where = warning.location()
        line = f"warning: {where + ': ' if where else ''}{warning.message}"
        err.print(one_line(line), markup=False)
    write_document(result.text)
