"""POL rules on hand-made objects and on the rendered example."""

from pathlib import Path
from typing import Any

import pytest

from kubealign.actions.convert import ConvertRequest, convert
from kubealign.validate.policies import POLICIES, check_policies

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sophia"


def deployment(**container: Any) -> dict[str, Any]:
    base = {"name": "web", "image": "nginx:latest"}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"hostNetwork": True, "containers": [
                                      {**base, **container}],
                                      "volumes": [{"name": "h", "hostPath": {"path": "/"}}]}}}}


def test_a_bad_deployment_breaks_every_rule() -> None:
    rules = {v.rule for v in check_policies([deployment()])}
    assert rules == set(POLICIES)


def test_a_pdb_and_a_network_policy_satisfy_the_whole_render_rules() -> None:
    pdb = {"kind": "PodDisruptionBudget", "metadata": {"name": "web"},
           "spec": {"selector": {"matchLabels": {"app": "web"}}}}
    policy = {"kind": "NetworkPolicy", "metadata": {"name": "web"},
              "spec": {"podSelector": {"matchExpressions": [
                  {"key": "app", "operator": "In", "values": ["web"]}]}}}
    rules = {v.rule for v in check_policies([deployment(), pdb, policy])}
    assert "POL009" not in rules and "POL010" not in rules


def test_skip_leaves_rules_out() -> None:
    assert not check_policies([deployment()], skip=frozenset(POLICIES))


@pytest.mark.skipif(not EXAMPLE.is_dir(), reason="examples/sophia is not in this checkout")
def test_the_converted_example_meets_every_rule_the_chart_guarantees(tmp_path: Path) -> None:
    outcome = convert(ConvertRequest(out=tmp_path / "out",
                                     files=(EXAMPLE / "docker-compose.cloud.yml",), environ={}))
    found = {(v.rule, v.kind, v.name) for v in check_policies(outcome.objects)}
    # The chart guarantees these for any input; POL001/002/003 depend on what compose says.
    guaranteed = {"POL004", "POL005", "POL006", "POL007", "POL009", "POL010"}
    assert {f for f in found if f[0] in guaranteed} == set()
    # Restricted (POL008) and a read-only root (POL011) hold unless the values relax them
    # explicitly: an image kubealign knows nothing about keeps Docker's defaults, written as
    # `securityContext.defaults: docker` (docs/hardening.md), never a silent relaxation.
    services = outcome.conversion.values.services or {}
    for rule, _kind, name in found:
        if rule in ("POL008", "POL011"):
            relaxed = services[name].security_context
            assert relaxed is not None and (
                relaxed.defaults == "docker" or relaxed.run_as_non_root is False
                or relaxed.read_only_root_filesystem is False), (rule, name)
    assert ("POL003", "Deployment", "mcp-linear") in found  # `latest` in the compose file
