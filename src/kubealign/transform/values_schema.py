"""Generate the chart's ``values.schema.json`` and ``docs/values.md`` from the values model.

Regenerate both after changing :mod:`kubealign.transform.values_model`::

    python -m kubealign.transform.values_schema --write

A test fails when the committed files differ from what this module generates.

The schema is JSON Schema draft-07 (Helm 4 validates it with santhosh-tekuri/jsonschema,
whose regular expressions are Go RE2: no look-arounds in patterns). Every object has
``additionalProperties: false``, so Helm refuses a misspelt key and names it.
"""

from __future__ import annotations

import json
import sys
import types
import typing
from collections.abc import Iterator
from dataclasses import is_dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from kubealign.transform.values_model import ChartValues, Meta, field_specs

SCHEMA_DRAFT = "http://json-schema.org/draft-07/schema#"
CHART_DIR = Path(__file__).resolve().parents[1] / "chart"
SCHEMA_PATH = CHART_DIR / "values.schema.json"
#: ``docs/values.md`` of a source checkout (absent from an installed wheel).
DOCS_PATH = Path(__file__).resolve().parents[3] / "docs" / "values.md"

_NO_META = Meta("")
_STRING_KEYS = {"pattern": "pattern", "min_length": "minLength", "max_length": "maxLength"}
_NUMBER_KEYS = {"minimum": "minimum", "maximum": "maximum"}


def _strip_none(hint: Any) -> Any:
    """``X | None`` -> ``X`` (optional keys are simply absent, never null)."""
    if get_origin(hint) in (Union, types.UnionType):
        args = tuple(a for a in get_args(hint) if a is not type(None))
        if len(args) == 1:
            return args[0]
        return Union[args]  # noqa: UP007 - rebuilding a union from a tuple of members
    return hint


def _union_members(hint: Any) -> tuple[Any, ...]:
    if get_origin(hint) in (Union, types.UnionType):
        return get_args(hint)
    return (hint,)


def _constrain(schema: dict[str, Any], meta: Meta) -> dict[str, Any]:
    """Apply metadata constraints to the branch of ``schema`` they make sense on."""
    kind = schema.get("type")
    if kind == "string":
        for src, dst in _STRING_KEYS.items():
            if src in meta:
                schema[dst] = meta[src]
        if meta.get("port_name"):
            # IANA names need a letter and no '--'; two checks because RE2 has no look-ahead.
            schema["allOf"] = [{"pattern": "[a-z]"}, {"not": {"pattern": "--"}}]
    elif kind == "integer":
        for src, dst in _NUMBER_KEYS.items():
            if src in meta:
                schema[dst] = meta[src]
    elif kind == "array":
        if "item_pattern" in meta:
            schema["items"] = {**schema["items"], "pattern": meta["item_pattern"]}
        if "min_items" in meta:
            schema["minItems"] = meta["min_items"]
    elif kind == "object" and "additionalProperties" in schema:
        if "key_pattern" in meta:
            schema["propertyNames"] = {"pattern": meta["key_pattern"]}
        if "value_pattern" in meta and schema["additionalProperties"] == {"type": "string"}:
            schema["additionalProperties"] = {"type": "string", "pattern": meta["value_pattern"]}
    elif "anyOf" in schema:
        schema["anyOf"] = [_constrain(dict(branch), meta) for branch in schema["anyOf"]]
    return schema


def type_schema(hint: Any, meta: Meta) -> dict[str, Any]:
    """JSON schema of one (already None-stripped) type hint."""
    if is_dataclass(hint) and isinstance(hint, type):
        return dataclass_schema(hint)
    origin = get_origin(hint)
    if hint is str:
        return _constrain({"type": "string"}, meta)
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return _constrain({"type": "integer"}, meta)
    if hint is Any:
        return {"type": "object"}
    if origin is Literal:
        return {"type": "string", "enum": list(get_args(hint))}
    if origin is tuple:
        item, _ellipsis = get_args(hint)
        return _constrain({"type": "array", "items": type_schema(item, _NO_META)}, meta)
    if origin is dict:
        _key, value = get_args(hint)
        if value is Any:
            if not meta.get("free_form"):
                raise TypeError("dict[str, Any] must be marked free_form")
            return {"type": "object"}
        return _constrain(
            {"type": "object", "additionalProperties": type_schema(value, _NO_META)}, meta
        )
    if origin in (Union, types.UnionType):
        branches = [type_schema(member, _NO_META) for member in _union_members(hint)]
        return _constrain({"anyOf": branches}, meta)
    raise TypeError(f"no JSON schema for type hint {hint!r}")


def _description(meta: Meta) -> str:
    text = str(meta["doc"])
    if "default" in meta:
        text += f" Default: {_default_text(meta['default'])}."
    return text


def _default_text(default: Any) -> str:
    if isinstance(default, str) and (
        default.startswith(("global.", "the ", "`", "/")) or " " in default
    ):
        return default
    return json.dumps(default)


def dataclass_schema(cls: type) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for spec in field_specs(cls):
        prop = type_schema(_strip_none(spec.hint), spec.meta)
        properties[spec.key] = {"description": _description(spec.meta), **prop}
        if spec.required:
            required.append(spec.key)
    schema: dict[str, Any] = {"type": "object"}
    if cls.__doc__ and not cls.__doc__.startswith(f"{cls.__name__}("):
        schema["description"] = " ".join(cls.__doc__.split())
    schema["additionalProperties"] = False
    schema["properties"] = properties
    if required:
        schema["required"] = required
    exactly_one: tuple[str, ...] = getattr(cls, "EXACTLY_ONE", ())
    if exactly_one:
        schema["oneOf"] = [{"required": [key]} for key in exactly_one]
    at_most_one: tuple[str, ...] = getattr(cls, "AT_MOST_ONE", ())
    if at_most_one:
        schema["not"] = {"required": list(at_most_one)}
    return schema


def generate_schema() -> dict[str, Any]:
    """The whole ``values.schema.json`` document."""
    root = dataclass_schema(ChartValues)
    return {"$schema": SCHEMA_DRAFT, "title": "kubealign chart values", **root}


def schema_text() -> str:
    return json.dumps(generate_schema(), indent=2, ensure_ascii=False) + "\n"


# --- docs -----------------------------------------------------------------------------------


def _type_name(hint: Any) -> str:
    hint = _strip_none(hint)
    if is_dataclass(hint) and isinstance(hint, type):
        return "object"
    origin = get_origin(hint)
    if origin is Literal:
        return " \\| ".join(f"`{v}`" for v in get_args(hint))
    if origin is tuple:
        return f"list of {_type_name(get_args(hint)[0])}"
    if origin is dict:
        return (
            f"map of {_type_name(get_args(hint)[1])}"
            if get_args(hint)[1] is not Any
            else "object (free-form)"
        )
    if origin in (Union, types.UnionType):
        return " or ".join(_type_name(m) for m in _union_members(hint))
    return {str: "string", int: "integer", bool: "boolean"}.get(hint, str(hint))


def _nested(hint: Any) -> type | None:
    """The dataclass a field's values are made of, if any."""
    hint = _strip_none(hint)
    if is_dataclass(hint) and isinstance(hint, type):
        return hint
    origin = get_origin(hint)
    if origin is tuple:
        return _nested(get_args(hint)[0])
    if origin is dict:
        return _nested(get_args(hint)[1])
    return None


def _doc_rows(cls: type, prefix: str) -> Iterator[tuple[str, type]]:
    """Each dataclass reachable from ``cls`` with the values path it appears at."""
    yield prefix, cls
    for spec in field_specs(cls):
        inner = _nested(spec.hint)
        if inner is None:
            continue
        key = spec.key
        origin = get_origin(_strip_none(spec.hint))
        suffix = "[]" if origin is tuple else ".<name>" if origin is dict else ""
        yield from _doc_rows(inner, f"{prefix}.{key}{suffix}" if prefix else f"{key}{suffix}")


DOCS_EXAMPLE = """
global:
  ingress: {className: traefik, clusterIssuer: letsencrypt}
  gpu: {nodeSelectorKey: gpu-type}
services:
  api:
    image: {repository: ghcr.io/acme/api, tag: "1.4.2"}
    replicas: 2
    ports: [{name: http, containerPort: 8000}]
    env: {LOG_LEVEL: info}
    secretEnv: {DB_PASSWORD: {secretName: api-secrets, key: db_password}}
    composedEnv: {DATABASE_URL: "postgresql://app:$(DB_PASSWORD)@db:5432/app"}
    ingress: {enabled: true, hosts: [{host: api.example.com}],
              tls: [{hosts: [api.example.com], secretName: api-tls}]}
    podDisruptionBudget: {enabled: true}
    networkPolicy: {ingressFrom: [web]}
  llm:
    image: {repository: vllm/vllm-openai, tag: v0.6.3}
    gpu: {count: 2, pool: gh200}
    shmSize: 16Gi
  db:
    kind: StatefulSet
    image: {repository: postgres, tag: "16"}
    ports: [{name: postgres, containerPort: 5432}]
    persistence: {data: {mountPath: /var/lib/postgresql/data, size: 20Gi}}
    securityContext: {runAsUser: 999, fsGroup: 999}
externalSecrets:
  api-secrets:
    data: [{secretKey: db_password, remoteRef: {key: api.db_password}}]
"""


def docs_text() -> str:
    lines = [
        "# Chart values reference",
        "",
        "<!-- Generated by `python -m kubealign.transform.values_schema --write` from",
        "     src/kubealign/transform/values_model.py. Do not edit by hand. -->",
        "",
        "The fixed chart (`src/kubealign/chart`) reads exactly these keys. Helm validates",
        "every values file against `values.schema.json` (generated from the same model), so",
        "an unknown key or a wrong type is refused with the key named. Required keys are",
        "marked **required**; every other key may be left out and the chart applies the",
        "default shown.",
        "",
        "```yaml",
        *DOCS_EXAMPLE.strip("\n").splitlines(),
        "```",
        "",
        "Rules the chart follows:",
        "",
        "- Objects of a service are named after its key: workload, Service, ServiceAccount,",
        "  Ingress, NetworkPolicy, HPA and PDB `<name>`; ConfigMap `<name>-config`; PVC",
        "  `<name>-<volume>`; StatefulSet governing Service `<name>-headless` unless the",
        "  Service itself is headless.",
        "- No Service for a service without exposed ports; an Ingress on such a service fails.",
        "- Env order: `fieldEnv`, `secretEnv`, then `env`, then `composedEnv`, so `$(VAR)`",
        "  references resolve. A literal `$(` in a value must be written `$$(`.",
        "- The chart never renders a Secret: secret files and variables reference Secrets",
        "  made by the ExternalSecrets in `externalSecrets`.",
        "- Pods follow the restricted Pod Security profile; `securityContext` relaxes it",
        "  explicitly. `runAsUser: 0` needs `runAsNonRoot: false` or rendering fails.",
        "",
    ]
    for path, cls in _doc_rows(ChartValues, ""):
        title = path or "(top level)"
        lines += [f"## `{title}`", ""]
        if cls.__doc__ and not cls.__doc__.startswith(f"{cls.__name__}("):
            lines += [" ".join(cls.__doc__.split()), ""]
        lines += ["| Key | Type | Description |", "|---|---|---|"]
        for spec in field_specs(cls):
            desc = _description(spec.meta).replace("|", "\\|")
            if spec.required:
                desc = "**required** " + desc
            lines.append(f"| `{spec.key}` | {_type_name(spec.hint)} | {desc} |")
        lines.append("")
    return "\n".join(lines)


# --- validation without Helm ----------------------------------------------------------------


def validate_values(values: typing.Mapping[str, Any]) -> list[str]:
    """Problems of ``values`` against the schema, as ``/json/pointer: message`` lines.

    The same schema Helm enforces, checked in-process so the converter can test its own
    output quickly; Helm remains the authority when rendering.
    """
    import jsonschema

    validator = jsonschema.Draft7Validator(_cached_schema())
    problems = []
    for error in validator.iter_errors(dict(values)):
        pointer = "/" + "/".join(str(p) for p in error.absolute_path)
        problems.append(f"{pointer}: {error.message}")
    return sorted(problems)


@cache
def _cached_schema() -> dict[str, Any]:
    return generate_schema()


def main(argv: list[str]) -> int:
    if argv == ["--write"]:
        SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
        if DOCS_PATH.parent.is_dir():
            DOCS_PATH.write_text(docs_text(), encoding="utf-8")
        return 0
    if argv == ["--check"]:
        stale = [
            str(p)
            for p, text in ((SCHEMA_PATH, schema_text()), (DOCS_PATH, docs_text()))
            if p.parent.is_dir() and (not p.exists() or p.read_text("utf-8") != text)
        ]
        for path in stale:
            print(
                f"{path} is out of date: run python -m kubealign.transform.values_schema --write",
                file=sys.stderr,
            )
        return 1 if stale else 0
    print("usage: python -m kubealign.transform.values_schema --write|--check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
