"""What a literal scan takes for a secret: real credentials, and none of the shapes of names,
code, public keys and patterns that real repositories' deploy scripts are full of."""

from __future__ import annotations

from kubealign.load.deploy_commands import scan_assignment, scan_literal

#: Made-up credentials with the shape of real ones (never from a repository).
RANDOM = "Qx7vLp2ZkR9mTb4NwY8sHd3Jf6Gc1Ua5"
PASSWORD = "correct-horse-battery"


def kinds(text: str) -> list[str]:
    return [token.kind for token in scan_literal(text, 1).tokens]


def test_random_tokens_are_found() -> None:
    assert kinds(f"curl -H 'X-Key: {RANDOM}' https://api.example.io") == ["high-entropy-string"]
    assert kinds(f"mongosh -u app -p {RANDOM} --eval ping") == ["high-entropy-string"]


def test_names_made_of_words_are_no_tokens() -> None:
    for name in (
        "MS5FloorDashboard-Staging",
        "/subscriptions/$SUB/resourceGroups/$RG/providers/Microsoft.OperationalInsights/workspaces",
        "origin/claude/mcp-spec-implementation-check-UO5m6",
        "R-erlmcp-build-1234567890-abc123",
        "erlmcp_integration_100k_SUITE",
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "9.3.2-Network-Policy-Testing",
    ):
        assert kinds(name) == [], name


def test_a_variable_name_after_dollar_is_no_token() -> None:
    # ${{ secrets.GCP_WORKLOAD_IDENTITY_PROVIDER2 }} once a workflow's expressions are named.
    assert kinds("--provider=$secrets_GCP_WORKLOAD_IDENTITY_PROVIDER2x") == []
    assert kinds("${Deploy2Stage_ARTIFACT_REGISTRY_Location}") == []


def test_a_public_key_block_is_published_not_committed() -> None:
    body = "\n".join([RANDOM * 2, RANDOM[::-1] * 2])
    public = f"-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n"
    assert kinds(public) == []
    certificate = f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----"
    assert kinds(certificate) == []
    private = f"-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----"
    assert kinds(private) != []


def test_regular_expressions_and_templates_are_no_url_passwords() -> None:
    assert kinds("sed -E 's|rediss?://([^:]+:[^@]+@)?([^:]+).*|\\2|'") == []
    assert kinds("sed -E 's|rediss?://[^:]*:([^@]+)@.*|\\1|'") == []
    assert kinds("postgres://{user}:{password}@db/app") == []
    assert kinds(f"postgres://app:{PASSWORD}@db/app") == ["url-password"]


def test_a_configmap_switch_from_literal_is_no_secret() -> None:
    assert kinds("--from-literal=rollback_in_progress=true") == []
    assert kinds(f"--from-literal=db-password={PASSWORD}") == ["secret-literal"]


def test_code_urls_and_capitalised_names_are_no_assigned_secrets() -> None:
    for text in (
        "password=os.getenv('DB_PASSWORD', 'pass')",
        "password=os.environ['POSTGRES_PASSWORD']",
        "client = SecretClient(vault_url=url, credential=credential)",
        "--secret=SECRET_NAME",
        "token=settings.api.token",
    ):
        assert kinds(text) == [], text
    assert [t.kind for t in scan_assignment("Token_URL", "https://api.example.de/token/health",
                                            1).tokens] == []
    assert [t.kind for t in scan_assignment("API_TOKEN", PASSWORD, 1).tokens] == [
        "secret-assignment"
    ]
    assert kinds(f"DB_PASSWORD={PASSWORD} ./run") == ["secret-assignment"]
