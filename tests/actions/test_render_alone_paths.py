"""The proof render (a variant alone as values.yaml) happens in a scratch copy of the chart;
Helm's errors from it name the chart and the environment, never the scratch folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kubealign.actions import convert_plan
from kubealign.errors import HelmError
from kubealign.model.plan import Environment, Plan


def test_a_helm_error_of_the_proof_render_names_no_scratch_folder(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(chart: Path, *_: Any, **__: Any) -> Any:
        raise HelmError(f"template: {chart}/templates/deployment.yaml:3: nil pointer "
                        f"(in {chart.parent})")

    monkeypatch.setattr(convert_plan, "render_chart", refuse)
    plan = Plan(release="r", namespace="r", base="dev",
                environments=(Environment("dev", ("c.yaml",), "."),))
    files = {"chart/Chart.yaml": "apiVersion: v2\nname: r\nversion: 0.1.0\n"}
    with pytest.raises(HelmError) as raised:
        convert_plan._render_alone("dev", {"services": {}}, plan, "r", files, "1.31")
    message = raised.value.message
    assert "kubealign-variant-" not in message and "/tmp" not in message
    assert message.startswith("template: chart (values of dev alone)/templates/deployment.yaml")
