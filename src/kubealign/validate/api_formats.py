"""The string formats the Kubernetes API server enforces and no OpenAPI schema carries.

Object and container names, label keys and values, port names, ConfigMap keys, resource
quantities: the published JSON schemas only say "string", so a chart that passes them can
still be refused on apply. Each predicate returns ``None`` when the text is valid, else what
was expected (the wording follows the API server's own messages, so both read alike).
"""

from __future__ import annotations

import ipaddress
import re
from decimal import Decimal, InvalidOperation

_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
_CONFIG_MAP_KEY = re.compile(r"[-._a-zA-Z0-9]+")
_ENV_VAR_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")
_IANA_SVC_NAME = re.compile(r"[-a-z0-9]+")
_HAS_LETTER = re.compile(r"[a-z]")
_QUANTITY = re.compile(
    r"(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?")
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "k": Decimal(10**3),
            "M": Decimal(10**6), "G": Decimal(10**9), "T": Decimal(10**12),
            "P": Decimal(10**15), "E": Decimal(10**18)}

DNS1123_LABEL_MAX = 63
DNS1123_SUBDOMAIN_MAX = 253
LABEL_VALUE_MAX = 63
QUALIFIED_NAME_MAX = 63
IANA_SVC_NAME_MAX = 15
TOTAL_ANNOTATION_SIZE = 256 * 1024
"""Bytes all annotations of one object may take together (keys and values)."""
CONFIG_DATA_SIZE = 1024 * 1024
"""Bytes a ConfigMap's or a Secret's data may take together."""


def dns1123_label(text: str) -> str | None:
    if len(text) > DNS1123_LABEL_MAX:
        return f"at most {DNS1123_LABEL_MAX} characters"
    if not _DNS1123_LABEL.fullmatch(text):
        return ("an RFC 1123 label: lower case letters, digits and '-', starting and ending "
                "with a letter or digit")
    return None


def dns1035_label(text: str) -> str | None:
    if len(text) > DNS1123_LABEL_MAX:
        return f"at most {DNS1123_LABEL_MAX} characters"
    if not _DNS1035_LABEL.fullmatch(text):
        return ("an RFC 1035 label: lower case letters, digits and '-', starting with a letter "
                "and ending with a letter or digit")
    return None


def dns1123_subdomain(text: str) -> str | None:
    if len(text) > DNS1123_SUBDOMAIN_MAX:
        return f"at most {DNS1123_SUBDOMAIN_MAX} characters"
    if not all(_DNS1123_LABEL.fullmatch(part) for part in text.split(".")):
        return ("an RFC 1123 subdomain: lower case letters, digits, '-' and '.', starting and "
                "ending with a letter or digit")
    return None


def path_segment(text: str) -> str | None:
    if text in (".", ".."):
        return "a name other than '.' and '..'"
    if "/" in text or "%" in text:
        return "a name without '/' or '%'"
    return None


def qualified_name(text: str) -> str | None:
    """A label or annotation key: an optional DNS subdomain prefix and ``/``, then a name."""
    prefix, slash, name = text.rpartition("/")
    if slash:
        if not prefix:
            return "a prefix before '/'"
        problem = dns1123_subdomain(prefix)
        if problem is not None:
            return f"a prefix that is {problem}"
    if not name:
        return "a name (after the prefix)"
    if len(name) > QUALIFIED_NAME_MAX:
        return f"a name part of at most {QUALIFIED_NAME_MAX} characters"
    if not _QUALIFIED_NAME.fullmatch(name):
        return ("a qualified name: letters, digits, '-', '_' and '.', starting and ending "
                "with a letter or digit, with an optional DNS prefix and '/'")
    return None


def label_value(text: str) -> str | None:
    if len(text) > LABEL_VALUE_MAX:
        return f"at most {LABEL_VALUE_MAX} characters"
    if not _LABEL_VALUE.fullmatch(text):
        return ("empty, or letters, digits, '-', '_' and '.', starting and ending with a "
                "letter or digit")
    return None


def config_map_key(text: str) -> str | None:
    if len(text) > DNS1123_SUBDOMAIN_MAX:
        return f"at most {DNS1123_SUBDOMAIN_MAX} characters"
    if not _CONFIG_MAP_KEY.fullmatch(text):
        return "letters, digits, '-', '_' and '.'"
    if text in (".", "..") or text.startswith(".."):
        return "a key other than '.', '..' or one starting with '..'"
    return None


def port_name(text: str) -> str | None:
    """A container port's name (IANA service name)."""
    if len(text) > IANA_SVC_NAME_MAX:
        return f"at most {IANA_SVC_NAME_MAX} characters"
    if not _IANA_SVC_NAME.fullmatch(text) or "--" in text or text.startswith("-") \
            or text.endswith("-"):
        return ("lower case letters, digits and single '-' (not first or last) as an IANA "
                "service name")
    if not _HAS_LETTER.search(text):
        return "at least one letter"
    return None


def env_var_name(text: str, relaxed: bool) -> str | None:
    """Before Kubernetes 1.32 a C-like identifier (with '-' and '.'); from then on any
    printable ASCII but '=' (RelaxedEnvironmentVariableValidation, on by default)."""
    if relaxed:
        if not text or "=" in text or any(not " " <= c <= "~" for c in text):
            return "printable ASCII characters other than '='"
        return None
    if not _ENV_VAR_NAME.fullmatch(text):
        return ("letters, digits, '_', '-' and '.', not starting with a digit (Kubernetes "
                "before 1.32)")
    return None


def ip_address(text: str) -> str | None:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return "an IPv4 or IPv6 address"
    return None


def quantity(value: object) -> Decimal | None:
    """The amount a Kubernetes quantity (``500m``, ``2Gi``, ``1e3``, ``4``) stands for, or
    ``None`` when the API server would refuse it (``2GB``, ``1.5 Gi``, ``''``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    if not isinstance(value, str):
        return None
    match = _QUANTITY.fullmatch(value)
    if match is None:
        return None
    try:
        number = Decimal(match.group("number"))
    except InvalidOperation:
        return None
    suffix = match.group("suffix") or ""
    if suffix in _BINARY:
        return number * _BINARY[suffix]
    if suffix in _DECIMAL:
        return number * _DECIMAL[suffix]
    if suffix:
        return number.scaleb(int(suffix[1:]))
    return number
