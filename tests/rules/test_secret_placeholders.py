"""A critical credential is one someone could log in with: placeholders (your_…, dummy_…,
a documentation path) are no finding, examples are low, a default asking to be changed is
medium. Sophia's corpus acceptance is beside it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kubealign.actions.audit import audit, render_text
from kubealign.model.findings import Severity
from kubealign.rules.literal_kind import LiteralKind, classify


def _repo(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


_REAL = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"

SECRETS = {
    "scripts/setup.sh": "#!/bin/bash\nset -euo pipefail\n"
    "export OPENAI_API_KEY=your_openai_key_here\n"
    "export LINEAR_API_KEY=dummy_linear_key_for_local\n"
    'echo "Documentation: docs/05-integrations/ESTUARY_FLOW_SETUP_GUIDE_ABCDEF.md"\n'
    f"export GITHUB_TOKEN={_REAL}\n",
    "docs/examples/run.sh": f"#!/bin/bash\nexport GITHUB_TOKEN={_REAL}\n",
    "docker-compose.yml": "services:\n  db:\n    image: postgres:16\n    environment:\n"
    "      POSTGRES_PASSWORD: ChangeThisPassword123\n",
}


def test_placeholders_are_never_critical(tmp_path: Path) -> None:
    report = audit(_repo(tmp_path, SECRETS))
    sec = [f for f in report.findings if f.rule == "SEC001"]
    critical = [f for f in sec if f.severity is Severity.CRITICAL]
    assert [(f.path, f.line) for f in critical] == [("scripts/setup.sh", 6)]
    # The same token in the docs example is a place of the same credential, reported low.
    by_place = {(o.path, o.line): o for f in sec for o in f.places()}
    assert ("scripts/setup.sh", 3) not in by_place and ("scripts/setup.sh", 4) not in by_place
    assert ("scripts/setup.sh", 5) not in by_place
    assert by_place[("docs/examples/run.sh", 2)].severity is Severity.LOW
    assert by_place[("docker-compose.yml", 5)].severity is Severity.MEDIUM
    assert _REAL not in render_text(report)


@pytest.mark.parametrize(("value", "kind"), [
    ("your_token", LiteralKind.PLACEHOLDER),
    ("<api-key>", LiteralKind.PLACEHOLDER),
    ("xxxxxxxxxxxx", LiteralKind.PLACEHOLDER),
    ("docs/guide/SETUP.md", LiteralKind.PLACEHOLDER),
    ("changeme-now", LiteralKind.WEAK_DEFAULT),
    ("sophia_prod_pw_2024", LiteralKind.CREDENTIAL),
    ("mysecretpw", LiteralKind.CREDENTIAL),
    ("PASSWORD", LiteralKind.PLACEHOLDER),
    ("YOUR_API_KEY", LiteralKind.PLACEHOLDER),
    ("pass", LiteralKind.WEAK_DEFAULT),
    ("Password", LiteralKind.WEAK_DEFAULT),
    # Well-known defaults, also with a few digits: guessable by anyone, not leaked.
    ("postgres", LiteralKind.WEAK_DEFAULT),
    ("admin123", LiteralKind.WEAK_DEFAULT),
    ("Pass2024", LiteralKind.WEAK_DEFAULT),
    ("token", LiteralKind.WEAK_DEFAULT),
    ("Pass2024-x7Qz", LiteralKind.CREDENTIAL),
    ("sk-ant-REPLACE_WITH_ACTUAL_KEY", LiteralKind.PLACEHOLDER),
    ("postgres-Hq81vZ", LiteralKind.CREDENTIAL),
])
def test_literal_kinds(value: str, kind: LiteralKind) -> None:
    assert classify(value) is kind


def test_a_well_known_default_is_medium_in_scripts_as_in_compose(tmp_path: Path) -> None:
    """``PGPASSWORD=postgres`` in a script was critical while ``POSTGRES_PASSWORD: postgres``
    in the compose file beside it was medium: one list of defaults decides for both."""
    report = audit(_repo(tmp_path, {
        "scripts/db.sh": "#!/bin/bash\nexport PGPASSWORD=postgres\npsql -h db -U app\n",
        "scripts/grafana.sh": "#!/bin/bash\nGF_SECURITY_ADMIN_PASSWORD=admin123 ./run\n",
        "docker-compose.yml": "services:\n  db:\n    image: postgres:16\n    environment:\n"
        "      POSTGRES_PASSWORD: postgres\n",
    }))
    places = {(o.path, o.line): o.severity for f in report.findings if f.rule == "SEC001"
              for o in f.places()}
    assert places == {("scripts/db.sh", 2): Severity.MEDIUM,
                      ("scripts/grafana.sh", 2): Severity.MEDIUM,
                      ("docker-compose.yml", 5): Severity.MEDIUM}


#: Masked previews (four characters) of the placeholders Sophia writes in its scripts.
_PLACEHOLDER_PREVIEWS = {"your", "dumm", "docs"}


@pytest.mark.corpus
def test_no_critical_finding_on_sophia_is_a_placeholder(
    sprawl_repository: Callable[[str], Path]
) -> None:
    root = sprawl_repository("ai-cherry+sophia-strategic-development")
    report = audit(root)
    critical = [f for f in report.findings if f.severity is Severity.CRITICAL]
    assert critical
    previews = {f.message.split("(", 1)[1].split("…", 1)[0].lower()
                for f in critical if f.rule == "SEC001"}
    assert previews and not previews & _PLACEHOLDER_PREVIEWS, previews


#: Places in the real repositories that look like credentials to a shape test and are none,
#: each with what it is. None of them may be a critical finding again.
_NOT_CREDENTIALS = {
    "Dashboard4-0+MS5_App": [
        ("frontend/deploy.sh", 241, "an Xcode scheme name"),
        ("scripts/phase1/02-acr-setup.sh", 250, "an Azure resource path"),
        ("scripts/phase1/03-keyvault-setup.sh", 272, "credential=credential in Python"),
        ("scripts/phase1/05-aks-cluster-setup.sh", 283, "an Azure resource path"),
        ("scripts/phase10a/02-production-deployment-execution.sh", 125, "os.getenv(...)"),
        ("scripts/phase10b/01-post-deployment-validation.sh", 119, "os.environ[...]"),
        ("scripts/phase9-master-deployment.sh", 371, "a script's title"),
    ],
    "Feustey+MCP": [
        ("fix_api_urgent.py", 66, "a health URL"),
        ("scripts/prepare_deployment.sh", 152, "a file name"),
        ("scripts/setup_upstash_redis.sh", 79, "a sed expression"),
        ("scripts/setup_upstash_redis.sh", 80, "a sed expression"),
        ("scripts/activate_upstash_and_https.sh", 105, "rediss://default:PASSWORD@ in an echo"),
    ],
    "bmsull560+ValueCanvas": [
        ("supabase/docker-compose.supabase.yml", 88, "a password policy switch"),
    ],
    "seanchatmangpt+erlmcp": [
        ("MERGE_COMMANDS.sh", 54, "a git branch"),
        ("marketplace/gcp/scripts/setup-pipeline-secrets.sh", 206, "--secret=SECRET_NAME"),
        ("scripts/hex-mirror-alternatives.sh", 158, "Hex.pm's public key"),
        ("scripts/receipts/generate.sh", 1015, "a receipt id"),
        ("scripts/rollback/automated-rollback.sh", 84, "a ConfigMap switch"),
        ("scripts/setup_sparc_project.sh", 478, "an XML namespace"),
        ("scripts/validate_makefile_100k.sh", 113, "a test suite's file name"),
    ],
    "vishnu2kmohan+mcp-server-langgraph": [
        (".github/workflows/ci.yaml", 854, "a workflow expression"),
        (".github/workflows/ci.yaml", 1108, "a workflow expression"),
        (".github/workflows/gcp-compliance-scan.yaml", 161, "a workflow expression"),
        ("scripts/gcp/setup-preview-infrastructure.sh", 497,
         "an API key's format with REPLACE_WITH_ACTUAL_KEY in it"),
        ("docker-compose.dev.yml", 116, "postgres, a well-known default (medium)"),
    ],
}


@pytest.mark.corpus
@pytest.mark.parametrize("repository", sorted(_NOT_CREDENTIALS))
def test_names_code_and_public_keys_of_real_repositories_are_no_credentials(
    sprawl_repository: Callable[[str], Path], repository: str
) -> None:
    root = sprawl_repository(repository)
    report = audit(root)
    critical = {
        (place.path, place.line)
        for finding in report.findings if finding.rule == "SEC001"
        for place in finding.places() if place.severity is Severity.CRITICAL
    }
    wrong = [(path, line, what) for path, line, what in _NOT_CREDENTIALS[repository]
             if (path, line) in critical]
    assert not wrong
    # The shapes that are no credential did not take the real ones with them.
    kept = _STILL_CREDENTIALS[repository]
    assert kept in critical, kept


#: One committed credential per repository above that stays critical.
_STILL_CREDENTIALS = {
    "Dashboard4-0+MS5_App": ("backend/docker-compose.yml", 13),
    "Feustey+MCP": ("fix_deployment.sh", 48),
    "bmsull560+ValueCanvas": ("blueprint/infra/docker-compose.yml", 8),
    "seanchatmangpt+erlmcp": ("attic/legacy_untrusted/swarm/docker/docker-compose.swarm.yml", 35),
    "vishnu2kmohan+mcp-server-langgraph": ("scripts/test-integration.sh", 253),
}
