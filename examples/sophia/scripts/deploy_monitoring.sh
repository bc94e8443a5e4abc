#!/bin/sh
# Monitoring + Keel on the k8s pilot cluster.
kubectl apply -f kubernetes/monitoring/namespace.yaml
kubectl apply -f kubernetes/monitoring/
kubectl apply -f kubernetes/keel/keel.yaml
kubectl apply -f kubernetes/keel/backend-keel.yaml
echo "grafana: kubectl -n monitoring port-forward svc/grafana 3000:3000"
