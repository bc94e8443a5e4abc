from pathlib import Path

from kubealign.model.compose import SERVICE_KEYS
from kubealign.transform.matrix import (
    DEPLOY_TREATMENTS,
    SERVICE_TREATMENTS,
    render_markdown,
)

REPO = Path(__file__).resolve().parents[2]


def test_every_compose_service_key_has_a_treatment() -> None:
    covered = {row.key for row in SERVICE_TREATMENTS}
    assert sorted(SERVICE_KEYS - covered) == []


def test_no_key_is_listed_twice() -> None:
    keys = [row.key for row in (*SERVICE_TREATMENTS, *DEPLOY_TREATMENTS)]
    assert len(keys) == len(set(keys))


def test_generated_doc_is_up_to_date() -> None:
    committed = (REPO / "docs" / "conversion-matrix.md").read_text(encoding="utf-8")
    assert committed == render_markdown(), "run: python -m kubealign.transform.matrix --write"
