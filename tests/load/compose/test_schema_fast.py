"""The compiled compose-spec validator must never accept what the real schema refuses."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kubealign.load.compose.schema import compose_schema
from kubealign.load.compose.schema_fast import compile_validator, is_valid, to_draft7
from kubealign.load.yaml_safe import load_yaml_file

REPO = Path(__file__).resolve().parents[3]
EXAMPLE_FILES = sorted((REPO / "examples" / "sophia").glob("docker-compose*.yml"))


def _reference(data: Any) -> bool:
    schema = compose_schema()
    return not list(jsonschema.validators.validator_for(schema)(schema).iter_errors(data))


def _mappings(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = []
    if isinstance(node, dict):
        found.append(path)
        for key, value in node.items():
            found += _mappings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _mappings(value, (*path, index))
    return found


def _documents() -> list[Any]:
    docs = [load_yaml_file(p).data for p in EXAMPLE_FILES]
    corpus = REPO / ".." / "shared" / "corpus" / "awesome-compose"
    if corpus.is_dir():
        docs += [load_yaml_file(p).data for p in sorted(corpus.glob("*/compose.yaml"))]
    return docs


def test_translation_keeps_closed_services() -> None:
    translated = to_draft7(compose_schema())
    service = translated["definitions"]["service"]
    assert service["additionalProperties"] is False
    assert {"image", "deploy", "ports"} <= service["properties"].keys()


@pytest.mark.parametrize("index", range(len(EXAMPLE_FILES)))
def test_fast_and_reference_agree_on_valid_and_mutated_documents(index: int) -> None:
    validator = compile_validator(compose_schema())
    assert validator is not None
    document = _documents()[index]
    assert is_valid(validator, document) == _reference(document)
    # An unknown key added to any mapping: the compiled validator must not be more permissive.
    for path in _mappings(document)[:200]:
        mutated = copy.deepcopy(document)
        node = mutated
        for token in path:
            node = node[token]
        node["zz_unknown_key"] = 1
        if not _reference(mutated):
            assert not is_valid(validator, mutated), path


def test_fast_validator_rejects_wrong_types() -> None:
    validator = compile_validator(compose_schema())
    assert validator is not None
    assert not is_valid(validator, {"services": {"a": {"image": 3, "ports": "x"}}})
    for document in (
        {"services": {"a": {"deploy": {"replicas": [1]}}}},
        {"services": {"a": {"healthcheck": {"retries": "x", "bogus": 1}}}},
        {"services": {"a": {"volumes": [{"type": "bind"}]}}},
        {"networks": {"n": {"internal": "yes please"}}},
    ):
        assert is_valid(validator, document) == _reference(document), document
    assert is_valid(validator, {"services": {"a": {"image": "nginx", "x-note": {"any": 1}}}})
