import pytest

from kubealign.model.secret_names import is_secret_name
from kubealign.transform.secret_detect import is_secret_value, mask


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("POSTGRES_PASSWORD", "hunter2"),
        ("OPENAI_API_KEY", "whatever"),
        ("DATABASE_URL", "postgresql://sophia:s3cr3t@postgres:5432/sophia"),
        ("SOME_SETTING", "ghp_FAKEabcdefghijklmnopqrstuvwxyz0123"),
        ("SENTRY", "Zx8Qp2LmN4vB7cK1tR9sW3yH6jD5fG0a"),
        ("JWT_SECRET", "abc"),
    ],
)
def test_secrets_are_recognised(name: str, value: str) -> None:
    assert is_secret_value(name, value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("POSTGRES_PASSWORD_FILE", "/run/secrets/postgres_password"),
        ("LOG_LEVEL", "info"),
        ("REDIS_URL", "redis://redis:6379/0"),
        ("DATABASE_URL", "postgresql://sophia:@postgres/sophia"),
        ("TOKEN_TTL", "3600"),
        ("PUBLIC_PATH", "/usr/share/nginx/html/static/assets"),
        ("POSTGRES_USER", "sophia"),
        ("MCP_REGISTRY", "github=http://mcp-github:9001,slack=http://mcp-slack:9002"),
        ("EMBEDDING_MODEL", "BAAI/bge-large-en-v1.5"),
    ],
)
def test_ordinary_settings_are_not_secrets(name: str, value: str) -> None:
    assert not is_secret_value(name, value)


def test_names() -> None:
    assert is_secret_name("GITHUB_TOKEN") and not is_secret_name("TOKENIZER_MODEL")


def test_mask_never_shows_the_value() -> None:
    value = "sk-FAKE0123456789abcdefghij"
    assert value not in mask(value) and mask(value).startswith("sk-F")
    assert mask("short") == "… (5 chars)"
