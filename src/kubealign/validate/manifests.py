"""Collect Kubernetes objects from a folder of manifests (``validate --manifests``).

What is not a plain manifest is skipped with a note rather than failed: kustomizations
(they need ``kustomize build``), Helm charts (their templates are not YAML until rendered)
and YAML/JSON files that hold no Kubernetes object (configs mounted into pods…).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubealign.errors import LoadError, UsageError
from kubealign.validate.checks import SourcedObject
from kubealign.validate.yamldocs import load_documents

_EXTENSIONS = (".yaml", ".yml", ".json")
_KUSTOMIZATION_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})


@dataclass(slots=True)
class ManifestSet:
    objects: list[SourcedObject] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Files that could not be parsed: (relative path, the error).
    broken: list[tuple[str, LoadError]] = field(default_factory=list)


def _chart_roots(root: Path) -> list[Path]:
    return sorted(chart.parent for chart in root.rglob("Chart.yaml"))


def _kustomize_patches(root: Path) -> set[Path]:
    """Files kustomizations use as patches: partial objects, not manifests of their own."""
    patches: set[Path] = set()
    for name in _KUSTOMIZATION_NAMES:
        for kustomization in root.rglob(name):
            try:
                docs = load_documents(kustomization.read_text(encoding="utf-8"), source=name)
            except LoadError:
                continue
            spec = docs[0] if docs and isinstance(docs[0], Mapping) else {}
            entries = [*(spec.get("patches") or ()), *(spec.get("patchesJson6902") or ())]
            entries += list(spec.get("patchesStrategicMerge") or ())
            for entry in entries:
                target = entry.get("path") if isinstance(entry, Mapping) else entry
                if isinstance(target, str) and "\n" not in target:
                    patches.add((kustomization.parent / target).resolve())
    return patches


def _looks_like_object(doc: Any) -> bool:
    return isinstance(doc, Mapping) and ("apiVersion" in doc or "kind" in doc)


def _documents(path: Path, text: str, relative: str) -> list[Any]:
    if path.suffix == ".json":
        try:
            return [json.loads(text)]
        except json.JSONDecodeError as exc:
            raise LoadError(f"invalid JSON: {exc.msg}", path=relative, line=exc.lineno) from None
    return load_documents(text, source=relative)


def collect_manifests(root: Path) -> ManifestSet:
    """Every Kubernetes object under ``root`` (recursively, sorted by path, multi-document)."""
    if not root.is_dir():
        raise UsageError(f"{root}: not a directory")
    found = ManifestSet()
    charts = _chart_roots(root)
    patches = _kustomize_patches(root)
    for chart in charts:
        found.notes.append(f"{chart.relative_to(root)}: Helm chart skipped (render it first)")
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = str(path.relative_to(root))
        if path.suffix not in _EXTENSIONS and path.name != "Kustomization":
            continue
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if any(chart in path.parents for chart in charts):
            continue
        if path.name in _KUSTOMIZATION_NAMES:
            found.notes.append(f"{relative}: kustomization skipped (needs kustomize build)")
            continue
        if path.resolve() in patches:
            found.notes.append(f"{relative}: kustomize patch skipped (partial object)")
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            documents = _documents(path, text, relative)
        except LoadError as exc:
            found.broken.append((relative, exc))
            continue
        objects = [(i, doc) for i, doc in enumerate(documents) if _looks_like_object(doc)]
        if not objects:
            if any(doc is not None for doc in documents):
                found.notes.append(f"{relative}: no Kubernetes object, skipped")
            continue
        found.texts[relative] = text
        found.objects.extend(SourcedObject(doc, relative, index) for index, doc in objects)
    return found
