#!/usr/bin/env bash
# Install the (new) Helm chart. Tried once on the pilot cluster on 2025-01-06, never since.
set -euo pipefail

RELEASE=sophia-platform
CHART=kubernetes/helm/sophia-platform
ENVIRONMENT="${1:-production}"

helm lint "$CHART"
helm upgrade --install "$RELEASE" "$CHART" \
  --namespace sophia-ai --create-namespace \
  -f "$CHART/values.yaml" \
  -f "$CHART/values-${ENVIRONMENT}.yaml" \
  --set image.tag="${TAG:-2025.01.10}" \
  --wait --timeout 10m
