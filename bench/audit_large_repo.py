"""Time `kubealign audit` on a generated 2,000-file repository (target: under 5 seconds).

.venv/bin/python bench/audit_large_repo.py [--files 2000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from kubealign.actions.audit import audit, render_json

COMPOSE = """services:
  api-{i}:
    image: example/api-{i}:1.{v}
    environment:
      DB_URL: postgres://db:5432/app
      PEER_URL: http://192.0.2.{o}:8000
    deploy:
      replicas: {v}
      resources:
        limits:
          memory: {v}G
  db:
    image: postgres:16
"""
SCRIPT = """#!/usr/bin/env bash
set -e
rsync -az deployment/ ubuntu@192.0.2.{o}:/opt/app/
ssh ubuntu@192.0.2.{o} 'cd /opt/app && docker compose -f docker-compose-{i}.yml up -d'
docker run -d --name hotfix-{i} example/api-{i}:latest
"""
MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api-{i}
  namespace: ns-{ns}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: api
          image: example/api-{i}:1.0
"""
DOCKERFILE = """FROM python:3.12-slim
RUN pip install flask
CMD ["flask", "run"]
"""


def generate(root: Path, files: int) -> None:
    kinds = ("compose", "script", "manifest", "dockerfile", "source")
    (root / "Makefile").write_text("deploy:\n\t./scripts/deploy-0.sh\n", encoding="utf-8")
    for index in range(files - 1):
        kind = kinds[index % len(kinds)]
        i, v, o = index, index % 5 + 1, index % 250 + 1
        if kind == "compose":
            path = root / "deployment" / f"docker-compose-{i}.yml"
            text = COMPOSE.format(i=i % 40, v=v, o=o)
        elif kind == "script":
            path = root / "scripts" / f"deploy-{i // 5}.sh"
            text = SCRIPT.format(i=i, o=o)
        elif kind == "manifest":
            path = root / "kubernetes" / f"team-{i % 7}" / f"api-{i}.yaml"
            text = MANIFEST.format(i=i % 40, ns=i % 3)
        elif kind == "dockerfile":
            path = root / "services" / f"svc-{i % 60}" / f"Dockerfile.v{i}"
            text = DOCKERFILE
        else:
            path = root / "src" / f"module_{i}.py"
            text = f"VALUE = {i}\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory) / "large-repo"
        root.mkdir()
        generate(root, args.files)
        count = sum(1 for p in root.rglob("*") if p.is_file())
        start = time.perf_counter()
        report = audit(root)
        elapsed = time.perf_counter() - start
        size = len(render_json(report))
    print(
        f"audit of {count} files: {elapsed:.2f} s, {report.summary.findings_total} findings, "
        f"{size} bytes of JSON (target < 5 s)"
    )


if __name__ == "__main__":
    main()
