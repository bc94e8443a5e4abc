"""Helpers for the chart tests: render with the real Helm engine, find objects, check schemas."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from kubealign.validate.helm import RenderedChart, render_chart

CHART_DIR = Path(__file__).resolve().parents[2] / "src" / "kubealign" / "chart"
CASES_DIR = Path(__file__).resolve().parent / "cases"
KUBE_VERSION = "1.31"


def case_names() -> list[str]:
    return sorted(p.name for p in CASES_DIR.iterdir() if (p / "values.yaml").is_file())


def render_values(
    values: Mapping[str, Any] | None = None,
    value_files: Sequence[Path] = (),
    *,
    release: str = "demo",
    namespace: str = "apps",
) -> RenderedChart:
    return render_chart(
        CHART_DIR,
        value_files,
        values=values,
        release=release,
        namespace=namespace,
        kube_version=KUBE_VERSION,
    )


def by_ref(objects: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """``Kind/name`` -> object; a duplicate is a chart bug, so it fails loudly."""
    out: dict[str, Mapping[str, Any]] = {}
    for obj in objects:
        ref = f"{obj['kind']}/{obj['metadata']['name']}"
        assert ref not in out, f"two objects named {ref}"
        out[ref] = obj
    return out


def dig(obj: Any, path: Sequence[Any]) -> Any:
    """Follow ``path``: map keys, list indices, or ``"field=value"`` to pick a list item."""
    current = obj
    for step in path:
        if isinstance(current, list) and isinstance(step, str) and "=" in step:
            field, _, wanted = step.partition("=")
            matches = [item for item in current if str(item.get(field)) == wanted]
            if len(matches) != 1:
                raise KeyError(f"{step!r} matches {len(matches)} items")
            current = matches[0]
        elif isinstance(current, list):
            current = current[int(step)]
        else:
            current = current[step]
    return current


def pod_spec(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    spec: Mapping[str, Any] = obj["spec"]["template"]["spec"]
    return spec


WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job")


@cache
def _k8s_validator(api_version: str, kind: str) -> Any:
    """A strict (no unknown fields) validator from kubernetes-validate's schema files."""
    import json

    import jsonschema
    import kubernetes_validate
    from referencing import Registry, Resource

    root = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    schema_dir = root / f"v{KUBE_VERSION}.0-local-strict"
    group = (
        api_version.split("/", maxsplit=1)[0].split(".", maxsplit=1)[0]
        if "/" in api_version
        else ""
    )
    version = api_version.rsplit("/", maxsplit=1)[-1]
    name = f"{kind.lower()}-{group}-{version}.json" if group else f"{kind.lower()}-{version}.json"
    path = schema_dir / name
    if not path.is_file():
        return None
    schema = json.loads(path.read_text())
    definitions = json.loads((schema_dir / "_definitions.json").read_text())
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


def kubernetes_schema_errors(obj: Mapping[str, Any]) -> list[str] | None:
    """Strict schema problems of ``obj``, or ``None`` when no Kubernetes schema covers it."""
    validator = _k8s_validator(str(obj["apiVersion"]), str(obj["kind"]))
    if validator is None:
        return None
    return sorted(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(obj)
    )
