"""The helm strategy names its chart by the files that make it: Chart.yaml, values, the
templates Helm renders, then partials and whatever else sits in the folder. Sophia's
executive summary listed a chart as ``Chart.yaml, __init__.py, templates/__init__.py``."""

from __future__ import annotations

from pathlib import Path

from kubealign.actions.audit import audit

CHART = {
    "charts/api/Chart.yaml": "apiVersion: v2\nname: api\nversion: 0.1.0\n",
    "charts/api/__init__.py": "",
    "charts/api/values.yaml": "replicas: 1\n",
    "charts/api/templates/__init__.py": "",
    "charts/api/templates/_helpers.tpl": '{{- define "api.name" -}}api{{- end -}}\n',
    "charts/api/templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\n",
}


def test_a_chart_is_named_by_its_chart_values_and_rendered_templates_first(
        tmp_path: Path) -> None:
    for rel, text in CHART.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    helm = next(s for s in audit(tmp_path).strategies if s.name == "helm")
    assert helm.files[:3] == ("charts/api/Chart.yaml", "charts/api/values.yaml",
                              "charts/api/templates/deployment.yaml")
    assert set(helm.files[3:]) == {"charts/api/templates/_helpers.tpl",
                                   "charts/api/templates/__init__.py", "charts/api/__init__.py"}
    assert helm.files[-1] == "charts/api/__init__.py"
