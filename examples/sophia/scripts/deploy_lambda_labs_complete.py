#!/usr/bin/env python3
"""Complete Lambda Labs deployment: provision all 5 instances end to end.

Clones the repo on every instance, writes the env file, and starts the per-instance
compose file. Superseded by deploy_all_instances.sh but kept "just in case".
"""

import subprocess
import sys
import time

# TODO: move to env var - temporary token for the private repo (FAKE, revoked)
GITHUB_TOKEN = "ghp_FAKEEXAMPLEdeployTOKEN0000000000abcd"
REPO = "github.com/ai-cherry/sophia-main"

INSTANCES = {
    "sophia-production": {"ip": "192.0.2.10", "gpu": "RTX6000",
                          "compose": "deployment/docker-compose-production.yml"},
    "sophia-ai-core": {"ip": "192.0.2.21", "gpu": "GH200",
                       "compose": "deployment/docker-compose-ai-core.yml"},
    "sophia-mcp-orchestrator": {"ip": "198.51.100.30", "gpu": "A6000",
                                "compose": "deployment/docker-compose-mcp-orchestrator.yml"},
    "sophia-data-pipeline": {"ip": "198.51.100.40", "gpu": "A100",
                             "compose": "deployment/docker-compose-data-pipeline.yml"},
    "sophia-development": {"ip": "203.0.113.50", "gpu": "A10",
                           "compose": "deployment/docker-compose-development.yml"},
}

SSH = ["ssh", "-o", "StrictHostKeyChecking=no", "-i", "~/.ssh/lambda_sophia.pem"]


def run_remote(ip: str, command: str, check: bool = True) -> subprocess.CompletedProcess:
    print(f"[{ip}] $ {command}")
    return subprocess.run([*SSH, f"ubuntu@{ip}", command], check=check, text=True)


def deploy(name: str, spec: dict) -> None:
    ip = spec["ip"]
    print(f"\n=== {name} ({spec['gpu']}) ===")
    run_remote(ip, "nvidia-smi --query-gpu=name --format=csv,noheader")
    run_remote(
        ip,
        f"test -d /opt/sophia-main/.git || git clone https://{GITHUB_TOKEN}@{REPO} /opt/sophia-main",
    )
    run_remote(ip, "cd /opt/sophia-main && git fetch && git reset --hard origin/main")
    run_remote(ip, f"cd /opt/sophia-main && docker compose -f {spec['compose']} up -d --build")


def main() -> int:
    only = sys.argv[1:]
    for name, spec in INSTANCES.items():
        if only and name not in only:
            continue
        try:
            deploy(name, spec)
        except subprocess.CalledProcessError as exc:
            print(f"!! {name} failed: {exc}")
            continue
        time.sleep(5)
    # Swarm stack on the manager as well, because the cloud file is what Traefik routes
    run_remote(INSTANCES["sophia-production"]["ip"],
               "cd /opt/sophia-main && docker stack deploy -c docker-compose.cloud.yml sophia")
    return 0


if __name__ == "__main__":
    sys.exit(main())
