"""What must exist in the provider: one row per secret value a pod reads (never the value)."""

from __future__ import annotations

from dataclasses import dataclass

from kubealign.model.source import SourceSpan
from kubealign.transform.secrets.remote_keys import RemotePath


@dataclass(frozen=True, slots=True, order=True)
class SecretRequirement:
    secret_name: str
    """The Kubernetes Secret (produced by External Secrets, or created by hand)."""
    key: str
    """Key inside that Secret."""
    remote: RemotePath
    """Logical provider key, spelled per provider by ``provider_ref``."""
    services: tuple[str, ...]
    """Compose services that read it."""
    origin: str
    """Where it came from: ``compose secret x (external)``, ``environment API_TOKEN``..."""
    source: SourceSpan | None = None


def requirement_order(req: SecretRequirement) -> tuple[object, ...]:
    """A total order of rows (a source may be unknown, and None never compares)."""
    return (req.secret_name, req.key, req.remote, req.services, req.origin, str(req.source))
