"""What every run of the fuzzing and the hostile-file matrix must end with.

The runs go through ``cli_runner.run_cli`` (in process: fast enough for CI, same error
handling as a user meets).
"""

from __future__ import annotations

from cli_runner import CliRun


def assert_clean_end(outcome: CliRun) -> None:
    assert outcome.code in (0, 1, 2), outcome
    for stream in (outcome.stdout, outcome.stderr):
        assert "Traceback" not in stream, stream
        assert "internal error" not in stream, stream
    if outcome.code == 2:
        # Diagnostics may come first (one per line); the error itself is the last line, once.
        lines = outcome.stderr.strip().splitlines()
        errors = [line for line in lines if line.startswith("error: ")]
        assert errors == lines[-1:], outcome.stderr
