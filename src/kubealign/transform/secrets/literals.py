"""Secrets written literally outside the environment, found by what the text says (issue 16).

Env values are classified by their key (``secret_detect``); these have no key of their own:

* command, entrypoint and healthcheck words: ``--api-key=<token>``, ``--password <value>``,
  ``Authorization: Bearer <token>``, a known token format anywhere;
* file content (inline ``configs: content:``, mounted files): ``password = <value>`` lines,
  ``requirepass <value>``, URL credentials, PEM private keys, a file that is one token;
* build args and labels under secret names, or holding a known token format.

Each one found is a secret value with a variable name to reference it by (derived from the
flag or key, ``API_KEY``); :mod:`.references` then references it like any other secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kubealign.model.secret_names import is_secret_name
from kubealign.transform.secret_detect import (
    distinctive,
    high_entropy,
    is_placeholder,
    is_secret_value,
    known_token,
    known_tokens,
)

_SECRET_SUFFIX = (r"(?:pass|password|passwd|pwd|secret|token|key|apikey|auth|credential|"
                  r"credentials)")
# ``--api-key``, ``--requirepass``, ``--token`` (the flag's last word names a secret)
_SECRET_FLAG = re.compile(r"^--?(?:[A-Za-z0-9]+[-_.])*[A-Za-z0-9]*" + _SECRET_SUFFIX + r"$",
                          re.IGNORECASE)
_FLAG_VALUE = re.compile(r"(?:^|(?<=[\s\"']))(--?[A-Za-z0-9_.-]+)[=\s]+[\"']?([^\s\"']+)")
_BEARER = re.compile(r"(?i)\b(?:bearer|token)\s+([A-Za-z0-9._~+/=-]{8,})")
_URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@\"']+:([^@\s/\"']+)@", re.IGNORECASE)
# ``password = x``, ``api_key: "x"``, ``DB_PASSWORD=x`` (one per line of a config file)
_KEY_VALUE = re.compile(r"^\s*[\"']?([A-Za-z0-9_.-]+)[\"']?\s*(?:=|:)\s*[\"']?([^\"'\s#;,]+)",
                        re.MULTILINE)
_SPACED = re.compile(r"^\s*(requirepass|masterauth)\s+[\"']?([^\"'\s#]+)", re.MULTILINE)
_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----",
                  re.DOTALL)
_NOT_A_VALUE = re.compile(r"^(?:\$|\{\{|%\(|<|/|\./|~/|true$|false$|none$|null$|yes$|no$)",
                          re.IGNORECASE)
# The key's last word names a secret (``db_password``, ``api_key``; not ``api_key_env``).
_KEY_WORD = re.compile(r"(^|[-_.])" + r"(password|passwd|pass|pwd|secret|token|apikey|api_key|"
                       r"private_key|secret_key|access_key|auth_token|credentials?)$",
                       re.IGNORECASE)
_VARIABLE_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")  # PORTKEY_API_KEY: a name


def variable_name(flag_or_key: str) -> str:
    """``--api-key`` -> ``API_KEY``: the env variable a pod reads the value from."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", flag_or_key).strip("_").upper()
    return name if name[:1].isalpha() else f"SECRET_{name}"


def _credential(value: str, *, strict: bool) -> bool:
    """Whether a value written after a secret flag or key is a credential (not a reference,
    a path, a boolean); ``strict`` also needs it distinctive enough to be a token."""
    if not value or _NOT_A_VALUE.match(value) or (strict and is_placeholder(value)):
        return False
    return distinctive(value) or known_token(value) if strict else len(value) >= 4


def in_words(words: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """(variable, value) of each secret written in a command line (exec form words)."""
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        if _SECRET_FLAG.match(word) and _credential(following, strict=True):
            yield variable_name(word), following
        yield from in_text(word)


def in_text(text: str) -> Iterator[tuple[str, str]]:
    """(variable, value) of each secret in one string (a word, a shell script, a header)."""
    for match in _FLAG_VALUE.finditer(text):
        flag, value = match.group(1), match.group(2)
        if _SECRET_FLAG.match(flag) and _credential(value, strict=True):
            yield variable_name(flag), value
    for match in _BEARER.finditer(text):
        if _credential(match.group(1), strict=True):
            yield "AUTH_TOKEN", match.group(1)
    for match in _URL_PASSWORD.finditer(text):
        if _credential(match.group(1), strict=False):
            yield "URL_PASSWORD", match.group(1)
    for token in known_tokens(text):
        yield "TOKEN", token


def in_file(content: str) -> Iterator[tuple[str, str]]:
    """(variable, value) of each secret in a configuration file's text."""
    for match in _PEM.finditer(content):
        yield "PRIVATE_KEY", match.group(0)
    for match in _KEY_VALUE.finditer(content):
        key, value = match.group(1), match.group(2)
        if _KEY_WORD.search(key) and not _VARIABLE_NAME.match(value) \
                and _credential(value, strict=False):
            yield variable_name(key), value
    for match in _SPACED.finditer(content):
        if _credential(match.group(2), strict=False):
            yield variable_name(match.group(1)), match.group(2)
    for match in _URL_PASSWORD.finditer(content):
        if _credential(match.group(1), strict=False):
            yield "URL_PASSWORD", match.group(1)
    stripped = content.strip()
    if stripped and "\n" not in stripped and (high_entropy(stripped)
                                                or known_tokens(stripped) == [stripped]):
        yield "FILE_SECRET", stripped  # a file that is one token


def under_key(name: str, value: str | None) -> bool:
    """A build arg or label holding a secret (by its name or a known token format)."""
    return value is not None and bool(value) and (
        (is_secret_name(name) and is_secret_value(name, value))
        or bool(known_tokens(value)))
