#!/usr/bin/env bash
# One-off (!) migration from the single big box to the five Lambda Labs instances.
# Written 2024-12-09. Still used to re-provision an instance from scratch.
set -e

declare -A INSTANCES=(
  [production]="192.0.2.10"
  [ai-core]="192.0.2.21"
  [mcp-orchestrator]="198.51.100.30"
  [data-pipeline]="198.51.100.40"
  [development]="203.0.113.50"
)
declare -A GPUS=(
  [production]="RTX6000"
  [ai-core]="GH200"
  [mcp-orchestrator]="A6000"
  [data-pipeline]="A100"
  [development]="A10"
)

OLD_HOST="ubuntu@198.51.100.99"
ONLY="${1:-}"

install_docker() {
  local host=$1
  ssh "ubuntu@${host}" 'command -v docker || curl -fsSL https://get.docker.com | sh'
  ssh "ubuntu@${host}" 'sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker'
}

migrate_volumes() {
  echo "Copying postgres dump from old host"
  ssh "$OLD_HOST" 'docker exec sophia-postgres pg_dump -U sophia sophia | gzip' > /tmp/sophia.sql.gz
  scp /tmp/sophia.sql.gz "ubuntu@${INSTANCES[production]}:/tmp/"
  ssh "ubuntu@${INSTANCES[production]}" 'gunzip -c /tmp/sophia.sql.gz | docker exec -i sophia-production-postgres-1 psql -U sophia sophia'
}

for name in "${!INSTANCES[@]}"; do
  [[ -n "$ONLY" && "$ONLY" != "$name" ]] && continue
  host="${INSTANCES[$name]}"
  echo "=== ${name} (${GPUS[$name]}) @ ${host}"
  install_docker "$host"
  ssh "ubuntu@${host}" 'mkdir -p /opt/sophia'
  scp -r deployment config "ubuntu@${host}:/opt/sophia/"
  scp "deployment/env/${name}.env" "ubuntu@${host}:/opt/sophia/deployment/env/${name}.env"
  ssh "ubuntu@${host}" "cd /opt/sophia/deployment && docker compose -f docker-compose-${name}.yml up -d"
done

if [[ -z "$ONLY" || "$ONLY" == "production" ]]; then
  migrate_volumes
fi

echo "Migration finished. Remember to update DNS for sophia-ai.example.com -> ${INSTANCES[production]}"
