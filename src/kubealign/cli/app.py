"""Entry point: registers the command modules and turns errors into exit codes."""

from __future__ import annotations

import sys

import typer

from kubealign import __version__
from kubealign.cli.base import app, err, options
from kubealign.errors import KubealignError


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kubealign {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    options.debug = debug


# Command modules register themselves on import; keep this list sorted.
from kubealign.cli import commands  # noqa: E402,F401


def main() -> None:
    try:
        app()
    except KubealignError as exc:
        if options.debug:
            raise
        err.print(f"error: {exc}", markup=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted", markup=False)
        sys.exit(130)
