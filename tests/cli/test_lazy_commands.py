"""The CLI imports only the command it runs, and its command table says the truth."""

from __future__ import annotations

import importlib
import inspect
import re
import subprocess
import sys

import typer.main
from typer.testing import CliRunner

from kubealign.cli.base import app
from kubealign.cli.commands import COMMANDS
from kubealign.cli.lazy import build_command, reflow

_PROBE = """
import sys
from typer.testing import CliRunner
from kubealign.cli.app import app
result = CliRunner().invoke(app, {args!r})
assert result.exit_code == 0, result.output
print("\\n".join(sorted(m for m in sys.modules if m.startswith("kubealign."))))
"""


def _modules_after(args: list[str]) -> set[str]:
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE.format(args=args)],
        capture_output=True, text=True, check=True,
    )
    return set(probe.stdout.split())


def test_help_imports_no_command_module() -> None:
    loaded = _modules_after(["--help"])
    heavy = sorted(m for m in loaded if m.split(".")[1] in {
        "actions", "transform", "rules", "validate", "load", "discover", "deploy", "emit"})
    assert heavy == []
    assert not [m for m in loaded if m.startswith("kubealign.cli.") and m not in {
        "kubealign.cli.app", "kubealign.cli.base", "kubealign.cli.commands",
        "kubealign.cli.lazy"}]


def test_a_command_imports_its_own_module_only() -> None:
    loaded = _modules_after(["rules", "list"])
    assert "kubealign.cli.rules" in loaded
    assert "kubealign.cli.convert" not in loaded
    assert "kubealign.actions.convert" not in loaded


def _first_sentence(doc: str) -> str:
    paragraph = " ".join(doc.split("\n\n", 1)[0].split())
    match = re.match(r"(.+?\.)(\s|$)", paragraph)
    return match.group(1) if match else paragraph


def test_table_matches_what_the_modules_register() -> None:
    for entry in COMMANDS:
        importlib.import_module(entry.module)
    registered = {info.name or typer.main.get_command_name(info.callback.__name__)
                  for info in app.registered_commands if info.callback is not None}
    registered |= {g.typer_instance.info.name for g in app.registered_groups
                   if g.typer_instance is not None}
    assert registered == {entry.name for entry in COMMANDS}
    for entry in COMMANDS:
        command = build_command(entry.name)
        doc = command.help if command.help is not None else ""
        assert _first_sentence(inspect.cleandoc(doc)) == entry.summary, entry.name


def test_help_lists_every_command_with_its_summary() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    flat = " ".join(result.output.replace("│", " ").split())
    for entry in COMMANDS:
        assert f"{entry.name} {entry.summary}" in flat


def test_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["no-such-command"])
    assert result.exit_code == 2


def test_help_prints_paragraphs_not_the_docstring_line_breaks() -> None:
    # The docstrings wrap at 92 columns; printed as they are, the terminal wraps each of
    # their lines again and every paragraph comes out ragged.
    assert reflow("One.\n\n    A long\n    paragraph.\n\n    - item\n    - item\n") == (
        "One.\n\nA long paragraph.\n\n- item\n- item"
    )
    for entry in COMMANDS:
        help_text = build_command(entry.name).help or ""
        for paragraph in help_text.split("\n\n"):
            for line in paragraph.splitlines()[1:]:
                assert line.startswith((" ", "-", "*")), (entry.name, line)
    result = CliRunner().invoke(app, ["migrate", "--help"], env={"COLUMNS": "200"})
    assert "so a failed step keeps the inventory" in result.output
