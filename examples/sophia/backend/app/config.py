"""Settings for the backend, read from the environment.

Secrets come either as plain variables (compose, .env files) or as *_FILE variables pointing
at /run/secrets/... (Swarm). Both are supported until the Kubernetes move settles it.
"""

import json
import os
from pathlib import Path


def read_secret(name: str, default: str = "") -> str:
    """Return NAME from NAME_FILE if set (Docker secrets), else from NAME."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path and Path(file_path).is_file():
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def database_url() -> str:
    if url := os.environ.get("DATABASE_URL"):
        return url
    host = os.environ.get("DATABASE_HOST", "postgres")
    port = os.environ.get("DATABASE_PORT", "5432")
    name = os.environ.get("DATABASE_NAME", "sophia")
    user = os.environ.get("DATABASE_USER", "sophia")
    password = read_secret("DATABASE_PASSWORD") or read_secret("POSTGRES_PASSWORD")
    return f"postgresql://{user}:{password}@{host}:{port}/{name}"


def llm_gateway_config() -> dict:
    path = os.environ.get("LLM_GATEWAY_CONFIG", "/etc/sophia/llm/portkey-config.json")
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"default_provider": "openrouter", "routing_rules": []}
