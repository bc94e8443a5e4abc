"""Validation throughput: kubealign's compiled schemas vs the kubernetes-validate package.

Generates N realistic objects (Deployments, Services, ConfigMaps, Ingresses, StatefulSets,
HorizontalPodAutoscalers), validates all of them with kubealign (cold: catalogue loaded and
validators compiled inside the timing; warm: the same catalogue again), validates a subset
with ``kubernetes_validate.validate`` (strict, same version) in the same run, and prints
both rates and their ratio.

    .venv/bin/python bench/validate_throughput.py [--objects 5000] [--reference 200]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import kubernetes_validate

from kubealign.validate.schemas import SchemaCatalog

Obj = dict[str, Any]


def deployment(i: int) -> Obj:
    name = f"svc-{i}"
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "bench", "labels": {"app": name}},
        "spec": {
            "replicas": 1 + i % 3,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}, "annotations": {"rev": str(i)}},
                "spec": {
                    "serviceAccountName": name,
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 1000},
                    "containers": [
                        {
                            "name": "app",
                            "image": f"registry.example.com/{name}:1.{i % 10}",
                            "args": ["--port", "8080"],
                            "ports": [{"name": "http", "containerPort": 8080}],
                            "env": [
                                {"name": "MODE", "value": "production"},
                                {
                                    "name": "DB_PASSWORD",
                                    "valueFrom": {"secretKeyRef": {"name": name, "key": "db"}},
                                },
                            ],
                            "resources": {
                                "requests": {"cpu": "100m", "memory": "128Mi"},
                                "limits": {"cpu": "1", "memory": "512Mi"},
                            },
                            "readinessProbe": {
                                "httpGet": {"path": "/healthz", "port": "http"},
                                "periodSeconds": 10,
                            },
                            "volumeMounts": [{"name": "config", "mountPath": "/etc/app"}],
                        }
                    ],
                    "volumes": [{"name": "config", "configMap": {"name": name}}],
                },
            },
        },
    }


def service(i: int) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": f"svc-{i}", "namespace": "bench"},
        "spec": {
            "selector": {"app": f"svc-{i}"},
            "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
        },
    }


def config_map(i: int) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"svc-{i}", "namespace": "bench"},
        "data": {"app.yaml": f"workers: {i % 8}\n", "LOG_LEVEL": "info"},
    }


def ingress(i: int) -> Obj:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": f"svc-{i}", "namespace": "bench"},
        "spec": {
            "ingressClassName": "traefik",
            "tls": [{"hosts": [f"svc-{i}.example.com"], "secretName": f"svc-{i}-tls"}],
            "rules": [
                {
                    "host": f"svc-{i}.example.com",
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {
                                    "service": {"name": f"svc-{i}", "port": {"name": "http"}}
                                },
                            }
                        ]
                    },
                }
            ],
        },
    }


def stateful_set(i: int) -> Obj:
    obj = deployment(i)
    obj["kind"] = "StatefulSet"
    obj["spec"]["serviceName"] = f"svc-{i}"
    obj["spec"]["volumeClaimTemplates"] = [
        {
            "metadata": {"name": "data"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "10Gi"}},
            },
        }
    ]
    return obj


def autoscaler(i: int) -> Obj:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": f"svc-{i}", "namespace": "bench"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"svc-{i}"},
            "minReplicas": 2,
            "maxReplicas": 10,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 70},
                    },
                }
            ],
        },
    }


MAKERS: tuple[Callable[[int], Obj], ...] = (
    deployment, service, config_map, ingress, stateful_set, autoscaler,
)  # fmt: skip


def generate(count: int) -> list[Obj]:
    return [MAKERS[i % len(MAKERS)](i) for i in range(count)]


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=5000)
    parser.add_argument("--reference", type=int, default=200, help="objects for the reference")
    parser.add_argument("--kube-version", default="1.31")
    args = parser.parse_args()
    objects = generate(args.objects)

    started = time.perf_counter()
    catalog = SchemaCatalog(args.kube_version, strict=True)
    invalid = sum(1 for obj in objects if catalog.validate(obj))
    cold = time.perf_counter() - started

    started = time.perf_counter()
    invalid_warm = sum(1 for obj in objects if catalog.validate(obj))
    warm = time.perf_counter() - started
    if invalid or invalid_warm:
        raise SystemExit(f"generated objects should be valid; {invalid} were not")

    subset = objects[: args.reference]
    started = time.perf_counter()
    for obj in subset:
        kubernetes_validate.validate(obj, args.kube_version, strict=True)
    reference = time.perf_counter() - started

    ours_cold, ours_warm = rate(len(objects), cold), rate(len(objects), warm)
    theirs = rate(len(subset), reference)
    print(f"objects: {len(objects)} ({len(MAKERS)} kinds), Kubernetes {args.kube_version}, strict")
    print(f"kubealign, cold (load + compile + validate): {ours_cold:10.0f} objects/s")
    print(f"kubealign, warm (compiled validators):       {ours_warm:10.0f} objects/s")
    print(f"kubernetes-validate ({len(subset)} objects):           {theirs:10.0f} objects/s")
    print(f"ratio warm/kubernetes-validate: {ours_warm / theirs:.0f}x")
    print(f"ratio cold/kubernetes-validate: {ours_cold / theirs:.0f}x")


if __name__ == "__main__":
    main()
