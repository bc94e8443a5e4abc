"""Entry point: registers the command modules and turns errors into exit codes."""

from __future__ import annotations

import signal
import sys
import traceback
from pathlib import Path
from typing import NoReturn

import typer

from kubealign import __version__
from kubealign.cli.base import app, err, one_line, options
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



def _report(message: str, code: int) -> NoReturn:
    """One line on stderr and the exit code; under --debug the traceback first."""
    if options.debug:
        traceback.print_exc()
    err.print(f"error: {one_line(message)}", markup=False)
    sys.exit(code)


def _unexpected(exc: BaseException) -> str:
    # The message of an exception kubealign did not raise on purpose may quote input (a
    # secret value, a host file's content): name its type and where it came from only.
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "kubealign" in f.filename] or frames
    where = f" at {Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else ""
    return (f"internal error ({type(exc).__name__}{where}), a kubealign defect: please report "
            "it; --debug shows the traceback")


class _Interrupted(BaseException):
    """Ctrl-C, raised past Click (which would turn KeyboardInterrupt into "Aborted!", exit 1)."""


def _on_interrupt(_signum: int, _frame: object) -> None:
    raise _Interrupted


def main() -> None:
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not when ignored
        signal.signal(signal.SIGINT, _on_interrupt)
    try:
        app()
    except KubealignError as exc:
        _report(str(exc), exc.exit_code)
    except (KeyboardInterrupt, _Interrupted):
        if options.debug:
            traceback.print_exc()
        err.print("interrupted", markup=False)
        sys.exit(130)
    except OSError as exc:
        # Filesystem trouble no layer turned into a KubealignError (a folder without read
        # permission, a full disk): the path and the reason, never a traceback.
        where = f"{exc.filename}: " if exc.filename else ""
        _report(f"{where}{exc.strerror or type(exc).__name__}", 2)
    except RecursionError as exc:
        _report(f"input nested too deeply to process ({type(exc).__name__})", 2)
    except Exception as exc:  # the last line of defence: one line, exit 2
        _report(_unexpected(exc), 2)
