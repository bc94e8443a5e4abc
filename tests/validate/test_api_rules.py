"""validate/api_rules.py offline: the API server's field rules no schema carries.

Its agreement with a real kube-apiserver, case by case, is tests/e2e/test_api_rules_agree.py;
here: what differs by Kubernetes version, quantities, and how `kubealign validate` reports it.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kubealign.actions.validate import validate_manifests
from kubealign.validate.api_formats import qualified_name, quantity
from kubealign.validate.api_rules import ApiServerRulesCheck


def _pod(**container: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "busybox:1.36", **container}]}}


def _messages(obj: dict[str, Any], version: str = "1.31") -> list[str]:
    return [i.message for i in ApiServerRulesCheck(version).check(obj) or []]


@pytest.mark.parametrize(("text", "amount"), [
    ("500m", Decimal("0.5")), ("2Gi", Decimal(2 * 2**30)), ("1e3", Decimal(1000)),
    ("4", Decimal(4)), (".5", Decimal("0.5")), ("1.5Gi", Decimal("1.5") * 2**30),
    (2, Decimal(2)), ("128974848", Decimal(128974848)), ("1M", Decimal(10**6)),
])
def test_quantities_that_parse(text: object, amount: Decimal) -> None:
    assert quantity(text) == amount


@pytest.mark.parametrize("text", ["2GB", "1.5 Gi", "", "Gi", "1gi", "ten", "1e", True, None])
def test_quantities_the_api_server_refuses(text: object) -> None:
    assert quantity(text) is None


def test_environment_names_and_service_names_follow_the_version() -> None:
    # Kubernetes 1.32 relaxed environment variable names; a 1.36 server takes Service names
    # starting with a digit (measured in tests/e2e/test_api_rules_agree.py).
    env = _pod(env=[{"name": "1ST_NODE", "value": "a"}])
    assert any("environment variable '1ST_NODE'" in m for m in _messages(env, "1.31"))
    assert _messages(env, "1.32") == []
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "1web"},
               "spec": {"ports": [{"port": 80}]}}
    assert _messages(service, "1.31") and _messages(service, "1.36") == []
    assert any("'='" in m for m in _messages(_pod(env=[{"name": "A=B"}]), "1.36"))


def test_label_keys_need_a_lower_case_prefix_annotation_keys_do_not() -> None:
    assert qualified_name("Example.com/owner") is not None
    pod = _pod()
    pod["metadata"]["labels"] = {"Example.com/owner": "a"}
    pod["metadata"]["annotations"] = {"Example.com/owner": "a"}
    [message] = _messages(pod)
    assert message.startswith("label key 'Example.com/owner' is invalid: expected a prefix")


def test_statefulset_claims_are_volumes_of_its_pods() -> None:
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
           "spec": {"selector": {"matchLabels": {"app": "db"}}, "serviceName": "db",
                    "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                        "resources": {"requests": {"storage": "10Gi"}}}}],
                    "template": {"metadata": {"labels": {"app": "db"}}, "spec": {
                        "containers": [{"name": "db", "image": "postgres:16", "volumeMounts": [
                            {"name": "data", "mountPath": "/var/lib/postgresql/data"},
                            {"name": "logs", "mountPath": "/logs"}]}]}}}}
    assert _messages(sts) == ["volumeMount 'logs' names no volume of the pod"]


def test_validate_reports_the_field_and_line_and_fails(tmp_path: Path) -> None:
    (tmp_path / "web.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
        "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n"
        "      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n"
        "        image: nginx:1.27\n        resources:\n          limits: {memory: 2GB}\n",
        encoding="utf-8")
    report = validate_manifests(tmp_path, kube_version="1.31")
    assert not report.ok
    [result] = report.results
    [violation] = result.violations
    assert violation.check == "api" and violation.line == 16
    assert violation.path == ("spec", "template", "spec", "containers", 0, "resources",
                              "limits", "memory")
    assert "limits.memory '2GB' is invalid: expected a quantity" in violation.message
