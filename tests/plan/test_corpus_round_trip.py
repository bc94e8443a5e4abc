"""Every repository of the real corpus: the plan kubealign writes reads back, names only
valid DNS-1123 labels, and survives plan -> read -> write (and a comment-keeping rewrite, and
a re-plan merge) byte for byte."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kubealign.actions.plan import load_plan, plan
from kubealign.emit.plan_document import dump_document, load_document
from kubealign.emit.plan_merge import merge_plan
from kubealign.emit.plan_yaml import render_plan
from kubealign.model.plan import Plan
from kubealign.transform.plan.codec import read_plan_text

SPRAWL = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "sprawl"
REPOSITORIES = sorted(p.name for p in SPRAWL.iterdir() if p.is_dir()) if SPRAWL.is_dir() else []
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def _names(plan_: Plan) -> list[tuple[str, str]]:
    names = [("release", plan_.release), ("namespace", plan_.namespace)]
    for env in plan_.environments:
        names += [(f"environment {env.name}", env.name),
                  (f"namespace of {env.name}", plan_.namespace_of(env))]
    names += [(f"node pool {p.name}", p.name) for p in plan_.node_pools]
    names += [(f"service {m.name}", m.name) for m in plan_.services]
    return names


@pytest.mark.corpus
def test_the_corpus_is_there(corpus_dir: Path) -> None:
    assert len(REPOSITORIES) == 9, REPOSITORIES


@pytest.mark.corpus
@pytest.mark.parametrize("name", REPOSITORIES)
def test_plan_round_trips(name: str, corpus_dir: Path, tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    repo = corpus_dir / "sprawl" / name
    target = tmp_path / "plans" / "kubealign.yaml"
    outcome = plan(repo, out=target)
    text = target.read_text(encoding="utf-8")
    assert text == outcome.text

    read = read_plan_text(text, str(target)).plan
    assert read == outcome.plan
    bad = [(what, value) for what, value in _names(read) if not DNS_LABEL.match(value)]
    assert bad == []
    assert len(read.release) <= 53  # Helm's limit on release names

    # plan -> read -> write: the same bytes (the comments come from the same detection).
    assert render_plan(read, outcome.detected.notes) == text
    # A comment-keeping rewrite changes nothing either, and neither does re-planning.
    assert dump_document(load_document(text, str(target))) == text
    merged = merge_plan(text, str(target), outcome.plan, outcome.detected.notes)
    assert merged.unchanged and (merged.added, merged.marked, merged.kept) == ((), (), ())

    # Read from elsewhere, the plan's root finds the repository and every file it names.
    monkeypatch.chdir(tmp_path)
    source, root = load_plan(Path("plans") / "kubealign.yaml")
    assert root.resolve() == repo.resolve()
    assert source.plan == read
