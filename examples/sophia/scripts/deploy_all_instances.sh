#!/usr/bin/env bash
# Push deployment/ + env files to every Lambda instance and `docker compose up` there.
# Secrets travel as .env files over scp (TODO: stop doing this).
set -uo pipefail

SSH_OPTS=(-o StrictHostKeyChecking=no -o ConnectTimeout=10 -i "${HOME}/.ssh/lambda_sophia.pem")

INSTANCES=(
  "production:192.0.2.10:docker-compose-production.yml"
  "ai-core:192.0.2.21:docker-compose-ai-core.yml"
  "mcp-orchestrator:198.51.100.30:docker-compose-mcp-orchestrator.yml"
  "data-pipeline:198.51.100.40:docker-compose-data-pipeline.yml"
  "development:203.0.113.50:docker-compose-development.yml"
)

failed=()
deploy_instance() {
  local name="$1" ip="$2" file="$3"
  echo "----- ${name} (${ip})"
  rsync -az -e "ssh ${SSH_OPTS[*]}" deployment/ "ubuntu@${ip}:/opt/sophia/deployment/" || return 1
  rsync -az -e "ssh ${SSH_OPTS[*]}" config/ "ubuntu@${ip}:/opt/sophia/config/" || return 1
  scp "${SSH_OPTS[@]}" "deployment/env/${name}.env" "ubuntu@${ip}:/opt/sophia/deployment/env/${name}.env" || return 1
  ssh "${SSH_OPTS[@]}" "ubuntu@${ip}" \
    "cd /opt/sophia/deployment && docker compose -f ${file} pull && docker compose -f ${file} up -d --remove-orphans" || return 1
}

for entry in "${INSTANCES[@]}"; do
  IFS=: read -r name ip file <<< "$entry"
  if [[ -n "${ONLY:-}" && "$ONLY" != "$name" ]]; then
    continue
  fi
  deploy_instance "$name" "$ip" "$file" || failed+=("$name")
done

if (( ${#failed[@]} > 0 )); then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all instances deployed"
