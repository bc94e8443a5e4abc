"""Located values: the loader's working form of a compose document.

Merges, ``extends`` and ``include`` move values between files and reorder sequences; carrying
each value's span *with* the value (instead of re-keying JSON pointers after every move) keeps
source positions right by construction. ``to_plain`` turns the tree back into plain data plus a
:class:`SourceMap` at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubealign.load.yaml_safe import LoadedYaml, OverrideTag, ResetTag
from kubealign.model.source import SourceMap, SourceSpan, escape_pointer_token

RESET = "reset"
OVERRIDE = "override"


@dataclass(slots=True)
class Node:
    """One value: a scalar, ``dict[str, Node]`` or ``list[Node]``, with where it was written.

    ``tag`` is ``"reset"``/``"override"`` for values tagged ``!reset``/``!override``.
    """

    value: Any
    span: SourceSpan | None
    tag: str | None = None

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_seq(self) -> bool:
        return isinstance(self.value, list)

    def get(self, key: str) -> Node | None:
        if isinstance(self.value, dict):
            found: Node | None = self.value.get(key)
            return found
        return None

    def where(self) -> tuple[str | None, int | None]:
        """(path, line) for an error message."""
        if self.span is None:
            return None, None
        return self.span.path, self.span.line


def from_loaded(loaded: LoadedYaml) -> Node:
    return _from_plain(loaded.data, "", loaded.sources, None)


def _from_plain(data: Any, ptr: str, sources: SourceMap, inherited: SourceSpan | None) -> Node:
    span = sources.get(ptr, inherited)
    tag: str | None = None
    if isinstance(data, ResetTag):
        tag, data = RESET, data.value
    elif isinstance(data, OverrideTag):
        tag, data = OVERRIDE, data.value
    if isinstance(data, dict):
        value: Any = {
            key: _from_plain(item, f"{ptr}/{escape_pointer_token(key)}", sources, span)
            for key, item in data.items()
        }
    elif isinstance(data, list):
        value = [_from_plain(item, f"{ptr}/{i}", sources, span) for i, item in enumerate(data)]
    else:
        value = data
    return Node(value, span, tag)


def build(data: Any, span: SourceSpan | None) -> Node:
    """A tree for plain data synthesised by the loader, every value located at ``span``."""
    if isinstance(data, Node):
        return data
    if isinstance(data, dict):
        return Node({k: build(v, span) for k, v in data.items()}, span)
    if isinstance(data, list):
        return Node([build(v, span) for v in data], span)
    return Node(data, span)


def plain(node: Node) -> Any:
    """The data of a tree without positions (tags dropped)."""
    value = node.value
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def copy(node: Node) -> Node:
    """A deep copy, so that merging into it never changes the original."""
    value = node.value
    if isinstance(value, dict):
        return Node({key: copy(item) for key, item in value.items()}, node.span, node.tag)
    if isinstance(value, list):
        return Node([copy(item) for item in value], node.span, node.tag)
    return Node(value, node.span, node.tag)


def to_plain(node: Node) -> tuple[Any, SourceMap]:
    spans: dict[str, SourceSpan] = {}

    def walk(current: Node, ptr: str) -> Any:
        if current.span is not None:
            spans[ptr] = current.span
        value = current.value
        if isinstance(value, dict):
            return {k: walk(v, f"{ptr}/{escape_pointer_token(k)}") for k, v in value.items()}
        if isinstance(value, list):
            return [walk(item, f"{ptr}/{index}") for index, item in enumerate(value)]
        return value

    data = walk(node, "")
    return data, SourceMap(spans)
