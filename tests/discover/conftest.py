"""Helpers to build small repositories on disk and discover them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from kubealign.actions.inventory import build_inventory
from kubealign.model.inventory import Inventory

MakeRepo = Callable[[Mapping[str, str]], Path]


@pytest.fixture
def make_repo(tmp_path: Path) -> MakeRepo:
    """Write ``{relative path: text}`` under a fresh directory and return its root."""

    def make(files: Mapping[str, str]) -> Path:
        root = tmp_path / "repo"
        for rel, text in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        root.mkdir(exist_ok=True)
        return root

    return make


@pytest.fixture
def discover(make_repo: MakeRepo) -> Callable[[Mapping[str, str]], Inventory]:
    def run(files: Mapping[str, str]) -> Inventory:
        return build_inventory(make_repo(files))

    return run
