"""Properties of the chart beyond the golden cases: exact bytes of config files, values refused
by Helm with the key named, deterministic output, the committed schema and docs up to date."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import yaml
from chart_helpers import CHART_DIR, by_ref, case_names, kubernetes_schema_errors, render_values

from kubealign.errors import HelmError
from kubealign.transform import values_model as vm
from kubealign.transform.values_schema import (
    DOCS_PATH,
    SCHEMA_PATH,
    docs_text,
    schema_text,
    validate_values,
)
from kubealign.validate.helm import lint_chart

TRICKY_CONTENTS = [
    "",
    "no trailing newline",
    "two trailing newlines\n\n",
    "  leading spaces\n\ttabs\ttoo   \ntrailing spaces   \n",
    'json {"a": [1, 2], "b": "<&>"}\n',
    "templates stay literal: {{ .Values.x }} {{- /* c */ -}} $(HOME) $$ ${VAR}\n",
    "crlf\r\nline endings\r\n",
    "unicode: é ü 漢字 😀 \u2028 end\n",
    "--- \n# yaml document markers\n...\nkey: value\n",
    "'quotes' \"double\" \\backslash\\ \n",
]


def _service(**extra: Any) -> dict[str, Any]:
    return {"image": {"repository": "acme/app", "tag": "1"}, **extra}


def test_config_file_contents_arrive_byte_identical() -> None:
    files = {
        f"file-{i}.txt": {"mountPath": f"/etc/app/file-{i}.txt", "content": content}
        for i, content in enumerate(TRICKY_CONTENTS)
    }
    binary = bytes(range(256))
    files["blob.bin"] = {
        "mountPath": "/etc/app/blob.bin",
        "contentBase64": base64.b64encode(binary).decode(),
    }
    rendered = render_values({"services": {"app": _service(configFiles=files)}})
    config_map = by_ref(rendered.objects)["ConfigMap/app-config"]
    for i, content in enumerate(TRICKY_CONTENTS):
        assert config_map["data"][f"file-{i}.txt"] == content
    assert base64.b64decode(config_map["binaryData"]["blob.bin"]) == binary
    assert kubernetes_schema_errors(config_map) == []


def test_config_change_changes_the_pod_checksum() -> None:
    def checksum(content: str) -> str:
        files = {"a.conf": {"mountPath": "/etc/a.conf", "content": content}}
        objects = by_ref(render_values({"services": {"app": _service(configFiles=files)}}).objects)
        annotations = objects["Deployment/app"]["spec"]["template"]["metadata"]["annotations"]
        return str(annotations["checksum/config"])

    assert checksum("a\n") == checksum("a\n")
    assert checksum("a\n") != checksum("b\n")


@pytest.mark.parametrize(
    ("service", "named"),
    [
        (_service(replcias=2), "replcias"),
        (_service(replicas="two"), "/services/app/replicas"),
        (_service(ports=[{"name": "http", "containerPort": "80"}]), "containerPort"),
        (
            _service(ports=[{"name": "HTTP_PORT", "containerPort": 80}]),
            "/services/app/ports/0/name",
        ),
        (_service(kind="Pod"), "/services/app/kind"),
        (_service(env={"FLAG": True}), "/services/app/env/FLAG"),
        (_service(resources={"limits": {"memory": "512MB"}}), "memory"),
        (_service(probes={"liveness": {"periodSeconds": 5}}), "/services/app/probes/liveness"),
    ],
)
def test_bad_values_are_refused_by_helm_naming_the_key(service: dict[str, Any], named: str) -> None:
    with pytest.raises(HelmError) as caught:
        render_values({"services": {"app": service}})
    assert named in str(caught.value)
    assert validate_values({"services": {"app": service}}) != []


def test_an_image_without_repository_is_a_required_value() -> None:
    # The converter leaves it unset for a compose service with neither image nor build (and
    # disables the service): the schema accepts that, Helm refuses to run it enabled.
    with pytest.raises(HelmError, match=r"services\.app\.image\.repository is required"):
        render_values({"services": {"app": {"image": {"tag": "1"}}}})
    disabled = {"services": {"app": {"enabled": False, "image": {}}}}
    assert validate_values(disabled) == []
    assert render_values(disabled).objects == []


def test_bad_service_name_is_refused() -> None:
    with pytest.raises(HelmError, match="Web_App"):
        render_values({"services": {"Web_App": _service()}})


def test_lint_reports_bad_values_as_an_error(tmp_path: Any) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("services:\n  app:\n    image: {repository: x}\n    replcias: 2\n")
    messages = lint_chart(CHART_DIR, [bad], strict=True)
    assert any(m.severity == "error" and "replcias" in m.message for m in messages)


def test_rendering_is_deterministic() -> None:
    from chart_helpers import CASES_DIR

    for case in case_names():
        files = [CASES_DIR / case / "values.yaml"]
        assert render_values(value_files=files).texts == render_values(value_files=files).texts


def test_chart_defaults_render_nothing_and_validate() -> None:
    defaults = yaml.safe_load((CHART_DIR / "values.yaml").read_text(encoding="utf-8"))
    assert validate_values(defaults) == []
    assert render_values().objects == []


def test_committed_schema_is_generated_from_the_model() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "run: python -m kubealign.transform.values_schema --write"
    )


def test_committed_values_docs_are_generated_from_the_model() -> None:
    assert DOCS_PATH.read_text(encoding="utf-8") == docs_text(), (
        "run: python -m kubealign.transform.values_schema --write"
    )


def test_every_object_in_the_schema_refuses_unknown_keys() -> None:
    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                assert node.get("additionalProperties") is False, where
                for key, prop in node["properties"].items():
                    assert prop.get("description"), f"{where}.{key} has no description"
            for key, child in node.items():
                walk(child, f"{where}.{key}")
        elif isinstance(node, list):
            for i, child in enumerate(node):
                walk(child, f"{where}[{i}]")

    walk(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")), "$")


def test_values_built_from_the_model_render() -> None:
    service = vm.ServiceValues(
        image=vm.Image(repository="acme/api", tag="1.2"),
        kind="StatefulSet",
        ports=(vm.Port(name="http", container_port=8080, port=80),),
        gpu=vm.GpuRequest(count=1, pool="gh200"),
        persistence={"data": vm.PersistentVolume(mount_path="/data", size="5Gi")},
        secret_files={"token": vm.SecretFile(secret_name="api-secrets", key="token")},
        resources=vm.Resources(limits=vm.ResourceList(memory="1Gi", ephemeral_storage="2Gi")),
    )
    values = vm.to_values(vm.ChartValues(services={"api": service}))
    assert values["services"]["api"]["ports"] == [
        {"name": "http", "containerPort": 8080, "port": 80}
    ]
    assert values["services"]["api"]["resources"]["limits"]["ephemeral-storage"] == "2Gi"
    assert validate_values(values) == []
    objects = by_ref(render_values(values).objects)
    container = objects["StatefulSet/api"]["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["limits"] == {
        "memory": "1Gi",
        "ephemeral-storage": "2Gi",
        "nvidia.com/gpu": 1,
    }
    assert {
        "name": "secret-0",
        "mountPath": "/run/secrets/token",
        "subPath": "token",
        "readOnly": True,
    } in container["volumeMounts"]


def test_strict_kubernetes_validation_catches_unknown_fields() -> None:
    # The schema check the golden cases rely on must be able to fail.
    objects = by_ref(render_values({"services": {"app": _service()}}).objects)
    deployment = json.loads(json.dumps(objects["Deployment/app"]))
    deployment["spec"]["template"]["spec"]["containers"][0]["shmSize"] = "1Gi"
    assert kubernetes_schema_errors(deployment) != []


@pytest.mark.parametrize(
    ("service", "message"),
    [
        (_service(ingress={"enabled": True}), "services.app.ingress is enabled"),
        (_service(securityContext={"runAsUser": 0}), "runAsUser 0 contradicts runAsNonRoot"),
    ],
)
def test_contradictory_values_fail_with_a_message(service: dict[str, Any], message: str) -> None:
    with pytest.raises(HelmError, match=message):
        render_values({"services": {"app": service}})


def test_headless_service_governs_its_statefulset() -> None:
    ports = [{"name": "peer", "containerPort": 7000}]
    values = {
        "services": {"kv": _service(kind="StatefulSet", ports=ports, service={"headless": True})}
    }
    objects = by_ref(render_values(values).objects)
    assert objects["StatefulSet/kv"]["spec"]["serviceName"] == "kv"
    assert objects["Service/kv"]["spec"]["clusterIP"] == "None"
    assert "Service/kv-headless" not in objects


def test_statefulset_without_ports_still_gets_a_governing_service() -> None:
    objects = by_ref(render_values({"services": {"q": _service(kind="StatefulSet")}}).objects)
    assert objects["StatefulSet/q"]["spec"]["serviceName"] == "q-headless"
    governing = objects["Service/q-headless"]
    assert governing["spec"]["clusterIP"] == "None"
    assert "ports" not in governing["spec"]
    assert "Service/q" not in objects
    assert kubernetes_schema_errors(governing) == []


def test_shared_volume_mounts_an_existing_claim_without_creating_one() -> None:
    shared = {"uploads": {"mountPath": "/srv/uploads", "claimName": "web-uploads"}}
    values = {
        "services": {
            "web": _service(persistence={"uploads": {"mountPath": "/srv/uploads"}}),
            "thumbs": _service(persistence=shared),
        }
    }
    objects = by_ref(render_values(values).objects)
    assert [ref for ref in objects if ref.startswith("PersistentVolumeClaim/")] == [
        "PersistentVolumeClaim/web-uploads"
    ]
    volumes = objects["Deployment/thumbs"]["spec"]["template"]["spec"]["volumes"]
    assert volumes == [{"name": "uploads", "persistentVolumeClaim": {"claimName": "web-uploads"}}]


def test_network_policies_switch_off_globally() -> None:
    values = {
        "global": {"networkPolicy": {"enabled": False}},
        "services": {"a": _service(), "b": _service(networkPolicy={"enabled": True})},
    }
    kinds = [ref for ref in by_ref(render_values(values).objects) if ref.startswith("Network")]
    assert kinds == ["NetworkPolicy/b"]


def test_chart_lints_strict_with_its_defaults() -> None:
    messages = lint_chart(CHART_DIR, [], strict=True)
    assert [m for m in messages if m.severity in ("error", "warning")] == []


def test_the_docs_example_is_valid_and_renders() -> None:
    from kubealign.transform.values_schema import DOCS_EXAMPLE

    values = yaml.safe_load(DOCS_EXAMPLE)
    assert validate_values(values) == []
    objects = by_ref(render_values(values).objects)
    assert objects["StatefulSet/db"]["spec"]["serviceName"] == "db-headless"
    limits = objects["Deployment/llm"]["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert limits == {"limits": {"nvidia.com/gpu": 2}}


def test_shared_gpu_runs_on_the_pool_without_claiming_a_gpu() -> None:
    # compose `count: all` beside another GPU service (a GPU metrics exporter next to the
    # model server): on the pool, tolerating its taint, every GPU visible, none claimed.
    values = vm.to_values(vm.ChartValues(services={
        "exporter": vm.ServiceValues(image=vm.Image(repository="acme/exporter", tag="1"),
                                     gpu=vm.GpuRequest(count=0, shared=True, pool="gh200")),
        "idle": vm.ServiceValues(image=vm.Image(repository="acme/idle", tag="1"),
                                 gpu=vm.GpuRequest(count=0, pool="gh200")),
    }))
    assert validate_values(values) == []
    objects = by_ref(render_values(values).objects)
    pod = objects["Deployment/exporter"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert "nvidia.com/gpu" not in (container.get("resources") or {}).get("limits", {})
    assert {"name": "NVIDIA_VISIBLE_DEVICES", "value": "all"} in container["env"]
    assert pod["nodeSelector"] == {"nvidia.com/gpu.product": "gh200"}
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in (
        pod["tolerations"])
    # count 0 without `shared` is still no GPU at all.
    idle = objects["Deployment/idle"]["spec"]["template"]["spec"]
    assert "nodeSelector" not in idle and "tolerations" not in idle
