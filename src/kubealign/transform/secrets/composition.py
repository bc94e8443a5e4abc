"""Environment values that compose interpolated secrets, rebuilt in the pod.

``DATABASE_URL=postgres://u:${POSTGRES_PASSWORD}@db/app`` reaches the converter already
interpolated, the password inside it. The loader keeps where each value was written
(``Service.origin("environment.DATABASE_URL")``), so this module re-reads the text as written
there, finds the ``${VAR}`` references, recovers what each one expanded to by matching the
template against the interpolated value, and rewrites the value with Kubernetes dependent
variables: ``postgres://u:$(POSTGRES_PASSWORD)@db/app``, POSTGRES_PASSWORD itself read from a
Secret. Nothing here ever puts a recovered secret into the result text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from kubealign.model.source import SourceSpan
from kubealign.transform.secret_detect import is_secret_value

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEY_VALUE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]\s?(.*)$")


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Reference:
    name: str
    raw: str  # as written, e.g. ``${NAME:-x}``


Token = Text | Reference


@dataclass(frozen=True, slots=True)
class Composition:
    """A value built from variables: which ones are secret, and the pod-side template."""

    variable: str
    template: str
    """The value for ``composedEnv``: secret references as ``$(VAR)``, the rest literal."""
    secret_refs: dict[str, str]
    """Secret variable -> the value it expanded to (kept in memory only, for the scrubber)."""
    pure: bool
    """The value was exactly one reference (``${VAR}``): no composition needed."""


def parse_template(text: str) -> list[Token] | None:
    """Compose interpolation syntax -> tokens; None when the text cannot be parsed."""
    tokens: list[Token] = []
    buffer = ""
    i = 0
    while i < len(text):
        char = text[i]
        if char != "$":
            buffer += char
            i += 1
            continue
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if nxt == "$":
            buffer += "$"
            i += 2
            continue
        if nxt == "{":
            end = _closing(text, i + 2)
            if end < 0:
                return None
            body = text[i + 2 : end]
            match = _NAME.match(body)
            if match is None:
                return None
            if buffer:
                tokens.append(Text(buffer))
                buffer = ""
            tokens.append(Reference(match.group(0), text[i : end + 1]))
            i = end + 1
            continue
        match = _NAME.match(text, i + 1)
        if match is None:
            buffer += char
            i += 1
            continue
        if buffer:
            tokens.append(Text(buffer))
            buffer = ""
        tokens.append(Reference(match.group(0), match.group(0)))
        i = match.end()
    if buffer:
        tokens.append(Text(buffer))
    return tokens


def _closing(text: str, start: int) -> int:
    depth = 1
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    return -1


def recover_values(tokens: list[Token], value: str) -> dict[str, str] | None:
    """What each reference expanded to, by matching the template against ``value``."""
    pattern = ""
    names: list[str] = []
    for token in tokens:
        if isinstance(token, Text):
            pattern += re.escape(token.text)
        else:
            pattern += f"(?P<g{len(names)}>.*?)"
            names.append(token.name)
    match = re.fullmatch(pattern, value, re.DOTALL)
    if match is None:
        return None
    found: dict[str, str] = {}
    for index, name in enumerate(names):
        found.setdefault(name, match.group(f"g{index}"))
    return found


# One line of compose YAML, read back with libyaml's safe loader when it is available.
_LINE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=64)
def _lines(path: str) -> tuple[str, ...]:
    # Not through the read boundary: a span's path is a compose or env file the loader has
    # already read through it (spans are only made for what was loaded).
    try:
        return tuple(Path(path).read_text(encoding="utf-8").splitlines())
    except (OSError, UnicodeDecodeError):
        return ()


def raw_value_at(span: SourceSpan, variable: str,
                 read_lines: Callable[[str], tuple[str, ...]] = _lines) -> str | None:
    """The value of ``variable`` as written at ``span`` (compose YAML or env file), before
    interpolation; None when it cannot be read back (block scalars, other layouts)."""
    lines = read_lines(span.path)
    if not 0 < span.line <= len(lines):
        return None
    text = lines[span.line - 1][max(span.column - 1, 0):].lstrip()
    text = text.removeprefix("- ").lstrip()
    if span.path.endswith((".yml", ".yaml")) or ":" in text.split("=", 1)[0]:
        try:
            loaded = yaml.load(text, Loader=_LINE_LOADER)
        except yaml.YAMLError:
            return None
        if isinstance(loaded, dict) and len(loaded) == 1:
            key, raw = next(iter(loaded.items()))
            return raw if str(key) == variable and isinstance(raw, str) else None
        if isinstance(loaded, str) and loaded.startswith(f"{variable}="):
            return loaded[len(variable) + 1 :]
        return None
    return _env_file_value(text, variable)


def _env_file_value(text: str, variable: str) -> str | None:
    match = _KEY_VALUE.match(text)
    if match is None or match.group(1) != variable:
        return None
    raw = match.group(2).strip()
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return raw[1:-1].replace("$", "$$")  # single quotes: no interpolation in env files
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return raw[1:-1]
    return raw.split(" #", 1)[0].rstrip()


def compose(variable: str, value: str, raw: str | None) -> Composition | None:
    """The composition of ``variable=value`` written as ``raw``, when it uses a secret."""
    if raw is None or "$" not in raw:
        return None
    tokens = parse_template(raw)
    if not tokens or not any(isinstance(t, Reference) for t in tokens):
        return None
    recovered = recover_values(tokens, value)
    if recovered is None:
        return None
    secret = {name: text for name, text in recovered.items() if is_secret_value(name, text)}
    if not secret:
        return None
    pure = len(tokens) == 1
    template = ""
    for token in tokens:
        if isinstance(token, Text):
            template += token.text.replace("$(", "$$(")
        elif token.name in secret:
            template += f"$({token.name})"
        else:
            template += recovered[token.name].replace("$(", "$$(")
    return Composition(variable, template, secret, pure)
