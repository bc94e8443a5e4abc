"""A tiny chart written into tmp_path, rendered by the embedded Helm SDK."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CHART_YAML = """\
apiVersion: v2
name: tiny
version: 0.1.0
"""

VALUES_YAML = """\
name: web
replicas: 1
image: nginx:1.27
"""

SCHEMA = {
    "$schema": "https://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "replicas": {"type": "integer", "minimum": 0},
        "image": {"type": "string"},
    },
    "additionalProperties": False,
}

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Values.name }}
  namespace: {{ .Release.Namespace }}
  labels:
    kube: {{ .Capabilities.KubeVersion.Version | quote }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: {{ .Values.name }}}
  template:
    metadata:
      labels: {app: {{ .Values.name }}}
    spec:
      containers:
        - name: app
          image: {{ .Values.image }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Values.name }}
spec:
  selector: {app: {{ .Values.name }}}
  ports: [{port: 80, targetPort: 8080}]
"""

CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  created: 2024-01-01
---
{{- if .Values.extra }}
apiVersion: v1
kind: ConfigMap
metadata: {name: extra}
{{- end }}
"""


@pytest.fixture
def tiny_chart(tmp_path: Path) -> Path:
    chart = tmp_path / "tiny"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(CHART_YAML)
    (chart / "values.yaml").write_text(VALUES_YAML)
    (chart / "values.schema.json").write_text(json.dumps(SCHEMA))
    (chart / "templates" / "deployment.yaml").write_text(DEPLOYMENT)
    (chart / "templates" / "configmap.yaml").write_text(CONFIGMAP)
    (chart / "templates" / "NOTES.txt").write_text("Installed {{ .Release.Name }}\n")
    (chart / "templates" / "_helpers.tpl").write_text('{{- define "x" -}}x{{- end -}}\n')
    return chart
