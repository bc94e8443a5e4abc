"""Sophia AI backend: FastAPI entry point."""

import os

from fastapi import FastAPI

from app.config import llm_gateway_config

app = FastAPI(title="Sophia AI", version=os.environ.get("APP_VERSION", "2025.01.10"))


@app.get("/health")
async def health() -> dict:
    return {"status": "ok", "service": os.environ.get("SERVICE_NAME", "sophia-backend")}


@app.get("/api/v1/llm/routes")
async def llm_routes() -> dict:
    """Expose the task -> model routing table (handy when debugging Portkey fallbacks)."""
    config = llm_gateway_config()
    return {
        "default_provider": config.get("default_provider"),
        "routing_rules": config.get("routing_rules", []),
    }
