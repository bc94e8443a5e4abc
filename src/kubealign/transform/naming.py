"""Kubernetes-safe names derived from Compose names, and image references split apart."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_NOT_DNS = re.compile(r"[^a-z0-9-]+")
_DASHES = re.compile(r"-{2,}")
SERVICE_NAME_MAX = 50  # room for suffixes such as -headless within the 63-character limit


def _shorten(name: str, limit: int) -> str:
    if len(name) <= limit:
        return name
    # Keep names unique after truncation with a short stable hash of the full name.
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"{name[: limit - 7].rstrip('-')}-{digest}"


def dns_label(name: str, *, limit: int = 63) -> str:
    """A DNS-1123 label: lowercase alphanumerics and '-', starting and ending alphanumeric."""
    text = _NOT_DNS.sub("-", name.lower().replace("_", "-").replace(".", "-"))
    text = _DASHES.sub("-", text).strip("-") or "x"
    return _shorten(text, limit).strip("-")


def service_key(name: str) -> str:
    """A DNS-1035 label (starts with a letter) short enough for derived object names."""
    label = dns_label(name, limit=SERVICE_NAME_MAX)
    if not label[0].isalpha():
        label = _shorten(f"s-{label}", SERVICE_NAME_MAX)
    return label


def port_name(protocol: str, port: int) -> str:
    """An IANA service name for a port: ``tcp-8000`` (<= 15 characters, has a letter)."""
    return f"{protocol.lower()[:3]}-{port}"


def sanitize_port_name(name: str) -> str | None:
    label = dns_label(name, limit=15)
    return label if any(c.isalpha() for c in label) and "--" not in label else None


@dataclass(frozen=True, slots=True)
class ImageReference:
    repository: str  # registry and path, without tag or digest
    tag: str | None
    digest: str | None

    @property
    def path(self) -> str:
        """Repository path without a registry host (``docker.io/library/x`` -> ``x``)."""
        first, _, rest = self.repository.partition("/")
        if rest and ("." in first or ":" in first or first == "localhost"):
            path = rest
        else:
            path = self.repository
        return path.removeprefix("library/")


def parse_image(reference: str) -> ImageReference:
    """``ghcr.io/acme/api:1.2@sha256:...`` -> repository, tag and digest."""
    name, _, digest = reference.partition("@")
    last_slash = name.rfind("/")
    colon = name.rfind(":")
    tag: str | None = None
    if colon > last_slash:
        name, tag = name[:colon], name[colon + 1 :]
    return ImageReference(name, tag or None, digest or None)
