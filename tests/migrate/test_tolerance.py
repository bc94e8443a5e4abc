"""migrate never gives up on the repository: one environment Helm refuses is reported, the
other environments are still written, rendered and validated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kubealign.actions import convert_plan as convert_plan_module
from kubealign.actions.migrate import MigrateRequest, migrate
from kubealign.cli.migrate import migrate_json
from kubealign.errors import HelmError
from kubealign.model.findings import Severity
from repo_files import write_files

SHOP = """\
services:
  api:
    image: acme/shop-api:1.0
    ports: ["8080:8080"]
  db:
    image: postgres:16
"""


def test_one_environment_refused_by_helm_does_not_stop_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = write_files(tmp_path / "repo", {
        "docker-compose.yml": SHOP,
        "docker-compose.staging.yml": SHOP.replace("1.0", "1.1"),
    })
    real = convert_plan_module.render_chart

    def refuse_staging(chart: Path, value_files: list[Path], **kwargs: Any) -> Any:
        if any(f.name == "values-staging.yaml" for f in value_files):
            raise HelmError("execution error at (templates/x.yaml:1): refused on purpose",
                            path=chart)
        return real(chart, value_files, **kwargs)

    monkeypatch.setattr(convert_plan_module, "render_chart", refuse_staging)
    outcome = migrate(MigrateRequest(path=repo, out=tmp_path / "out", environ={}))
    by_name = {e.name: e for e in outcome.convert.environments}
    assert set(by_name) == {"local", "staging"}
    assert by_name["staging"].render_error is not None
    assert "refused on purpose" in by_name["staging"].render_error
    assert by_name["local"].render_error is None and by_name["local"].objects
    assert by_name["local"].proof == ()
    steps = {s.name: s for s in outcome.steps}
    assert steps["validate"].status == "failed"
    assert "staging: Helm refused it" in steps["validate"].summary
    assert not outcome.ok
    # Everything is still written: both overlays, the plan, the audit.
    out = tmp_path / "out"
    for rel in ("chart/values-local.yaml", "chart/values-staging.yaml", "kubealign.yaml",
                "audit.md", "inventory.json"):
        assert (out / rel).is_file(), rel
    # The staging path of a refused chart never reaches the report.
    assert ".staging" not in by_name["staging"].render_error
    # --format json says which environment was refused and why.
    refused = migrate_json(outcome)["refused"]
    assert [r["environment"] for r in refused] == ["staging"]
    assert "refused on purpose" in refused[0]["reason"]


def test_a_service_with_neither_image_nor_build_gets_no_invented_image(tmp_path: Path) -> None:
    repo = write_files(tmp_path / "repo", {
        "docker-compose.yml": SHOP + "  worker:\n    command: ['run', 'jobs']\n",
    })
    outcome = migrate(MigrateRequest(path=repo, out=tmp_path / "out", environ={}))
    env = outcome.convert.environments[0]
    worker = env.variant["services"]["worker"]
    assert worker["enabled"] is False
    assert "repository" not in worker["image"]
    findings = [f for f in env.conversion.findings if "neither image nor build" in f.message]
    assert findings and findings[0].severity is Severity.HIGH
    assert findings[0].path is not None and findings[0].line is not None
    overlay = (tmp_path / "out" / "chart" / f"values-{env.name}.yaml").read_text()
    assert "REQUIRED: services.worker.image.repository" in overlay
    # The other services render and validate; nothing runs an image nobody built.
    assert env.render_error is None and not env.invalid
    images = [c["image"] for o in env.objects if o.get("kind") == "Deployment"
              for c in o["spec"]["template"]["spec"]["containers"]]
    assert images and not any("worker" in image for image in images)


def test_helm_refuses_to_enable_a_service_without_an_image_repository(tmp_path: Path) -> None:
    from kubealign.actions.convert import chart_tree, default_values
    from kubealign.emit.atomic import write_tree_atomic
    from kubealign.emit.values_yaml import dump_yaml
    from kubealign.validate.helm import render_chart

    tree = chart_tree("shop")
    tree["chart/values.yaml"] = dump_yaml(default_values())
    write_tree_atomic(tmp_path, tree)
    values = tmp_path / "on.yaml"
    values.write_text("services:\n  worker:\n    image: {tag: '1'}\n")
    with pytest.raises(HelmError, match=r"services\.worker\.image\.repository is required"):
        render_chart(tmp_path / "chart", [values], release="shop", namespace="shop")
