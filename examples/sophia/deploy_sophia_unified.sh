#!/usr/bin/env bash
# =============================================================================
# deploy_sophia_unified.sh - THE production deploy (Docker Swarm)
#
# Usage: ./deploy_sophia_unified.sh [production|development] [--skip-secrets]
#
# Runs ON the Swarm manager (sophia-production, 192.0.2.10). CI gets there with
# ssh (see .github/workflows/deploy.yml); humans run `make deploy` on the box.
# =============================================================================
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$SCRIPT_DIR"

ENVIRONMENT="${1:-production}"
SKIP_SECRETS=false
[[ "${2:-}" == "--skip-secrets" ]] && SKIP_SECRETS=true

STACK_NAME="${STACK_NAME:-sophia}"
COMPOSE_FILE="docker-compose.cloud.yml"
DEV_HOST="ubuntu@203.0.113.50"
MAX_WAIT_SECONDS=600

CRITICAL_SERVICES=(
  sophia-backend
  sophia-frontend
  postgres
  redis
  qdrant
  mcp-orchestrator
)

log()  { printf '\033[0;32m[%(%H:%M:%S)T]\033[0m %s\n' -1 "$*"; }
warn() { printf '\033[0;33m[%(%H:%M:%S)T] WARN\033[0m %s\n' -1 "$*" >&2; }
die()  { printf '\033[0;31m[%(%H:%M:%S)T] ERROR\033[0m %s\n' -1 "$*" >&2; exit 1; }

preflight() {
  command -v docker >/dev/null || die "docker not installed"
  [[ "$(docker info --format '{{.Swarm.LocalNodeState}}')" == "active" ]] \
    || die "this node is not part of a swarm"
  [[ "$(docker info --format '{{.Swarm.ControlAvailable}}')" == "true" ]] \
    || die "run me on a swarm manager"
  [[ -f "$COMPOSE_FILE" ]] || die "missing $COMPOSE_FILE"
  set -a
  # shellcheck disable=SC1091
  source .env
  set +a
}

label_nodes() {
  # GPU placement constraints in the stack need these labels.
  docker node update --label-add gpu=rtx6000 sophia-production >/dev/null
  docker node update --label-add gpu=gh200 sophia-ai-core >/dev/null
  docker node update --label-add gpu=a6000 sophia-mcp-orchestrator >/dev/null
  docker node update --label-add gpu=a100 sophia-data-pipeline >/dev/null
}

wait_for_services() {
  local deadline=$(( $(date +%s) + MAX_WAIT_SECONDS ))
  local svc replicas
  for svc in "${CRITICAL_SERVICES[@]}"; do
    while true; do
      replicas="$(docker service ls --filter "name=${STACK_NAME}_${svc}" --format '{{.Replicas}}')"
      if [[ -n "$replicas" && "${replicas%%/*}" == "${replicas##*/}" ]]; then
        log "  ${svc}: ${replicas}"
        break
      fi
      if (( $(date +%s) > deadline )); then
        warn "${svc} did not converge (${replicas:-none}), rolling back"
        docker service rollback "${STACK_NAME}_${svc}" || true
        return 1
      fi
      sleep 10
    done
  done
}

deploy_production() {
  preflight
  label_nodes
  if [[ "$SKIP_SECRETS" == false ]]; then
    log "Syncing Docker secrets"
    "$SCRIPT_DIR/scripts/setup_secrets.sh"
  fi
  log "Pulling images"
  docker compose -f "$COMPOSE_FILE" pull --quiet --ignore-pull-failures || warn "pull failed, continuing"
  log "Deploying stack ${STACK_NAME}"
  docker stack deploy -c "$COMPOSE_FILE" --with-registry-auth --prune "$STACK_NAME"
  wait_for_services
  log "Production deploy done: https://app.${DOMAIN}"
}

deploy_development() {
  log "Deploying development to ${DEV_HOST}"
  rsync -az --delete deployment/ "${DEV_HOST}:/opt/sophia/deployment/"
  rsync -az config/ "${DEV_HOST}:/opt/sophia/config/"
  ssh "$DEV_HOST" bash -s <<'REMOTE'
set -euo pipefail
cd /opt/sophia/deployment
docker compose -f docker-compose-development.yml pull
docker compose -f docker-compose-development.yml up -d --remove-orphans
REMOTE
}

case "$ENVIRONMENT" in
  production|prod) deploy_production ;;
  development|dev) deploy_development ;;
  *) die "unknown environment: $ENVIRONMENT (expected production or development)" ;;
esac
