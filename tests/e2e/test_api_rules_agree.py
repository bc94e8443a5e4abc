"""validate/api_rules.py says what a real kube-apiserver says: every case it refuses offline,
the server's dry run refuses too (and the reverse), and valid objects pass both."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import Kubectl

from kubealign.deploy.server_check import server_check
from kubealign.validate.api_rules import ApiServerRulesCheck

Object = dict[str, Any]


def _deployment(name: str = "web") -> Object:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name},
                     "annotations": {"example.com/owner": "platform"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name, "tier": "web"}},
                "spec": {
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "volumes": [{"name": "cache", "emptyDir": {}}],
                    "containers": [{
                        "name": name, "image": "nginx:1.27",
                        "ports": [{"name": "http", "containerPort": 8080}],
                        "env": [{"name": "LOG_LEVEL", "value": "info"}],
                        "volumeMounts": [{"name": "cache", "mountPath": "/cache"}],
                        "resources": {"requests": {"cpu": "250m", "memory": "128Mi"},
                                      "limits": {"cpu": "1", "memory": "1Gi"}},
                        "livenessProbe": {"httpGet": {"path": "/", "port": "http"}},
                    }],
                },
            },
        },
    }


def _container(obj: Object) -> Object:
    container: Object = obj["spec"]["template"]["spec"]["containers"][0]
    return container


def _pod(obj: Object) -> Object:
    spec: Object = obj["spec"]["template"]["spec"]
    return spec


def _statefulset(name: str) -> Object:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
            "spec": {"serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                     "template": {"metadata": {"labels": {"app": "db"}}, "spec": {
                         "containers": [{"name": "db", "image": "postgres:16"}]}}}}


def _service(name: str = "web") -> Object:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": {"app": "web"},
                     "ports": [{"name": "http", "port": 80, "targetPort": "http"},
                               {"name": "metrics", "port": 9090, "targetPort": 9090}]}}


def _edit(base: Callable[[], Object], change: Callable[[Object], object]) -> Object:
    obj = copy.deepcopy(base())
    change(obj)
    return obj


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Object], None]:
    def change(obj: Object) -> None:
        target = obj
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    return change


_LONG = "x" * 64
_POD = ("spec", "template", "spec")
_C0 = (*_POD, "containers", 0)

#: (case, object): every object but the valid ones is refused by the API server.
BAD: dict[str, Object] = {
    "label-value-too-long": _edit(_deployment, _set(("metadata", "labels", "app"), _LONG)),
    "label-key-with-space": _edit(_deployment, _set(("metadata", "labels", "APP "), "x")),
    "annotation-key-invalid": _edit(_deployment,
                                    _set(("metadata", "annotations", "bad key"), "x")),
    "selector-misses-template": _edit(_deployment,
                                      _set(("spec", "selector", "matchLabels"), {"app": "api"})),
    "container-name-uppercase": _edit(_deployment, _set((*_C0, "name"), "Web_1")),
    "port-name-too-long": _edit(_deployment, _set((*_C0, "ports", 0, "name"),
                                                  "http-port-number-one")),
    "port-name-no-letter": _edit(_deployment, _set((*_C0, "ports", 0, "name"), "8080")),
    "mount-of-no-volume": _edit(_deployment,
                                _set((*_C0, "volumeMounts", 0, "name"), "missing")),
    "volume-name-uppercase": _edit(_deployment, lambda o: (
        _set((*_POD, "volumes", 0, "name"), "Cache")(o),
        _set((*_C0, "volumeMounts", 0, "name"), "Cache")(o))),
    "mount-path-twice": _edit(_deployment, lambda o: _container(o)["volumeMounts"].append(
        {"name": "cache", "mountPath": "/cache"})),
    "env-name-with-equals": _edit(_deployment, _set((*_C0, "env", 0, "name"), "A=B")),
    "memory-2GB": _edit(_deployment, _set((*_C0, "resources", "limits", "memory"), "2GB")),
    "request-above-limit": _edit(_deployment,
                                 _set((*_C0, "resources", "requests", "cpu"), "2")),
    "liveness-success-threshold": _edit(_deployment,
                                        _set((*_C0, "livenessProbe", "successThreshold"), 2)),
    "probe-two-handlers": _edit(_deployment, _set((*_C0, "livenessProbe", "tcpSocket"),
                                                  {"port": 8080})),
    "host-alias-host-gateway": _edit(_deployment, _set((*_POD, "hostAliases"), [
        {"ip": "host-gateway", "hostnames": ["host.docker.internal"]}])),
    "node-selector-value-space": _edit(_deployment,
                                       _set((*_POD, "nodeSelector", "zone"), "east 1")),
    "two-containers-one-name": _edit(_deployment, lambda o: _pod(o)["containers"].append(
        {"name": "web", "image": "busybox:1.36"})),
    "deployment-name-uppercase": _deployment("Web"),
    "service-two-ports-unnamed": _edit(_service, lambda o: [
        p.pop("name") for p in o["spec"]["ports"]]),
    "service-port-name-uppercase": _edit(_service, _set(("spec", "ports", 0, "name"), "HTTP")),
    "service-name-dots": _service("web.api"),
    "configmap-key-slash": {"apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": {"name": "conf"}, "data": {"conf/app.ini": "x"}},
    "cronjob-name-53": {"apiVersion": "batch/v1", "kind": "CronJob",
                        "metadata": {"name": "c" * 53},
                        "spec": {"schedule": "0 * * * *", "jobTemplate": {"spec": {
                            "template": {"spec": {"restartPolicy": "Never", "containers": [
                                {"name": "job", "image": "busybox:1.36"}]}}}}}},
    "job-name-64": {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j" * 64},
                    "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
                        {"name": "job", "image": "busybox:1.36"}]}}}},
    "ingress-host-underscore": {
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"},
        "spec": {"rules": [{"host": "bad_host.example.com", "http": {"paths": [
            {"path": "/", "pathType": "Prefix",
             "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}},
    "ingress-relative-path": {
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "api"},
        "spec": {"rules": [{"host": "api.example.com", "http": {"paths": [
            {"path": "api", "pathType": "Prefix",
             "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}},
    "statefulset-name-dot": _statefulset("db.primary"),
    "statefulset-name-70": _statefulset("s" * 70),
    "port-name-twice-in-container": _edit(_deployment, _set((*_C0, "ports"), [
        {"name": "http", "containerPort": 80}, {"name": "http", "containerPort": 81}])),
    "container-port-twice": _edit(_deployment, _set((*_C0, "ports"), [
        {"name": "a", "containerPort": 80}, {"name": "b", "containerPort": 80}])),
    "host-port-twice-in-pod": _edit(_deployment, lambda o: (
        _set((*_C0, "ports"), [{"containerPort": 80, "hostPort": 8080}])(o),
        _pod(o)["containers"].append({"name": "side", "image": "busybox:1.36", "ports": [
            {"containerPort": 9000, "hostPort": 8080}]}))),
    "cpu-negative": _edit(_deployment, _set((*_C0, "resources", "requests", "cpu"), "-1")),
    "empty-selector": _edit(_deployment, _set(("spec", "selector"), {"matchLabels": {}})),
    "configmap-key-dotdot": {"apiVersion": "v1", "kind": "ConfigMap",
                             "metadata": {"name": "dots"}, "data": {"..x": "y"}},
    "service-target-port-name-long": _edit(_service, _set(("spec", "ports", 0, "targetPort"),
                                                          "http-port-number-one")),
    "claim-storage-10GB": {
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"],
                 "resources": {"requests": {"storage": "10GB"}}}},
}

GOOD: dict[str, Object] = {
    # What a first version of the rules refused and the server accepts.
    "port-names-shared-by-containers": _edit(_deployment, lambda o: _pod(o)["containers"]
                                             .append({"name": "side", "image": "busybox:1.36",
                                                      "ports": [{"name": "http",
                                                                 "containerPort": 9000}]})),
    "annotation-prefix-upper-case": _edit(_deployment, _set(
        ("metadata", "annotations", "Example.com/Owner"), "x")),
    "env-name-digit-first": _edit(_deployment, _set((*_C0, "env", 0, "name"), "1ST_NODE")),
    "service-name-digit-first": _service("1web"),
    "names-with-dots": _edit(_deployment, _set(("metadata", "name"), "web.v2")),
    "init-container-reusing-a-port-name": _edit(_deployment, _set((*_POD, "initContainers"), [
        {"name": "init", "image": "busybox:1.36",
         "ports": [{"name": "http", "containerPort": 1}]}])),
    "deployment": _deployment(),
    "service": _service(),
    "deployment-qualified-keys": _edit(_deployment, lambda o: (
        _set(("metadata", "labels", "app.kubernetes.io/name"), "web.v1_2-3")(o),
        _set(("metadata", "annotations", "checksum/config"), "a" * 200)(o),
        _set((*_POD, "nodeSelector", "gpu-type"), "")(o))),
    "quantities": _edit(_deployment, _set((*_C0, "resources"), {
        "requests": {"cpu": "0.5", "memory": "1e9"},
        "limits": {"cpu": "500m", "memory": "1G", "ephemeral-storage": "2Ti"}})),
    "configmap": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "conf"},
                  "data": {"app.ini": "x", "nginx_default.conf": "y", "-x.y": "z"}},
}


def _flagged(obj: Object, version: str) -> list[str]:
    return [f"{'.'.join(map(str, i.path))}: {i.message}"
            for i in ApiServerRulesCheck(version).check(obj) or []]


@pytest.fixture(scope="module")
def cluster_kubectl(local_cluster: Path, tools_bin: Path) -> Kubectl:
    return Kubectl(tools_bin / "kubectl", local_cluster)


@pytest.fixture(scope="module")
def namespace(cluster_kubectl: Kubectl) -> Iterator[str]:
    cluster_kubectl("create", "namespace", "api-rules")
    yield "api-rules"
    cluster_kubectl("delete", "namespace", "api-rules", "--wait=false", check=False)


@pytest.fixture(scope="module")
def server_version(cluster_kubectl: Kubectl) -> str:
    """The server's ``major.minor``: the rules that differ by version follow it."""
    info = json.loads(cluster_kubectl("version", "-o", "json"))["serverVersion"]
    return f"{info['major']}.{info['minor'].rstrip('+')}"


@pytest.mark.parametrize("case", sorted(BAD))
def test_what_the_server_refuses_is_refused_offline(case: str, local_cluster: Path,
                                                    namespace: str, server_version: str
                                                    ) -> None:
    obj = BAD[case]
    check = server_check([obj], namespace, kubeconfig=local_cluster)
    assert check.skipped is None
    refused = [r.describe() for r in check.rejections]
    assert refused, f"{case}: the API server accepted it (the case is wrong)"
    assert _flagged(obj, server_version), f"{case}: refused by the server ({refused}) only"


@pytest.mark.parametrize("case", sorted(GOOD))
def test_what_the_server_accepts_passes_offline(case: str, local_cluster: Path,
                                                namespace: str, server_version: str) -> None:
    obj = GOOD[case]
    check = server_check([obj], namespace, kubeconfig=local_cluster)
    assert check.skipped is None and check.rejections == (), check.rejections
    assert _flagged(obj, server_version) == []
