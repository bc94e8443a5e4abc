"""The .gitignore pattern language, written from git's documentation (gitignore(5)).

Rules implemented:
- blank lines and ``#`` comments are ignored; ``\\#`` and ``\\!`` escape a leading ``#``/``!``;
  trailing spaces are dropped unless escaped with a backslash;
- ``!`` negates (re-includes) — the last matching rule wins, deeper files after shallower;
- a trailing ``/`` makes a rule match directories only;
- a ``/`` at the start or in the middle anchors the rule to the .gitignore's directory;
  otherwise the rule matches a name at any depth below that directory;
- ``*`` and ``?`` and ``[...]`` never match ``/``; ``**/`` leading, ``/**`` trailing and
  ``/**/`` inside match any number of directories.
A file inside an excluded directory cannot be re-included; the walker gets that for free by
not descending into excluded directories.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    base: str
    pattern: str
    regex: re.Pattern[str]
    negated: bool
    dir_only: bool

    def matches(self, rel_path: str, is_dir: bool) -> bool:
        if self.dir_only and not is_dir:
            return False
        if self.base:
            prefix = self.base + "/"
            if not rel_path.startswith(prefix):
                return False
            rel_path = rel_path[len(prefix) :]
        return self.regex.fullmatch(rel_path) is not None


def _strip_trailing_spaces(line: str) -> str:
    while line.endswith(" ") and not line.endswith("\\ "):
        line = line[:-1]
    return line


def _translate_bracket(pattern: str, start: int) -> tuple[str, int] | None:
    """Translate ``[...]`` starting at ``start``; None when the bracket is not closed."""
    index = start + 1
    negate = False
    if index < len(pattern) and pattern[index] in "!^":
        negate = True
        index += 1
    body_start = index
    # A ']' right after the opening (or after the negation) is a literal member.
    if index < len(pattern) and pattern[index] == "]":
        index += 1
    while index < len(pattern) and pattern[index] != "]":
        index += 1
    if index >= len(pattern):
        return None
    body = pattern[body_start:index]
    escaped = "".join("\\" + ch if ch in "\\[]^" else ch for ch in body)
    return f"(?!/)[{'^' if negate else ''}{escaped}]", index + 1


def _translate_segment(segment: str) -> str:
    """Glob syntax of one path segment to a regex (``*``, ``?``, ``[...]``, ``\\x``)."""
    out: list[str] = []
    index = 0
    while index < len(segment):
        ch = segment[index]
        if ch == "*":
            while index < len(segment) and segment[index] == "*":
                index += 1
            out.append("[^/]*")
            continue
        if ch == "?":
            out.append("[^/]")
        elif ch == "[":
            translated = _translate_bracket(segment, index)
            if translated is not None:
                out.append(translated[0])
                index = translated[1]
                continue
            out.append(re.escape(ch))
        elif ch == "\\" and index + 1 < len(segment):
            index += 1
            out.append(re.escape(segment[index]))
        else:
            out.append(re.escape(ch))
        index += 1
    return "".join(out)


def _translate(pattern: str) -> str:
    segments = pattern.split("/")
    parts: list[str] = []
    last = len(segments) - 1
    # True when the regex built so far ends where a new segment may start without a "/".
    at_segment_start = True
    for position, segment in enumerate(segments):
        if segment == "**":
            if position == last:
                # "dir/**": everything inside, at any depth (but not "dir" itself).
                parts.append(".*" if position == 0 else "/.*")
            else:
                parts.append("(?:.*/)?" if position == 0 else "/(?:.*/)?")
            at_segment_start = True
            continue
        if not at_segment_start:
            parts.append("/")
        parts.append(_translate_segment(segment))
        at_segment_start = False
    return "".join(parts)


def parse_rule(line: str, base: str) -> IgnoreRule | None:
    """One .gitignore line as a rule, or None for blanks and comments."""
    text = _strip_trailing_spaces(line.rstrip("\r\n"))
    if not text or text.startswith("#"):
        return None
    negated = False
    if text.startswith("!"):
        negated = True
        text = text[1:]
    elif text.startswith(("\\!", "\\#")):
        text = text[1:]
    dir_only = text.endswith("/") and not text.endswith("\\/")
    if dir_only:
        text = text.rstrip("/")
    if not text:
        return None
    anchored = "/" in text
    text = text.removeprefix("/")
    if not anchored and not text.startswith("**"):
        text = "**/" + text
    return IgnoreRule(
        base=base,
        pattern=line.strip(),
        regex=re.compile(_translate(text), re.DOTALL),
        negated=negated,
        dir_only=dir_only,
    )


def parse_gitignore(text: str, base: str) -> tuple[IgnoreRule, ...]:
    """All rules of one .gitignore whose directory is ``base`` (relative POSIX, "" = root)."""
    rules = (parse_rule(line, base) for line in text.splitlines())
    return tuple(rule for rule in rules if rule is not None)


@dataclass(frozen=True, slots=True)
class IgnoreMatcher:
    """Rules in precedence order: later rules (deeper files, later lines) win."""

    rules: tuple[IgnoreRule, ...] = ()

    def extended(self, more: Iterable[IgnoreRule]) -> IgnoreMatcher:
        extra = tuple(more)
        return IgnoreMatcher(self.rules + extra) if extra else self

    def is_ignored(self, rel_path: str, is_dir: bool) -> bool:
        for rule in reversed(self.rules):
            if rule.matches(rel_path, is_dir):
                return not rule.negated
        return False
