"""tools/cluster/e2e.py --corpus: which folders of a corpus are repositories to deploy."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from cluster_tools import cluster_tool


def _e2e() -> ModuleType:
    return cluster_tool("e2e")


def test_each_subfolder_with_a_compose_file_is_a_repository(tmp_path: Path) -> None:
    e2e = _e2e()
    (tmp_path / "flask").mkdir()
    (tmp_path / "flask" / "compose.yaml").write_text("services: {}\n", encoding="utf-8")
    (tmp_path / "nested" / "deployment").mkdir(parents=True)
    (tmp_path / "nested" / "deployment" / "docker-compose.prod.yml").write_text(
        "services: {}\n", encoding="utf-8")
    (tmp_path / "docs-only").mkdir()
    (tmp_path / "docs-only" / "README.md").write_text("# no compose\n", encoding="utf-8")
    (tmp_path / "SOURCE.md").write_text("# not a folder\n", encoding="utf-8")
    found = e2e.repositories([], [tmp_path])
    assert [name for name, _ in found] == ["flask", "nested"]
    assert [name for name, _ in e2e.repositories(["nest"], [tmp_path])] == ["nested"]


def test_without_corpus_the_default_set_starts_with_the_example() -> None:
    assert _e2e().repositories([])[0][0] == "sophia-example"


def test_a_corpus_that_is_not_a_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exited:
        _e2e().main(["--corpus", str(tmp_path / "absent")])
    assert exited.value.code == 2


def test_a_filter_that_selects_nothing_is_a_usage_error_not_a_pass(tmp_path: Path) -> None:
    # `--corpus awesome-compose --only sophia-example` selected nothing and printed
    # "0/0 environments deployed" with exit 0: a CI step that could never fail.
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "compose.yaml").write_text("services: {}\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        _e2e().main(["--corpus", str(tmp_path), "--only", "nothing-like-it"])
    assert exited.value.code == 2
