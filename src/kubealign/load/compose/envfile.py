"""Env files (``.env``, ``--env-file``, a service's ``env_file``) in Docker Compose's format.

Rules from the Docker reference ("Syntax for environment files") as compose-go's dotenv parser
applies them: ``#`` comment lines and blank lines are skipped; ``export `` is allowed; ``KEY=VAL``
(or ``KEY: VAL``); unquoted values end at the line end, lose an inline comment that starts with
`` #`` and trailing blanks; single-quoted values are literal; double-quoted values may span lines
and understand ``\\n``, ``\\r``, ``\\t`` and backslash-escaped characters; unquoted and
double-quoted values are interpolated, looking a name up first in ``lookup`` (the environment)
and then among the keys defined earlier in the same file; a bare ``KEY`` takes its value from
``lookup`` and is skipped when unset.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kubealign.errors import LoadError
from kubealign.load.compose.interpolate import Lookup, TemplateError, substitute
from kubealign.load.yaml_safe import DEFAULT_MAX_BYTES, read_text_file

_KEY_EXTRA = frozenset("_.-[]")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t"}


class _Cursor:
    def __init__(self, text: str, display: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.display = display

    def error(self, message: str) -> LoadError:
        return LoadError(message, path=self.display, line=self.line)

    def advance_to(self, pos: int) -> None:
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos

    def skip_blank_and_comments(self) -> None:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t\r\n\f\v":
                self.advance_to(self.pos + 1)
            elif char == "#":
                end = text.find("\n", self.pos)
                self.advance_to(len(text) if end < 0 else end)
            else:
                return


def _unescape_double_quoted(value: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(value):
        char = value[index]
        if char == "\\" and index + 1 < len(value):
            following = value[index + 1]
            if following in _ESCAPES:
                out.append(_ESCAPES[following])
            elif following == "$":
                out.append("$$")  # a literal dollar that interpolation must not expand
            else:
                out.append(following)
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _read_key(cursor: _Cursor) -> tuple[str, bool]:
    """The key and whether a value follows (``=`` or ``:``)."""
    text = cursor.text
    if text.startswith("export", cursor.pos) and text[cursor.pos + 6 : cursor.pos + 7] in " \t":
        cursor.advance_to(cursor.pos + 6)
        while cursor.pos < len(text) and text[cursor.pos] in " \t":
            cursor.pos += 1
    start = cursor.pos
    index = start
    while index < len(text):
        char = text[index]
        if char in "=:":
            key = text[start:index].rstrip()
            cursor.advance_to(index + 1)
            return key, True
        if char == "\n":
            cursor.pos = index
            return text[start:index].rstrip(), False
        if not (char.isalnum() or char in _KEY_EXTRA or char in " \t"):
            cursor.pos = index
            raise cursor.error(
                f"unexpected character {char!r} in variable name; expected KEY=VALUE"
            )
        index += 1
    cursor.pos = index
    return text[start:index].rstrip(), False


def _read_value(cursor: _Cursor, expand: Callable[[str], str]) -> str:
    text = cursor.text
    while cursor.pos < len(text) and text[cursor.pos] in " \t":
        cursor.pos += 1
    quote = text[cursor.pos : cursor.pos + 1]
    if quote not in ("'", '"'):
        end = text.find("\n", cursor.pos)
        end = len(text) if end < 0 else end
        raw = text[cursor.pos : end]
        comment = raw.find(" #")
        if comment >= 0:
            raw = raw[:comment]
        cursor.advance_to(end)
        return expand(raw.rstrip())
    index = cursor.pos + 1
    escaped = False
    while index < len(text):
        char = text[index]
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == quote:
            raw = text[cursor.pos + 1 : index]
            cursor.advance_to(index + 1)
            if quote == "'":
                return raw.replace("\\'", "'")
            return expand(_unescape_double_quoted(raw))
        index += 1
    raise cursor.error("unterminated quoted value; expected a closing quote")


def parse_env_text(
    text: str,
    display: str,
    lookup: Lookup,
    lines: dict[str, int] | None = None,
    problems: list[LoadError] | None = None,
) -> dict[str, str]:
    """Parse env-file text; errors name ``display`` and the line.

    ``lines``, when given, receives the line each key was set on. ``problems``, when given,
    makes the parse tolerant (what a migration needs): a line that cannot be parsed is
    recorded there and skipped, and a value whose interpolation fails keeps its text as
    written, so one bad line never costs the whole file.
    """
    values: dict[str, str] = {}
    line_of = lines if lines is not None else {}

    def resolve(name: str) -> str | None:
        found = lookup(name)
        return found if found is not None else values.get(name)

    cursor = _Cursor(text.removeprefix("\ufeff"), display)
    while True:
        cursor.skip_blank_and_comments()
        if cursor.pos >= len(cursor.text):
            return values
        line = cursor.line
        try:
            key, has_value = _read_key(cursor)
            if not key:
                raise cursor.error("expected KEY=VALUE, found no variable name")
        except LoadError as exc:
            if problems is None:
                raise
            problems.append(exc)
            _skip_line(cursor)
            continue
        if not has_value:
            if problems is not None and any(c in key for c in " \t"):
                # Compose takes the line for a variable to inherit and finds none: a line
                # someone wrote as text, silently lost. Not quoted: it may be a pasted secret.
                problems.append(LoadError("no '=' and not a variable name: expected "
                                          "KEY=VALUE", path=display, line=line))
                continue
            inherited = lookup(key)
            if inherited is not None:
                values[key] = inherited
                line_of[key] = line
            continue

        def expand(raw: str, line: int = line) -> str:
            try:
                return substitute(raw, resolve)
            except TemplateError as exc:
                error = LoadError(str(exc), path=display, line=line)
                if problems is None:
                    raise error from None
                problems.append(LoadError(f"{exc}; the value is kept as written",
                                          path=display, line=line))
                return raw

        try:
            values[key] = _read_value(cursor, expand)
        except LoadError as exc:
            if problems is None:
                raise
            problems.append(exc)
            _skip_line(cursor)
            continue
        line_of[key] = line


def _skip_line(cursor: _Cursor) -> None:
    end = cursor.text.find("\n", cursor.pos)
    cursor.advance_to(len(cursor.text) if end < 0 else end)


def read_env_file(
    path: Path,
    lookup: Lookup,
    *,
    display: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    lines: dict[str, int] | None = None,
    problems: list[LoadError] | None = None,
) -> dict[str, str]:
    """Read and parse one env file (LoadError naming the file when missing or malformed;
    with ``problems``, malformed lines are recorded there instead, see :func:`parse_env_text`)."""
    shown = display if display is not None else str(path)
    if path.is_dir():
        raise LoadError("expected an env file, found a directory", path=shown)
    text = read_text_file(path, max_bytes=max_bytes, display=shown)
    return parse_env_text(text, shown, lookup, lines, problems)
