#!/bin/bash
# quick_deploy.sh <instance>  - copy of deploy_all_instances.sh for ONE box, no checks.
# CI uses this for the development instance on every push to develop.

SSH_OPTS="-o StrictHostKeyChecking=no -i $HOME/.ssh/lambda_sophia.pem"

case "$1" in
  prod|production) name=production; ip=192.0.2.10 ;;
  ai|ai-core)      name=ai-core; ip=192.0.2.21 ;;
  mcp)             name=mcp-orchestrator; ip=198.51.100.30 ;;
  data)            name=data-pipeline; ip=198.51.100.40 ;;
  dev|development) name=development; ip=203.0.113.50 ;;
  *) echo "usage: $0 prod|ai|mcp|data|dev"; exit 1 ;;
esac
file="docker-compose-${name}.yml"

echo "----- ${name} (${ip})"
rsync -az -e "ssh $SSH_OPTS" deployment/ ubuntu@${ip}:/opt/sophia/deployment/
scp $SSH_OPTS deployment/env/${name}.env ubuntu@${ip}:/opt/sophia/deployment/env/${name}.env
ssh $SSH_OPTS ubuntu@${ip} "cd /opt/sophia/deployment && docker compose -f ${file} pull && docker compose -f ${file} up -d"

if [ "$2" == "--hotfix-backend" ]; then
  # bypass compose entirely: restart just the backend container from the develop image
  ssh $SSH_OPTS ubuntu@${ip} "docker rm -f sophia-hotfix-backend; docker run -d --name sophia-hotfix-backend --restart unless-stopped -p 8000:8000 --env-file /opt/sophia/deployment/env/${name}.env scoobyjava15/sophia-backend:develop"
fi
