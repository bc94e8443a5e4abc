"""Rendering and linting through the embedded Helm SDK, and the binary's command lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubealign.errors import HelmError, UsageError
from kubealign.transform.consolidate import deep_merge
from kubealign.validate.helm import (
    binary_lint_command,
    binary_template_command,
    lint_chart,
    parse_binary_lint,
    render_chart,
)
from kubealign.validate.helm_support import (
    normalize_kube_version,
    one_line,
    split_manifest_stream,
)


def test_sdk_renders_objects_in_template_order_without_notes(tiny_chart: Path) -> None:
    rendered = render_chart(tiny_chart, release="shop", namespace="prod", backend="sdk")
    kinds = [(o["kind"], o["metadata"]["name"]) for o in rendered.objects]
    assert kinds == [("ConfigMap", "shop-config"), ("Deployment", "web"), ("Service", "web")]
    assert rendered.origins == [
        "tiny/templates/configmap.yaml",
        "tiny/templates/deployment.yaml",
        "tiny/templates/deployment.yaml",
    ]
    assert rendered.documents == [0, 0, 1]
    assert all(not path.endswith("NOTES.txt") for path in rendered.texts)
    assert rendered.objects[1]["metadata"]["namespace"] == "prod"
    # Kubernetes keeps timestamp-looking scalars as strings.
    assert rendered.objects[0]["data"]["created"] == "2024-01-01"


def test_value_files_merge_in_order_then_values_mapping(tiny_chart: Path, tmp_path: Path) -> None:
    first = tmp_path / "values-a.yaml"
    first.write_text("replicas: 3\nname: api\n")
    second = tmp_path / "values-b.yaml"
    second.write_text("replicas: 5\n")
    rendered = render_chart(
        tiny_chart, [first, second], values={"image": "busybox:1"}, backend="sdk"
    )
    deployment = rendered.objects[1]
    assert deployment["spec"]["replicas"] == 5
    assert deployment["metadata"]["name"] == "api"
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "busybox:1"


def test_kube_version_reaches_capabilities(tiny_chart: Path) -> None:
    default = render_chart(tiny_chart, backend="sdk").objects[1]
    pinned = render_chart(tiny_chart, kube_version="1.29", backend="sdk").objects[1]
    assert pinned["metadata"]["labels"]["kube"] == "v1.29.0"
    assert default["metadata"]["labels"]["kube"] != "v1.29.0"


def test_values_schema_violation_is_a_one_line_helm_error_naming_the_key(
    tiny_chart: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "values-bad.yaml"
    bad.write_text("replicas: two\n")
    with pytest.raises(HelmError) as caught:
        render_chart(tiny_chart, [bad], backend="sdk")
    message = str(caught.value)
    assert "/replicas" in message
    assert "want integer" in message
    assert "\n" not in message


def test_unknown_values_key_rejected_by_schema(tiny_chart: Path) -> None:
    with pytest.raises(HelmError, match="replics"):
        render_chart(tiny_chart, values={"replics": 2}, backend="sdk")


def test_template_failure_names_template_and_line(tiny_chart: Path) -> None:
    (tiny_chart / "templates" / "broken.yaml").write_text('{{ required "need foo" .Values.foo }}\n')
    with pytest.raises(HelmError, match=r"broken\.yaml:1.*need foo"):
        render_chart(tiny_chart, backend="sdk")


def test_missing_chart_and_values_file_are_helm_errors(tmp_path: Path, tiny_chart: Path) -> None:
    with pytest.raises(HelmError):
        render_chart(tmp_path / "nope", backend="sdk")
    with pytest.raises(HelmError, match="cannot read values file"):
        render_chart(tiny_chart, [tmp_path / "missing.yaml"], backend="sdk")


def test_sdk_lint_reports_messages_as_data(tiny_chart: Path, tmp_path: Path) -> None:
    clean = lint_chart(tiny_chart, backend="sdk")
    assert not [m for m in clean if m.severity == "error"]
    bad = tmp_path / "values-bad.yaml"
    bad.write_text("replicas: -1\n")
    errors = [m for m in lint_chart(tiny_chart, [bad], backend="sdk") if m.severity == "error"]
    assert errors
    assert any("/replicas" in m.message for m in errors)
    assert all("\n" not in m.message for m in errors)


def test_binary_command_lines_are_exact(tmp_path: Path) -> None:
    chart = tmp_path / "chart"
    command = binary_template_command(
        chart,
        [chart / "values.yaml", chart / "values-prod.yaml"],
        release="shop",
        namespace="prod",
        kube_version="1.31",
        extra_values_file=tmp_path / "extra.json",
    )
    assert command == [
        "helm", "template", "shop", str(chart), "--namespace", "prod",
        "--values", str(chart / "values.yaml"),
        "--values", str(chart / "values-prod.yaml"),
        "--values", str(tmp_path / "extra.json"),
        "--kube-version", "v1.31.0",
    ]  # fmt: skip
    assert binary_lint_command(chart, [chart / "v.yaml"], strict=True) == [
        "helm", "lint", str(chart), "--strict", "--values", str(chart / "v.yaml"),
    ]  # fmt: skip


def test_binary_output_is_grouped_by_template() -> None:
    stream = (
        "---\n# Source: tiny/templates/a.yaml\nkind: A\n"
        "---\n# Source: tiny/templates/b.yaml\nkind: B1\n"
        "---\n# Source: tiny/templates/b.yaml\nkind: B2\n"
    )
    grouped = split_manifest_stream(stream)
    assert grouped == {
        "tiny/templates/a.yaml": "kind: A\n",
        "tiny/templates/b.yaml": "kind: B1\n---\nkind: B2\n",
    }


def test_binary_lint_output_parsed() -> None:
    output = (
        "==> Linting ./tiny\n[INFO] Chart.yaml: icon is recommended\n"
        "[ERROR] values.yaml: - at '/replicas': got string, want integer\n"
        "\nError: 1 chart(s) linted, 1 chart(s) failed\n"
    )
    messages = parse_binary_lint(output)
    assert [(m.severity, m.path) for m in messages] == [
        ("info", "Chart.yaml"),
        ("error", "values.yaml"),
    ]
    assert messages[1].message == "at '/replicas': got string, want integer"


def test_helpers() -> None:
    assert normalize_kube_version("1.31") == "v1.31.0"
    assert normalize_kube_version("v1.30.2") == "v1.30.2"
    with pytest.raises(UsageError):
        normalize_kube_version("latest")
    assert deep_merge({"a": {"b": 1, "c": 2}, "l": [1]}, {"a": {"b": 3}, "l": [2]}) == {
        "a": {"b": 3, "c": 2},
        "l": [2],
    }
    assert one_line("Error: values don't meet:\ntiny:\n- at '/x': bad\n") == (
        "values don't meet: tiny: at '/x': bad"
    )
