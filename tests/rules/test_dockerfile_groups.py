"""Variants are Dockerfiles of one service, not of one folder.

Two Dockerfiles in a generic ``docker/`` folder that build different things (a GPU build of
the backend, an MCP server) are not variants of each other; the GPU build, which packages
the backend's folder, is a variant of the backend's Dockerfile.
"""

from __future__ import annotations

from pathlib import Path

from kubealign.actions.inventory import build_inventory
from kubealign.rules.context import build_context
from kubealign.rules.dockerfile_rules import dockerfile_groups
from repo_files import write_files

_FILES = {
    "docker-compose.yml": "services:\n  backend:\n    image: org/backend:1\n"
    "    build:\n      context: .\n      dockerfile: Dockerfile.production\n",
    "Dockerfile.production": "FROM python:3.12-slim\nWORKDIR /app\nCOPY backend/ ./backend/\n"
    "CMD [\"uvicorn\", \"backend.app:app\"]\n",
    "docker/Dockerfile.gpu": "FROM nvidia/cuda:12.3-devel-ubuntu22.04\nWORKDIR /app\n"
    "COPY requirements.txt .\nCOPY backend/ backend/\nCMD [\"/app/start.sh\"]\n",
    "docker/Dockerfile.mcp-server": "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
    "CMD [\"python\", \"-m\", \"uvicorn\", \"main:app\"]\n",
}


def _groups(root: Path) -> dict[str, list[str]]:
    ctx = build_context(root, build_inventory(root))
    return {g.service: [v.path for v in g.variants] for g in dockerfile_groups(ctx)}


def test_a_gpu_build_of_the_backend_is_its_variant(tmp_path: Path) -> None:
    groups = _groups(write_files(tmp_path, _FILES))
    assert groups["backend"] == ["Dockerfile.production", "docker/Dockerfile.gpu"]
    assert groups["app"] == ["docker/Dockerfile.mcp-server"]


def test_a_folder_copied_by_two_services_decides_nothing(tmp_path: Path) -> None:
    files = dict(_FILES)
    files["docker-compose.yml"] += ("  worker:\n    image: org/worker:1\n    build:\n"
                                    "      context: .\n      dockerfile: Dockerfile.worker\n")
    files["Dockerfile.worker"] = "FROM python:3.12-slim\nCOPY backend/ ./backend/\n"
    groups = _groups(write_files(tmp_path, files))
    assert groups["backend"] == ["Dockerfile.production"]
    assert groups["worker"] == ["Dockerfile.worker"]
