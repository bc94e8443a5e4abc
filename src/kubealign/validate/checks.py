"""The checks ``kubealign validate`` runs on every object, and the loop that runs them.

Extension point: a check is anything with a ``name``, a ``covers_kinds`` flag and a
``check(obj)`` returning issues (``[]`` when fine, ``None`` when it does not apply). Policy
rules (POL) plug in by adding their check to the list given to :func:`run_checks`;
:func:`default_checks` is the schema part (Kubernetes built-ins and kubealign's CRDs).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kubealign.validate.api_rules import api_server_checks
from kubealign.validate.crds import crd_catalog
from kubealign.validate.results import ObjectRef, ObjectResult, Violation
from kubealign.validate.schema_compiler import Issue
from kubealign.validate.schemas import SchemaCatalog, catalog
from kubealign.validate.yamldocs import line_of


class ObjectCheck(Protocol):
    @property
    def name(self) -> str:
        """The label of its violations ("schema", "crd", "POL001"…)."""
        ...

    @property
    def covers_kinds(self) -> bool:
        """True when ``None`` from this check means "no schema for this kind here": an
        object that no such check knows is reported as skipped."""
        ...

    def check(self, obj: Mapping[str, Any]) -> list[Issue] | None: ...


@dataclass(frozen=True, slots=True)
class KubernetesSchemaCheck:
    catalog: SchemaCatalog
    name: str = "schema"
    covers_kinds: bool = True

    def check(self, obj: Mapping[str, Any]) -> list[Issue] | None:
        return self.catalog.validate(obj)


@dataclass(frozen=True, slots=True)
class CrdSchemaCheck:
    name: str = "crd"
    covers_kinds: bool = True

    def check(self, obj: Mapping[str, Any]) -> list[Issue] | None:
        return crd_catalog().validate(obj)


def default_checks(kube_version: str, *, strict: bool = True) -> list[ObjectCheck]:
    """The schemas, then what the API server refuses beyond them (names, label syntax,
    selectors, quantities…: :mod:`.api_rules`)."""
    return [KubernetesSchemaCheck(catalog(kube_version, strict=strict)), CrdSchemaCheck(),
            *api_server_checks(kube_version)]


@dataclass(frozen=True, slots=True)
class SourcedObject:
    """An object to validate and where it was read from."""

    obj: Any
    source: str
    document: int
    environment: str = ""


def _ref(item: SourcedObject) -> ObjectRef:
    obj = item.obj if isinstance(item.obj, Mapping) else {}
    metadata = obj.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    return ObjectRef(
        source=item.source,
        document=item.document,
        api_version=str(obj.get("apiVersion") or ""),
        kind=str(obj.get("kind") or ""),
        name=str(metadata.get("name") or metadata.get("generateName") or ""),
        namespace=str(metadata.get("namespace") or ""),
        environment=item.environment,
    )


def _shape_issues(obj: Any) -> list[Issue]:
    """What every Kubernetes object needs before any schema can be chosen."""
    if not isinstance(obj, Mapping):
        return [Issue((), f"expected an object, got {type(obj).__name__}")]
    return [
        Issue((), f"missing required field {key!r}")
        for key in ("apiVersion", "kind")
        if not isinstance(obj.get(key), str) or not obj.get(key)
    ]


def _check_one(item: SourcedObject, checks: Sequence[ObjectCheck]) -> ObjectResult:
    ref = _ref(item)
    shape = _shape_issues(item.obj)
    if shape:
        return ObjectResult(ref, tuple(Violation("object", i.path, i.message) for i in shape))
    violations: list[Violation] = []
    known = False
    has_coverage = False
    for check in checks:
        issues = check.check(item.obj)
        has_coverage = has_coverage or check.covers_kinds
        if issues is None:
            continue
        known = known or check.covers_kinds
        violations.extend(Violation(check.name, i.path, i.message) for i in issues)
    skipped = "" if known or not has_coverage else f"no schema for {ref.api_version} {ref.kind}"
    return ObjectResult(ref, tuple(sorted(violations)), skipped)


def _with_lines(result: ObjectResult, texts: Mapping[str, str]) -> ObjectResult:
    text = texts.get(result.ref.source)
    if text is None or not result.violations:
        return result
    located = tuple(
        Violation(v.check, v.path, v.message, line_of(text, result.ref.document, v.path))
        for v in result.violations
    )
    return ObjectResult(result.ref, located, result.skipped)


def run_checks(
    objects: Iterable[SourcedObject],
    checks: Sequence[ObjectCheck],
    texts: Mapping[str, str] | None = None,
) -> list[ObjectResult]:
    """Run every check on every object; violations get source lines when ``texts`` has them."""
    results = [_check_one(item, checks) for item in objects]
    if texts:
        results = [_with_lines(result, texts) for result in results]
    return results
