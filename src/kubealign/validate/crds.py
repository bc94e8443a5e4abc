"""Structural checks for the custom resources kubealign emits (no CRDs needed in a cluster)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from kubealign.validate.crd_schemas import RETIRED_API_VERSIONS, crd_schemas
from kubealign.validate.schema_compiler import Check, Issue, SchemaCompiler


class CrdCatalog:
    """Compiled validators for every schema in :func:`crd_schemas`."""

    def __init__(self) -> None:
        compiler = SchemaCompiler({})
        self._validators: dict[tuple[str, str], Check] = {
            key: compiler.compile(schema) for key, schema in sorted(crd_schemas().items())
        }

    def kinds(self) -> list[tuple[str, str]]:
        return sorted(self._validators)

    def validate(self, obj: Mapping[str, Any]) -> list[Issue] | None:
        """Every violation, ``[]`` when valid, ``None`` when the kind is not one of ours."""
        key = (str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
        replacement = RETIRED_API_VERSIONS.get(key)
        if replacement is not None:
            return [
                Issue(
                    ("apiVersion",),
                    f"{key[0]} is no longer served; use {replacement}",
                )
            ]
        check = self._validators.get(key)
        if check is None:
            return None
        issues: list[Issue] = []
        check(obj, (), issues)
        return issues


@cache
def crd_catalog() -> CrdCatalog:
    return CrdCatalog()
