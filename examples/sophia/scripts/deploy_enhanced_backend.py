#!/usr/bin/env python3
"""Build the optimized backend image (docker/Dockerfile.optimized) and roll it out.

    python scripts/deploy_enhanced_backend.py [tag]

Pushes scoobyjava15/sophia-backend:<tag>-enhanced and updates the running Swarm service
in place (does not touch docker-compose.cloud.yml - the stack file drifts after this!).
"""

import datetime
import subprocess
import sys

MANAGER = "ubuntu@192.0.2.10"
IMAGE = "scoobyjava15/sophia-backend"


def sh(*cmd: str) -> None:
    print("+", " ".join(cmd))
    subprocess.run(cmd, check=True)


def main() -> None:
    tag = sys.argv[1] if len(sys.argv) > 1 else datetime.date.today().strftime("%Y.%m.%d")
    ref = f"{IMAGE}:{tag}-enhanced"
    sh("docker", "build", "-f", "docker/Dockerfile.optimized", "-t", ref, ".")
    sh("docker", "push", ref)
    sh("ssh", MANAGER,
       f"docker service update --image {ref} --update-parallelism 1 "
       "--update-order start-first sophia_sophia-backend")
    sh("ssh", MANAGER, "docker service ps sophia_sophia-backend --no-trunc | head -5")


if __name__ == "__main__":
    main()
