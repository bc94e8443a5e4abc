"""A strategy nothing reaches is dead only beside a live one; with none live, it is run by
hand (a compose file people start with ``docker compose up``), and no STR002 tells the
team to delete their only deployment."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kubealign.actions.audit import audit, render_text
from kubealign.model.audit import Strategy, strategy_state


def _strategy(name: str, live: bool) -> Strategy:
    return Strategy(name=name, files=(f"{name}.yaml",), live=live, evidence=())


def test_states() -> None:
    compose, k8s = _strategy("compose", True), _strategy("kubernetes", False)
    assert strategy_state(compose, (compose, k8s)) == "live"
    assert strategy_state(k8s, (compose, k8s)) == "dead"
    alone = _strategy("compose", False)
    assert strategy_state(alone, (alone, k8s)) == "run by hand"


def test_a_repository_run_by_hand_has_no_dead_strategy(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx:1.27\n",
                                           encoding="utf-8")
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "web.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n", encoding="utf-8")
    report = audit(tmp_path)
    assert [f.rule for f in report.findings if f.rule in {"STR002", "K8S002"}] == []
    assert "2 deployment strategies: compose (run by hand), kubernetes (run by hand)" in \
        render_text(report)


@pytest.mark.corpus
@pytest.mark.parametrize("repository", ["Minerva-System+minerva-system",
                                        "DeepStacker+fastapi-hft-engine"])
def test_real_repositories_that_nothing_deploys_are_run_by_hand(
    sprawl_repository: Callable[[str], Path], repository: str
) -> None:
    root = sprawl_repository(repository)
    report = audit(root)
    assert report.summary.live_strategies == ()
    # No tree, chart or strategy is called abandoned while nothing is live.
    assert not [f for f in report.findings if f.rule in {"STR002", "K8S002", "K8S004"}]
    assert "(run by hand)" in render_text(report) and "(dead)" not in render_text(report)
    # Several strategies still compete: choosing one stays the first structural step.
    assert [f for f in report.findings if f.rule == "STR001"]
