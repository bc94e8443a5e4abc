#!/usr/bin/env bash
# Create / rotate the Docker Swarm secrets used by docker-compose.cloud.yml.
# Values come from the environment (exported from Pulumi ESC on the manager:
#   eval "$(pulumi env open sophia/production --format shell)"
# ). Called by deploy_sophia_unified.sh.
set -euo pipefail

SECRETS=(
  postgres_password:POSTGRES_PASSWORD
  database_url:DATABASE_URL
  portkey_api_key:PORTKEY_API_KEY
  openrouter_api_key:OPENROUTER_API_KEY
  hf_token:HF_TOKEN
  github_token:GITHUB_TOKEN
  slack_bot_token:SLACK_BOT_TOKEN
  linear_api_key:LINEAR_API_KEY
  sophia_qdrant_api_key_v2:QDRANT_API_KEY
)

created=0
skipped=0
for pair in "${SECRETS[@]}"; do
  secret_name="${pair%%:*}"
  env_name="${pair##*:}"
  if docker secret inspect "$secret_name" >/dev/null 2>&1; then
    # Swarm secrets are immutable; rotation = new name (see sync_secrets_to_swarm.py)
    skipped=$(( skipped + 1 ))
    continue
  fi
  value="${!env_name:-}"
  if [[ -z "$value" ]]; then
    echo "WARN: $env_name is empty, not creating $secret_name" >&2
    continue
  fi
  printf '%s' "$value" | docker secret create "$secret_name" - >/dev/null
  created=$(( created + 1 ))
done

# grafana_admin_password is a file secret (./secrets/grafana_admin_password.txt)
if [[ ! -f secrets/grafana_admin_password.txt ]]; then
  mkdir -p secrets
  openssl rand -base64 24 > secrets/grafana_admin_password.txt
fi

echo "secrets: ${created} created, ${skipped} already present"
