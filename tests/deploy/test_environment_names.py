"""An environment the chart has no values file for: the names it has, and the ones meant."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubealign.actions.deploy import similar_names, value_files_for
from kubealign.errors import UsageError


def test_a_word_inside_longer_names_and_a_misspelling_are_both_suggested() -> None:
    names = ["cloud", "deployment-production", "development", "root-production"]
    assert similar_names("production", names) == ["deployment-production", "root-production"]
    assert similar_names("develpment", names) == ["development"]
    assert similar_names("gpu", names) == []


def test_the_error_lists_the_environments_and_what_was_probably_meant(tmp_path: Path) -> None:
    for name in ("values.yaml", "values-cloud.yaml", "values-root-production.yaml"):
        (tmp_path / name).write_text("{}\n", encoding="utf-8")
    assert value_files_for(tmp_path, "cloud") == (tmp_path / "values.yaml",
                                                  tmp_path / "values-cloud.yaml")
    with pytest.raises(UsageError) as raised:
        value_files_for(tmp_path, "production")
    message = str(raised.value)
    assert "environments available: cloud, root-production" in message
    assert message.endswith("(did you mean root-production?)")
