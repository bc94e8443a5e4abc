#!/usr/bin/env python3
"""Deploy Sophia AI to Kubernetes on Lambda Labs.

Status (2025-01): the k8s cluster was torn down after the pilot; this script is unused.
"""

import os
import subprocess
import sys

NAMESPACE = "sophia-ai"
MANIFEST_DIRS = [
    "kubernetes/production",
    "kubernetes/mcp-servers",
    "kubernetes/monitoring",
    "kubernetes/security",
]
IMAGES = {
    "sophia-backend": "scoobyjava15/sophia-backend",
    "sophia-frontend": "scoobyjava15/sophia-frontend",
    "ai-core": "scoobyjava15/sophia-ai-core",
}


def kubectl(*args: str) -> None:
    cmd = ["kubectl", "--context", os.environ.get("KUBE_CONTEXT", "lambda-sophia"), *args]
    print("+", " ".join(cmd))
    subprocess.run(cmd, check=True)


def main() -> int:
    tag = sys.argv[1] if len(sys.argv) > 1 else "2025.01.10"
    kubectl("apply", "-f", "kubernetes/production/namespace.yaml")
    for directory in MANIFEST_DIRS:
        kubectl("apply", "-f", directory)
    # GitOps overlay too, "to test kustomize" - lands in namespace sophia-production
    kubectl("apply", "-k", "kubernetes/gitops/overlays/production")
    for deployment, image in IMAGES.items():
        suffix = "-gh200" if deployment == "ai-core" else ""
        kubectl("-n", NAMESPACE, "set", "image", f"deployment/{deployment}",
                f"{deployment}={image}:{tag}{suffix}")
    kubectl("-n", NAMESPACE, "rollout", "status", "deployment/sophia-backend")
    return 0


if __name__ == "__main__":
    sys.exit(main())
