"""Kubernetes schema validation: strictness, types, required fields, versions, and agreement
with the reference validator (jsonschema on the same files)."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from kubealign.errors import UsageError
from kubealign.validate.schema_compiler import SchemaCompileError, SchemaCompiler
from kubealign.validate.schemas import (
    _schema_root,
    catalog,
    resolve_version,
    supported_versions,
    validate_object,
)

DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [
                    {
                        "name": "web",
                        "image": "nginx:1.27",
                        "ports": [{"containerPort": 80, "protocol": "TCP"}],
                        "resources": {"limits": {"cpu": "500m", "memory": 1073741824}},
                        "env": [{"name": "MODE", "value": "prod"}],
                    }
                ]
            },
        },
    },
}


def broken(**changes: Any) -> dict[str, Any]:
    obj = copy.deepcopy(DEPLOYMENT)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = obj
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return obj


def messages(obj: dict[str, Any], version: str = "1.31") -> list[tuple[tuple[Any, ...], str]]:
    issues = validate_object(obj, version)
    assert issues is not None
    return [(issue.path, issue.message) for issue in issues]


def test_valid_deployment_has_no_issues() -> None:
    assert messages(DEPLOYMENT) == []


def test_unknown_field_rejected_in_strict_mode_only() -> None:
    obj = broken(spec__template__spec__containers__0__imagePullPolcy="Always")
    path = ("spec", "template", "spec", "containers", 0, "imagePullPolcy")
    assert messages(obj) == [(path, "unknown field")]
    assert validate_object(obj, "1.31", strict=False) == []


def test_wrong_type_names_path_and_expectation() -> None:
    assert messages(broken(spec__replicas="3")) == [
        (("spec", "replicas"), "expected integer, got string")
    ]


def test_missing_required_field() -> None:
    assert messages(broken(spec__selector=None)) == [
        (("spec",), "missing required field 'selector'")
    ]


def test_int_or_string_and_quantity_accept_both_shapes() -> None:
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {"ports": [{"port": 80, "targetPort": "http"}]},
    }
    assert messages(service) == []
    service["spec"]["ports"][0]["targetPort"] = [80]  # type: ignore[index]
    assert len(messages(service)) == 1


def test_unknown_kind_has_no_schema() -> None:
    assert validate_object({"apiVersion": "example.com/v1", "kind": "Widget"}, "1.31") is None


def test_kube_version_selection() -> None:
    versions = supported_versions()
    assert versions[0] == "1.25"
    assert "1.31" in versions
    assert resolve_version("v1.30.4") == "1.30"
    with pytest.raises(UsageError, match=r"supported: 1\.25"):
        resolve_version("1.24")
    with pytest.raises(UsageError):
        resolve_version("newest")


def test_kind_served_only_in_newer_versions() -> None:
    # flowcontrol.apiserver.k8s.io/v1beta2 was removed in 1.29.
    flow = {
        "apiVersion": "flowcontrol.apiserver.k8s.io/v1beta2",
        "kind": "FlowSchema",
        "metadata": {"name": "x"},
    }
    assert validate_object(flow, "1.25") == []
    assert validate_object(flow, "1.31") is None


def test_compiler_refuses_unsupported_keywords() -> None:
    with pytest.raises(SchemaCompileError, match="patternProperties"):
        SchemaCompiler({}).compile({"type": "object", "patternProperties": {}})


def _reference_validator(kind_file: str) -> jsonschema.Draft202012Validator:
    folder = _schema_root() / "v1.31.0-local-strict"
    schema = json.loads((folder / kind_file).read_text())
    definitions = json.loads((folder / "_definitions.json").read_text())
    registry: Registry[Any] = Resource.from_contents(schema) @ Registry()
    registry = Resource.from_contents(definitions) @ registry
    return jsonschema.Draft202012Validator(schema, registry=registry)


CASES: list[dict[str, Any]] = [
    DEPLOYMENT,
    broken(spec__replicas="3"),
    broken(spec__replicas=2.0),
    broken(spec__replicas=True),
    broken(spec__selector=None),
    broken(spec__paused="yes"),
    broken(metadata__labels={"a": 1}),
    broken(spec__template__spec__containers=[{"image": "x"}]),
    broken(spec__template__spec__containers__0__ports=[{"containerPort": "80"}]),
    broken(spec__template__spec__containers__0__resources={"limits": {"cpu": [1]}}),
    broken(spec__template__spec__containers__0__env=[{"name": "A", "valueFrom": {"x": 1}}]),
    broken(spec__strategy={"type": "Recreate", "rollingUpdate": {"maxSurge": "25%"}}),
    broken(spec__strategy={"rollingUpdate": {"maxSurge": {"n": 1}}}),
    broken(kind="Deployment", apiVersion="apps/v1", extra=1),
    broken(spec__template__spec__containers__0__imagePullPolicy="Sometimes"),
    broken(spec__template__spec__containers__0__ports=[{"containerPort": 80, "protocol": "T"}]),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_agrees_with_jsonschema_reference(case: int) -> None:
    obj = CASES[case]
    ours = validate_object(obj, "1.31")
    assert ours is not None
    reference = sorted(
        tuple(e.absolute_path)
        for e in _reference_validator("deployment-apps-v1.json").iter_errors(obj)
    )
    assert (not ours) == (not reference)


def test_catalog_is_built_once_per_version() -> None:
    assert catalog("1.31") is catalog("1.31")
    assert catalog("1.31") is not catalog("1.30")


def test_validator_lookup_by_group_version_kind() -> None:
    check = catalog("1.31").validator("networking.k8s.io/v1", "Ingress")
    assert check is not None
    assert catalog("1.31").validator("extensions/v1beta1", "Ingress") is None
