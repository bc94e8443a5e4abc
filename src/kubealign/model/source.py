"""Source positions kept beside the data, never inside it.

Loaders return plain data plus a :class:`SourceMap` keyed by JSON pointer
(``/services/web/ports/0``), so any later stage can point a finding at a line.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True, order=True)
class SourceSpan:
    """Where a value was written: file, 1-based line and column."""

    path: str
    line: int
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


def escape_pointer_token(token: str | int) -> str:
    """Escape one JSON-pointer reference token (RFC 6901)."""
    text = str(token)
    if "~" not in text and "/" not in text:
        return text  # the common case, on every node of every loaded file
    return text.replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    """Build a JSON pointer from tokens: ``pointer("services", "web") == "/services/web"``."""
    return "".join("/" + escape_pointer_token(t) for t in tokens)


class SourceMap(Mapping[str, SourceSpan]):
    """JSON pointer -> span. Lookups fall back to the nearest enclosing node."""

    __slots__ = ("_spans",)

    def __init__(self, spans: Mapping[str, SourceSpan] | None = None) -> None:
        self._spans: dict[str, SourceSpan] = dict(spans or {})

    def __getitem__(self, key: str) -> SourceSpan:
        return self._spans[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)

    def set(self, ptr: str, span: SourceSpan) -> None:
        self._spans[ptr] = span

    def update_from(self, items: Iterable[tuple[str, SourceSpan]]) -> None:
        self._spans.update(items)

    def nearest(self, ptr: str) -> SourceSpan | None:
        """The span of ``ptr`` or of its closest ancestor that has one."""
        current = ptr
        while True:
            span = self._spans.get(current)
            if span is not None:
                return span
            if not current:
                return None
            current = current.rsplit("/", 1)[0]

    def rebased(self, old_prefix: str, new_prefix: str) -> SourceMap:
        """Spans under ``old_prefix`` moved under ``new_prefix`` (for extends/include)."""
        moved: dict[str, SourceSpan] = {}
        for key, span in self._spans.items():
            if key == old_prefix or key.startswith(old_prefix + "/"):
                moved[new_prefix + key[len(old_prefix) :]] = span
        return SourceMap(moved)


def root_prefixes(root: str | None) -> tuple[str, ...]:
    """``root`` with a trailing slash as written, made absolute and with symlinks resolved,
    longest first: sources may name a file by any of these spellings (a plan given as
    ``sophia/kubealign.yaml`` loads files as ``/abs/sophia/...``)."""
    if not root:
        return ()
    # Asked once per ledger line: resolving the root each time cost seconds per migrate.
    return _prefixes(root, str(Path.cwd()))


@functools.lru_cache(maxsize=64)
def _prefixes(root: str, cwd: str) -> tuple[str, ...]:
    del cwd  # part of the cache key only: a relative root means another folder elsewhere
    spellings = {root, str(Path(root).absolute()), str(Path(root).resolve())}
    return tuple(sorted({s.rstrip("/") + "/" for s in spellings if s.rstrip("/")},
                        key=lambda p: (-len(p), p)))


def relative_to(path: str, root: str | None) -> str:
    """``path`` relative to ``root`` when it lies inside it, else unchanged.

    Generated files name sources relative to the project, so their bytes do not depend on
    where the repository is checked out.
    """
    for prefix in root_prefixes(root):
        if path.startswith(prefix):
            return path[len(prefix) :]
    return path


def strip_root(text: str, root: str | None) -> str:
    """``text`` (a message, a note) with every path under ``root`` made relative to it."""
    for prefix in root_prefixes(root):
        text = text.replace(prefix, "")
    return text
