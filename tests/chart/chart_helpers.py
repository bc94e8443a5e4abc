"""Helpers for the chart tests: render with the real Helm engine, find objects, check schemas."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kubealign.validate.crds import crd_catalog
from kubealign.validate.helm import RenderedChart, render_chart
from kubealign.validate.schemas import validate_object

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


def kubernetes_schema_errors(obj: Mapping[str, Any]) -> list[str] | None:
    """Strict schema problems of ``obj`` (no unknown fields), or ``None`` when no schema covers
    it: Kubernetes kinds from the version's JSON schemas, External Secrets and Argo CD kinds
    from kubealign's structural CRD checks."""
    issues = validate_object(obj, KUBE_VERSION, strict=True)
    if issues is None:
        issues = crd_catalog().validate(obj)
    if issues is None:
        return None
    return sorted(f"{'.'.join(map(str, issue.path))}: {issue.message}" for issue in issues)
