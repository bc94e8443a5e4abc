"""The services × environments matrix has one column per compose file, never two alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubealign.actions.audit import audit
from kubealign.rules.variants import column_names


def test_files_named_alike_get_the_shortest_qualification_that_tells_them_apart() -> None:
    names = column_names([
        "docker-compose.prod.yml",
        "servers/asana/docker-compose.yml",
        "servers/slack/docker-compose.yml",
        "x/api/docker-compose.yml",
        "y/api/docker-compose.yml",
        "docker-compose.yml",
    ])
    assert names == {
        "docker-compose.prod.yml": "prod",
        "servers/asana/docker-compose.yml": "asana/default",
        "servers/slack/docker-compose.yml": "slack/default",
        "x/api/docker-compose.yml": "x/api/default",
        "y/api/docker-compose.yml": "y/api/default",
        "docker-compose.yml": "default",
    }
    assert len(set(names.values())) == len(names)


@pytest.mark.corpus
def test_sophia_matrix_columns_are_distinct(corpus_dir: Path) -> None:
    repository = corpus_dir / "sprawl" / "ai-cherry+sophia-strategic-development"
    if not repository.is_dir():
        pytest.skip(f"{repository} is absent")
    matrix = audit(repository).matrix
    assert len(set(matrix.environments)) == len(matrix.environments) > 20
    keys = [(c.service, c.environment) for c in matrix.cells]
    assert len(set(keys)) == len(keys)
