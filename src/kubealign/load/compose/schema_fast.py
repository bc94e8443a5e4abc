"""A compiled validator for the compose-spec schema: the fast "is it valid?" answer.

The pure-Python ``jsonschema`` validator took more than half of ``resolve``'s time on large
projects. ``fastjsonschema`` compiles a schema to Python code once, but speaks draft-07 only,
while the compose-spec schema is draft 2020-12. It uses exactly two 2020-12 features:
``$defs`` (renamed ``definitions``) and ``unevaluatedProperties: false`` on an ``allOf`` of
references (``service``, ``job``, ``pre_start_hook``). The second is rewritten into the
draft-07 equivalent: one object whose properties and patterns are the union of the
branches', with ``additionalProperties: false``.

Data this validator accepts is valid; anything it rejects goes to the ``jsonschema``
validator, which explains every violation. Any schema feature outside these two makes the
translation refuse (and validation falls back to ``jsonschema`` alone), so it never
silently accepts what the real schema would refuse.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import fastjsonschema

_UNSUPPORTED = {"unevaluatedItems", "dependentSchemas", "prefixItems", "$dynamicRef",
                "$anchor", "$dynamicAnchor", "contentSchema"}


class TranslationRefused(ValueError):
    """The schema uses a 2020-12 feature this translation does not handle."""


def _resolve(root: Mapping[str, Any], ref: str) -> Mapping[str, Any]:
    node: Any = root
    for token in ref.removeprefix("#/").split("/"):
        node = node[token]
    return node  # type: ignore[no-any-return]


def _keys_of(root: Mapping[str, Any], schema: Mapping[str, Any], *,
             branch: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """Properties and patterns ``schema`` evaluates, through its ``allOf`` branches."""
    if "$ref" in schema:
        schema = _resolve(root, schema["$ref"])
    if branch and (schema.get("additionalProperties") is False
                   or "unevaluatedProperties" in schema):
        raise TranslationRefused("a branch closes its own properties")
    properties = dict(schema.get("properties", {}))
    patterns = dict(schema.get("patternProperties", {}))
    for part in schema.get("allOf", []):
        more_properties, more_patterns = _keys_of(root, part, branch=True)
        properties.update(more_properties)
        patterns.update(more_patterns)
    return properties, patterns


def to_draft7(schema: Mapping[str, Any]) -> dict[str, Any]:
    root = copy.deepcopy(dict(schema))

    def rewrite(node: Any) -> Any:
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        if not isinstance(node, dict):
            return node
        used = _UNSUPPORTED & node.keys()
        if used:
            raise TranslationRefused(f"unsupported keywords {sorted(used)}")
        if node.get("unevaluatedProperties") is False and "allOf" in node:
            properties, patterns = _keys_of(schema, node)
            node = {k: v for k, v in node.items() if k != "unevaluatedProperties"}
            node["properties"] = {**properties, **node.get("properties", {})}
            if patterns:
                node["patternProperties"] = {**patterns, **node.get("patternProperties", {})}
            node["additionalProperties"] = False
        elif "unevaluatedProperties" in node:
            raise TranslationRefused("unevaluatedProperties without allOf")
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                out[key] = value.replace("#/$defs/", "#/definitions/")
            elif key in ("$schema", "$id"):
                continue
            else:
                out["definitions" if key == "$defs" else key] = rewrite(value)
        return out

    translated: dict[str, Any] = rewrite(root)
    translated["$schema"] = "http://json-schema.org/draft-07/schema#"
    return translated


def compile_validator(schema: Mapping[str, Any]) -> Callable[[Any], Any] | None:
    """The compiled validator, or None when the schema cannot be translated."""
    try:
        translated = to_draft7(schema)
    except TranslationRefused:
        return None
    code = fastjsonschema.compile_to_code(translated)
    # The generated code formats each nested value's error path eagerly with
    # ``.format(**locals())``, on success too; that was a third of the validation time.
    # Rejections are explained by jsonschema anyway, so the compiled path keeps the template.
    code = code.replace(".format(**locals())", "")
    namespace: dict[str, Any] = {}
    exec(compile(code, "<compose-spec fastjsonschema>", "exec"), namespace)
    validate: Callable[[Any], Any] = namespace["validate"]
    return validate


def is_valid(validate: Callable[[Any], Any], data: Any) -> bool:
    try:
        validate(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True
