"""Structural checks for the custom resources kubealign emits: pass and fail cases."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kubealign.validate.crds import crd_catalog

EXTERNAL_SECRET: dict[str, Any] = {
    "apiVersion": "external-secrets.io/v1",
    "kind": "ExternalSecret",
    "metadata": {"name": "backend", "namespace": "shop"},
    "spec": {
        "secretStoreRef": {"name": "pulumi", "kind": "ClusterSecretStore"},
        "refreshInterval": "1h",
        "target": {"name": "backend", "creationPolicy": "Owner"},
        "data": [{"secretKey": "DB_PASSWORD", "remoteRef": {"key": "db.password"}}],
    },
}

CLUSTER_STORE: dict[str, Any] = {
    "apiVersion": "external-secrets.io/v1",
    "kind": "ClusterSecretStore",
    "metadata": {"name": "pulumi"},
    "spec": {
        "provider": {
            "pulumi": {
                "organization": "acme",
                "project": "shop",
                "environment": "production",
                "auth": {
                    "accessToken": {
                        "secretRef": {"name": "pulumi-token", "key": "token", "namespace": "eso"}
                    }
                },
            }
        }
    },
}

APPLICATION: dict[str, Any] = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "Application",
    "metadata": {"name": "shop-production", "namespace": "argocd"},
    "spec": {
        "project": "default",
        "source": {
            "repoURL": "https://git.example.com/shop.git",
            "path": "deploy/chart",
            "targetRevision": "main",
            "helm": {"valueFiles": ["values.yaml", "values-production.yaml"]},
        },
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "shop"},
        "syncPolicy": {
            "automated": {"prune": True, "selfHeal": True},
            "syncOptions": ["CreateNamespace=true"],
        },
    },
}

APPLICATION_SET: dict[str, Any] = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "ApplicationSet",
    "metadata": {"name": "shop", "namespace": "argocd"},
    "spec": {
        "goTemplate": True,
        "goTemplateOptions": ["missingkey=error"],
        "generators": [{"list": {"elements": [{"env": "staging"}, {"env": "production"}]}}],
        "template": {
            "metadata": {"name": "shop-{{.env}}"},
            "spec": {
                "project": "default",
                "source": {
                    "repoURL": "https://git.example.com/shop.git",
                    "path": "deploy/chart",
                    "helm": {"valueFiles": ["values.yaml", "values-{{.env}}.yaml"]},
                },
                "destination": {"server": "https://kubernetes.default.svc", "namespace": "x"},
            },
        },
    },
}

VIRTUAL_SERVICE: dict[str, Any] = {
    "apiVersion": "networking.istio.io/v1",
    "kind": "VirtualService",
    "metadata": {"name": "web"},
    "spec": {
        "hosts": ["shop.example.com"],
        "gateways": ["istio-system/public"],
        "http": [
            {
                "match": [{"uri": {"prefix": "/api"}}],
                "route": [{"destination": {"host": "backend", "port": {"number": 8000}}}],
                "timeout": "30s",
            }
        ],
    },
}

SERVICE_MONITOR: dict[str, Any] = {
    "apiVersion": "monitoring.coreos.com/v1",
    "kind": "ServiceMonitor",
    "metadata": {"name": "backend"},
    "spec": {
        "selector": {"matchLabels": {"app": "backend"}},
        "endpoints": [{"port": "metrics", "path": "/metrics", "interval": "30s"}],
    },
}

VALID = [EXTERNAL_SECRET, CLUSTER_STORE, APPLICATION, APPLICATION_SET, VIRTUAL_SERVICE,
         SERVICE_MONITOR]  # fmt: skip


@pytest.mark.parametrize("obj", VALID, ids=lambda o: o["kind"])
def test_valid_custom_resources_pass(obj: dict[str, Any]) -> None:
    assert crd_catalog().validate(obj) == []


def mutated(obj: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    copied = copy.deepcopy(obj)
    *parents, last = path.split(".")
    node: Any = copied
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return copied


FAILURES = [
    (EXTERNAL_SECRET, "spec.secretStoreRef.kind", "Vault", "expected one of"),
    (EXTERNAL_SECRET, "spec.refreshInterval", "hourly", "does not match"),
    (EXTERNAL_SECRET, "spec.data.0.remoteRef.key", ..., "missing required field 'key'"),
    (EXTERNAL_SECRET, "spec.target.creationpolicy", "Owner", "unknown field"),
    (CLUSTER_STORE, "spec.provider.pulumi.project", ..., "missing required field 'project'"),
    (
        CLUSTER_STORE,
        "spec.provider.pulumi.auth.accessToken.secretRef.namespace",
        ...,
        "missing required field 'namespace'",
    ),
    (CLUSTER_STORE, "spec.provider.pulumi.auth.oidcConfig",
     {"organization": "acme", "serviceAccountRef": {"name": "eso"}}, "exactly one"),
    (APPLICATION, "spec.source.helm.valuesFiles", ["x.yaml"], "unknown field"),
    (APPLICATION, "spec.syncPolicy.automated.prune", "true", "expected boolean"),
    (APPLICATION, "spec.destination", ..., "missing required field 'destination'"),
    (APPLICATION_SET, "spec.generators", [], "at least 1"),
    (APPLICATION_SET, "spec.syncPolicy", {"applicationsSync": "delete-all"}, "expected one of"),
    (VIRTUAL_SERVICE, "spec.http.0.route.0.destination.port.number", "8000", "expected integer"),
    (VIRTUAL_SERVICE, "spec.http.0.match.0.uri", {"prefix": "/", "exact": "/"}, "exactly one"),
    (SERVICE_MONITOR, "spec.selector", ..., "missing required field 'selector'"),
    (SERVICE_MONITOR, "spec.endpoints.0.interval", "30 seconds", "does not match"),
]  # fmt: skip


@pytest.mark.parametrize(("obj", "path", "value", "expected"), FAILURES)
def test_broken_custom_resources_fail(
    obj: dict[str, Any], path: str, value: Any, expected: str
) -> None:
    issues = crd_catalog().validate(mutated(obj, path, value))
    assert issues, f"{obj['kind']} with {path}={value!r} should fail"
    assert any(expected in issue.message for issue in issues), issues


def test_retired_external_secrets_version_points_to_v1() -> None:
    old = dict(EXTERNAL_SECRET, apiVersion="external-secrets.io/v1beta1")
    issues = crd_catalog().validate(old)
    assert issues is not None
    assert "use external-secrets.io/v1" in issues[0].message


def test_other_kinds_are_not_ours() -> None:
    assert crd_catalog().validate({"apiVersion": "v1", "kind": "Service"}) is None
