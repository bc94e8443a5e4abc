"""Whether a variable name names a secret: the one answer every stage uses.

The loaders (script literals, compose serialisation), the audit rules and the conversion all
ask it, so it lives at the bottom of the pipeline. A name is read as words (``_``, ``-``,
``.`` and camelCase humps separate them: ``DB_PASSWORD``, ``dbPassword``, ``PGPASSWORD``
ends with one) and is a secret when a credential word is in it and nothing after that word
makes the name a setting *about* the secret: a quantity (``MODEL_MAX_TOKENS``,
``ACCESS_TOKEN_EXPIRE_MINUTES``), a path (``FIRESTORE_CREDENTIALS_PATH``), a flag
(``CORS_CREDENTIALS``, ``MCP_SKIP_AUTH``) or a provider or place (``SECRETS_PROVIDER``,
``AUTH_SERVICE_URL``). A false positive costs one secret reference; a false negative leaks a
credential, so an ambiguous credential name (``FIGMA_FILE_KEY``, ``REDIS_AUTH``) is a secret.

Values are judged elsewhere (``transform/secret_detect.py`` by name and content, the audit
rules by what a literal looks like); the common default values they share are here.
"""

from __future__ import annotations

import re

#: Words that make a name a secret wherever they stand, also as the end of a longer word
#: (``PGPASSWORD``, ``JWTSECRET``, ``ACCESSTOKEN``).
_STRONG = ("PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "ACCESSKEY",
           "SECRETKEY", "PRIVATEKEY", "CREDENTIAL", "CREDENTIALS")
#: Two words that name a credential together, wherever they stand (``AWS_ACCESS_KEY_ID``).
_PAIRS = frozenset({
    ("API", "KEY"), ("ACCESS", "KEY"), ("PRIVATE", "KEY"), ("SIGNING", "KEY"),
    ("ENCRYPTION", "KEY"), ("MASTER", "KEY"), ("API", "KEYS"), ("ACCESS", "KEYS"),
    ("PRIVATE", "KEYS"), ("SIGNING", "KEYS"), ("ENCRYPTION", "KEYS"), ("API", "TOKENS"),
    ("ACCESS", "TOKENS"), ("AUTH", "TOKENS"), ("BEARER", "TOKENS"), ("WEBHOOK", "URL"),
    ("CONNECTION", "STRING"),
})
#: Words that name a credential only as the last word: ``NEO4J_AUTH``, ``SSH_KEY``,
#: ``SMTP_PASS``, ``SENTRY_DSN``, ``ERLANG_COOKIE``, ``JWT_SECRETS`` are secrets;
#: ``AUTH_METHOD``, ``KEY_PREFIX``, ``TEST_PASS_RATE``, ``SECRETS_DIR`` are not.
_LAST_ONLY = frozenset({"KEY", "PASS", "PWD", "AUTH", "DSN", "SALT", "COOKIE", "SECRETS",
                        "PASSWORDS"})
#: A word after the credential word that makes the name a setting about it.
_ABOUT = frozenset({
    # where it is
    "FILE", "PATH", "DIR", "DIRECTORY", "FOLDER", "MOUNT", "LOCATION", "URL", "URI", "HOST",
    "DOMAIN", "ENDPOINT", "REGION", "ARN", "REF", "NAME", "PREFIX",
    # how it is made, kept or checked
    "PROVIDER", "BACKEND", "STORAGE", "STORE", "MANAGER", "TYPE", "METHOD", "MODE",
    "STRATEGY", "ALGORITHM", "ALG", "FORMAT", "ENCODING", "HEADER", "ISSUER", "AUDIENCE",
    "SCOPE", "SCOPES", "POLICY", "ROTATION", "USER", "USERNAME",
    # quantities and durations
    "LENGTH", "LEN", "SIZE", "COUNT", "LIMIT", "MAX", "MIN", "RATE", "THRESHOLD", "TTL",
    "TIMEOUT", "AGE", "LIFETIME", "EXPIRY", "EXPIRE", "EXPIRES", "EXPIRATION", "SECONDS",
    "MINUTES", "HOURS", "DAYS", "MS", "INTERVAL", "RETRIES", "ROUNDS", "WORKERS", "VERSION",
    "PORT",
    # switches
    "ENABLED", "ENABLE", "DISABLED", "DISABLE", "REQUIRED",
})
#: A word before the credential word that makes the name a switch or a quantity about it:
#: ``MCP_SKIP_AUTH``, ``CORS_CREDENTIALS``, ``HAS_TIKTOKEN``, ``MAX_API_KEYS``.
_SWITCHES = frozenset({
    "ENABLE", "ENABLED", "DISABLE", "DISABLED", "SKIP", "USE", "REQUIRE", "REQUIRED", "ALLOW",
    "HAS", "IS", "NO", "VALIDATE", "FAILED", "SUCCESSFUL", "TIMEOUT", "CORS", "MAX", "MIN",
    "NUM", "TOTAL", "COUNT", "SECURE", "INSECURE",
})
#: Keys that are public or are not credentials at all: ``VAPID_PUBLIC_KEY``,
#: ``STRIPE_PUBLISHABLE_KEY``, ``RECAPTCHA_SITE_KEY``, ``CACHE_KEY``, ``BADGER_DIRECTORY_KEY``
#: (Jaeger's folder of key files), Argo CD's ``instanceLabelKey`` (a label's name).
_NOT_CREDENTIAL_KEYS = frozenset({"PUBLIC", "PUBLISHABLE", "SITE", "PRIMARY", "PARTITION",
                                  "SORT", "CACHE", "FOREIGN", "IDEMPOTENCY", "DIRECTORY",
                                  "DIR", "LABEL", "ANNOTATION"})
#: Whole names that are not secrets though a credential word ends them (the shell's
#: working directory).
_NOT_SECRETS = frozenset({"PWD", "OLDPWD"})
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def name_words(name: str) -> tuple[str, ...]:
    """The words of a name, upper case: ``dbPassword`` -> ``('DB', 'PASSWORD')``."""
    return tuple(word.upper() for word in _WORD.findall(name))


def _credential_end(words: tuple[str, ...]) -> int | None:
    """Index of the last word that completes a credential name, or None."""
    last = len(words) - 1
    for index in range(last, -1, -1):
        word = words[index]
        if any(word.endswith(strong) for strong in _STRONG):
            return index
        if index and (words[index - 1], word) in _PAIRS:
            return index
        if index == last and word in _LAST_ONLY and not (
            word == "KEY" and index and words[index - 1] in _NOT_CREDENTIAL_KEYS
        ):
            return index
    return None


def is_secret_name(name: str) -> bool:
    """Whether a variable, argument or key called ``name`` holds a secret."""
    if name.upper() in _NOT_SECRETS:
        return False
    words = name_words(name)
    if words == ("KEY",) and name != "KEY":
        return False  # KEY=… is a variable; ``key``, ``Key=Name,Value=…`` a map's or tag's key
    end = _credential_end(words)
    if end is None:
        return False
    return not (_ABOUT.intersection(words[end + 1:]) or _SWITCHES.intersection(words[:end]))


# Defaults and configuration words people use as passwords: a secret under a secret name,
# never recognisable by value elsewhere, and no leaked credential (anyone can guess them).
COMMON_VALUES = frozenset({
    "admin", "administrator", "changeit", "changeme", "default", "disabled", "elastic",
    "enabled", "example", "grafana", "guest", "kibana", "letmein", "localhost", "minio",
    "minioadmin", "mongo", "mongodb", "mysql", "nopassword", "password", "passw0rd",
    "postgres", "postgresql", "production", "qwerty", "rabbitmq", "redis", "root", "secret",
    "staging", "superuser", "test", "testing", "development", "keycloak", "true", "false",
    "none", "null", "user", "username", "pass", "passwd", "token", "apikey", "api_key",
})
_COMMON_WITH_DIGITS = re.compile(r"([a-z]+)[-_]?\d{1,4}")


#: ``PASSWORD``, ``YOUR_API_KEY``, ``SECRET_NAME`` in capitals: a name for the reader to fill
#: in (``rediss://default:PASSWORD@host``, ``--secret=SECRET_NAME``), never a value.
_PLACEHOLDER_NAME = re.compile(r"[A-Z]+(_[A-Z]+)*")


def is_placeholder_name(value: str) -> bool:
    """A value written as a name in capitals, letters and underscores only."""
    return bool(_PLACEHOLDER_NAME.fullmatch(value))


def is_common_value(value: str) -> bool:
    """A well-known default (``postgres``, ``admin``), also with a few digits
    (``password123``, ``admin1``)."""
    lower = value.strip().lower()
    common = _COMMON_WITH_DIGITS.fullmatch(lower)
    return lower in COMMON_VALUES or bool(common and common.group(1) in COMMON_VALUES)
