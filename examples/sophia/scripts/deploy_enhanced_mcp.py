#!/usr/bin/env python3
"""Deploy the 'enhanced' MCP tier using docker-compose.enhanced.yml on the Swarm manager."""

import subprocess
import sys

MANAGER = "ubuntu@192.0.2.10"
MCP_HOST = "ubuntu@sophia-mcp-orchestrator.lambda.internal"


def sh(cmd: list[str]) -> int:
    print("+", " ".join(cmd))
    return subprocess.call(cmd)


def main() -> int:
    if sh(["scp", "docker-compose.enhanced.yml", f"{MANAGER}:/opt/sophia/"]) != 0:
        return 1
    if sh(["scp", "config/mcp/registry.yaml", f"{MCP_HOST}:/opt/sophia/config/mcp/"]) != 0:
        return 1
    status = sh(["ssh", MANAGER,
                 "cd /opt/sophia && docker stack deploy -c docker-compose.enhanced.yml sophia"])
    # stop the standalone compose copy on the A6000 box so ports do not clash
    sh(["ssh", MCP_HOST,
        "cd /opt/sophia/deployment && docker compose -f docker-compose-mcp-orchestrator.yml down"])
    return status


if __name__ == "__main__":
    sys.exit(main())
