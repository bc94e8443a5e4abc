"""`kubealign plan` run again merges with the plan a user edited: their comments, names and
values stay, new environments are added, vanished ones are marked, and it says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kubealign.actions.plan import load_plan, plan
from kubealign.cli.app import app
from kubealign.emit.plan_merge import VANISHED, merge_plan
from kubealign.errors import KubealignError
from kubealign.model.plan import Environment, Plan
from kubealign.transform.plan.codec import read_plan_text

runner = CliRunner()
COMPOSE = """\
name: shop
services:
  web:
    image: nginx:1.27
  api:
    image: example/api:1.0
    environment:
      LOG_LEVEL: {level}
"""


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "docker-compose.yml").write_text(COMPOSE.format(level="info"))
    (repo / "docker-compose.prod.yml").write_text(COMPOSE.format(level="warn"))
    return repo


def _edit(plan_file: Path) -> str:
    """What a user does: a comment of their own, a renamed environment, a namespace."""
    text = plan_file.read_text()
    assert "\n  production:\n" in text and "\n  local:\n" in text
    text = text.replace("\n  production:\n",
                        "\n  # ours: the EU production cluster, ask #ops before changing\n"
                        "  prod-eu:\n")
    text = text.replace("- production\n", "- prod-eu\n").replace("base: production",
                                                                 "base: prod-eu")
    text = text.replace("  local:\n    kind: compose\n",
                        "  local:\n    kind: compose\n    namespace: shop-dev\n")
    plan_file.write_text(text)
    read_plan_text(text, "kubealign.yaml")  # the user's edit is a valid plan
    return text


def test_replan_keeps_the_users_edits_and_adds_the_new_environment(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    plan(repo)
    plan_file = repo / "kubealign.yaml"
    edited = _edit(plan_file)
    (repo / "docker-compose.staging.yml").write_text(COMPOSE.format(level="debug"))

    outcome = plan(repo)
    text = plan_file.read_text()
    assert outcome.merge is not None
    assert "# ours: the EU production cluster, ask #ops before changing\n  prod-eu:\n" in text
    source, _ = load_plan(plan_file)
    merged = source.plan
    assert [e.name for e in merged.environments] == ["local", "prod-eu", "staging"]
    assert merged.environment("local").namespace == "shop-dev"
    assert merged.environment("prod-eu").files == ("docker-compose.prod.yml",)
    assert merged.environment("staging").files == ("docker-compose.staging.yml",)
    assert merged.base == "prod-eu"
    assert merged.migration_order[-1] == "staging"
    assert outcome.plan == merged
    # Everything the user wrote is still there, line for line, in order.
    lines = iter(text.splitlines())
    assert all(any(line == mine for line in lines) for mine in edited.splitlines())
    assert outcome.merge.added == ("environment staging (docker-compose.staging.yml)",)
    kept = "\n".join(outcome.merge.kept)
    assert "environments.prod-eu: your name (detected as production)" in kept
    assert "environments.local.namespace: shop-dev (detected: nothing)" in kept
    assert "base: prod-eu (detected: " in kept


def test_replan_with_nothing_new_leaves_the_file_byte_for_byte(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    plan(repo)
    plan_file = repo / "kubealign.yaml"
    edited = _edit(plan_file)
    outcome = plan(repo)
    assert outcome.merge is not None and outcome.merge.unchanged
    assert plan_file.read_text() == edited


def test_vanished_environment_is_marked_once_and_kept(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    plan(repo)
    (repo / "docker-compose.prod.yml").unlink()
    outcome = plan(repo)
    text = (repo / "kubealign.yaml").read_text()
    marker = VANISHED.format(name="production")
    assert f"  # {marker}: docker-compose.prod.yml" in text
    assert "\n  production:\n" in text
    assert outcome.merge is not None and outcome.merge.added == ()
    assert outcome.merge.marked == ("environment production is no longer detected "
                                    "(docker-compose.prod.yml gone)",)
    again = plan(repo)
    assert again.merge is not None and again.merge.unchanged
    assert text.count(marker) == 1


def test_replace_writes_the_fresh_plan(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    plan(repo)
    _edit(repo / "kubealign.yaml")
    outcome = plan(repo, replace=True)
    assert outcome.merge is None
    assert "prod-eu" not in (repo / "kubealign.yaml").read_text()


def test_cli_reports_what_changed(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    assert runner.invoke(app, ["plan", str(repo)]).exit_code == 0
    _edit(repo / "kubealign.yaml")
    (repo / "docker-compose.staging.yml").write_text(COMPOSE.format(level="debug"))
    result = runner.invoke(app, ["plan", str(repo)])
    assert result.exit_code == 0, result.output
    assert "merged with your edits" in result.output
    assert "added: environment staging" in result.output
    assert "kept yours: environments.prod-eu: your name" in result.output


def test_added_pool_goes_into_an_empty_section_in_block_style() -> None:
    user = ("version: 1\nrelease: shop\nnamespace: shop\nbase: local\n"
            "environments:\n  local:\n    files:\n    - a.yml\n"
            "nodePools: {}\n")
    env = Environment("gpu", ("b.yml",), ".", node_pool="a10")
    from kubealign.model.plan import NodePool
    detected = Plan("shop", "shop", "local",
                    (Environment("local", ("a.yml",), "."), env),
                    node_pools=(NodePool("a10", gpu="A10", gpus_per_node=1),))
    merged = merge_plan(user, "kubealign.yaml", detected)
    assert "nodePools:\n  # " in merged.text and "\n  a10:\n    gpu: A10\n" in merged.text
    plan_ = read_plan_text(merged.text, "kubealign.yaml").plan
    assert plan_.environment("gpu").node_pool == "a10"
    assert merged.added == ("environment gpu (b.yml)", "node pool a10")


def test_a_hostile_existing_plan_is_refused_by_the_guarded_loader(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    (repo / "kubealign.yaml").write_text(bomb)
    result = runner.invoke(app, ["plan", str(repo)])
    # (the CLI's main turns this KubealignError into one line and exit 2)
    assert isinstance(result.exception, KubealignError), result.output
    assert "billion laughs" in str(result.exception)
    assert (repo / "kubealign.yaml").read_text() == bomb  # never rewritten
    detected = Plan("a", "a", "a", (Environment("a", ("a.yml",), "."),))
    with pytest.raises(KubealignError, match="alias"):
        merge_plan(bomb, "kubealign.yaml", detected)


def test_json_reports_what_the_merge_did(tmp_path: Path) -> None:
    import json

    repo = _repo(tmp_path)
    first = runner.invoke(app, ["plan", str(repo), "--format", "json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["merge"] is None
    _edit(repo / "kubealign.yaml")
    (repo / "docker-compose.staging.yml").write_text(COMPOSE.format(level="debug"))
    again = runner.invoke(app, ["plan", str(repo), "--format", "json"])
    assert again.exit_code == 0, again.output
    merge = json.loads(again.stdout)["merge"]
    assert any(line.startswith("environment staging") for line in merge["added"])
    assert any(line.startswith("environments.prod-eu: your name") for line in merge["kept"])
    assert merge["unchanged"] is False
    same = json.loads(runner.invoke(app, ["plan", str(repo), "--format", "json"]).stdout)
    assert same["merge"]["unchanged"] is True and same["merge"]["added"] == []
