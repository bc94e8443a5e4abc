"""On the real corpus: migrate never writes placeholder text, and the secrets it met on the
way are referenced (issue 11). The repositories are those where the old scrubber broke the
chart (``global.partOf``, a Service alias) or left a password in a probe."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubealign.actions.migrate import MigrateRequest, migrate
from kubealign.transform.secrets.scrub import REDACTED

REPOSITORIES = {
    # release name and compose values equal to a short secret ("minerva")
    "Minerva-System+minerva-system": (),
    # a Service alias equal to a secret value (docker-compose.test.yml)
    "vishnu2kmohan+mcp-server-langgraph": (),
    # redis `--requirepass ${REDIS_PASSWORD:-default}` and its healthcheck `-a ${...}`
    "Feustey+MCP": ("mcp_redis_password_2025",),
}


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(REPOSITORIES))
def test_migrate_writes_references_not_placeholders(name: str, corpus_dir: Path,
                                                    tmp_path: Path) -> None:
    repo = corpus_dir / "sprawl" / name
    out = tmp_path / "out"
    outcome = migrate(MigrateRequest(path=repo, out=out, environ={}))
    chart_files = [p for p in (out / "chart").rglob("*") if p.is_file()]
    assert any(p.name.startswith("values-") for p in chart_files)
    with_placeholder = [str(p.relative_to(out)) for p in chart_files
                        if REDACTED.encode() in p.read_bytes()]
    assert with_placeholder == []
    assert [r for r in outcome.invalid if REDACTED in repr(r)] == []
    for value in REPOSITORIES[name]:
        leaked = [str(p.relative_to(out)) for p in out.rglob("*")
                  if p.is_file() and value.encode() in p.read_bytes()]
        assert leaked == [], f"a secret default of {name} is in the output"
