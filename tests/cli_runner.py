"""The console entry point run inside the test process (importable from every test folder).

Going through ``cli.app.main`` keeps the error mapping a user meets (exit code, one error
line, no traceback) while avoiding a Python start-up per case.
"""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass


@dataclass(frozen=True)
class CliRun:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str) -> CliRun:
    """``kubealign ARGS`` in process, with the exit code the process would have had."""
    from kubealign.cli.app import main
    from kubealign.cli.base import options

    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["kubealign", *args]
    code = 0
    try:
        with redirect_stdout(out), redirect_stderr(err):
            main()
    except SystemExit as exit_:
        # As the interpreter does: None is 0, a message is 1.
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    finally:
        sys.argv = argv
        options.debug = False  # --debug of one run must not leak into the next
    return CliRun(code, out.getvalue(), err.getvalue())
