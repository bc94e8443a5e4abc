#!/bin/bash
# Deploy the whole Sophia platform from a laptop.
# (pre-dates deploy_sophia_unified.sh; some people still use it - Dec 2024)

PROD_HOST=192.0.2.10
AI_CORE_HOST=192.0.2.21
SSH_USER=ubuntu
SSH_KEY=~/.ssh/lambda_sophia.pem
REMOTE_DIR=/home/ubuntu/sophia-main

echo "==> Syncing repository to $PROD_HOST"
rsync -avz -e "ssh -i $SSH_KEY" --exclude .git --exclude node_modules ./ $SSH_USER@$PROD_HOST:$REMOTE_DIR/

echo "==> Copying env file"
scp -i $SSH_KEY deployment/env/production.env $SSH_USER@$PROD_HOST:$REMOTE_DIR/.env.production

echo "==> Deploying Swarm stack"
ssh -i $SSH_KEY $SSH_USER@$PROD_HOST << EOF2
  cd $REMOTE_DIR
  export \$(grep -v '^#' .env.production | xargs)
  docker stack deploy -c docker-compose.cloud.yml sophia
  docker service ls
EOF2

echo "==> Restarting ai-core on GH200"
ssh -i $SSH_KEY $SSH_USER@$AI_CORE_HOST "cd $REMOTE_DIR/deployment && docker compose -f docker-compose-ai-core.yml pull && docker compose -f docker-compose-ai-core.yml up -d"

if [ "$1" == "--with-frontend-build" ]; then
  echo "==> Building frontend on the box"
  ssh -i $SSH_KEY $SSH_USER@$PROD_HOST "cd $REMOTE_DIR/frontend && docker build -f Dockerfile.simple -t scoobyjava15/sophia-frontend:latest . && docker push scoobyjava15/sophia-frontend:latest"
fi

echo "Done. Check https://app.sophia-ai.example.com"
