"""The console entry point run inside the test process, and what every run must end with.

Running ``cli.app.main`` in process (instead of a subprocess per case) keeps the fuzzing and
the hostile-file matrix fast enough for CI, while still going through the same error handling
a user meets: the exit code, the one error line, no traceback.
"""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass

from kubealign.cli import app as cli_app
from kubealign.cli.base import options


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


def run(*args: str) -> Outcome:
    """The console entry point in this process, as a user would run it."""
    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["kubealign", *args]
    code = 0
    try:
        with redirect_stdout(out), redirect_stderr(err):
            cli_app.main()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
    finally:
        sys.argv = argv
        options.debug = False
    return Outcome(code, out.getvalue(), err.getvalue())


def assert_clean_end(outcome: Outcome) -> None:
    assert outcome.code in (0, 1, 2), outcome
    for stream in (outcome.stdout, outcome.stderr):
        assert "Traceback" not in stream, stream
        assert "internal error" not in stream, stream
    if outcome.code == 2:
        # Diagnostics may come first (one per line); the error itself is the last line, once.
        lines = outcome.stderr.strip().splitlines()
        errors = [line for line in lines if line.startswith("error: ")]
        assert errors == lines[-1:], outcome.stderr
