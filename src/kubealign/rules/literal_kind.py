"""Whether a secret-looking literal is a committed credential, a placeholder, or an example.

A lead reads critical findings first, so a critical ``SEC001`` must be a value someone could
log in with. ``your_token_here``, ``dummy_key_for_local``, ``<api-key>`` and a documentation
path that happens to look random are text for a human to replace, not credentials: they are
no finding at all; so are ``sk_test_...`` (elided), ``sk-dummy-key`` (says it is none),
``0000-0000`` (one character repeated) and the JWTs a vendor publishes for local development
(Supabase's ``supabase-demo`` keys), and a name in capitals (``PASSWORD``, ``YOUR_API_KEY``).
A value that asks to be changed (``ChangeThisPassword123``) or is the word for the thing
(``user:pass@``) is a weak default, worth fixing but not a leak. Anything under
docs/, examples/ or tests/ is example material and is reported low.

The value is only classified here, never kept or shown: findings carry the masked preview,
and :func:`fingerprint` names a value (so its copies are one credential to rotate) without
revealing it.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import json
import re
from pathlib import PurePosixPath

from kubealign.model.artifacts import TokenFinding
from kubealign.model.secret_names import is_common_value, is_placeholder_name


class LiteralKind(enum.Enum):
    CREDENTIAL = "credential"
    #: Text a human replaces (your_…, dummy_…, <…>, a file path): not a finding.
    PLACEHOLDER = "placeholder"
    #: A default that asks to be changed (changeme, ChangeThisPassword): medium.
    WEAK_DEFAULT = "weak-default"


_PLACEHOLDER_START = re.compile(
    r"^((your|my|dummy|fake|example|sample|placeholder|replace|insert|enter|put|add|todo|tbd"
    r"|none|null|undefined|test|demo|mock)([_\-.\s]|$)|xxx|\*{3}|<|\[|\{\{|\.\.\.)",
    re.IGNORECASE,
)
#: ``sk_test_...``: an example with its end elided is text for a human, not a value;
#: ``sk-dummy-key-not-needed``, ``sk-ant-REPLACE_WITH_ACTUAL_KEY``: a token-shaped value that
#: says it is none.
_PLACEHOLDER_ANYWHERE = re.compile(r"(_here$|-here$|your[_-]|replace[_-]?(me|with)|placeholder"
                                   r"|\.\.\.$|…$|(^|[-_.])(dummy|fake)([-_.]|$))",
                                   re.IGNORECASE)
#: JWTs published for everyone (Supabase's local development keys, issuer ``supabase-demo``):
#: the same in every checkout, no credential. The payload is base64url of JSON.
_PUBLIC_JWT = re.compile(r"^eyJ[\w-]+\.(?P<payload>eyJ[\w-]+)\.[\w-]+$")
_PUBLIC_ISSUERS = frozenset({"supabase-demo"})
_SEPARATORS = re.compile(r"[-_.:/\s]")
_WEAK_WORDS = re.compile(r"change|default|example|secret123|password123", re.IGNORECASE)
#: A path to a file (docs/x/GUIDE.md, ~/.ssh/deploy_key): random-looking to the entropy check,
#: never a secret (``SSH_KEY=~/.ssh/id_ed25519``, ``SSH_KEY="lambda.pem"`` name where the key
#: is).
_FILE_PATH = re.compile(r"^[\w.\-]+(/[\w.\-]+)+\.[A-Za-z]{1,5}$|^(~|\.{0,2})/[\w.\-/]+$"
                        r"|^[\w.\-]+\.(pem|key|crt|cer|pub|p12|pfx|jks|json)$")

#: Folders whose files are examples or tests: a literal there is example material.
_EXAMPLE_FOLDERS = frozenset({
    "docs", "doc", "documentation", "examples", "example", "samples", "sample", "tests",
    "test", "fixtures", "templates",
})
_EXAMPLE_NAME = re.compile(r"(^|[._\-])(example|sample|template|dist)([._\-]|$)", re.IGNORECASE)

_STOP = " \t'\"`;,)(}{"


def classify(value: str) -> LiteralKind:
    text = value.strip().strip("'\"")
    if not text or _PLACEHOLDER_START.match(text) or _PLACEHOLDER_ANYWHERE.search(text):
        return LiteralKind.PLACEHOLDER
    if _FILE_PATH.match(text) or len(set(_SEPARATORS.sub("", text.lower()))) <= 1:
        return LiteralKind.PLACEHOLDER  # a path, or one character repeated (0000-0000, ****)
    if _public_jwt(text) or is_placeholder_name(text):
        return LiteralKind.PLACEHOLDER
    # A well-known default (``PGPASSWORD=postgres``, ``user:pass@``, ``admin123``) is guessable
    # by anyone: weak, to be changed, but no leaked credential to rotate. The same list the
    # compose environment and the secret scrubber read (model/secret_names.COMMON_VALUES).
    if _WEAK_WORDS.search(text) or is_common_value(text):
        return LiteralKind.WEAK_DEFAULT
    return LiteralKind.CREDENTIAL


def _public_jwt(text: str) -> bool:
    match = _PUBLIC_JWT.match(text)
    if match is None:
        return False
    payload = match.group("payload")
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(claims, dict) and claims.get("iss") in _PUBLIC_ISSUERS


def is_example_path(path: str) -> bool:
    """The file is documentation, an example or a test fixture, by folder or by name."""
    pure = PurePosixPath(path)
    if {part.lower() for part in pure.parts[:-1]} & _EXAMPLE_FOLDERS:
        return True
    return bool(_EXAMPLE_NAME.search(pure.name))


def token_value(lines: tuple[str, ...], token: TokenFinding) -> str | None:
    """The literal a token finding points at, read back from its line (None when the line
    no longer shows it). The preview is the value's first characters, so the occurrence
    nearest the reported column that starts with them is the value."""
    if not 0 < token.line <= len(lines):
        return None
    text = lines[token.line - 1]
    prefix = token.preview.rstrip("…")
    if not prefix:
        return None
    stops = _STOP + ("@" if token.kind == "url-password" else "")
    best: tuple[int, str] | None = None
    start = text.find(prefix)
    while start >= 0:
        end = start
        while end < len(text) and text[end] not in stops:
            end += 1
        distance = abs(start + 1 - token.column)
        if best is None or distance < best[0]:
            best = (distance, text[start:end])
        start = text.find(prefix, start + 1)
    return best[1] if best is not None else None


#: Domain separation for :func:`fingerprint`: the digest is of this prefix and the value, so
#: a table of plain SHA-256 digests of common passwords does not match it.
_FINGERPRINT_DOMAIN = b"kubealign/committed-credential\x00"


def fingerprint(value: str) -> str:
    """A short, stable name of a credential's value: ``sha256:`` and 12 hex digits of the
    domain-separated digest. Equal values have equal fingerprints; the value is not
    recoverable from it (48 bits name a value among a repository's few, they do not
    narrow a guess at a strong one; a weak one is in the repository anyway)."""
    digest = hashlib.sha256(_FINGERPRINT_DOMAIN + value.encode("utf-8")).hexdigest()
    return f"sha256:{digest[:12]}"
