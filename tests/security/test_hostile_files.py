"""Hostile files in a repository: each is named, with its reason, and the run goes on or ends
with one line, never a traceback, a hang or an unbounded allocation.

The matrix is every kind of file an untrusted repository can hold in place of a compose file
(an alias bomb, nesting deeper than any parser should follow, binary data, invalid UTF-8, a
file over the size limit, a symlink loop, a FIFO) against the commands that read it. A
command the user pointed at that one file (``convert -f``, ``resolve -f``) ends with exit 2 and
one line naming the file; commands over the whole repository (``audit``, ``plan``,
``inventory``) report the file and its reason and finish.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from cli_runner import CliRun, run_cli

from .inprocess import assert_clean_end

SERVICE = "services:\n  api:\n    image: nginx:1\n"
# Generous per-command bound: the guards answer in milliseconds; a regression into expanding
# the bomb or reading the FIFO would take minutes or forever.
SECONDS = 60.0


def _alias_bomb(path: Path) -> None:
    lines = ['  a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    for level in range(1, 10):
        lines.append(f"  a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * 9) + "]")
    path.write_text("x-bomb:\n" + "\n".join(lines) + "\n" + SERVICE)


def _deep(path: Path) -> None:
    path.write_text(SERVICE + "    labels:\n      x: " + "[" * 5000 + "]" * 5000 + "\n")


def _binary(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 64)


def _invalid_utf8(path: Path) -> None:
    path.write_bytes(b"services:\n  api:\n    image: ngin\xff\xfe\n")


def _huge(path: Path) -> None:
    # Sparse: the size limit is judged before reading, so the bytes need not exist on disk.
    path.write_text(SERVICE)
    with path.open("r+b") as handle:
        handle.truncate(11 * 1024 * 1024)


def _symlink_loop(path: Path) -> None:
    path.symlink_to(path.name)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


@dataclass(frozen=True)
class Hostile:
    name: str
    make: Callable[[Path], None]
    reason: str  # what the one line says about the file
    inventory_skips: bool = False  # the repository walk never opens it (reported as skipped)


HOSTILE = [
    Hostile("alias bomb", _alias_bomb, "alias expansion would create"),
    Hostile("deep nesting", _deep, "nesting depth"),
    Hostile("binary", _binary, "expected UTF-8 text"),
    Hostile("invalid UTF-8", _invalid_utf8, "expected UTF-8 text"),
    Hostile("over the size limit", _huge, "larger than the"),
    Hostile("symlink loop", _symlink_loop, "symbolic links", inventory_skips=True),
    Hostile("FIFO", _fifo, "not a regular file", inventory_skips=True),
]
IDS = [h.name for h in HOSTILE]


def _repository(tmp_path: Path, hostile: Hostile) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".git").mkdir()
    hostile.make(repo / "compose.yaml")
    return repo


def _timed(*args: str) -> CliRun:
    started = time.monotonic()
    outcome = run_cli(*args)
    assert time.monotonic() - started < SECONDS, args
    assert_clean_end(outcome)
    return outcome


@pytest.mark.parametrize("hostile", HOSTILE, ids=IDS)
@pytest.mark.parametrize("command", ["convert", "resolve"])
def test_a_command_pointed_at_the_file_ends_with_one_line(
        tmp_path: Path, hostile: Hostile, command: str) -> None:
    repo = _repository(tmp_path, hostile)
    out = tmp_path / "out"
    extra = ("--out", str(out), "--no-render") if command == "convert" else ()
    outcome = _timed(command, "-f", str(repo / "compose.yaml"), *extra)
    assert outcome.code == 2
    line = outcome.stderr.strip().splitlines()[-1]
    assert "compose.yaml" in line and hostile.reason in line, line
    assert not out.exists()  # nothing half-written


@pytest.mark.parametrize("hostile", HOSTILE, ids=IDS)
def test_the_audit_names_the_file_and_finishes(tmp_path: Path, hostile: Hostile) -> None:
    repo = _repository(tmp_path, hostile)
    outcome = _timed("audit", str(repo))
    assert outcome.code in (0, 1)
    if hostile.inventory_skips:
        listing = _timed("inventory", str(repo))
        assert "skipped compose.yaml" in listing.stdout + listing.stderr
    else:
        # The text report wraps a finding to 80 columns (continuation lines are indented).
        findings = outcome.stdout.replace("\n    ", " ").splitlines()
        cannot_load = [line for line in findings if "cannot load" in line]
        assert any(line.startswith("compose.yaml:") and hostile.reason in line
                   for line in cannot_load), outcome.stdout


@pytest.mark.parametrize("hostile", [h for h in HOSTILE if not h.inventory_skips],
                         ids=[h.name for h in HOSTILE if not h.inventory_skips])
def test_the_plan_names_the_file_and_finishes(tmp_path: Path, hostile: Hostile) -> None:
    repo = _repository(tmp_path, hostile)
    (repo / "compose.prod.yaml").write_text(SERVICE)  # one good file beside the hostile one
    outcome = _timed("plan", str(repo), "--out", str(tmp_path / "kubealign.yaml"))
    assert outcome.code in (0, 1)
    assert any(line.startswith("check: compose.yaml: cannot be read") and hostile.reason in line
               for line in outcome.stderr.splitlines()), outcome.stderr


def test_a_key_with_a_newline_stays_one_error_line(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "compose.yaml").write_text('services:\n  "a\\nb":\n    image: nginx\n    x: 1\n')
    outcome = _timed("resolve", "-f", str(repo / "compose.yaml"))
    assert outcome.code == 2
    assert outcome.stderr.count("\n") == 1 and "a\\nb" in outcome.stderr, outcome.stderr
