"""Violation lines come from composing only the document asked for; the parser composing the
whole text is the oracle. The markers ``---``/``...`` at column 0 are the boundaries (YAML
forbids them in content there), and texts with directives or ``...`` ask the parser."""

from __future__ import annotations

import pytest
import yaml

from kubealign.validate.yamldocs import line_of

TEXTS = [
    "a: 1\n---\nb:\n  c: 2\n",
    "# a comment before the first marker\n---\na: 1\n---\nb:\n  c: 2\n",
    "---\n---\na: 1\n",
    "a: 1\n---\n",
    "--- \na: |\n  --- inside a block scalar, indented\n  text\n---\nk:\n  z: 1\n",
    "%YAML 1.1\n---\na: 1\n---\nb:\n  c: 4\n",
    "a: 1\n...\n---\nb:\n  c: 3\n",
    "# only comments\n",
    "--- {a: 1,\n  b: 2}\n--- \nb:\n  c: 9\n",
    "kind: List\nitems:\n- a: 1\n- b:\n    c: 2\n---\nkind: X\nspec:\n  x:\n    y: 1\n",
]


def _deepest(node: yaml.Node) -> tuple[tuple[str, ...], int]:
    """A path to the last leaf of ``node`` and that leaf's 1-based line."""
    path: list[str] = []
    while True:
        if isinstance(node, yaml.MappingNode) and node.value:
            key, node = node.value[-1]
            path.append(str(key.value))
        elif isinstance(node, yaml.SequenceNode) and node.value:
            path.append(str(len(node.value) - 1))
            node = node.value[-1]
        else:
            return tuple(path), int(node.start_mark.line) + 1


@pytest.mark.parametrize("text", TEXTS)
def test_every_document_s_lines_agree_with_the_parser(text: str) -> None:
    documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    for index, node in enumerate(documents):
        if node is None:
            assert line_of(text, index, ()) is None
            continue
        path, line = _deepest(node)
        assert line_of(text, index, path) == line, (index, path)
        assert line_of(text, index, ()) == node.start_mark.line + 1
    assert line_of(text, len(documents), ()) is None


def test_many_documents_are_located_without_composing_the_others() -> None:
    text = "".join(f"---\nkind: ConfigMap\nmetadata:\n  name: c{i}\ndata:\n  k: v\n"
                   for i in range(2000))
    # The 1500th object's data.k: 6 lines per document, data.k on the 6th.
    assert line_of(text, 1500, ("data", "k")) == 1500 * 6 + 6
