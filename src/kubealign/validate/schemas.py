"""Kubernetes JSON schemas (from the ``kubernetes-validate`` package), compiled once and cached.

Each supported Kubernetes minor version (1.25–1.37 with kubernetes-validate 1.37) has one
``_definitions.json``; every built-in kind is a definition tagged with its group, version
and kind. A :class:`SchemaCatalog` loads that file once per process, indexes the tags and
compiles a kind's definition the first time an object of that kind is seen; definitions
shared between kinds (``ObjectMeta``, ``PodSpec``…) are compiled once per catalogue.

Offline by construction: the files ship inside the package.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from kubealign.errors import UsageError
from kubealign.validate.schema_compiler import Check, Issue, SchemaCompiler

DEFAULT_KUBE_VERSION = "1.31"
_SCHEMA_DIR = re.compile(r"^v(\d+)\.(\d+)\.\d+-local(-strict)?$")
_MINOR = re.compile(r"^v?(\d+)\.(\d+)(?:\.\d+)?$")


def _schema_root() -> Path:
    return Path(str(resources.files("kubernetes_validate").joinpath("kubernetes-json-schema")))


@cache
def supported_versions() -> tuple[str, ...]:
    """The ``major.minor`` versions whose schemas are installed, oldest first."""
    found = set()
    for entry in _schema_root().iterdir():
        match = _SCHEMA_DIR.match(entry.name)
        if match:
            found.add((int(match.group(1)), int(match.group(2))))
    return tuple(f"{major}.{minor}" for major, minor in sorted(found))


def resolve_version(kube_version: str) -> str:
    """The schema version to use for ``kube_version``: itself, or an error naming the range.

    Unlike kubernetes-validate, an older version is not silently replaced: asking for 1.24
    when 1.25 is the oldest schema is a usage error.
    """
    match = _MINOR.match(kube_version.strip())
    if match is None:
        raise UsageError(f"invalid Kubernetes version {kube_version!r}; expected e.g. 1.31")
    wanted = f"{int(match.group(1))}.{int(match.group(2))}"
    versions = supported_versions()
    if wanted not in versions:
        raise UsageError(
            f"no Kubernetes schemas for {wanted}; supported: {versions[0]}–{versions[-1]}"
        )
    return wanted


def _split_api_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


class SchemaCatalog:
    """The compiled validators of one Kubernetes version, strict or not."""

    def __init__(self, kube_version: str, *, strict: bool = True) -> None:
        self.kube_version = resolve_version(kube_version)
        self.strict = strict
        suffix = "-local-strict" if strict else "-local"
        path = _schema_root() / f"v{self.kube_version}.0{suffix}" / "_definitions.json"
        definitions: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["$defs"]
        self._index: dict[tuple[str, str, str], str] = {}
        for name, definition in definitions.items():
            for gvk in definition.get("x-kubernetes-group-version-kind", ()):
                self._index.setdefault((gvk["group"], gvk["version"], gvk["kind"]), name)
        self._compiler = SchemaCompiler(definitions)
        self._validators: dict[tuple[str, str], Check | None] = {}

    def validator(self, api_version: str, kind: str) -> Check | None:
        """The compiled validator for a kind, or ``None`` when Kubernetes has no such kind."""
        key = (api_version, kind)
        if key not in self._validators:
            group, version = _split_api_version(api_version)
            name = self._index.get((group, version, kind))
            self._validators[key] = (
                None if name is None else self._compiler.reference(f"#/$defs/{name}")
            )
        return self._validators[key]

    def knows(self, api_version: str, kind: str) -> bool:
        return self.validator(api_version, kind) is not None

    def validate(self, obj: Mapping[str, Any]) -> list[Issue] | None:
        """Every violation of ``obj``, ``[]`` when valid, ``None`` when the kind is unknown."""
        check = self.validator(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
        if check is None:
            return None
        issues: list[Issue] = []
        check(obj, (), issues)
        return issues


@cache
def catalog(kube_version: str = DEFAULT_KUBE_VERSION, *, strict: bool = True) -> SchemaCatalog:
    """The process-wide catalogue for a version (built once, then shared)."""
    return SchemaCatalog(kube_version, strict=strict)


def validate_object(
    obj: Mapping[str, Any], kube_version: str = DEFAULT_KUBE_VERSION, *, strict: bool = True
) -> list[Issue] | None:
    """Validate one object against the Kubernetes schemas of ``kube_version``."""
    return catalog(resolve_version(kube_version), strict=strict).validate(obj)
