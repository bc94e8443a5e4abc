"""Compile a JSON schema (the subset Kubernetes schemas use) into nested Python closures.

Why not a general validator: ``jsonschema`` walks the schema dict on every call (~590
objects/s with a cached validator) and ``fastjsonschema`` stops at the first error. The
Kubernetes schemas use a handful of keywords (``type``, ``properties``, ``required``,
``additionalProperties``, ``items``, ``enum``, ``oneOf``, ``$ref``; ``format`` is an
annotation in draft 2020-12), so each schema node becomes one small closure that checks its
keywords and reports *every* violation with its path. ``$ref`` targets compile once per
catalogue, lazily, and recursive definitions go through a forwarding cell.

Any assertion keyword outside the supported set is refused at compile time rather than
silently ignored, so a schema that needs more fails loudly in tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True, order=True)
class Issue:
    """One violation: where (path inside the object) and what was expected."""

    path: Path
    message: str


Check = Callable[[Any, Path, list[Issue]], None]


class SchemaCompileError(Exception):
    """The schema uses something this compiler does not implement (a programming error)."""


# Keywords that never assert anything about the instance.
_ANNOTATIONS = frozenset(
    {"description", "title", "default", "examples", "format", "$schema", "$id", "$comment",
     "discriminator", "readOnly", "writeOnly", "deprecated", "$defs", "definitions"}
)  # fmt: skip

_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def json_type(value: Any) -> str:
    """The JSON name of a Python value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _shown(values: list[Any], limit: int = 8) -> str:
    text = ", ".join(repr(v) if isinstance(v, str) else str(v) for v in values[:limit])
    return text + (", …" if len(values) > limit else "")


def _no_check(value: Any, path: Path, issues: list[Issue]) -> None:
    return None


class SchemaCompiler:
    """Compiles schemas whose ``$ref``s point into one ``$defs`` table (``…#/$defs/NAME``)."""

    def __init__(self, definitions: Mapping[str, Any]) -> None:
        self._definitions = definitions
        self._compiled: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True or schema == {}:
            return _no_check
        if schema is False:
            return lambda value, path, issues: issues.append(Issue(path, "no value is allowed"))
        if not isinstance(schema, Mapping):
            raise SchemaCompileError(f"schema must be an object or boolean, got {schema!r}")
        unknown = set(schema) - _ANNOTATIONS - set(_KEYWORDS) - {"additionalProperties"}
        unknown = {key for key in unknown if not key.startswith("x-")}
        if unknown:
            raise SchemaCompileError(f"unsupported schema keywords: {sorted(unknown)}")
        checks = [
            builder(self, schema[keyword], schema)
            for keyword, builder in _KEYWORDS.items()
            if keyword in schema
        ]
        if not checks:
            return _no_check
        if len(checks) == 1:
            return checks[0]

        def all_of(value: Any, path: Path, issues: list[Issue]) -> None:
            for check in checks:
                check(value, path, issues)

        return all_of

    def reference(self, ref: str) -> Check:
        name = ref.rpartition("/")[2]
        if "#/$defs/" not in ref and "#/definitions/" not in ref:
            raise SchemaCompileError(f"unsupported $ref {ref!r}")
        if name in self._compiled:
            return self._compiled[name]
        if name not in self._definitions:
            raise SchemaCompileError(f"$ref to unknown definition {name!r}")
        cell: list[Check] = []

        def forward(value: Any, path: Path, issues: list[Issue]) -> None:
            cell[0](value, path, issues)

        # Registered before compiling so that recursive definitions find the forwarder.
        self._compiled[name] = forward
        cell.append(self.compile(self._definitions[name]))
        self._compiled[name] = cell[0]
        return cell[0]


def _type(compiler: SchemaCompiler, spec: Any, schema: Mapping[str, Any]) -> Check:
    names = [spec] if isinstance(spec, str) else list(spec)
    tests = tuple(_TYPE_TESTS[name] for name in names)
    expected = " or ".join(name for name in names if name != "null") or "null"

    def check(value: Any, path: Path, issues: list[Issue]) -> None:
        for test in tests:
            if test(value):
                return
        issues.append(Issue(path, f"expected {expected}, got {json_type(value)}"))

    return check


def _enum(compiler: SchemaCompiler, spec: Any, schema: Mapping[str, Any]) -> Check:
    allowed = list(spec)
    # Compared with their JSON type, so that True does not count as 1.
    keyed = {(json_type(v), v) for v in allowed if not isinstance(v, dict | list)}

    def check(value: Any, path: Path, issues: list[Issue]) -> None:
        if isinstance(value, dict | list):
            if value in allowed:
                return
        elif (json_type(value), value) in keyed:
            return
        issues.append(Issue(path, f"expected one of {_shown(allowed)}, got {value!r}"))

    return check


def _const(compiler: SchemaCompiler, spec: Any, schema: Mapping[str, Any]) -> Check:
    return _enum(compiler, [spec], schema)


def _properties(compiler: SchemaCompiler, spec: Any, schema: Mapping[str, Any]) -> Check:
    known = {key: compiler.compile(sub) for key, sub in spec.items()}
    extra = schema.get("additionalProperties", True)
    closed = extra is False
    extra_check = None if isinstance(extra, bool) else compiler.compile(extra)

    def check(value: Any, path: Path, issues: list[Issue]) -> None:
        if not isinstance(value, dict):
            return
        for key, item in value.items():
            sub = known.get(key)
            if sub is not None:
                sub(item, (*path, key), issues)
            elif closed:
                issues.append(Issue((*path, key), "unknown field"))
            elif extra_check is not None:
                extra_check(item, (*path, key), issues)

    return check


def _additional_only(compiler: SchemaCompiler, spec: Any, schema: Mapping[str, Any]) -> Check:
    """``additionalProperties`` without ``properties`` (maps such as labels)."""
    if "properties" in schema:
        return _no_check
    return _properties(compiler, {}, schema)


def _required(compiler: SchemaCompiler, spec: Any, schema: Mapping[str, Any]) -> Check:
    names = tuple(spec)

    def check(value: Any, path: Path, issues: list[Issue]) -> None:
        if isinstance(value, dict):
            for name in names:
                if name not in value:
                    issues.append(Issue(path, f"missing required field {name!r}"))

    return check


def _items(compiler: SchemaCompiler, spec: Any, schema: Mapping[str, Any]) -> Check:
    item_check = compiler.compile(spec)

    def check(value: Any, path: Path, issues: list[Issue]) -> None:
        if isinstance(value, list):
            for index, item in enumerate(value):
                item_check(item, (*path, index), issues)

    return check


def _alternatives(exactly_one: bool) -> Callable[[SchemaCompiler, Any, Mapping[str, Any]], Check]:
    def build(compiler: SchemaCompiler, spec: Any, schema: Mapping[str, Any]) -> Check:
        options = [compiler.compile(sub) for sub in spec]
        word = "exactly one" if exactly_one else "at least one"

        def check(value: Any, path: Path, issues: list[Issue]) -> None:
            passed = 0
            first_failure: list[Issue] = []
            for option in options:
                scratch: list[Issue] = []
                option(value, path, scratch)
                if not scratch:
                    passed += 1
                elif not first_failure:
                    first_failure = scratch
            if (passed == 1) if exactly_one else (passed >= 1):
                return
            if passed == 0 and len(first_failure) == 1 and len(options) == 1:
                issues.extend(first_failure)
                return
            detail = "matches none" if passed == 0 else f"matches {passed}"
            issues.append(Issue(path, f"must match {word} of {len(options)} shapes, {detail}"))

        return check

    return build


def _pattern(compiler: SchemaCompiler, spec: Any, schema: Mapping[str, Any]) -> Check:
    regex = re.compile(spec)

    def check(value: Any, path: Path, issues: list[Issue]) -> None:
        if isinstance(value, str) and regex.search(value) is None:
            issues.append(Issue(path, f"{value!r} does not match {spec!r}"))

    return check


def _bound(minimum: bool) -> Callable[[SchemaCompiler, Any, Mapping[str, Any]], Check]:
    def build(compiler: SchemaCompiler, spec: Any, schema: Mapping[str, Any]) -> Check:
        def check(value: Any, path: Path, issues: list[Issue]) -> None:
            if not isinstance(value, int | float) or isinstance(value, bool):
                return
            if (value < spec) if minimum else (value > spec):
                word = "at least" if minimum else "at most"
                issues.append(Issue(path, f"expected {word} {spec}, got {value}"))

        return check

    return build


def _min_size(compiler: SchemaCompiler, spec: Any, schema: Mapping[str, Any]) -> Check:
    def check(value: Any, path: Path, issues: list[Issue]) -> None:
        if isinstance(value, str | list) and len(value) < spec:
            issues.append(Issue(path, f"expected at least {spec} item(s) or character(s)"))

    return check


def _ref(compiler: SchemaCompiler, spec: Any, schema: Mapping[str, Any]) -> Check:
    return compiler.reference(str(spec))


_KEYWORDS: dict[str, Callable[[SchemaCompiler, Any, Mapping[str, Any]], Check]] = {
    "$ref": _ref,
    "type": _type,
    "enum": _enum,
    "const": _const,
    "required": _required,
    "properties": _properties,
    "additionalProperties": _additional_only,
    "items": _items,
    "oneOf": _alternatives(exactly_one=True),
    "anyOf": _alternatives(exactly_one=False),
    "pattern": _pattern,
    "minimum": _bound(minimum=True),
    "maximum": _bound(minimum=False),
    "minLength": _min_size,
    "minItems": _min_size,
}
