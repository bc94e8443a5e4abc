#!/usr/bin/env bash
# Roll back one or all Swarm services of the sophia stack to their previous spec.
# Usage: scripts/rollback.sh [service ...]      (run on the manager, 192.0.2.10)
set -euo pipefail

STACK="${STACK_NAME:-sophia}"

if (( $# == 0 )); then
  mapfile -t services < <(docker stack services "$STACK" --format '{{.Name}}')
else
  services=()
  for s in "$@"; do services+=("${STACK}_${s}"); done
fi

for svc in "${services[@]}"; do
  echo "rolling back ${svc}"
  docker service rollback --detach=false "$svc" || echo "  ${svc}: nothing to roll back"
done

# k8s pilot (not production):
# kubectl -n sophia-ai rollout undo deployment/sophia-backend
