"""SEC001 reads Kubernetes files too: container ``env`` values, ConfigMap ``data`` and
kustomize generator ``literals`` commit credentials as compose environments do; public keys,
label names and switches there are none."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kubealign.actions.audit import audit, render_text
from kubealign.model.findings import Severity

#: Made-up credentials (never from a repository).
PASSWORD = "Tr0ub4dor-and-3"
KNOWN_HOST = "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9"

DEPLOYMENT = f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {{app: api}}
  template:
    metadata:
      labels: {{app: api}}
    spec:
      containers:
        - name: api
          image: example/api:1
          env:
            - name: LOG_LEVEL
              value: info
            - name: DB_PASSWORD
              value: "{PASSWORD}"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: api-config
data:
  DATABASE_URL: postgres://app:{PASSWORD}@db:5432/app
  application.instanceLabelKey: argocd.argoproj.io/instance
  ssh_known_hosts: |
    github.com ecdsa-sha2-nistp256 {KNOWN_HOST}=
  app.conf: |
    listen 8080
    upstream postgres://app:{PASSWORD}@db:5432/app
"""

KUSTOMIZATION = f"""resources:
  - deployment.yaml
secretGenerator:
  - name: api-secrets
    literals:
      - API_TOKEN={PASSWORD}
      - postgres_ssl_mode=require
configMapGenerator:
  - name: api-flags
    literals:
      - FEATURE_SECRET_SCAN=true
"""


def _repo(root: Path) -> Path:
    (root / "k8s").mkdir()
    (root / "k8s" / "deployment.yaml").write_text(DEPLOYMENT, encoding="utf-8")
    (root / "k8s" / "kustomization.yaml").write_text(KUSTOMIZATION, encoding="utf-8")
    return root


def test_kubernetes_files_commit_credentials_like_compose_files(tmp_path: Path) -> None:
    report = audit(_repo(tmp_path))
    places = {
        (place.path, place.line): place
        for finding in report.findings if finding.rule == "SEC001"
        for place in finding.places()
    }
    assert sorted(places) == [
        ("k8s/deployment.yaml", 19),
        ("k8s/deployment.yaml", 26),
        ("k8s/deployment.yaml", 32),
        ("k8s/kustomization.yaml", 6),
    ]
    assert all(place.severity is Severity.CRITICAL for place in places.values())
    assert "container 'api' env DB_PASSWORD" in places[("k8s/deployment.yaml", 19)].detail
    assert "ConfigMap 'api-config' data app.conf" in places[("k8s/deployment.yaml", 32)].detail
    assert "secretGenerator" in places[("k8s/kustomization.yaml", 6)].detail
    # One value in three places is one credential to rotate.
    sec001 = [f for f in report.findings if f.rule == "SEC001"]
    assert len(sec001) == 1
    assert PASSWORD not in render_text(report)


@pytest.mark.corpus
@pytest.mark.parametrize(("repository", "path", "line"), [
    ("ai-cherry+sophia-strategic-development",
     "infrastructure/kubernetes/mem0/deployment.yaml", 50),
    ("teoat+Nexus", "NEXUS_app/k8s/monitoring-stack.yaml", 246),
])
def test_credentials_in_real_manifests_are_found(
    sprawl_repository: Callable[[str], Path], repository: str, path: str, line: int
) -> None:
    root = sprawl_repository(repository)
    report = audit(root)
    places = {(p.path, p.line): p for f in report.findings if f.rule == "SEC001"
              for p in f.places()}
    assert places[(path, line)].severity is Severity.CRITICAL


@pytest.mark.corpus
def test_argo_cd_public_host_keys_and_label_names_are_no_credentials(
    sprawl_repository: Callable[[str], Path]
) -> None:
    root = sprawl_repository("Dashboard4-0+MS5_App")
    report = audit(root)
    files = {p.path for f in report.findings if f.rule == "SEC001" for p in f.places()}
    assert "k8s/argocd/08-argocd-configmaps.yaml" not in files
