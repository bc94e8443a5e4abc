"""Compose labels as Kubernetes annotations: keys the API server accepts.

Docker takes any text as a label key, so ``labels: [APP = REST_SERVICE]`` (spaces around
``=``, which the list form does not trim) is the key ``"APP "``; the API server refuses such a
key ("name part must consist of alphanumeric characters, '-', '_' or '.'") and the whole
workload with it. What the author meant is ``APP=REST_SERVICE``: surrounding spaces are
trimmed from key and value. A key that is still no qualified name (``my label``, ``a/b/c``)
is dropped, and the ledger names it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

# Qualified names: an optional DNS-subdomain prefix and '/', then a name of at most 63
# characters, alphanumeric at both ends ('-', '_', '.' inside).
_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_PREFIX = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def qualified_key(key: str) -> str | None:
    """``key`` without surrounding spaces when it is a valid annotation key, else None."""
    cleaned = key.strip()
    prefix, slash, name = cleaned.rpartition("/")
    if slash and (len(prefix) > 253 or not _PREFIX.match(prefix)):
        return None
    return cleaned if _NAME.match(name) else None


@dataclass
class Annotations:
    values: dict[str, str] = field(default_factory=dict)
    trimmed: list[str] = field(default_factory=list)
    """Keys written with spaces (``APP = X``): kept without them."""
    dropped: list[str] = field(default_factory=list)
    """Keys that are no qualified name even trimmed."""

    def note(self) -> str:
        """What the ledger says about the keys that were not taken as written."""
        parts = []
        if self.trimmed:
            parts.append("spaces around '=' trimmed from " + ", ".join(
                repr(k) for k in self.trimmed))
        if self.dropped:
            parts.append("no valid annotation key, dropped: " + ", ".join(
                repr(k) for k in self.dropped))
        return "; ".join(parts)


def as_annotations(labels: Mapping[str, object]) -> Annotations:
    """``labels`` (key -> value) as annotations; values are text, trimmed with their key."""
    out = Annotations()
    for key in sorted(labels):
        value = str(labels[key])
        cleaned = qualified_key(key)
        if cleaned is None:
            out.dropped.append(key)
            continue
        if cleaned != key:
            out.trimmed.append(key)
            value = value.strip()
        out.values.setdefault(cleaned, value)
    return out
