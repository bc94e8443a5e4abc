"""One rule for naming secrets in the provider, so every environment and report agrees.

A secret has a *logical path* (a tuple of segments) that does not depend on the provider:

* a compose ``secrets:`` entry -> ``(<external name or name>,)``;
* a secret environment value of a service -> ``(<service key>, <variable in lower case>)``;
* a variable interpolated into several values (``${POSTGRES_PASSWORD}``) -> ``("shared",
  <variable in lower case>)``, one key however many services compose it in.

Each provider spells the path its own way (Pulumi ESC path syntax, Vault path + property,
AWS/GCP secret names); :func:`provider_ref` does that spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PULUMI_PLAIN = re.compile(r"^[A-Za-z0-9_-]+$")
_GCP_BAD = re.compile(r"[^A-Za-z0-9_-]")
SHARED = "shared"


@dataclass(frozen=True, slots=True, order=True)
class RemotePath:
    segments: tuple[str, ...]

    def __str__(self) -> str:
        return "/".join(self.segments)


@dataclass(frozen=True, slots=True)
class ProviderRef:
    """How an ExternalSecret ``remoteRef`` names the value in one provider."""

    key: str
    property: str | None = None


def compose_secret_path(name: str, external_name: str | None = None) -> RemotePath:
    return RemotePath((external_name or name,))


def env_secret_path(service_key: str, variable: str) -> RemotePath:
    return RemotePath((service_key, variable.lower()))


def shared_variable_path(variable: str) -> RemotePath:
    return RemotePath((SHARED, variable.lower()))


def pulumi_key(path: RemotePath) -> str:
    """Pulumi path syntax: ``a.b``; a segment with other characters is ``["a.b"]``."""
    out = ""
    for segment in path.segments:
        if _PULUMI_PLAIN.match(segment):
            out += ("." if out else "") + segment
        else:
            quoted = segment.replace("\\", "\\\\").replace('"', '\\"')
            out += f'["{quoted}"]'
    return out


def provider_ref(provider: str, path: RemotePath, prefix: str = "") -> ProviderRef:
    """The remote reference of ``path`` for ``provider`` (``prefix`` scopes a project)."""
    segments = tuple(s for s in (prefix.strip("/"), *path.segments) if s)
    if provider == "pulumi":
        return ProviderRef(pulumi_key(RemotePath(segments)))
    if provider == "vault":
        # KV v2: the last segment is a field of the secret at the path before it.
        if len(segments) == 1:
            return ProviderRef(segments[0], "value")
        return ProviderRef("/".join(segments[:-1]), segments[-1])
    if provider == "aws":
        return ProviderRef("/".join(segments))
    if provider == "gcp":
        # Secret Manager ids allow letters, digits, `_` and `-` only.
        return ProviderRef("-".join(_GCP_BAD.sub("_", s) for s in segments))
    return ProviderRef("/".join(segments))
