"""Helpers shared by the deploy tests: the recording fake helm's log and the CLI runner."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from kubealign.actions.deploy import read_plan


@dataclass
class FakeHelm:
    path: Path
    log: Path

    def calls(self) -> list[list[str]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def calls_of(self, subcommand: str) -> list[list[str]]:
        return [call for call in self.calls() if call and call[0] == subcommand]


@dataclass
class CliRun:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str) -> CliRun:
    """The real entry point (error mapping included), in process."""
    from kubealign.cli.app import main

    stdout, stderr = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["kubealign", *args]
    code = 0
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            main()
    except SystemExit as exit_:
        code = int(exit_.code or 0) if not isinstance(exit_.code, str) else 1
    finally:
        sys.argv = argv
    return CliRun(code, stdout.getvalue(), stderr.getvalue())


def plan_namespace(out: Path, environment: str) -> str:
    """The namespace the plan next to ``out/chart`` gives ``environment``."""
    found = read_plan(out / "kubealign.yaml").namespace_of(environment)
    assert found is not None
    return found
