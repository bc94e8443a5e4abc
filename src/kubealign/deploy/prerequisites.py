"""What a release needs on the cluster that its own chart does not create.

Read from the rendered manifests only (no cluster call): an ExternalSecret whose store the
release does not render waits forever for a store someone else must create, usually because
the provider settings were not given to migrate (docs/secrets.md, SCV003).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kubealign.transform.secrets.providers import ESO_INSTALL

_STORE_KINDS = frozenset({"SecretStore", "ClusterSecretStore"})


def _store_ref(manifest: Mapping[str, Any]) -> tuple[str, str] | None:
    spec = manifest.get("spec")
    ref = spec.get("secretStoreRef") if isinstance(spec, Mapping) else None
    if not isinstance(ref, Mapping) or not isinstance(ref.get("name"), str):
        return None
    kind = ref.get("kind") if isinstance(ref.get("kind"), str) else "SecretStore"
    return str(kind), str(ref["name"])


def stores_not_rendered(manifests: Iterable[Mapping[str, Any]]) -> tuple[tuple[str, str], ...]:
    """(kind, name) of every secret store an ExternalSecret uses that the release lacks."""
    objects = list(manifests)
    rendered = {(str(m.get("kind")), str((m.get("metadata") or {}).get("name")))
                for m in objects if m.get("kind") in _STORE_KINDS}
    wanted = {ref for m in objects if m.get("kind") == "ExternalSecret"
              if (ref := _store_ref(m)) is not None}
    return tuple(sorted(wanted - rendered))


def missing_stores_line(missing: tuple[tuple[str, str], ...], secrets_count: int) -> str:
    """The one line saying so, naming what to set."""
    names = ", ".join(f"{kind} {name!r}" for kind, name in missing)
    return (f"secrets not connected: {secrets_count} ExternalSecret(s) use {names}, which this "
            "release does not create; set secrets.settings in kubealign.yaml and migrate "
            "again (or kubealign convert --secrets-setting KEY=VALUE), or create the store "
            "yourself (docs/secrets.md)")


# The External Secrets Operator's CRDs, by the kind the chart renders (docs/secrets.md).
_ESO_GROUP = "external-secrets.io"
_ESO_PLURALS = {"ExternalSecret": "externalsecrets", "SecretStore": "secretstores",
                "ClusterSecretStore": "clustersecretstores"}


def missing_crds(manifests: Iterable[Mapping[str, Any]],
                 served: Callable[[str, str], bool]) -> tuple[str, ...]:
    """CRD names (``externalsecrets.external-secrets.io``…) of the External Secrets kinds the
    release renders that the cluster does not serve; ``served(api_version, kind)`` asks it."""
    missing: set[str] = set()
    for manifest in manifests:
        kind, api_version = manifest.get("kind"), manifest.get("apiVersion")
        if not isinstance(kind, str) or not isinstance(api_version, str):
            continue
        if kind in _ESO_PLURALS and api_version.split("/")[0] == _ESO_GROUP:
            crd = f"{_ESO_PLURALS[kind]}.{_ESO_GROUP}"
            if crd not in missing and not served(api_version, kind):
                missing.add(crd)
    return tuple(sorted(missing))


def missing_crds_line(crds: tuple[str, ...]) -> str:
    """The one-line error: what is missing and the command that installs it."""
    return (f"the cluster lacks the External Secrets CRDs {', '.join(crds)} (the chart's "
            "ExternalSecrets and secret stores need them): install the External Secrets "
            f"Operator first ({ESO_INSTALL}), then deploy again")
