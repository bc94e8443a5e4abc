"""Convert the bundled example through its detected plan (copied, so examples/ stays clean)."""

from __future__ import annotations

import shutil
from pathlib import Path

from kubealign.actions.convert_plan import PlanConvertOutcome, PlanConvertRequest, convert_plan
from kubealign.actions.plan import plan

SOPHIA = Path(__file__).resolve().parents[2] / "examples" / "sophia"


def converted_example(tmp: Path, *, mesh: str | None = None) -> PlanConvertOutcome:
    repo = tmp / "sophia"
    shutil.copytree(SOPHIA, repo)
    plan(repo)
    return convert_plan(PlanConvertRequest(out=tmp / "out", plan=repo / "kubealign.yaml",
                                           chart_path="deploy/chart", environ={}, mesh=mesh))
