"""Wrapping plain-text output to a terminal width without losing or mangling anything.

Words wrap at spaces; a word longer than the line (a deep repository path, a URL) is broken
after a ``/``, ``-``, ``_``, ``.`` or ``,`` when it has one, so a path reads as a path on two
lines instead of being cut mid-name; only a token with no such character is split hard.
Nothing is truncated: every character of the input is in the output.
"""

from __future__ import annotations

import re

#: The width every plain-text output is written for (files, pipes, CI logs).
WIDTH = 80

_SOFT_BREAK = re.compile(r"(?<=[/\-_.,])")


def _cut(word: str, room: int) -> int:
    """Where to cut ``word`` to fit ``room`` characters: after the last soft break, if any."""
    # A cut at position p keeps p characters: at most ``room`` (a break right after the
    # character that fills the line is the last one that fits).
    cuts = [m.start() for m in _SOFT_BREAK.finditer(word, 1, room)]
    return cuts[-1] if cuts else room


def wrap(text: str, width: int = WIDTH, *, indent: str = "", subsequent: str | None = None
         ) -> list[str]:
    """``text`` as lines of at most ``width`` characters; the first starts with ``indent``,
    the others with ``subsequent`` (default: ``indent``). Runs of spaces collapse to one."""
    later = indent if subsequent is None else subsequent
    lines: list[str] = []
    current = indent
    fresh = True  # nothing but the indent on the current line yet
    for word in text.split():
        prefix = current if fresh else current + " "
        if len(prefix) + len(word) <= width:
            current, fresh = prefix + word, False
            continue
        if not fresh:
            lines.append(current)
            current, fresh = later, True
        rest = word
        while len(current) + len(rest) > width:
            cut = _cut(rest, max(1, width - len(current)))
            lines.append(current + rest[:cut])
            current, rest = later, rest[cut:]
        current, fresh = current + rest, False
    if not fresh or not lines:
        lines.append(current)
    return lines


def fill(text: str, width: int = WIDTH, *, indent: str = "", subsequent: str | None = None
         ) -> str:
    return "\n".join(wrap(text, width, indent=indent, subsequent=subsequent))


def columns(label: str, text: str, width: int = WIDTH, *, gutter: int = 2) -> list[str]:
    """``label`` then ``text`` wrapped beside it, continuation lines aligned under the text;
    a label too wide for a useful text column puts the text on its own indented lines."""
    column = len(label) + gutter
    if column > width // 2:
        return [*wrap(label, width), *wrap(text, width, indent="    ")]
    return wrap(text, width, indent=label + " " * gutter, subsequent=" " * column)
