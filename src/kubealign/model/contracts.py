"""The JSON documents kubealign prints or writes: one naming style, one versioning rule.

Every document is a JSON object whose first key is ``schema_version`` (an integer, bumped
when a field is removed, renamed or changes meaning; adding a field is not a new version).
Keys are ``snake_case``; names that come from the user's repository (services, environments,
files) or from Kubernetes are values, never keys, so a consumer can rely on the key set.
The contracts are documented in ``docs/json-output.md``; :data:`SCHEMA_VERSIONS` is the one
place their versions are set, and a test compares both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from kubealign.model.audit import AUDIT_SCHEMA_VERSION
from kubealign.model.inventory import INVENTORY_SCHEMA_VERSION

#: contract name (as in docs/json-output.md) -> its current version.
SCHEMA_VERSIONS: Mapping[str, int] = {
    "inventory": INVENTORY_SCHEMA_VERSION,
    "audit": AUDIT_SCHEMA_VERSION,
    # 2: snake_case keys (kube_version, api_version), schema_version added.
    "validate": 2,
    # 2: schema_version instead of schemaVersion.
    "conversion": 2,
    # 2: merge (what a re-plan added, marked, kept of the user's file).
    "plan": 2,
    "migrate": 1,
    "deploy": 1,
    "rules": 1,
}


def document(contract: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """``body`` under the contract's ``schema_version`` (always the first key)."""
    return {"schema_version": SCHEMA_VERSIONS[contract], **body}


def dumps(data: Mapping[str, Any]) -> str:
    """Indented, key order kept (the documented order), UTF-8 as is, a final newline."""
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
