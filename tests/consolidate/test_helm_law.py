"""The law with real Helm on every chart case: the ten golden values files of tests/chart are
taken as ten environments of one release, consolidated, and each environment's base + overlay
must render exactly what its values file renders alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kubealign.actions.convert import chart_tree, default_values
from kubealign.emit.atomic import write_tree_atomic
from kubealign.emit.values_yaml import dump_yaml, render_values
from kubealign.transform.consolidate import Consolidation, consolidate, deep_merge
from kubealign.validate.helm import render_chart

CASES = Path(__file__).resolve().parents[1] / "chart" / "cases"
NAMES = sorted(p.name for p in CASES.iterdir() if (p / "values.yaml").is_file())


def _variant(name: str) -> dict[str, Any]:
    data = yaml.safe_load((CASES / name / "values.yaml").read_text())
    return deep_merge(default_values(), data or {})


@pytest.fixture(scope="module")
def chart(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Consolidation]:
    variants = {name: _variant(name) for name in NAMES}
    result = consolidate(variants)
    root = tmp_path_factory.mktemp("law")
    files = chart_tree("law")
    files["chart/values.yaml"] = render_values(result.base, header="base")
    for name, overlay in result.overlays.items():
        files[f"chart/values-{name}.yaml"] = render_values(overlay, header=name)
    write_tree_atomic(root, files)
    return root / "chart", result


@pytest.mark.parametrize("name", NAMES)
def test_base_plus_overlay_renders_the_case_alone(chart: tuple[Path, Consolidation], name: str,
                                                  tmp_path: Path) -> None:
    chart_dir, _ = chart
    together = render_chart(chart_dir, [chart_dir / f"values-{name}.yaml"], release="law",
                            namespace="law").objects
    alone_files = chart_tree("law")
    alone_files["chart/values.yaml"] = dump_yaml(_variant(name))
    write_tree_atomic(tmp_path, alone_files)
    alone = render_chart(tmp_path / "chart", [], release="law", namespace="law").objects
    assert together
    assert together == alone


def test_cases_really_differ_and_the_base_is_the_first(chart: tuple[Path, Consolidation]
                                                       ) -> None:
    _, result = chart
    first, *others = NAMES
    assert result.base_environment == first and result.overlays[first] == {}
    assert all(result.overlays[name] for name in others)
    assert any(value is None for name in others for value in _leaves(result.overlays[name]))


def _leaves(data: Any) -> list[Any]:
    if isinstance(data, dict):
        return [leaf for value in data.values() for leaf in _leaves(value)]
    return [data]
