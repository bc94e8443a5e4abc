"""Clean-up proposals on every real repository touch deployment artifacts only.

Each table in ``corpus_never_propose/<repository>.txt`` was written from what the files are
(each opened): git hooks, activation and editor set-up, linters, tests, benchmarks, backups,
health checks, infrastructure provisioning, application code. None of them is replaced by the
chart, so ``cleanup --plan`` must never propose one; and every proposal says which evidence
made it a proposal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from kubealign.actions.audit import audit
from kubealign.actions.cleanup import plan_cleanup
from kubealign.model.audit import TechDebtItem

TABLES = Path(__file__).parent / "corpus_never_propose"
REPOSITORIES = sorted(p.stem for p in TABLES.glob("*.txt"))

#: What a proposal must say made it one: the command (file:line), or the kind of artifact.
_EVIDENCE = re.compile(
    r"\((?P<path>[^():`]+):(?P<line>\d+) `[^`]+`\)"  # deploy script: path:line `command`
    r"|^compose \w+ file|^Dockerfile variant of |^hand-written manifest|^undeployed hand-written"
    r" chart|^service registry \(|^configuration of "
)


def _table(repository: str) -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in (TABLES / f"{repository}.txt").read_text(encoding="utf-8").splitlines():
        body, _, what = line.partition("#")
        if body.strip():
            rows[body.strip()] = what.strip()
    return rows


def test_every_sprawl_repository_has_a_table(corpus_dir: Path) -> None:
    present = sorted(p.name for p in (corpus_dir / "sprawl").iterdir() if p.is_dir())
    assert present == REPOSITORIES


def _evidence_ok(item: TechDebtItem) -> bool:
    match = _EVIDENCE.search(item.reason)
    if match is None:
        return False
    return match.group("path") in (None, item.path)


@pytest.mark.corpus
@pytest.mark.parametrize("repository", REPOSITORIES)
def test_cleanup_never_proposes_what_is_not_deployment(
    sprawl_repository: Callable[[str], Path], repository: str
) -> None:
    root = sprawl_repository(repository)
    table = _table(repository)
    missing = sorted(p for p in table if not (root / p).exists())
    assert not missing, f"the table names files the repository does not have: {missing}"
    report = audit(root)
    plan = plan_cleanup(report, root)
    proposed = {s.path for s in plan.steps} | {h.path for h in plan.held_back}
    wrong = sorted(proposed & set(table))
    assert not wrong, [f"{p} ({table[p]})" for p in wrong]
    unexplained = [f"{i.path}: {i.reason}" for i in report.tech_debt if not _evidence_ok(i)]
    assert not unexplained, unexplained
