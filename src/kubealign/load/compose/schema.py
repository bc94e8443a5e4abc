"""Structural validation against the official Compose specification schema.

The schema is the canonical compose-spec JSON schema (draft 2020-12) that the
``check-jsonschema`` package ships; it is read from that package's data, never copied here,
and compiled once per process.

When it runs: on the *resolved* project (after interpolation, merge, ``extends``, ``include``
and profiles), i.e. on exactly the data the converter will consume. The schema accepts
``"${REPLICAS:-2}"`` where an integer is expected, so checking before interpolation would let
``replicas: ${REPLICAS}`` with ``REPLICAS=two`` through; checking afterwards sees ``"two"``.
The source map follows every value through the merge, so messages still point at the line the
user wrote. (Services disabled by profiles are not checked: they are not deployed.)
"""

from __future__ import annotations

import importlib.resources
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

from kubealign.errors import ComposeError
from kubealign.load.compose.normalize import describe_value
from kubealign.load.compose.schema_fast import compile_validator, is_valid
from kubealign.model.source import SourceMap, SourceSpan, pointer

_SCHEMA_PACKAGE = "check_jsonschema"
_SCHEMA_RESOURCE = ("builtin_schemas", "vendor", "compose-spec.json")


@dataclass(frozen=True, slots=True, order=True)
class SchemaViolation:
    """One place where the data does not have the shape the specification requires."""

    pointer: str  # JSON pointer of the offending value
    message: str  # what was expected, in plain words
    span: SourceSpan | None = None

    @property
    def path(self) -> str:
        """The dotted path (``services.web.ports.0``) users recognise from compose errors."""
        tokens = self.pointer.split("/")[1:]
        text = ".".join(t.replace("~1", "/").replace("~0", "~") for t in tokens)
        return text or "(top level)"

    def __str__(self) -> str:
        where = f"{self.span.path}:{self.span.line}: " if self.span is not None else ""
        return f"{where}{self.path}: {self.message}"

    def to_error(self, fallback_path: str | None = None) -> ComposeError:
        text = f"{self.path}: {self.message}"
        if self.span is None:
            return ComposeError(text, path=fallback_path)
        return ComposeError(text, path=self.span.path, line=self.span.line, column=self.span.column)


@cache
def compose_schema() -> dict[str, Any]:
    """The compose-spec JSON schema document shipped by check-jsonschema."""
    resource = importlib.resources.files(_SCHEMA_PACKAGE).joinpath(*_SCHEMA_RESOURCE)
    schema: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return schema


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = compose_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@cache
def _fast_validator() -> Callable[[Any], Any] | None:
    return compile_validator(compose_schema())


def validate_compose(
    data: Mapping[str, Any], sources: SourceMap | None = None
) -> list[SchemaViolation]:
    """Every violation of the compose-spec schema, sorted by position in the data."""
    spans = sources if sources is not None else SourceMap()
    plain = _plain(data)
    fast = _fast_validator()
    if fast is not None and is_valid(fast, plain):
        return []  # compiled check passed; jsonschema below only explains rejections
    found: set[SchemaViolation] = set()
    for error in _validator().iter_errors(plain):
        for ptr, message in _explain(error):
            found.add(SchemaViolation(pointer=ptr, message=message, span=spans.nearest(ptr)))
    return sorted(found, key=lambda v: (v.span or SourceSpan("", 0), v.pointer, v.message))


def check_compose(
    data: Mapping[str, Any], sources: SourceMap | None = None, *, fallback_path: str | None = None
) -> None:
    """Raise the first schema violation as a :class:`ComposeError` (file:line: what/where)."""
    violations = validate_compose(data, sources)
    if violations:
        raise violations[0].to_error(fallback_path)


# --------------------------------------------------------------------------- messages


def _pointer_of(error: ValidationError) -> str:
    return pointer(*error.absolute_path)


_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def _expected_types(types: object) -> str:
    names = [types] if isinstance(types, str) else list(types) if isinstance(types, list) else []
    words = [_TYPE_WORDS.get(str(name), str(name)) for name in names]
    return " or ".join(words) if words else "another type"


def _resolve_ref(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return schema
    node: Any = compose_schema()
    for token in ref[2:].split("/"):
        node = node[token]
    return _resolve_ref(node)


def _known_keys(schema: Mapping[str, Any]) -> tuple[set[str], list[str]]:
    """Property names and patterns a schema evaluates, through ``allOf`` and ``$ref``.

    With ``unevaluatedProperties``, a key that a failing ``allOf`` branch would have evaluated
    is reported as unexpected too; knowing every branch's keys avoids blaming valid keys.
    """
    schema = _resolve_ref(schema)
    names = set(schema.get("properties", {}))
    patterns = list(schema.get("patternProperties", {}))
    for branch in schema.get("allOf", []):
        more_names, more_patterns = _known_keys(branch)
        names |= more_names
        patterns += more_patterns
    return names, patterns


def _unexpected_keys(error: ValidationError) -> list[str]:
    instance = error.instance
    if not isinstance(instance, Mapping) or not isinstance(error.schema, Mapping):
        return []
    names, patterns = _known_keys(error.schema)
    return sorted(
        key for key in instance if key not in names and not any(re.search(p, key) for p in patterns)
    )


def _explain(error: ValidationError) -> Iterable[tuple[str, str]]:
    """(pointer, plain message) pairs for one jsonschema error."""
    ptr = _pointer_of(error)
    kind = error.validator
    if kind in {"additionalProperties", "unevaluatedProperties"}:
        for key in _unexpected_keys(error):
            key_ptr = f"{ptr}/{pointer(key)[1:]}"
            yield key_ptr, f"unknown key {key!r} (not in the Compose specification)"
        return
    if kind == "type":
        expected = _expected_types(error.validator_value)
        yield ptr, f"expected {expected}, got {describe_value(error.instance)}"
        return
    if kind == "required":
        missing = [
            k for k in _as_list(error.validator_value) if k not in _as_mapping(error.instance)
        ]
        yield ptr, f"missing required key {', '.join(repr(k) for k in missing)}"
        return
    if kind == "enum":
        choices = ", ".join(str(c) for c in _as_list(error.validator_value))
        yield ptr, f"expected one of {choices}, got {describe_value(error.instance)}"
        return
    if kind == "const":
        yield ptr, f"expected {error.validator_value!r}, got {describe_value(error.instance)}"
        return
    if kind in {"oneOf", "anyOf"}:
        yield _explain_alternatives(error)
        return
    if kind == "pattern":
        yield (
            ptr,
            f"{describe_value(error.instance)} does not match the pattern {error.validator_value}",
        )
        return
    if kind == "uniqueItems":
        yield ptr, "expected every item to be unique, found a duplicate"
        return
    if kind in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
        yield (
            ptr,
            f"{describe_value(error.instance)} is out of range ({kind} {error.validator_value})",
        )
        return
    if kind in {"minItems", "maxItems", "minProperties", "maxProperties", "minLength"}:
        yield ptr, f"expected {kind} {error.validator_value}, got {describe_value(error.instance)}"
        return
    if kind == "not":
        yield ptr, f"{describe_value(error.instance)} is not allowed here"
        return
    yield ptr, error.message


def _explain_alternatives(error: ValidationError) -> tuple[str, str]:
    """For ``oneOf``/``anyOf``: when one alternative has the right type, explain why *it*
    failed; otherwise list the types the alternatives accept."""
    by_branch: dict[object, list[ValidationError]] = {}
    for sub in error.context or ():
        branch = sub.relative_schema_path[0] if sub.relative_schema_path else None
        by_branch.setdefault(branch, []).append(sub)
    types: list[str] = []
    close: list[ValidationError] = []
    for subs in by_branch.values():
        wrong_type = [s for s in subs if s.validator == "type" and not s.relative_path]
        for sub in wrong_type:
            for word in _expected_types(sub.validator_value).split(" or "):
                if word not in types:
                    types.append(word)
        if not wrong_type:
            close.extend(subs)
    if close:
        best = max(close, key=lambda sub: len(sub.absolute_path))
        inner = list(_explain(best))
        if inner:
            return inner[0]
    ptr = _pointer_of(error)
    if types:
        return ptr, f"expected {' or '.join(types)}, got {describe_value(error.instance)}"
    return ptr, f"{describe_value(error.instance)} matches none of the allowed forms"


def _as_list(value: object) -> Sequence[Any]:
    return value if isinstance(value, list) else []


def _as_mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _plain(value: Any) -> Any:
    """Tuples -> lists so the validator sees JSON types (loaders may hand over tuples)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
