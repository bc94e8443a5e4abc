"""Use case: the inventory of a repository, and its JSON contract (docs/inventory.md)."""

from __future__ import annotations

import dataclasses
import enum
import json
from pathlib import Path
from typing import Any

from kubealign.discover.repository import discover_repository
from kubealign.load.yaml_safe import load_yaml_documents
from kubealign.model.inventory import Artifact, Inventory

# Artifact fields that hold per-kind details: omitted from JSON when absent.
_SECTION_FIELDS = frozenset(
    {
        "compose", "env_file", "dockerfile", "kubernetes", "kustomization", "helm_chart",
        "argocd", "script", "ci", "mounted", "docs",
    }
)  # fmt: skip


def build_inventory(root: Path, *, display_root: str | None = None) -> Inventory:
    """Walk and classify ``root`` with the safe YAML loader. Raises UsageError if missing."""
    return discover_repository(root, parse_yaml=load_yaml_documents, display_root=display_root)


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Artifact):
        return {
            f.name: _jsonable(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not (f.name in _SECTION_FIELDS and getattr(value, f.name) is None)
        }
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_jsonable(item) for item in value]
    return value


def inventory_as_dict(inventory: Inventory) -> dict[str, Any]:
    """The JSON contract as plain data: schema version first, then summary, then details."""
    counts = {kind.value: count for kind, count in inventory.counts().items() if count}
    return {
        "schema_version": inventory.schema_version,
        "root": inventory.root,
        "summary": {"files": len(inventory.artifacts), "kinds": counts},
        "artifacts": [_jsonable(artifact) for artifact in inventory.artifacts],
        "skipped": [_jsonable(skipped) for skipped in inventory.skipped],
    }


def inventory_to_json(inventory: Inventory) -> str:
    """Deterministic JSON text (two-space indent, trailing newline)."""
    return json.dumps(inventory_as_dict(inventory), indent=2, ensure_ascii=False) + "\n"
