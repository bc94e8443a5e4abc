#!/usr/bin/env bash
# Deploy to the Lambda Labs k8s pilot cluster (k3s on sophia-development).
# NOT used for production yet. kubeconfig: ~/.kube/sophia-lambda.yaml
set -eo pipefail

export KUBECONFIG="${KUBECONFIG:-$HOME/.kube/sophia-lambda.yaml}"
TAG="${1:-2025.01.10}"
NAMESPACE=sophia-ai

kubectl get ns "$NAMESPACE" >/dev/null 2>&1 || kubectl create namespace "$NAMESPACE"
kubectl get ns mcp >/dev/null 2>&1 || kubectl create namespace mcp

# Secrets straight from the shell environment (no ESC on the pilot)
kubectl -n "$NAMESPACE" create secret generic sophia-secrets \
  --from-literal=POSTGRES_USER=sophia \
  --from-literal=POSTGRES_PASSWORD="${POSTGRES_PASSWORD}" \
  --from-literal=PORTKEY_API_KEY="${PORTKEY_API_KEY}" \
  --from-literal=OPENROUTER_API_KEY="${OPENROUTER_API_KEY}" \
  --from-literal=DATABASE_URL="postgresql://sophia:${POSTGRES_PASSWORD}@postgres:5432/sophia" \
  --dry-run=client -o yaml | kubectl apply -f -

kubectl -n mcp create secret generic mcp-secrets \
  --from-literal=GITHUB_TOKEN="${GITHUB_TOKEN}" \
  --from-literal=SLACK_BOT_TOKEN="${SLACK_BOT_TOKEN}" \
  --from-literal=LINEAR_API_KEY="${LINEAR_API_KEY}" \
  --dry-run=client -o yaml | kubectl apply -f -

kubectl apply -f kubernetes/production/
kubectl apply -f kubernetes/mcp-servers/
kubectl apply -f kubernetes/security/

kubectl -n "$NAMESPACE" set image deployment/sophia-backend sophia-backend="scoobyjava15/sophia-backend:${TAG}"
kubectl -n "$NAMESPACE" set image deployment/sophia-frontend sophia-frontend="scoobyjava15/sophia-frontend:${TAG}"

kubectl -n "$NAMESPACE" rollout status deployment/sophia-backend --timeout=300s
kubectl -n "$NAMESPACE" get pods -o wide
