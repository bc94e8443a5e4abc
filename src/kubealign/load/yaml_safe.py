"""Safe, fast YAML loading that sees scalars the way Docker Compose does.

PyYAML's C parser composes the node graph; everything after that (scalar resolution, merge
keys, duplicate-key checks, the alias-bomb guard and source positions) is done here so that:

* scalars follow go-yaml v3, the parser compose-go uses, not PyYAML's YAML 1.1 resolver:
  ``22:22`` and ``on`` stay strings, only ``true``/``false`` (three spellings) are booleans.
  go-yaml v3 keeps reading ``0755`` as the octal 493 "for compatibility" and ignores ``_`` in
  numbers; ``docker compose config`` prints ``Q: 0755`` as ``"493"``, so we do the same rather
  than the pure YAML 1.2 core reading (755). Timestamps stay strings (go-yaml v3 hands
  timestamp-looking scalars to untyped targets as strings too);
* an alias-expansion bomb is refused before any Python object is built;
* every node's position is kept in a :class:`SourceMap` keyed by JSON pointer, never inside
  the data.
"""

from __future__ import annotations

import math
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kubealign.errors import LoadError, YamlError
from kubealign.model.source import SourceMap, SourceSpan, escape_pointer_token

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# Nodes that alias expansion may add on top of the nodes literally written in the file. Real
# compose files reuse a few anchors a few hundred times (tens of thousands of nodes at most); a
# "billion laughs" file asks for 10**9.
DEFAULT_MAX_ALIAS_NODES = 1_000_000
# go-yaml stops at 10,000 levels; real files stay far below 100. Kept well under Python's
# recursion limit because construction recurses once per level.
MAX_DEPTH = 300

_STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_MERGE_TAG = "tag:yaml.org,2002:merge"
# Untagged plain scalars get this private tag so construction can tell `on` from `"on"`.
_PLAIN_TAG = "tag:kubealign,2026:plain"
RESET_TAG = "!reset"
OVERRIDE_TAG = "!override"


@dataclass(frozen=True, slots=True)
class ResetTag:
    """A value tagged ``!reset``: the merge removes what the base file had at this place."""

    value: Any = None


@dataclass(frozen=True, slots=True)
class OverrideTag:
    """A value tagged ``!override``: the merge replaces the base value instead of merging."""

    value: Any


@dataclass(frozen=True, slots=True)
class LoadedYaml:
    """One parsed YAML document: plain data plus where each value was written."""

    data: Any
    sources: SourceMap
    path: str


# --------------------------------------------------------------------------- scalar resolution

_KEYWORDS: dict[str, Any] = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}
_KEYWORD_STARTS = frozenset("yYnNtTfFoO~")
_NUMBER_STARTS = frozenset("+-0123456789")
_GO_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INT64_MIN, _INT64_MAX, _UINT64_MAX = -(2**63), 2**63 - 1, 2**64 - 1
_RADIX_PREFIXES = {"0x": 16, "0X": 16, "0b": 2, "0B": 2, "0o": 8, "0O": 8}
_DIGITS = {16: "0123456789abcdefABCDEF", 10: "0123456789", 8: "01234567", 2: "01"}


def _go_parse_int(text: str) -> int | None:
    """``strconv.ParseInt(text, 0, 64)`` falling back to ``ParseUint``, as go-yaml v3 does."""
    sign = 1
    body = text
    if body[:1] in "+-" and body:
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    base = _RADIX_PREFIXES.get(body[:2], 0)
    if base:
        body = body[2:]
    elif len(body) > 1 and body[0] == "0":
        base, body = 8, body[1:]
    else:
        base = 10
    if not body or any(ch not in _DIGITS[base] for ch in body):
        return None
    value = sign * int(body, base)
    if _INT64_MIN <= value <= _INT64_MAX:
        return value
    if text[0] not in "+-" and value <= _UINT64_MAX:
        return value
    return None


def resolve_plain_scalar(text: str) -> Any:
    """The value go-yaml v3 gives an untagged plain scalar (str, int, float, bool or None)."""
    if text in _KEYWORDS:
        return _KEYWORDS[text]
    first = text[0]
    if first in _KEYWORD_STARTS:
        return text
    if first == ".":
        if "_" not in text and _GO_FLOAT.match(text):
            return float(text)
        return text
    if first in _NUMBER_STARTS:
        plain = text.replace("_", "")
        if plain:
            number = _go_parse_int(plain)
            if number is not None:
                return number
            if _GO_FLOAT.match(plain):
                return float(plain)
    return text


# --------------------------------------------------------------------------- composing


class _Resolver(yaml.resolver.BaseResolver):
    """Defers every implicit scalar decision to :func:`resolve_plain_scalar`."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN_TAG if implicit[0] else _STR_TAG
        if kind is yaml.SequenceNode:
            return _SEQ_TAG
        return _MAP_TAG


try:  # the libyaml binding; PyYAML only re-exports it lazily as yaml.CLoader's base
    from yaml._yaml import CParser as _CParser

    _HAVE_LIBYAML = True
except ImportError:  # pragma: no cover - only without libyaml
    _HAVE_LIBYAML = False


class _PyComposer(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    _Resolver,
):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _Resolver.__init__(self)


if _HAVE_LIBYAML:

    class _CComposer(_CParser, _Resolver):
        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _Resolver.__init__(self)

    _Composer: type[Any] = _CComposer
else:  # pragma: no cover - only without libyaml
    _Composer = _PyComposer


def _syntax_error(exc: yaml.YAMLError, path: str) -> YamlError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"invalid YAML: {context}: {problem}" if context else f"invalid YAML: {problem}"
    message = " ".join(message.split())
    if mark is None:
        return YamlError(message, path=path)
    return YamlError(message, path=path, line=mark.line + 1, column=mark.column + 1)


def _node_error(message: str, node: yaml.Node, path: str) -> YamlError:
    mark = node.start_mark
    return YamlError(message, path=path, line=mark.line + 1, column=mark.column + 1)


def _check_size(size: int, max_bytes: int, path: str) -> None:
    if size > max_bytes:
        raise YamlError(
            f"file is {size} bytes, larger than the {max_bytes}-byte limit "
            "(raise max_bytes if this is intended)",
            path=path,
        )


# --------------------------------------------------------------------------- alias-bomb guard


class _ExpansionCounter:
    """Counts the nodes a full expansion would produce, memoised per shared node.

    Aliases are shared node objects in the composed graph, so this is linear in the number of
    distinct nodes even when the expansion is astronomically large.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.sizes: dict[int, int] = {}
        self.active: set[int] = set()
        self.reused: dict[int, yaml.Node] = {}

    def size(self, node: yaml.Node, depth: int = 0) -> int:
        key = id(node)
        known = self.sizes.get(key)
        if known is not None:
            self.reused[key] = node
            return known
        if key in self.active:
            raise _node_error("an anchor's value contains an alias to itself", node, self.path)
        if depth > MAX_DEPTH:
            raise _node_error(f"nesting deeper than {MAX_DEPTH} levels", node, self.path)
        total = 1
        if isinstance(node, yaml.CollectionNode):
            self.active.add(key)
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    total += self.size(key_node, depth + 1) + self.size(value_node, depth + 1)
            else:
                for item in node.value:
                    total += self.size(item, depth + 1)
            self.active.discard(key)
        self.sizes[key] = total
        return total

    def check(self, root: yaml.Node, limit: int) -> None:
        expanded = self.size(root)
        added = expanded - len(self.sizes)
        if added <= limit:
            return
        heaviest = max(self.reused.values(), key=lambda n: self.sizes[id(n)])
        raise _node_error(
            f"alias expansion would create {added} extra nodes, more than the limit of {limit} "
            "(a 'billion laughs' document?); the heaviest anchor starts here",
            heaviest,
            self.path,
        )


# --------------------------------------------------------------------------- construction


def _matches_tag(value: Any, tag: str) -> bool:
    if tag == _NULL_TAG:
        return value is None
    if tag == _BOOL_TAG:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if tag == _INT_TAG:
        return isinstance(value, int)
    return isinstance(value, int | float)


def _span(node: yaml.Node, path: str) -> SourceSpan:
    mark = node.start_mark
    return SourceSpan(path, mark.line + 1, mark.column + 1)


class _Constructor:
    """Builds plain data and the pointer -> span map from a checked node graph."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.spans: dict[str, SourceSpan] = {}

    def build(self, node: yaml.Node, ptr: str, span_node: yaml.Node, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise _node_error(f"nesting deeper than {MAX_DEPTH} levels", node, self.path)
        self.spans[ptr] = _span(span_node, self.path)
        tag = node.tag
        if tag == RESET_TAG:
            return ResetTag(self._untagged(node, ptr, depth))
        if tag == OVERRIDE_TAG:
            return OverrideTag(self._untagged(node, ptr, depth))
        return self._untagged(node, ptr, depth)

    def _untagged(self, node: yaml.Node, ptr: str, depth: int) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [
                self.build(item, f"{ptr}/{index}", item, depth + 1)
                for index, item in enumerate(node.value)
            ]
        assert isinstance(node, yaml.MappingNode)
        result: dict[str, Any] = {}
        for key, (key_node, value_node) in self._pairs(node).items():
            result[key] = self.build(value_node, f"{ptr}/{escape_pointer_token(key)}", key_node,
                                     depth + 1)
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag, text = node.tag, node.value
        if tag == _PLAIN_TAG or (tag in (RESET_TAG, OVERRIDE_TAG) and not node.style):
            return resolve_plain_scalar(text)
        if tag in (_INT_TAG, _FLOAT_TAG, _BOOL_TAG, _NULL_TAG):
            value = resolve_plain_scalar(text)
            if not _matches_tag(value, tag):
                raise _node_error(f"value {text!r} does not match its tag {tag}", node, self.path)
            return float(value) if tag == _FLOAT_TAG else value
        # !!str, quoted scalars, block scalars, and any other tag keep the text as written.
        return text

    def _key(self, key_node: yaml.Node) -> str:
        if not isinstance(key_node, yaml.ScalarNode):
            raise _node_error("expected a scalar mapping key", key_node, self.path)
        return str(key_node.value)

    def _is_merge_key(self, key_node: yaml.Node) -> bool:
        return key_node.tag == _MERGE_TAG or (key_node.tag == _PLAIN_TAG and key_node.value == "<<")

    def _pairs(self, node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """Key -> (key node, value node), merge keys flattened; explicit keys win."""
        explicit: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        merged: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            if self._is_merge_key(key_node):
                for source in self._merge_sources(value_node):
                    for key, pair in self._pairs(source).items():
                        merged.setdefault(key, pair)
                continue
            key = self._key(key_node)
            if key in explicit:
                first = explicit[key][0].start_mark.line + 1
                raise _node_error(
                    f"duplicate mapping key {key!r} (first defined at line {first}); "
                    "expected each key once",
                    key_node,
                    self.path,
                )
            explicit[key] = (key_node, value_node)
        if not merged:
            return explicit
        merged.update(explicit)
        return merged

    def _merge_sources(self, value_node: yaml.Node) -> Iterator[yaml.MappingNode]:
        if isinstance(value_node, yaml.MappingNode):
            yield value_node
            return
        if isinstance(value_node, yaml.SequenceNode):
            for item in value_node.value:
                if not isinstance(item, yaml.MappingNode):
                    raise _node_error("expected a mapping in the '<<' merge list", item, self.path)
                yield item
            return
        raise _node_error(
            "expected a mapping or a list of mappings after the '<<' merge key",
            value_node,
            self.path,
        )


def _construct(node: yaml.Node | None, path: str, max_alias_nodes: int,
               may_alias: bool = True) -> LoadedYaml:
    if node is None:
        return LoadedYaml(None, SourceMap(), path)
    if may_alias:
        # Without a '*' in the text there is no alias, so nothing can expand or refer to
        # itself; the constructor still enforces the nesting limit.
        _ExpansionCounter(path).check(node, max_alias_nodes)
    constructor = _Constructor(path)
    data = constructor.build(node, "", node)
    return LoadedYaml(data, SourceMap(constructor.spans), path)


# --------------------------------------------------------------------------- public API


_BLOCK_INDICATOR = re.compile(r"[|>][-+0-9]*\s*(#.*)?$")


def opens_block_scalar(line: str) -> bool:
    """Whether a source line ends with a ``|``/``>`` block indicator (``run: |``, ``key: >-2
    # why``): the scalar's text starts on the next line."""
    return bool(_BLOCK_INDICATOR.search(line))


def load_yaml_text(
    text: str,
    path: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_alias_nodes: int = DEFAULT_MAX_ALIAS_NODES,
) -> LoadedYaml:
    """Parse one YAML document (an empty text gives ``data=None``)."""
    if len(text) > max_bytes // 4:
        _check_size(len(text.encode("utf-8", "surrogatepass")), max_bytes, path)
    composer = _Composer(text)
    try:
        node = composer.get_single_node()
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, path) from None
    finally:
        composer.dispose()
    return _construct(node, path, max_alias_nodes, "*" in text)


def load_yaml_documents(
    text: str,
    path: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_alias_nodes: int = DEFAULT_MAX_ALIAS_NODES,
) -> list[LoadedYaml]:
    """Parse a multi-document stream; each document's pointers start at ``""``."""
    if len(text) > max_bytes // 4:
        _check_size(len(text.encode("utf-8", "surrogatepass")), max_bytes, path)
    composer = _Composer(text)
    nodes: list[yaml.Node] = []
    try:
        while composer.check_node():
            nodes.append(composer.get_node())
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, path) from None
    finally:
        composer.dispose()
    may_alias = "*" in text
    return [_construct(node, path, max_alias_nodes, may_alias) for node in nodes]


def read_text_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, display: str) -> str:
    """Read a UTF-8 file with the size checked first; LoadError/YamlError naming ``display``."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise LoadError("file not found", path=display) from None
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror}", path=display) from None
    if not stat.S_ISREG(info.st_mode):
        # A FIFO would block the run, a device never ends, a folder is not text.
        raise LoadError("not a regular file", path=display)
    _check_size(info.st_size, max_bytes, display)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror}", path=display) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LoadError("expected UTF-8 text", path=display, line=line) from None


def load_yaml_file(
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    display_path: str | None = None,
    max_alias_nodes: int = DEFAULT_MAX_ALIAS_NODES,
) -> LoadedYaml:
    """Read and parse one YAML file; errors name ``display_path`` (default: ``path``)."""
    display = display_path if display_path is not None else str(path)
    text = read_text_file(path, max_bytes=max_bytes, display=display)
    return load_yaml_text(text, display, max_bytes=max_bytes, max_alias_nodes=max_alias_nodes)
