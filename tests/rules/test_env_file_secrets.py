"""SEC005 reads env files' values to classify them, never to show them: templates that document
secrets with empty or placeholder values are no finding; real-looking values are, named by
variable, high in live files and backups, medium in files nothing reads, low in templates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kubealign.actions.audit import audit, render_json, render_text
from kubealign.model.findings import Finding, Severity
from kubealign.rules.env_values import real_looking

# Values made up for the tests, shaped like real credentials.
_REAL = "Qw7vXk2pLm9sTz4R"
_TOKEN = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"
_COMPOSE = "services:\n  api:\n    image: example/api:1.0\n    env_file: app.env\n"
_TEMPLATE = (
    "# Copy to .env and fill in\n"
    "OPENAI_API_KEY=your_openai_api_key_here\n"
    "ANTHROPIC_API_KEY=\n"
    "STRIPE_SECRET_KEY=sk_test_...\n"
    "JWT_SECRET=<generate with openssl rand -hex 32>\n"
    "POSTGRES_PASSWORD=changeme\n"
    "REDIS_PASSWORD=${REDIS_PASSWORD}\n"
    "GITHUB_TOKEN=xxxxxxxxxxxxxxxx\n"
    "DATABASE_URL=postgresql://postgres:postgres@db:5432/app\n"
    "MODEL_MAX_TOKENS=4096\n"
)


def _sec005(root: Path, files: dict[str, str]) -> list[Finding]:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    report = audit(root)
    for secret in (_REAL, _TOKEN):
        assert secret not in render_text(report) and secret not in render_json(report)
    return [f for f in report.findings if f.rule == "SEC005"]


def test_a_template_with_placeholders_only_is_no_finding(tmp_path: Path) -> None:
    assert _sec005(tmp_path, {".env.example": _TEMPLATE, "mcp/.env.template": _TEMPLATE}) == []


def test_a_template_with_one_real_value_names_it_low(tmp_path: Path) -> None:
    files = {".env.example": _TEMPLATE + f"AIRBYTE_CLIENT_SECRET={_REAL}\n"}
    [finding] = _sec005(tmp_path, files)
    assert finding.severity is Severity.LOW and finding.line == 11
    assert finding.message == ("a template commits a value for 1 secret variable: "
                               "AIRBYTE_CLIENT_SECRET")


@pytest.mark.parametrize("name", [".env.backup.20251013_174003", ".env.local.bak", ".env.old"])
def test_a_backup_with_real_values_is_high(tmp_path: Path, name: str) -> None:
    files = {name: f"LOG_LEVEL=info\nSECRET_KEY={_REAL}\nAPI_TOKEN=\nSOME_SETTING={_TOKEN}\n"}
    [finding] = _sec005(tmp_path, files)
    assert finding.severity is Severity.HIGH and finding.line == 2
    # a provider token format is a credential under any name
    assert finding.message.endswith(": SECRET_KEY, SOME_SETTING")


def test_live_env_files_are_high_unreferenced_ones_medium(tmp_path: Path) -> None:
    files = {
        "docker-compose.yml": _COMPOSE,
        "app.env": f"MODE=production\nDB_PASSWORD={_REAL}\n",
        "deploy/.env": f"REDIS_PASSWORD={_REAL}\n",
        "deploy/docker-compose.yml": "services:\n  cache:\n    image: redis:7\n",
        "scripts/deploy.sh": "#!/bin/bash\nscp config/prod.env host:/srv/app.env\n",
        "config/prod.env": f"API_KEY={_REAL}\n",
        "config/unused.env": f"API_KEY={_REAL}\n",
    }
    found = {f.path: f.severity for f in _sec005(tmp_path, files)}
    assert found == {"app.env": Severity.HIGH, "deploy/.env": Severity.HIGH,
                     "config/prod.env": Severity.HIGH, "config/unused.env": Severity.MEDIUM}


def test_env_files_a_kustomize_generator_reads_are_live(tmp_path: Path) -> None:
    files = {
        "k8s/overlays/prod/kustomization.yaml": (
            "resources: [../../base]\nsecretGenerator:\n  - name: api\n    envs: [secrets.env]\n"
            "  - name: tls\n    files: [tls.key=../../../certs/server.env]\n"
            "configMapGenerator:\n  - name: legacy\n    env: ../shared.env\n"
        ),
        "k8s/overlays/prod/secrets.env": f"DB_PASSWORD={_REAL}\n",
        "certs/server.env": f"API_KEY={_REAL}\n",
        "k8s/overlays/shared.env": f"API_TOKEN={_REAL}\n",
        "k8s/overlays/stage/secrets.env": f"DB_PASSWORD={_REAL}\n",
    }
    found = {f.path: f.severity for f in _sec005(tmp_path, files)}
    assert found == {"k8s/overlays/prod/secrets.env": Severity.HIGH,
                     "certs/server.env": Severity.HIGH,
                     "k8s/overlays/shared.env": Severity.HIGH,
                     "k8s/overlays/stage/secrets.env": Severity.MEDIUM}


def test_live_env_file_with_references_and_defaults_only_is_no_finding(tmp_path: Path) -> None:
    files = {"docker-compose.yml": _COMPOSE,
             "app.env": "DB_PASSWORD=${DB_PASSWORD}\nPOSTGRES_PASSWORD=postgres\n"
                        "KEYCLOAK_ADMIN_PASSWORD=admin\nJWT_SECRET=test-secret-for-ci-only\n"}
    assert _sec005(tmp_path, files) == []


@pytest.mark.parametrize(("name", "value"), [
    ("MODEL_MAX_TOKENS", "4096"),
    ("ACCESS_TOKEN_EXPIRE_MINUTES", "30"),
    ("SECRETS_PROVIDER", "vault-prod-east-2"),
    ("FIRESTORE_CREDENTIALS_PATH", "/secrets/firestore-credentials.json"),
    ("CORS_CREDENTIALS", "true"),
    ("API_KEY_HASH_ALGORITHM", "argon2id"),
    ("POSTGRES_PASSWORD", "postgres_password"),  # names a Docker secret
    ("REDIS_PASSWORD", "password123"),
    ("DATABASE_URL", "postgresql://app:${DB_PASSWORD}@db/app"),
])
def test_not_real_looking(name: str, value: str) -> None:
    assert not real_looking(name, value)


@pytest.mark.parametrize(("name", "value"), [
    ("POSTGRES_PASSWORD", _REAL),
    ("VITE_FIREBASE_API_KEY", "AIza" + "SyB1c2D3e4F5g6H7i8J9k0L1m2N3o4P5q6R"),
    ("DATABASE_URL", f"postgresql://app:{_REAL}@db/app"),
    ("ANYTHING", _TOKEN),
])
def test_real_looking(name: str, value: str) -> None:
    assert real_looking(name, value)


def test_the_json_report_names_variables_never_values(tmp_path: Path) -> None:
    _sec005(tmp_path, {".env.production": f"STRIPE_SECRET_KEY={_REAL}\n"})
    report = json.loads(render_json(audit(tmp_path)))
    [finding] = [f for f in report["findings"] if f["rule"] == "SEC005"]
    assert "STRIPE_SECRET_KEY" in finding["message"] and _REAL not in json.dumps(report)
