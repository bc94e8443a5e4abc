"""One vocabulary: the audit names environments and services as kubealign.yaml and the chart do.

A small repository with two compose variants of one platform (the backend is ``backend`` in
one file and ``app-backend`` in the other) and a compose project that belongs to none: the
audit's environments are the plan's, its services the chart's values keys, and the unplanned
file is said to belong to no environment, with the plan's reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from kubealign.actions.audit import audit, render_json
from kubealign.actions.convert_plan import PlanConvertRequest, convert_plan
from kubealign.actions.plan import plan
from kubealign.emit.audit_markdown import render_markdown

FILES = {
    "docker-compose.yml": """\
services:
  backend:
    image: example/app:1.0
  cache_store:
    image: redis:7
""",
    "docker-compose.prod.yml": """\
services:
  app-backend:
    image: example/app:1.1
    deploy:
      replicas: 3
  cache_store:
    image: redis:7
""",
    "deploy.sh": """\
#!/bin/sh
set -eu
docker compose -f docker-compose.prod.yml up -d
""",
    "tools/mailer/docker-compose.yml": """\
services:
  mailer:
    image: other/mailer:2
""",
}


def _repository(root: Path) -> Path:
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_audit_plan_and_chart_use_one_name_for_each_environment_and_service(
        tmp_path: Path) -> None:
    repo = _repository(tmp_path / "repo")
    planned = plan(repo).plan
    environments = [e.name for e in planned.environments]
    assert sorted(environments) == ["local", "production"]
    convert_plan(PlanConvertRequest(out=tmp_path / "out", plan=repo / "kubealign.yaml",
                                    environ={}, render=False, prove=False))
    values = yaml.safe_load((tmp_path / "out" / "chart" / "values.yaml").read_text("utf-8"))
    keys = set(values["services"])

    report = json.loads(render_json(audit(repo)))
    matrix = report["matrix"]
    assert matrix["environments"] == environments  # the plan's names, in migration order
    assert {c["environment"] for c in matrix["cells"]} == set(environments)
    # The plan joins backend and app-backend (one image, never side by side) under the name
    # of the deployed environment; cache_store becomes a Kubernetes name, as in the chart.
    assert set(matrix["services"]) == keys == {"app-backend", "cache-store"}
    backend = {c["environment"]: c for c in matrix["cells"] if c["service"] == "app-backend"}
    assert backend["local"]["compose_service"] == "backend"
    assert backend["local"]["image"] == "example/app:1.0"
    # Drift is told under the chart's name.
    assert {d["service"] for d in report["compose"]["differences"]} == {"app-backend"}

    places = {v["file"]: (v["environments"], v["outside_plan"])
              for v in report["compose"]["variants"]}
    assert places["docker-compose.yml"] == (["local"], None)
    assert places["docker-compose.prod.yml"] == (["production"], None)
    envs, why = places["tools/mailer/docker-compose.yml"]
    assert envs == [] and why and why.startswith("a release of its own")

    markdown = render_markdown(audit(repo))
    assert "none: a release of its own" in markdown
    assert "as `backend`" in markdown


def test_the_repository_plan_names_win_over_detection(tmp_path: Path) -> None:
    """A user who renamed an environment in kubealign.yaml sees that name in the audit."""
    repo = _repository(tmp_path / "repo")
    text = plan(repo).text
    (repo / "kubealign.yaml").write_text(text.replace("production", "prod-eu"), "utf-8")
    report = audit(repo)
    assert "prod-eu" in report.matrix.environments
    assert "production" not in report.matrix.environments
