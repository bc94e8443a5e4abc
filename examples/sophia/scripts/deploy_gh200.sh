#!/usr/bin/env bash
# Build ai-core natively on the GH200 (arm64) box and restart it.
set -euo pipefail

HOST=sophia-ai-core.lambda.internal
[[ -n "${GH200_HOST:-}" ]] && HOST="$GH200_HOST"   # e.g. the public IP when the VPN is down
USER_AT_HOST="ubuntu@${HOST}"
TAG="${1:-$(date +%Y.%m.%d)-gh200}"
IMAGE="scoobyjava15/sophia-ai-core:${TAG}"

echo "Building ${IMAGE} on ${HOST} (takes ~40 min, vLLM from source)"
rsync -az --exclude .git --exclude node_modules ./ "${USER_AT_HOST}:/opt/sophia/src/"
ssh "$USER_AT_HOST" "cd /opt/sophia/src && docker build -f docker/Dockerfile.gh200 -t ${IMAGE} . && docker push ${IMAGE}"

echo "GPU sanity check"
ssh "$USER_AT_HOST" "docker run --rm --gpus all nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04 nvidia-smi"

ssh "$USER_AT_HOST" bash <<REMOTE
set -euo pipefail
cd /opt/sophia/deployment
sed -i "s#scoobyjava15/sophia-ai-core:.*#${IMAGE}#" docker-compose-ai-core.yml
docker compose -f docker-compose-ai-core.yml up -d ai-core
REMOTE

for i in $(seq 1 60); do
  if curl -fsS "http://${HOST}:8001/health" >/dev/null; then
    echo "ai-core healthy after $(( i * 10 ))s"
    exit 0
  fi
  sleep 10
done
echo "ai-core did not become healthy" >&2
exit 1
