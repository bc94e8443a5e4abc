"""Which environment values are secrets.

By name (``*_PASSWORD``, ``*_TOKEN``, ``*_API_KEY``, ``*_SECRET``, DSNs: the one name
classifier, ``model/secret_names.py``) and by content
(credentials inside URLs, known token formats, long high-entropy strings). A false positive
costs one secret reference; a false negative leaks a credential into Git, so the rules lean
towards calling things secret.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from kubealign.model.secret_names import is_common_value, is_secret_name

_URL_CREDENTIALS = re.compile(r"^[a-z][a-z0-9+.-]*://[^/\s:@]+:([^@\s/]+)@", re.IGNORECASE)
_KNOWN_TOKENS = (
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{20,}"),  # GitHub
    re.compile(r"\bgithub_pat_[A-Za-z0-9_]{20,}"),
    re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{16,}"),  # OpenAI / Anthropic style
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),  # Slack
    re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"),  # GitLab
    re.compile(r"\bpul-[a-f0-9]{40}\b"),  # Pulumi access token
    re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),  # Google API key
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),  # JWT
)
_TOKEN_CHARS = re.compile(r"^[A-Za-z0-9+/=_.-]+$")
_PLACEHOLDER = re.compile(r"^(changeme|change-me|password|secret|example|xxx+|\*+|<.*>|\$\{.*\})$",
                          re.IGNORECASE)


def shannon_entropy(text: str) -> float:
    if not text:
        return 0.0
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def known_token(value: str) -> bool:
    return any(p.search(value) for p in _KNOWN_TOKENS)


def url_credentials(value: str) -> bool:
    """``postgres://user:pass@db/app`` carries a password (``user:@`` or ``${..}`` do not)."""
    match = _URL_CREDENTIALS.match(value.strip())
    return match is not None and not match.group(1).startswith("${")


def high_entropy(value: str) -> bool:
    """A long random-looking token: no spaces, >= 20 chars, mixed classes, entropy >= 4.0."""
    text = value.strip()
    if len(text) < 20 or not _TOKEN_CHARS.match(text) or "://" in text or text.count(".") > 2:
        return False  # lists, URLs and host names are not tokens
    classes = sum(bool(re.search(p, text)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    return classes >= 2 and shannon_entropy(text) >= 4.0


def is_secret_value(name: str, value: str | None) -> bool:
    """Whether ``name=value`` must be kept out of generated files."""
    if value is None or value == "":
        return False
    if url_credentials(value) or known_token(value):
        return True
    if is_secret_name(name):
        # A digit-only password ('83749201') is a password; one to three digits (``AUTH=1``)
        # are a setting (quantity names such as ``*_PORT`` or ``*_MAX`` are no secret names).
        if value.isdigit():
            return len(value) >= 4
        return not (value.lower() in ("true", "false") or value.startswith("/run/secrets/"))
    return high_entropy(value)


def mask(value: str) -> str:
    """A preview that identifies nothing: the first 4 characters at most and the length."""
    head = value[:4] if len(value) >= 12 else ""
    return f"{head}… ({len(value)} chars)"


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.match(value.strip()))


MIN_SECRET_LENGTH = 8
_WORD = re.compile(r"[A-Za-z]+(?:[-_.][A-Za-z]+)?")


def distinctive(value: str) -> bool:
    """Whether ``value`` may be recognised as a secret by its value alone (anywhere): at
    least :data:`MIN_SECRET_LENGTH` characters, not a dictionary-like word, not a well-known
    default (``changeme``, ``password123``). Others are secrets only under their key."""
    text = value.strip()
    if len(text) < MIN_SECRET_LENGTH or is_placeholder(text):
        return False
    if "\n" in text:
        return True  # a key or certificate file
    return not (is_common_value(text) or (len(text) <= 16 and _WORD.fullmatch(text)))


def known_tokens(text: str) -> list[str]:
    """Every known token format (GitHub, OpenAI, AWS, JWT...) written in ``text``."""
    return [m.group(0) for p in _KNOWN_TOKENS for m in p.finditer(text)
            if "PRIVATE KEY" not in m.group(0)]
