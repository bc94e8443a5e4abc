"""The YAML parser discovery needs, described as a protocol.

``discover`` and ``load`` are sibling layers that must not import each other, so the
action that runs discovery passes the real loader in (``kubealign.load.yaml_safe``).
Any callable returning objects with ``data`` and ``sources`` fits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from kubealign.model.source import SourceMap


class YamlDocument(Protocol):
    @property
    def data(self) -> Any: ...

    @property
    def sources(self) -> SourceMap: ...


#: ``parse(text, display_path)`` -> one entry per YAML document; raises KubealignError.
YamlDocumentsParser = Callable[[str, str], Sequence[YamlDocument]]


def line_of(document: YamlDocument, pointer: str) -> int | None:
    """1-based line of ``pointer`` (or its nearest ancestor) in ``document``."""
    span = document.sources.nearest(pointer)
    return span.line if span is not None else None
