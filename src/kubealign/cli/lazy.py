"""A command group that imports a command's module only when that command runs.

Importing every command module pulls in the whole product (parsers, converter, rules,
schemas: about half a second), which ``kubealign --help`` or a typo never needs. The group
lists the names and summaries of ``kubealign.cli.commands`` and, when a command is resolved,
imports its module (which registers it on the Typer app) and builds the Click command from
that registration. Typer's builders are internal API, hence the pinned Typer version.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import typer
import typer.main

# Typer 0.29 vendors Click as typer._click; its groups and commands are of those classes.
from typer import _click as click
from typer.core import TyperCommand, TyperGroup

from kubealign.cli.commands import COMMANDS, COMMANDS_BY_NAME, CommandEntry


class _Summary(TyperCommand):
    """What the help listing shows for a command whose module is not imported yet."""

    def __init__(self, entry: CommandEntry) -> None:
        super().__init__(entry.name, help=entry.summary, short_help=entry.summary)


class LazyCommandGroup(TyperGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        # Table order (not alphabetical): the order the commands were always listed in.
        extra = [name for name in self.commands if name not in COMMANDS_BY_NAME]
        return [entry.name for entry in COMMANDS] + extra

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        loaded = self.commands.get(cmd_name)
        entry = COMMANDS_BY_NAME.get(cmd_name)
        if loaded is not None:
            if entry is not None:
                loaded.short_help = entry.summary
            return _reflowed(loaded)
        if entry is None:
            return None
        # Listing help must not import anything; resolving for a run goes through
        # resolve_command, which loads the real command first.
        return _Summary(entry)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] in COMMANDS_BY_NAME and args[0] not in self.commands:
            self.load(args[0])
        return super().resolve_command(ctx, args)

    def load(self, name: str) -> click.Command:
        """Import the module of command ``name`` and add its Click command to this group."""
        entry = COMMANDS_BY_NAME[name]
        importlib.import_module(entry.module)
        command = build_command(name)
        command.short_help = entry.summary
        self.add_command(command, name)
        return command


def build_command(name: str) -> click.Command:
    """The Click command Typer builds for ``name`` from its registration on the app."""
    from kubealign.cli.base import app  # the app module imports this one

    options: dict[str, Any] = {
        "pretty_exceptions_short": app.pretty_exceptions_short,
        "rich_markup_mode": app.rich_markup_mode,
    }
    for info in app.registered_commands:
        callback_name = info.callback.__name__ if info.callback is not None else ""
        registered = info.name or typer.main.get_command_name(callback_name)
        if registered == name:
            return _reflowed(_paths_read_by_actions(
                typer.main.get_command_from_info(info, **options)))
    for group in app.registered_groups:
        if group.name == name or (group.typer_instance and group.typer_instance.info.name == name):
            return _reflowed(_paths_read_by_actions(typer.main.get_group_from_info(
                group, suggest_commands=app.suggest_commands, **options
            )))
    raise LookupError(f"command {name!r} is listed in kubealign.cli.commands but its module "
                      "does not register it")


def _reflowed(command: click.Command) -> click.Command:
    """Help text as paragraphs the terminal wraps, not the docstring's own line breaks.

    Typer's rich help keeps every newline of a docstring and wraps each line again at the
    terminal's width, so a docstring wrapped at 92 columns prints as ragged pairs of lines
    (``...a failed step`` / ``keeps the``). Lines of one paragraph are joined; blank lines
    (paragraphs), list items and indented lines (examples) keep their breaks.
    """
    if command.help:
        command.help = reflow(command.help)
    for sub in getattr(command, "commands", {}).values():
        _reflowed(sub)
    return command


def reflow(text: str) -> str:
    """``text`` with each paragraph's lines joined by spaces (see :func:`_reflowed`)."""
    paragraphs: list[str] = []
    for paragraph in inspect.cleandoc(text).split("\n\n"):
        lines: list[str] = []
        for line in paragraph.splitlines():
            keeps_break = not lines or line.startswith((" ", "-", "*", "\b")) or \
                line[:3].rstrip(".").isdigit()
            if keeps_break:
                lines.append(line)
            else:
                lines[-1] = f"{lines[-1]} {line.strip()}"
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def _paths_read_by_actions(command: click.Command) -> click.Command:
    """Leave the readability of path options and arguments to the action reading them.

    Typer's path parameters ask Click to check that an existing path is readable, and Click
    answers with a usage box ("Invalid value for '--file' / '-f': path ... is not readable")
    that names no reason. The actions open the file themselves and raise a one-line error
    naming it and the operating system's reason ("Permission denied"), exit 2.
    """
    for param in command.params:
        described = getattr(param, "type_descriptor", None)
        info: Any = getattr(described, "parameter_info", None)
        if getattr(info, "readable", False):
            info.readable = False
    for sub in getattr(command, "commands", {}).values():
        _paths_read_by_actions(sub)
    return command
