"""RES002 compares quantities, not spellings."""

from __future__ import annotations

from pathlib import Path

from kubealign.actions.audit import audit


def test_equal_cpu_quantities_are_not_drift(tmp_path: Path) -> None:
    for name, cpus in (("docker-compose.prod.yml", "4"), ("docker-compose.stage.yml", "4.0"),
                       ("docker-compose.gpu.yml", "2")):
        (tmp_path / name).write_text(
            "services:\n  web:\n    image: app:1\n    deploy:\n      resources:\n"
            f"        limits:\n          cpus: '{cpus}'\n", encoding="utf-8")
    report = audit(tmp_path)
    drift = [f for f in report.findings if f.rule == "RES002"]
    assert len(drift) == 1
    assert "4.0" not in drift[0].text() and "=4" in drift[0].text()
