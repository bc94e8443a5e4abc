"""SEC005 on the nine real repositories: exactly the env files that commit real-looking
credentials, each with the variables that do, by what the file is.

Each row was checked by reading the file's values (classified, never printed): Feustey's
three ``.env.backup*`` copies hold live-looking API keys, passwords and a MongoDB URL with its
password; erlmcp's ``.env.staging`` (read by its deploy scripts) a Grafana password; Sophia's
``.env.example`` one 32-character client secret among placeholders, and DeepStacker's
frontend example a Google API key. Every other env file holds empty values, ``${VAR}``
references, placeholders (``your_…_here``, ``user:pass@localhost``, ``sk_test_...``, an
all-zero GUID) or well-known defaults (``postgres``, ``admin``, Supabase's published
``supabase-demo`` key in ValueCanvas' ``.env.local.bak``): no finding, where the rule used to
report 43 env files for naming a secret.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kubealign.actions.inventory import build_inventory
from kubealign.model.findings import Finding
from kubealign.rules.context import AuditContext
from kubealign.rules.secret_rules import EnvFileWithSecrets

EXPECTED: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "Dashboard4-0+MS5_App": {},
    "DeepStacker+fastapi-hft-engine": {
        "services/ocd-frontend/.env.production.example":
            ("low", ("VITE_FIREBASE_API_KEY", "VITE_ENCRYPTION_KEY")),
    },
    "Feustey+MCP": {
        ".env.backup.20251013_174003": ("high", (
            "JWT_SECRET", "JWT_SECRET_KEY", "SECRET_KEY", "SECURITY_SECRET_KEY", "MONGO_URL",
            "REDIS_TOKEN", "LNBITS_API_KEY", "LNBITS_ADMIN_KEY", "ANTHROPIC_API_KEY",
            "OPENAI_API_KEY", "SPARKSEER_API_KEY", "TELEGRAM_BOT_TOKEN")),
        ".env.backup.20251023_091402": ("high", (
            "MONGO_URL", "MONGODB_PASSWORD", "REDIS_PASSWORD", "SECRET_KEY",
            "SECURITY_SECRET_KEY", "ENCRYPTION_KEY")),
        ".env.backup.old": ("high", (
            "MONGODB_PASSWORD", "REDIS_PASSWORD", "SECRET_KEY", "ENCRYPTION_KEY")),
    },
    "Minerva-System+minerva-system": {},
    "ai-cherry+sophia-strategic-development": {
        ".env.example": ("low", ("AIRBYTE_CLIENT_SECRET",)),
    },
    "bmsull560+ValueCanvas": {},
    "seanchatmangpt+erlmcp": {".env.staging": ("high", ("GRAFANA_PASSWORD",))},
    "teoat+Nexus": {},
    "vishnu2kmohan+mcp-server-langgraph": {},
}


def _findings(root: Path) -> list[Finding]:
    ctx = AuditContext(root=root, inventory=build_inventory(root, display_root=root.name))
    return list(EnvFileWithSecrets().check(ctx))


@pytest.mark.parametrize("repository", sorted(EXPECTED))
def test_sec005_reports_the_real_ones_only(
    sprawl_repository: Callable[[str], Path], repository: str
) -> None:
    root = sprawl_repository(repository)
    found = {f.path: (f.severity.name.lower(), tuple(f.message.rsplit(": ", 1)[1].split(", ")))
             for f in _findings(root)}
    assert found == EXPECTED[repository]


def test_sophia_mcp_server_templates_are_no_finding(
    sprawl_repository: Callable[[str], Path]
) -> None:
    """The 11 ``infrastructure/mcp_servers/*/.env.example`` document one API key each with a
    placeholder and a ``user:pass@localhost`` DSN: the right practice, not debt."""
    root = sprawl_repository("ai-cherry+sophia-strategic-development")
    templates = sorted(p.relative_to(root).as_posix()
                       for p in (root / "infrastructure" / "mcp_servers").glob("*/.env.example"))
    assert len(templates) == 11
    assert not {f.path for f in _findings(root)} & set(templates)
