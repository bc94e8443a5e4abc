"""Multi-document YAML as Kubernetes reads it, plus finding the line of a JSON pointer.

Kubernetes converts YAML to JSON before validation, so a timestamp-looking scalar stays a
string; PyYAML's safe loader would turn ``2024-01-01`` into a ``date``. The loader here drops
that one resolver and otherwise keeps the C-accelerated safe loader.

Manifests in a user's repository are untrusted: an alias bomb would explode when the
validator walks the data, so documents are sized from parser events before construction.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml

from kubealign.errors import YamlError

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# An expanded document bigger than this is an alias bomb, not a manifest.
MAX_EXPANDED_NODES = 2_000_000


class ManifestLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Safe loader without the timestamp resolver (Kubernetes keeps those as strings)."""


ManifestLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


def _expanded_size(text: str) -> int:
    """Count nodes as if every alias were copied out, without building anything."""
    sizes: dict[str, int] = {}
    # Each open collection: [anchor, count of nodes inside it so far].
    stack: list[list[Any]] = []
    total = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.AliasEvent):
            added = sizes.get(event.anchor or "", 1)
        elif isinstance(event, yaml.ScalarEvent):
            added = 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            stack.append([event.anchor, 1])
            continue
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, added = stack.pop()
            if anchor:
                sizes[anchor] = added
        else:
            continue
        if stack:
            stack[-1][1] += added
        else:
            total += added
        if total + sum(frame[1] for frame in stack) > MAX_EXPANDED_NODES:
            return MAX_EXPANDED_NODES + 1
    return total


def load_documents(text: str, *, source: str | Path, trusted: bool = False) -> list[Any]:
    """Every document of ``text`` (empty documents become ``None``, kept for indexing).

    ``trusted`` skips the alias-bomb pre-check (for Helm's own rendered output).
    """
    try:
        if not trusted and "*" in text and _expanded_size(text) > MAX_EXPANDED_NODES:
            raise YamlError(
                f"document expands to more than {MAX_EXPANDED_NODES} nodes through aliases "
                "(alias bomb?)",
                path=source,
            )
        return list(yaml.load_all(text, Loader=ManifestLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        problem = exc.problem or "invalid YAML"
        raise YamlError(f"invalid YAML: {problem}", path=source, line=line, column=column) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", path=source) from None


def _child(node: yaml.Node, token: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == token:
                found: yaml.Node = value
                return found
        return None
    if isinstance(node, yaml.SequenceNode) and token.isdigit():
        index = int(token)
        items: list[yaml.Node] = node.value
        return items[index] if index < len(items) else None
    return None


# A document marker: ``---`` or ``...`` at column 0, then a blank or the end of the line. YAML
# forbids either inside any content at column 0 (even in block and quoted scalars), so these
# lines are exactly the documents' boundaries.
_MARKER = re.compile(r"^(---|\.\.\.)(?=[ \t\r\n]|$)", re.MULTILINE)
_DIRECTIVE = re.compile(r"^%", re.MULTILINE)
_CONTENT = re.compile(r"^[ \t]*[^\s#]", re.MULTILINE)


@functools.lru_cache(maxsize=16)
def _document_starts(text: str) -> tuple[int, ...] | None:
    """Where each document ``load_all`` yields begins (offsets into ``text``), found from
    the markers alone; None for texts with directives or ``...`` ends, which ask the
    parser."""
    if _DIRECTIVE.search(text):
        return None
    markers = list(_MARKER.finditer(text))
    if any(marker.group(1) == "..." for marker in markers):
        return None
    starts = [marker.start() for marker in markers]
    # Before the first ``---`` there is a document only when something but comments is there.
    head_end = starts[0] if starts else len(text)
    if not starts or _CONTENT.search(text, 0, head_end):
        starts.insert(0, 0)
    return tuple(starts)


@functools.lru_cache(maxsize=64)
def _composed_document(text: str, document: int) -> tuple[yaml.Node | None, int] | None:
    """The node tree of one document and the line its slice of ``text`` starts on. Only the
    document asked for is composed: a validation report asks for a few objects' lines, and
    composing a whole rendered environment cost more than validating it."""
    starts = _document_starts(text)
    if starts is None:
        nodes = _composed(text)
        if nodes is None or document >= len(nodes):
            return None
        return nodes[document], 0
    if document >= len(starts):
        return None
    begin = starts[document]
    end = starts[document + 1] if document + 1 < len(starts) else len(text)
    try:
        node = yaml.compose(text[begin:end], Loader=_BaseLoader)
    except yaml.YAMLError:
        return None
    return node, text.count("\n", 0, begin)


@functools.lru_cache(maxsize=16)
def _composed(text: str) -> tuple[yaml.Node | None, ...] | None:
    """The node trees of every document of ``text`` (for texts whose markers alone do not
    tell where documents begin)."""
    try:
        return tuple(yaml.compose_all(text, Loader=_BaseLoader))
    except yaml.YAMLError:
        return None


def line_of(text: str, document: int, tokens: tuple[str | int, ...]) -> int | None:
    """1-based line of the deepest existing node on ``tokens`` in document ``document``."""
    composed = _composed_document(text, document)
    if composed is None or composed[0] is None:
        return None
    node: yaml.Node = composed[0]
    for token in tokens:
        found = _child(node, str(token))
        if found is None:
            break
        node = found
    return composed[1] + int(node.start_mark.line) + 1
