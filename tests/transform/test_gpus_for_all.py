"""Compose `count: all` (every GPU of the machine) is the GPUs per node of the service's pool,
reported, not silently one GPU."""

from __future__ import annotations

from pathlib import Path

from kubealign.load.compose.normalize import normalize_data
from kubealign.load.yaml_safe import load_yaml_text
from kubealign.model.plan import Environment, NodePool, Plan
from kubealign.transform.cluster import environment_gpus_for_all, gpus_for_all
from kubealign.transform.convert import ConversionOptions, convert_project
from kubealign.transform.values_model import to_values
from kubealign.validate.semantic import compare_service

POOLS = (NodePool("a100", gpus_per_node=8), NodePool("gh200", gpus_per_node=1),
         NodePool("cpu"))


def _plan(env: Environment) -> Plan:
    return Plan(release="r", namespace="n", base=env.name, environments=(env,), node_pools=POOLS)


def test_pinned_pool_then_environment_then_environment_pool() -> None:
    env = Environment("prod", ("c.yml",), ".", node_pool="a100",
                      service_pools=(("llm", "gh200"), ("tool", "cpu")))
    plan = _plan(env)
    assert gpus_for_all(plan, env, "llm") == 1  # pinned to gh200
    assert gpus_for_all(plan, env, "trainer") == 8  # the environment's pool
    assert gpus_for_all(plan, env, "tool") == 8  # cpu pool says nothing: environment's pool
    explicit = Environment("prod", ("c.yml",), ".", node_pool="a100", gpus_for_all=4)
    assert gpus_for_all(_plan(explicit), explicit, "trainer") == 4
    bare = Environment("dev", ("c.yml",), ".")
    assert gpus_for_all(_plan(bare), bare, "trainer") is None
    assert environment_gpus_for_all(plan, env, ["trainer", "llm"]) == (("llm", 1),
                                                                     ("trainer", 8))


COMPOSE = """
services:
  trainer:
    image: acme/trainer:1
    deploy:
      resources:
        reservations:
          devices: [{driver: nvidia, count: all, capabilities: [gpu]}]
"""


def test_count_all_becomes_the_pool_count_and_is_reported(tmp_path: Path) -> None:
    loaded = load_yaml_text(COMPOSE, str(tmp_path / "c.yml"))
    project = normalize_data(loaded.data, name="d", sources=loaded.sources,
                             project_directory=tmp_path, files=(tmp_path / "c.yml",))
    result = convert_project(project, ConversionOptions(gpus_for_all=(("trainer", 8),),
                                                        gpu_pool="a100"))
    assert to_values(result.values)["services"]["trainer"]["gpu"]["count"] == 8
    finding = next(f for f in result.findings if f.rule == "CNV500")
    assert "8 x nvidia.com/gpu" in finding.message and "a100" in finding.message
    unknown = convert_project(project, ConversionOptions())
    assert to_values(unknown.values)["services"]["trainer"]["gpu"]["count"] == 1
    assert any(f.rule == "CNV500" and f.severity.name == "MEDIUM" for f in unknown.findings)
    rendered = {"kind": "Deployment", "spec": {"template": {"spec": {"containers": [
        {"name": "trainer", "image": "acme/trainer:1",
         "resources": {"limits": {"nvidia.com/gpu": 8}}}]}}}}
    service = project.service("trainer")
    assert compare_service(service, "trainer", rendered, gpus_for_all={"trainer": 8}) == []
    assert compare_service(service, "trainer", rendered) != []
