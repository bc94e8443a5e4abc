"""Reading kubealign.yaml back: every mistake is one line naming file, line and expectation."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubealign.actions.plan import load_plan
from kubealign.errors import PlanError
from kubealign.transform.plan.codec import read_plan_text

GOOD = """\
version: 1
release: shop
namespace: shop
base: prod
environments:
  dev:
    files: [compose.yaml]
    nodePool: t4
  prod:
    kind: swarm
    files: [compose.yaml, compose.prod.yaml]
    servicePools: {api: t4}
nodePools:
  t4:
    gpu: T4
    taint: nvidia.com/gpu=true:NoSchedule
services:
  api:
    names: {dev: backend}
"""


def test_good_plan_reads() -> None:
    plan = read_plan_text(GOOD, "kubealign.yaml").plan
    assert [e.name for e in plan.environments] == ["dev", "prod"]
    assert plan.migration_order == ("dev", "prod")
    assert plan.renames("dev") == {"backend": "api"}
    assert plan.pool("t4") is not None


@pytest.mark.parametrize(("change", "line", "message"), [
    (("base: prod", "base: staging"), 4, "base: expected one of the environments"),
    (("nodePool: t4", "nodePool: a100"), 8, "unknown node pool 'a100'"),
    (("    files: [compose.yaml]\n", "    files: compose.yaml\n"), 7, "expected a list"),
    (("kind: swarm", "kind: k8s"), 10, "expected one of compose, standalone, swarm"),
    (("names: {dev: backend}", "names: {qa: backend}"), 19, "unknown environment 'qa'"),
    (("taint: nvidia.com/gpu=true:NoSchedule", "taint: gpu"), 16, "expected a taint"),
    (("release: shop", "release: Shop_1"), 2, "release: expected a release name"),
    (("  dev:\n", "  dev:\n    colour: red\n"), 7, "unknown key"),
])
def test_mistakes_name_file_and_line(change: tuple[str, str], line: int, message: str) -> None:
    text = GOOD.replace(*change)
    assert text != GOOD
    with pytest.raises(PlanError) as info:
        read_plan_text(text, "kubealign.yaml")
    assert info.value.path == "kubealign.yaml"
    assert info.value.line == line
    assert message in info.value.message


def test_missing_file_is_an_error_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services: {api: {image: nginx}}\n")
    plan_file = tmp_path / "kubealign.yaml"
    plan_file.write_text(GOOD)
    with pytest.raises(PlanError) as info:
        load_plan(plan_file)
    assert info.value.line == 11
    assert "compose.prod.yaml" in info.value.message
    assert "does not exist" in str(info.value)
