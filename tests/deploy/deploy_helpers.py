"""Helpers shared by the deploy tests: the recording fake helm's log and the CLI runner."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from cli_runner import CliRun, run_cli
from kubealign.actions.deploy import read_plan

__all__ = ["CliRun", "FakeHelm", "plan_namespace", "run_cli"]


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


def plan_namespace(out: Path, environment: str) -> str:
    """The namespace the plan next to ``out/chart`` gives ``environment``."""
    found = read_plan(out / "kubealign.yaml").namespace_of(environment)
    assert found is not None
    return found
