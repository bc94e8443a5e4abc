"""Terminal output fits 80 columns: audit, plan and rules list on the example and on Sophia,
as plain text (files, pipes, CI) and as printed on an 80-column terminal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kubealign.cli.app import app
from kubealign.cli.base import err, out
from kubealign.emit.text_wrap import WIDTH, wrap

runner = CliRunner()
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # colours, cursor show/hide
_SOPHIA = "sprawl/ai-cherry+sophia-strategic-development"


def _commands(repository: Path, tmp_path: Path) -> list[list[str]]:
    return [["audit", str(repository)], ["plan", str(repository), "--out",
                                         str(tmp_path / "kubealign.yaml")], ["rules", "list"]]


def _wide(text: str) -> list[str]:
    return [line for line in _ANSI.sub("", text).splitlines() if len(line) > WIDTH]


def _check(repository: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
           terminal: bool) -> None:
    if terminal:
        for console in (out, err):
            monkeypatch.setattr(console, "_force_terminal", True)
            monkeypatch.setattr(console, "_width", WIDTH)
    for command in _commands(repository, tmp_path):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, result.output
        assert len(result.stdout.splitlines()) > 5
        # Results always fit; stderr warnings are wrapped on a terminal only (one line each
        # in a pipe or a CI log, where scripts read them line by line).
        assert _wide(result.output if terminal else result.stdout) == [], command


@pytest.mark.parametrize("terminal", [False, True])
def test_example_output_fits_80_columns(repo_root: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch, terminal: bool) -> None:
    _check(repo_root / "examples" / "sophia", tmp_path, monkeypatch, terminal)


@pytest.mark.corpus
@pytest.mark.parametrize("terminal", [False, True])
def test_sophia_output_fits_80_columns(corpus_dir: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch, terminal: bool) -> None:
    repository = corpus_dir / _SOPHIA
    if not repository.is_dir():
        pytest.skip(f"{repository} is absent")
    _check(repository, tmp_path, monkeypatch, terminal)


def test_wrapping_keeps_every_character_and_breaks_paths_after_a_slash() -> None:
    path = "infrastructure/mcp_servers/snowflake_v2/deploy/docker-compose.production.yml:12:"
    text = f"{path} CMP104 [low] service 'api' is   defined in several files"
    lines = wrap(text, 40, subsequent="    ")
    assert all(len(line) <= 40 for line in lines)
    assert lines[0] == "infrastructure/mcp_servers/snowflake_v2/"
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert wrap("x" * 90, 40) == ["x" * 40, "x" * 40, "x" * 10]
    assert wrap("", 40) == [""]


def test_a_break_right_after_the_last_column_does_not_overflow_the_line() -> None:
    # The word's only late soft break (the comma) sits one past the room: the cut falls on
    # an earlier break, never after the comma (which made an 81-column line).
    word = "infrastructure/mcp_servers/ai_memory_v2/docker-compose.production.yml=2G,"
    lines = wrap(word, 80, indent=" " * 8)
    assert all(len(line) <= 80 for line in lines)
    assert "".join(line.strip() for line in lines) == word
    assert wrap("abcd/efgh", 5) == ["abcd/", "efgh"]
