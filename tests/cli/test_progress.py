"""Progress on stderr: silent for a quick step, plain stage lines for a long one in a log."""

from __future__ import annotations

import io
import time

import pytest
from rich.console import Console

from kubealign.cli import progress as progress_module
from kubealign.cli.progress import progress


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    stream = io.StringIO()
    monkeypatch.setattr(progress_module, "err", Console(file=stream, width=80))
    monkeypatch.delenv("KUBEALIGN_PROGRESS", raising=False)
    return stream


def test_a_quick_step_prints_nothing(captured: io.StringIO) -> None:
    with progress("audit") as step:
        step("running the rules")
    assert captured.getvalue() == ""


def test_a_long_step_says_each_stage_and_when_it_is_done(
        captured: io.StringIO, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "QUIET_SECONDS", 0.05)
    with progress("convert") as step:
        step("loading")
        time.sleep(0.2)
        step("rendering")
    lines = captured.getvalue().splitlines()
    assert lines[0].startswith("convert: loading… (") and lines[1].startswith(
        "convert: rendering… (")
    assert lines[-1].startswith("convert: done in ")


def test_a_failing_step_does_not_claim_it_is_done(
        captured: io.StringIO, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "QUIET_SECONDS", 0.0)
    with pytest.raises(RuntimeError), progress("plan") as step:
        step("detecting environments")
        raise RuntimeError("boom")
    assert "done" not in captured.getvalue()


def test_off_silences_it(captured: io.StringIO, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "QUIET_SECONDS", 0.0)
    monkeypatch.setenv("KUBEALIGN_PROGRESS", "off")
    with progress("audit") as step:
        step("running the rules")
    assert captured.getvalue() == ""
