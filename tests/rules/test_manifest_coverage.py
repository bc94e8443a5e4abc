"""A hand-written manifest is clean-up debt only when the chart makes every object it holds.

One small repository per class of object: the compose file is what the chart is built from
(services ``api``, ``db`` with a named volume and a compose secret, ``worker``), the
manifests are what the team wrote by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kubealign.actions.audit import audit
from kubealign.model.audit import AuditReport

_COMPOSE = """\
services:
  api:
    image: acme/api:1.4
    environment:
      DATABASE_URL: postgres://db/app
      API_TOKEN: ${API_TOKEN}
    volumes:
      - ./config/api.yaml:/etc/api/api.yaml:ro
    secrets: [db_password]
    labels:
      traefik.http.routers.api.rule: Host(`api.example.com`)
  db:
    image: postgres:16
    volumes:
      - data:/var/lib/postgresql/data
  worker:
    image: acme/worker:1.4
volumes:
  data: {}
secrets:
  db_password:
    file: ./secrets/db_password.txt
"""

_API = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      serviceAccountName: api
      containers:
        - name: api
          image: registry.example.com/acme/api:1.3
          envFrom: [{configMapRef: {name: api-env}}]
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: 8000}]
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: api}
"""

_FILES = {
    "docker-compose.yml": _COMPOSE,
    "config/api.yaml": "level: info\n",
    "secrets/db_password.txt": "not-a-real-one\n",
    # Only objects the chart makes: proposed, with what replaces each.
    "k8s/api.yaml": _API,
    "k8s/api-env.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: api-env}\n"
    "data: {DATABASE_URL: postgres://db/app}\n",
    "k8s/worker.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: worker}\n"
    "spec:\n  template:\n    metadata: {labels: {app: worker}}\n    spec:\n"
    "      containers: [{name: worker, image: acme/worker:1.2}]\n",
    "k8s/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: app}\n",
    # A Secret whose keys the chart's External Secrets and environment provide.
    "k8s/secrets.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: api-secrets}\n"
    "type: Opaque\ndata: {API_TOKEN: c2VjcmV0, db_password: c2VjcmV0}\n",
    # Kinds the chart never makes.
    "k8s/alerts.yaml": "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\n"
    "metadata: {name: api-alerts}\nspec: {groups: []}\n",
    "k8s/rbac.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
    "metadata: {name: reader}\nrules: []\n",
    "k8s/vpa.yaml": "apiVersion: autoscaling.k8s.io/v1\nkind: VerticalPodAutoscaler\n"
    "metadata: {name: api-vpa}\nspec: {targetRef: {kind: Deployment, name: api}}\n",
    "k8s/crd.yaml": "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
    "metadata: {name: widgets.example.com}\nspec: {group: example.com}\n",
    "k8s/scan.yaml": "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: scan}\nspec:\n"
    "  schedule: '0 3 * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n"
    "          containers: [{name: scan, image: acme/api:1.4}]\n",
    # A mixed file: the Deployment is the chart's, the PrometheusRule is not.
    "k8s/mixed.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: worker}\n"
    "spec:\n  template:\n    spec:\n      containers: [{name: w, image: acme/worker:1.2}]\n"
    "---\napiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\n"
    "metadata: {name: worker-alerts}\nspec: {groups: []}\n",
    # The chart makes an HPA only when the values ask: the setting must move first.
    "k8s/hpa.yaml": "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
    "metadata: {name: api}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment,"
    " name: api}\n  minReplicas: 2\n  maxReplicas: 5\n",
    # An Opaque Secret with keys no service reads.
    "k8s/other-secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: legacy}\n"
    "stringData: {LEGACY_KEY: x}\n",
    # Kustomizations: one listing replaced files only, one listing a kept file too.
    "k8s/kustomization.yaml": "resources:\n  - api.yaml\n  - worker.yaml\n",
    "k8s/all/kustomization.yaml": "resources:\n  - ../api.yaml\n  - ../alerts.yaml\n",
}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> AuditReport:
    root = tmp_path_factory.mktemp("coverage")
    for rel, text in _FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return audit(root)


def _debt(report: AuditReport) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {t.path: (t.reason, t.evidence) for t in report.tech_debt
            if t.path.startswith("k8s/")}


def _kept(report: AuditReport) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {k.path: (k.reason, k.objects) for k in report.kept}


def test_a_file_of_replaced_objects_is_proposed_with_its_evidence(report: AuditReport) -> None:
    debt = _debt(report)
    reason, evidence = debt["k8s/api.yaml"]
    assert reason == ("hand-written manifest: Deployment/api, Service/api, ServiceAccount/api "
                      "→ chart service api")
    # Another registry is another repository: the name is the evidence.
    assert evidence[0] == "Deployment/api → chart service api (name api)"
    assert "Service/api → chart service api (selects Deployment/api)" in evidence
    assert "k8s/api-env.yaml" in debt  # its keys are the service's environment
    assert debt["k8s/worker.yaml"][1] == (
        "Deployment/worker → chart service worker (image acme/worker, name worker)",)
    assert debt["k8s/namespace.yaml"][0] == "hand-written manifest: Namespace/app → Argo CD"


def test_a_secret_whose_keys_the_chart_provides_is_replaced_by_external_secrets(
        report: AuditReport) -> None:
    reason, evidence = _debt(report)["k8s/secrets.yaml"]
    assert reason == "hand-written manifest: Secret/api-secrets → the chart's ExternalSecrets"
    assert "API_TOKEN, db_password" in evidence[0]
    kept = _kept(report)["k8s/other-secret.yaml"]
    assert "LEGACY_KEY: no service of the chart reads them" in kept[0]


@pytest.mark.parametrize(("path", "says"), [
    ("k8s/alerts.yaml", "PrometheusRule/api-alerts: the chart makes no PrometheusRule"),
    ("k8s/rbac.yaml", "ClusterRole/reader: the chart makes no ClusterRole"),
    ("k8s/vpa.yaml", "VerticalPodAutoscaler/api-vpa: the chart makes no VerticalPodAutoscaler"),
    ("k8s/crd.yaml", "CustomResourceDefinition/widgets.example.com: the chart makes no "
                     "CustomResourceDefinition"),
    ("k8s/scan.yaml", "CronJob/scan: the chart makes no CronJob"),
])
def test_objects_the_chart_does_not_make_are_kept(report: AuditReport, path: str,
                                                  says: str) -> None:
    assert path not in _debt(report)
    reason, objects = _kept(report)[path]
    assert says in reason
    assert "keep it" in reason
    assert objects and says in objects[0]


def test_a_mixed_file_is_kept_naming_the_object_that_stays(report: AuditReport) -> None:
    assert "k8s/mixed.yaml" not in _debt(report)
    reason, objects = _kept(report)["k8s/mixed.yaml"]
    assert reason.startswith("hand-written manifest: PrometheusRule/worker-alerts: the chart "
                             "makes no PrometheusRule")
    assert objects[0].startswith("Deployment/worker → chart service worker")


def test_an_autoscaler_must_move_into_the_values_first(report: AuditReport) -> None:
    reason, _ = _kept(report)["k8s/hpa.yaml"]
    assert "set services.api.autoscaling in the values, then delete it" in reason


def test_a_kustomization_goes_only_with_everything_it_lists(report: AuditReport) -> None:
    debt, kept = _debt(report), _kept(report)
    assert debt["k8s/kustomization.yaml"][0] == (
        "hand-written manifest: Kustomization/k8s → the chart")
    assert "lists ../alerts.yaml, which the chart does not replace" in \
        kept["k8s/all/kustomization.yaml"][0]


def test_nothing_is_replaced_without_a_chart(tmp_path: Path) -> None:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "api.yaml").write_text(_API, encoding="utf-8")
    report = audit(tmp_path)
    assert not [t for t in report.tech_debt if t.path.startswith("k8s/")]
    assert "k8s/api.yaml" in _kept(report)
