"""The one secret-name classifier (``model/secret_names.py``): real credential names, and the
settings about secrets (quantities, paths, switches, providers) that are not credentials.
Names are taken from the sprawl corpus where the three former classifiers disagreed."""

import pytest

from kubealign.load.deploy_commands import scan_literal
from kubealign.model.secret_names import is_secret_name, name_words


@pytest.mark.parametrize("name", [
    "POSTGRES_PASSWORD", "PGPASSWORD", "WEBPASSWORD", "MYSQL_ROOT_PASSWORD", "GITHUB_TOKEN",
    "ACCESS_TOKEN", "OPENAI_API_KEY", "APIKEY", "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
    "JWT_SECRET", "SECRET_KEY_BASE", "CLIENT_SECRET", "VAULT_SECRET_ID", "PASSPHRASE",
    "GOOGLE_APPLICATION_CREDENTIALS", "AWS_CREDENTIALS",
    # credential words that count only as the last word
    "SSH_KEY", "KEY", "LNBITS_ADMIN_KEY", "SUPABASE_SERVICE_ROLE_KEY", "ENCRYPTION_KEY",
    "MCP_MASTER_KEY", "FIGMA_FILE_KEY", "RABBITMQ_DEFAULT_PASS", "SMTP_PASS", "POSTGRES_PWD",
    "NEO4J_AUTH", "REDIS_AUTH", "SENTRY_DSN", "AI_MEMORY_V2_DB_DSN", "HASH_SALT",
    "ERLMCP_COOKIE", "JWT_SECRETS", "SLACK_WEBHOOK_URL",
    # lists of credentials
    "API_KEYS", "VALID_API_KEYS", "ACCESS_TOKENS",
    "AZURE_STORAGE_CONNECTION_STRING",
    # camelCase and lower case (script literals, Python keyword arguments)
    "apiKey", "accessToken", "dbPassword", "clientSecret", "password", "db_password",
    "OAuth2Token", "MINIO_SECRETKEY",
])
def test_credential_names_are_secret(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", [
    # quantities
    "MODEL_MAX_TOKENS", "LLM_MAX_TOKENS", "MAX_TOKENS", "TOTAL_TOKENS", "INPUT_TOKENS",
    "ACCESS_TOKEN_EXPIRE_MINUTES", "JWT_REFRESH_TOKEN_EXPIRE_DAYS", "GOTRUE_PASSWORD_MIN_LENGTH",
    "GOTRUE_REFRESH_TOKEN_EXPIRY", "API_KEY_MAX_PER_USER", "API_KEY_EXCHANGE_CACHE_TTL",
    "TOKEN_TTL", "TEST_PASS_RATE", "TCPS_QUALITY_GATE_PASS_RATE", "BCRYPT_SALT_ROUNDS",
    "ENCRYPTION_KEY_ROTATION_DAYS", "MAX_API_KEYS",
    # paths and files
    "FIRESTORE_CREDENTIALS_PATH", "POSTGRES_PASSWORD_FILE", "JWT_PRIVATE_KEY_PATH",
    "ERLMCP_SECRETS_DIR", "SSL_KEY_FILE", "GCP_CREDENTIALS_FILE",
    # switches
    "CORS_CREDENTIALS", "CORS_ALLOW_CREDENTIALS", "MCP_SKIP_AUTH", "ENABLE_AUTH",
    "API_KEY_ENABLED", "VALIDATE_SECRETS", "HAS_TIKTOKEN", "VITE_AUTH_REQUIRED",
    "FAILED_AUTH",
    # providers, places, kinds, names of secrets
    "SECRETS_PROVIDER", "AUTH_PROVIDER", "AUTH_SERVICE_URL", "TOKEN_URL", "AUTH_METHOD",
    "POSTGRES_HOST_AUTH_METHOD", "MONGO_AUTH_SOURCE", "AWS_SECRETS_REGION",
    "AWS_SECRETS_MANAGER_ENDPOINT", "API_KEY_STORAGE", "API_KEY_HASH_ALGORITHM",
    "API_KEY_PREFIX", "API_KEY_HEADER", "SECRET_NAME", "VITE_FIREBASE_AUTH_DOMAIN",
    "GF_AUTH_PROXY_HEADER_NAME", "GF_AUTH_DISABLE_LOGIN_FORM", "KEYCLOAK_URL",
    # keys that are public or no credentials, and words that only contain a credential word
    "VAPID_PUBLIC_KEY", "VITE_STRIPE_PUBLISHABLE_KEY", "RECAPTCHA_SITE_KEY", "REDIS_KEY_PREFIX",
    "GPG_KEY_ID", "BADGER_DIRECTORY_KEY", "TOKENIZER_MODEL", "RELEVANCE_KEYWORDS",
    "FF_ENABLE_KEYCLOAK", "BYPASS",
    "POSTGRES_USER", "PWD", "OLDPWD", "PORT", "key", "Key", "INSECURE_COOKIE",
])
def test_settings_about_secrets_are_not_secret(name: str) -> None:
    assert not is_secret_name(name)


def test_words() -> None:
    assert name_words("dbPassword") == ("DB", "PASSWORD")
    assert name_words("X-API-Key") == ("X", "API", "KEY")
    assert name_words("AI_MEMORY_V2_DB_DSN") == ("AI", "MEMORY", "V", "2", "DB", "DSN")


@pytest.mark.parametrize(("literal", "found"), [
    ("--from-literal=ERLANG_COOKIE=Zq8rT2mXv4Lp", 1),
    ('sed -i "s|LNBITS_ADMIN_KEY=.*|LNBITS_ADMIN_KEY=$NEW|" .env', 0),  # a pattern, no key
    ("https://hooks.example.org/$path webhook_url=https://hooks.example.org/$path", 0),
    ("aws s3api put-object-tagging --tagging TagSet=[{Key=env,Value=prod}]", 0),
    ("MODEL_MAX_TOKENS=4096 ACCESS_TOKEN_EXPIRE_MINUTES=30", 0),
])
def test_literals_use_the_classifier(literal: str, found: int) -> None:
    """Script literals (``NAME=value`` inside any command word) ask the same classifier and
    skip what is no value: patterns, expansions continued, tag keys, quantities."""
    assert len(scan_literal(literal, 1).tokens) == found
