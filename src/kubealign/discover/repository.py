"""Discover a repository: walk it, classify each file, link files that name each other."""

from __future__ import annotations

import posixpath
from pathlib import Path

from kubealign.discover import names
from kubealign.discover.classify import Context, Draft, classify
from kubealign.discover.references import link_references
from kubealign.discover.walk import WalkResult, walk_repository
from kubealign.discover.yaml_port import YamlDocumentsParser
from kubealign.errors import UsageError
from kubealign.model.inventory import Inventory


def _context(walk: WalkResult, parse_yaml: YamlDocumentsParser) -> Context:
    paths = [f.path for f in walk.files]
    chart_dirs = sorted(
        {posixpath.dirname(p) for p in paths if names.is_chart_file(p)},
        key=lambda d: (-d.count("/") - (1 if d else 0), d),
    )
    chart_files: dict[str, list[str]] = {d: [] for d in chart_dirs}
    for path in paths:
        for directory in chart_dirs:
            if not directory or path.startswith(directory + "/"):
                chart_files[directory].append(path[len(directory) + 1 :] if directory else path)
                break
    return Context(
        known=frozenset(paths) | frozenset(d for d in walk.directories if d),
        chart_dirs=tuple(chart_dirs),
        chart_files={d: tuple(files) for d, files in chart_files.items()},
        parse_yaml=parse_yaml,
    )


def discover_repository(
    root: Path, *, parse_yaml: YamlDocumentsParser, display_root: str | None = None
) -> Inventory:
    """The inventory of ``root``; never fails on a file's content, only on a missing root.

    ``parse_yaml`` is the safe YAML loader (``kubealign.load.yaml_safe.load_yaml_documents``
    in production; the action layer passes it in). ``display_root`` is what the inventory
    records as its root (defaults to ``root`` as given).
    """
    if not root.exists():
        raise UsageError("repository path does not exist", path=root)
    if not root.is_dir():
        raise UsageError("repository path is not a directory", path=root)
    walk = walk_repository(root)
    ctx = _context(walk, parse_yaml)
    drafts: dict[str, Draft] = {f.path: classify(f, ctx) for f in walk.files}
    link_references(drafts)
    return Inventory(
        root=display_root if display_root is not None else str(root),
        artifacts=tuple(drafts[path].freeze() for path in sorted(drafts)),
        skipped=walk.skipped,
    )
