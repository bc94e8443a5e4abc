"""Compose variable interpolation: ``$VAR``, ``${VAR}`` and ``:-  -  :?  ?  :+  +``.

Follows the Compose specification (12-interpolation.md) and the Docker reference, which adds
``:+``/``+``. Names are ``[_a-zA-Z][_a-zA-Z0-9]*``; ``$$`` is a literal ``$``; a ``$`` not
followed by a name, ``{`` or ``$`` is left alone; an unset variable without a default becomes
the empty string and is reported through ``on_unset``. Defaults, alternatives and error texts
may themselves contain substitutions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager

from kubealign.errors import InterpolationError, KubealignError
from kubealign.load.compose.tree import Node

Lookup = Callable[[str], str | None]
OnUnset = Callable[[str], None]
OnExpand = Callable[[str, str], None]
"""(name, what its reference expanded to): lets errors name the variable, not its value."""
OnRequired = Callable[[str, str], str]
"""(name, message) of a required variable without a value -> what to put in its place; by
default a :class:`TemplateError` is raised, as Compose does."""


class TemplateError(ValueError):
    """A malformed template or a missing required variable (the caller adds file and line)."""


_NAME_START = frozenset("_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NAME_CHARS = _NAME_START | frozenset("0123456789")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")


def lookup_in(mapping: Mapping[str, str]) -> Lookup:
    return mapping.get


def _closing_brace(text: str, start: int) -> int:
    """Index of the ``}`` closing the ``${`` whose body starts at ``start`` (nesting aware)."""
    depth = 1
    index = start
    while index < len(text):
        char = text[index]
        if char == "$" and text.startswith("${", index):
            depth += 1
            index += 2
            continue
        if char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _name_end(text: str, start: int) -> int:
    end = start
    while end < len(text) and text[end] in _NAME_CHARS:
        end += 1
    return end


def _braced(body: str, lookup: Lookup, on_unset: OnUnset,
            on_required: OnRequired | None = None, on_expand: OnExpand | None = None) -> str:
    result = _braced_value(body, lookup, on_unset, on_required, on_expand)
    if on_expand is not None and result:
        on_expand(body[:_name_end(body, 0)], result)
    return result


def _braced_value(body: str, lookup: Lookup, on_unset: OnUnset,
                  on_required: OnRequired | None, on_expand: OnExpand | None) -> str:
    if not body or body[0] not in _NAME_START:
        raise TemplateError(f"invalid interpolation format '${{{body}}}': expected a name")
    end = _name_end(body, 0)
    name, rest = body[:end], body[end:]
    value = lookup(name)
    if not rest:
        if value is None:
            on_unset(name)
            return ""
        return value
    operator = next((op for op in _OPERATORS if rest.startswith(op)), None)
    if operator is None:
        raise TemplateError(
            f"invalid interpolation format '${{{body}}}': expected one of "
            ":- - :? ? :+ + after the name"
        )
    argument = substitute(rest[len(operator) :], lookup, on_unset, on_required, on_expand)
    empty_counts_as_unset = operator.startswith(":")
    is_set = value is not None and (value != "" or not empty_counts_as_unset)
    kind = operator[-1]
    if kind == "-":
        return value if is_set and value is not None else argument
    if kind == "+":
        return argument if is_set else ""
    if not is_set or value is None:
        if on_required is not None:
            return on_required(name, argument)
        reason = f": {argument}" if argument else ""
        raise TemplateError(f"required variable {name} is missing a value{reason}")
    return value


def substitute(text: str, lookup: Lookup, on_unset: OnUnset | None = None,
               on_required: OnRequired | None = None, on_expand: OnExpand | None = None) -> str:
    """Interpolate one string."""
    if "$" not in text:
        return text
    report: OnUnset = on_unset if on_unset is not None else (lambda _name: None)
    out: list[str] = []
    index = 0
    length = len(text)
    while index < length:
        dollar = text.find("$", index)
        if dollar < 0 or dollar == length - 1:
            out.append(text[index:])
            break
        out.append(text[index:dollar])
        following = text[dollar + 1]
        if following == "$":
            out.append("$")
            index = dollar + 2
        elif following == "{":
            close = _closing_brace(text, dollar + 2)
            if close < 0:
                raise TemplateError(
                    f"invalid interpolation format '{text[dollar:]}': expected a closing '}}'"
                )
            out.append(_braced(text[dollar + 2 : close], lookup, report, on_required,
                               on_expand))
            index = close + 1
        elif following in _NAME_START:
            end = _name_end(text, dollar + 1)
            name = text[dollar + 1 : end]
            value = lookup(name)
            if value is None:
                report(name)
                value = ""
            elif on_expand is not None and value:
                on_expand(name, value)
            out.append(value)
            index = end
        else:
            out.append("$")
            index = dollar + 1
    return "".join(out)


class UnsetVariables:
    """Collects variables that were used unset, each with the first place it was used."""

    def __init__(self, *, tolerant: bool = False) -> None:
        self.first_use: dict[str, tuple[str | None, int | None]] = {}
        self.tolerant = tolerant
        """Record required variables without a value and malformed templates, not raise."""
        self.required: dict[str, tuple[str, str | None, int | None]] = {}
        """Required variable -> (its error message, where it was first needed)."""
        self.malformed: list[tuple[str, str | None, int | None]] = []
        self.expansions: dict[str, set[str]] = {}
        """Variable -> the texts its references expanded to (may hold secrets: never print;
        :func:`name_variables` uses them to name the variable in errors instead)."""

    def expander(self, name: str, value: str) -> None:
        self.expansions.setdefault(name, set()).add(value)

    def reporter(self, node: Node) -> OnUnset:
        def report(name: str) -> None:
            self.first_use.setdefault(name, node.where())

        return report

    def required_reporter(self, node: Node) -> OnRequired | None:
        if not self.tolerant:
            return None

        def report(name: str, message: str) -> str:
            path, line = node.where()
            self.required.setdefault(name, (message, path, line))
            return ""  # unset, as Compose would run it once the value is given

        return report


def interpolate_tree(node: Node, lookup: Lookup, unset: UnsetVariables) -> None:
    """Interpolate every string value (never a key) of ``node`` in place."""
    value = node.value
    if isinstance(value, str):
        if "$" in value:
            try:
                node.value = substitute(value, lookup, unset.reporter(node),
                                        unset.required_reporter(node), unset.expander)
            except TemplateError as exc:
                path, line = node.where()
                if not unset.tolerant:
                    raise InterpolationError(str(exc), path=path, line=line) from None
                unset.malformed.append((str(exc), path, line))  # kept as written
    elif isinstance(value, dict):
        for item in value.values():
            interpolate_tree(item, lookup, unset)
    elif isinstance(value, list):
        for item in value:
            interpolate_tree(item, lookup, unset)


_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_MIN_INSIDE = 4  # shorter values are named only when they are the whole quoted text


def name_variables(text: str, expansions: Mapping[str, Iterable[str]]) -> str:
    """``text`` (an error message) with interpolated values written as their variable.

    ``invalid container port 'hunter2'`` becomes ``invalid container port '${DB_PASS}'``:
    an error never shows what a variable holds (it may be a password), and names what the
    user must fix. Quoted parts are rewritten: a value that is the whole quoted text, or
    one of at least four characters inside it as a whole token; long values (8+) anywhere.
    """
    pairs = sorted(((value, name) for name, values in expansions.items() for value in values
                    if value), key=lambda p: (-len(p[0]), p))
    if not pairs:
        return text

    def inside(quoted: str) -> str:
        for value, name in pairs:
            if quoted == value:
                return f"${{{name}}}"
        for value, name in pairs:
            if len(value) >= _MIN_INSIDE:
                quoted = _token(value).sub(f"${{{name}}}", quoted)  # names: [A-Za-z0-9_]
        return quoted

    def quoted(match: re.Match[str]) -> str:
        mark = match.group(0)[0]
        body = match.group(1) if match.group(1) is not None else match.group(2)
        return f"{mark}{inside(body)}{mark}"

    text = _QUOTED.sub(quoted, text)
    for value, name in pairs:
        if len(value) >= 8:
            text = _token(value).sub(f"${{{name}}}", text)
    return text


def _token(value: str) -> re.Pattern[str]:
    return re.compile(f"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])")


@contextmanager
def naming_variables(expansions: Mapping[str, Iterable[str]]) -> Iterator[None]:
    """Errors raised inside name the variables instead of showing their values."""
    try:
        yield
    except KubealignError as exc:
        renamed = name_variables(exc.message, expansions)
        if renamed != exc.message:
            exc.message = renamed
            exc.args = (renamed,)
        raise
