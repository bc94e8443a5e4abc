"""A plan file as a comment-keeping YAML document (ruamel.yaml round trip).

kubealign writes ``kubealign.yaml`` with comments and people edit it; any later rewrite of a
plan (its ``root`` when migrate keeps a copy beside the output, a re-plan merging new
detections) must keep their comments, key order and quoting. This module is the only one
that touches ruamel.yaml, behind a few typed functions.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from kubealign.emit.plan_yaml import UNFOLDED
from kubealign.errors import PlanError
from kubealign.load.yaml_safe import load_yaml_text


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = UNFOLDED  # never fold a long line (plan_yaml does not either)
    yaml.indent(mapping=2, sequence=2, offset=0)  # the layout plan_yaml writes
    return yaml


def load_document(text: str, path: str) -> CommentedMap:
    """The plan text as an editable mapping; :class:`PlanError` when it is not one.

    The text goes through kubealign's guarded loader first (size, alias bombs, nesting,
    duplicate keys: a ``YamlError`` with file:line), so ruamel only sees what that accepts.
    """
    load_yaml_text(text, path)
    try:
        data = _yaml().load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PlanError(f"not valid YAML: {getattr(exc, 'problem', None) or exc}", path=path,
                        line=mark.line + 1 if mark is not None else None) from None
    if data is None:
        return CommentedMap()
    if not isinstance(data, CommentedMap):
        raise PlanError("expected a mapping at the top of the plan", path=path, line=1)
    return data


def dump_document(document: CommentedMap) -> str:
    stream = io.StringIO()
    _yaml().dump(document, stream)
    return stream.getvalue()


def to_node(value: Any) -> Any:
    """Plain data as ruamel nodes (block style), so new entries look like written ones."""
    if isinstance(value, Mapping):
        node = CommentedMap()
        for key, item in value.items():
            node[key] = to_node(item)
        return node
    if isinstance(value, list | tuple):
        seq = CommentedSeq(to_node(item) for item in value)
        if not value:
            seq.fa.set_flow_style()  # `[]`, as plan_yaml writes empty lists
        return seq
    return value


def comment_before(mapping: CommentedMap, key: str, lines: Sequence[str], indent: int) -> None:
    """Put ``lines`` as comments right above ``key`` (kept with any comments already there)."""
    if lines:
        mapping.yaml_set_comment_before_after_key(key, before="\n".join(lines), indent=indent)


def set_root(text: str, root: str, path: str) -> str:
    """The plan ``text`` with its ``root`` set (comments and everything else kept)."""
    document = load_document(text, path)
    if root == ".":
        if "root" not in document:
            return text
        del document["root"]
    elif document.get("root") == root:
        return text
    elif "root" in document:
        document["root"] = root
    else:
        position = list(document).index("version") + 1 if "version" in document else 0
        document.insert(position, "root", root)
        if position:
            # The comments after `version` belong above the next key: keep them after root.
            previous = list(document)[position - 1]
            moved = document.ca.items.pop(previous, None)
            if moved is not None:
                document.ca.items["root"] = moved
    return dump_document(document)
