"""The executive summary counts the strategies STR001 counts."""

from __future__ import annotations

from pathlib import Path

from kubealign.actions.audit import audit


def test_summary_counts_what_str001_counts(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  web:\n    image: app:1\n", encoding="utf-8")
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "web.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
        "  template:\n    spec:\n      containers:\n      - name: web\n        image: app:1\n",
        encoding="utf-8")
    (tmp_path / "deploy.sh").write_text(
        "#!/bin/bash\nset -euo pipefail\nrsync -az ./ ubuntu@host.example.com:/opt/app\n",
        encoding="utf-8")
    report = audit(tmp_path)
    (str001,) = [f for f in report.findings if f.rule == "STR001"]
    assert "ssh-scripts" in {s.name for s in report.strategies}
    # One finding (the repository's set of strategies) with a place per strategy.
    assert len(report.summary.strategies_in_use) == len(str001.places()) == 2
    assert str001.message.startswith("2 deployment strategies coexist")
    assert report.summary.carriers == ("ssh-scripts",)
    assert set(report.summary.live_strategies) | set(report.summary.dead_strategies) == set(
        report.summary.strategies_in_use)
