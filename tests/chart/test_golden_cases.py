"""Every golden values case renders with the real Helm engine into exactly the expected objects,
with the expected facts, valid against the Kubernetes schemas, and passes ``helm lint --strict``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from chart_helpers import (
    CASES_DIR,
    CHART_DIR,
    WORKLOAD_KINDS,
    by_ref,
    case_names,
    dig,
    kubernetes_schema_errors,
    render_values,
)

from kubealign.transform.values_schema import validate_values
from kubealign.validate.helm import lint_chart

_MISSING = object()


def _load(case: str, name: str) -> Any:
    return yaml.safe_load((CASES_DIR / case / name).read_text(encoding="utf-8"))


def _values_file(case: str) -> Path:
    return CASES_DIR / case / "values.yaml"


@pytest.mark.parametrize("case", case_names())
def test_case_renders_expected_objects_and_facts(case: str) -> None:
    expected = _load(case, "expected.yaml")
    objects = by_ref(render_values(value_files=[_values_file(case)]).objects)
    assert sorted(objects) == expected["objects"]
    for fact in expected["facts"]:
        obj = objects[fact["object"]]
        try:
            actual = dig(obj, fact["path"])
        except (KeyError, IndexError, TypeError):
            actual = _MISSING
        if fact.get("absent"):
            assert actual is _MISSING, f"{fact['object']} {fact['path']} should be absent"
        else:
            assert actual is not _MISSING, f"{fact['object']} {fact['path']} is missing"
            assert actual == fact["equals"], f"{fact['object']} {fact['path']}"


@pytest.mark.parametrize("case", case_names())
def test_case_objects_are_valid_kubernetes(case: str) -> None:
    objects = render_values(value_files=[_values_file(case)]).objects
    checked = 0
    for obj in objects:
        errors = kubernetes_schema_errors(obj)
        assert errors is not None, f"no schema for {obj['apiVersion']} {obj['kind']}"
        checked += 1
        assert errors == [], f"{obj['kind']}/{obj['metadata']['name']}: {errors}"
    assert checked > 0


@pytest.mark.parametrize("case", case_names())
def test_case_passes_helm_lint_strict(case: str) -> None:
    messages = lint_chart(CHART_DIR, [_values_file(case)], strict=True)
    assert [m for m in messages if m.severity in ("error", "warning")] == []


@pytest.mark.parametrize("case", case_names())
def test_case_values_match_the_model_schema_in_process(case: str) -> None:
    assert validate_values(_load(case, "values.yaml")) == []


@pytest.mark.parametrize("case", case_names())
def test_pods_are_restricted_unless_relaxed_explicitly(case: str) -> None:
    values = _load(case, "values.yaml")
    for obj in render_values(value_files=[_values_file(case)]).objects:
        if obj["kind"] not in WORKLOAD_KINDS:
            continue
        relaxed = values["services"][obj["metadata"]["name"]].get("securityContext", {})
        spec = obj["spec"]["template"]["spec"]
        assert spec["automountServiceAccountToken"] is False
        assert spec["serviceAccountName"] == obj["metadata"]["name"]
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        # `defaults: docker` (an image kubealign knows nothing about) is the one written
        # relaxation of the defaults themselves: root allowed, runtime capabilities, writable.
        docker = relaxed.get("defaults") == "docker"
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            sc = container["securityContext"]
            own = relaxed if container in spec["containers"] else {}
            assert sc["allowPrivilegeEscalation"] is False
            assert "privileged" not in sc
            if docker and own:
                assert "ALL" not in sc.get("capabilities", {}).get("drop", [])
                assert sc["runAsNonRoot"] is relaxed.get("runAsNonRoot", False)
                assert sc["readOnlyRootFilesystem"] is relaxed.get("readOnlyRootFilesystem",
                                                                   False)
                continue
            assert "ALL" in sc["capabilities"]["drop"]
            assert sc["runAsNonRoot"] is own.get("runAsNonRoot", True)
            assert sc["readOnlyRootFilesystem"] is own.get("readOnlyRootFilesystem", True)
        assert "hostNetwork" not in spec and "hostPID" not in spec and "hostIPC" not in spec
        assert all("hostPath" not in v for v in spec.get("volumes", []))


def test_no_case_renders_a_secret() -> None:
    for case in case_names():
        kinds = {o["kind"] for o in render_values(value_files=[_values_file(case)]).objects}
        assert "Secret" not in kinds, case
