"""Application configuration is told apart by what it holds, not by its name.

A hand-kept list of where the repository's services answer is a service registry (debt:
Kubernetes Services replace it); an LLM gateway's providers, models and routing are the
application's own settings (kept); a settings file that mentions a few service addresses,
an API description and a tool's own settings are neither.
"""

from __future__ import annotations

import json
from pathlib import Path

from kubealign.actions.audit import audit
from repo_files import write_files

_REGISTRY = json.dumps([{"name": n, "url": f"http://{n}-svc:{3000 + i}"}
                        for i, n in enumerate(("github", "slack", "notion", "asana"))])
_GATEWAY = json.dumps({
    "default_provider": "openrouter", "base_url": "https://api.gateway.example/v1",
    "routing_rules": [{"task": "code", "route_to": "claude-3-5-sonnet"}],
    "fallback_providers": ["gpt-4o"], "virtual_key": "vk-name",
})
_SETTINGS = json.dumps({
    "telemetry": {"endpoint": "http://otel:4317", "sample": 0.1},
    "metrics": {"endpoint": "http://prometheus:9090"}, "dashboards": {"url": "http://grafana:3000"},
    "session": {"ttl": 3600}, "auth": {"mode": "jwt"}, "cache": {"size": 10},
})
_OPENAPI = ("openapi: 3.0.0\ninfo: {title: x, version: '1'}\ncomponents:\n  schemas:\n"
            "    Req:\n      properties:\n        model: {type: string}\n"
            "        provider: {type: string}\n        temperature: {type: number}\n"
            "        fallbacks: {type: array}\n")


def test_registries_are_debt_and_gateway_settings_are_kept(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "docker-compose.yml": "services:\n  web:\n    image: app:1\n",
        "ops/services.json": _REGISTRY,
        "settings/llm.json": _GATEWAY,
        "settings/app.json": _SETTINGS,
        "api/openapi.yaml": _OPENAPI,
        ".tool/config.json": _GATEWAY,
    })
    report = audit(root)
    debt = {i.path: i.reason for i in report.tech_debt}
    assert debt["ops/services.json"].startswith(
        "service registry (ops/services.json:1 `http://github-svc:3000`; 4 service addresses)")
    assert [k.path for k in report.kept] == ["settings/llm.json"]
    assert "LLM gateway configuration" in report.kept[0].reason
    assert not {"settings/llm.json", "settings/app.json", "api/openapi.yaml",
                ".tool/config.json"} & set(debt)
