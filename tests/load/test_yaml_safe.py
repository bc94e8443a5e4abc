"""Safe YAML: go-yaml v3 scalars, merge keys, compose tags, guards, positions."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from kubealign.errors import LoadError, YamlError
from kubealign.load.yaml_safe import (
    OverrideTag,
    ResetTag,
    load_yaml_documents,
    load_yaml_file,
    load_yaml_text,
    resolve_plain_scalar,
)
from kubealign.model.source import SourceSpan


def value(text: str) -> object:
    return load_yaml_text(f"v: {text}\n", "t.yaml").data["v"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22:22", "22:22"),  # YAML 1.1 would give the base-60 int 1342
        ("8080:80", "8080:80"),
        ("on", "on"),
        ("yes", "yes"),
        ("off", "off"),
        ("no", "no"),
        ("y", "y"),
        ("n", "n"),
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("FALSE", False),
        ("tRuE", "tRuE"),
        ("~", None),
        ("null", None),
        ("NULL", None),
        ("", None),
        ("0755", 493),  # go-yaml v3 keeps 1.1 octals; docker compose config prints "493"
        ("0o17", 15),
        ("0x1F", 31),
        ("-0b11", -3),
        ("1_000", 1000),
        ("+12", 12),
        ("-7", -7),
        ("1.10", 1.1),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("08", 8.0),
        ("2001-12-14", "2001-12-14"),
        ("'on'", "on"),
        ('"22"', "22"),
        ("!!str 12", "12"),
        ("!!int 12", 12),
        ("!!float 1", 1.0),
        ("a-b", "a-b"),
        ("99999999999999999999", 1e20),
    ],
)
def test_scalars_resolve_like_go_yaml_v3(text: str, expected: object) -> None:
    got = value(text)
    assert got == expected
    assert type(got) is type(expected)


def test_special_floats() -> None:
    assert value(".inf") == math.inf
    assert value("-.Inf") == -math.inf
    assert math.isnan(resolve_plain_scalar(".NaN"))


def test_wrong_explicit_tag_is_an_error() -> None:
    with pytest.raises(YamlError, match="does not match its tag"):
        load_yaml_text("v: !!int abc\n", "t.yaml")


def test_merge_keys_single_and_list_explicit_keys_win() -> None:
    text = (
        "base: &base {a: 1, b: 1}\n"
        "other: &other {b: 2, c: 2}\n"
        "one:\n  <<: *base\n  b: 9\n"
        "many:\n  <<: [*base, *other]\n  d: 4\n"
    )
    data = load_yaml_text(text, "m.yaml").data
    assert data["one"] == {"a": 1, "b": 9}
    # earlier maps in the merge list take precedence over later ones
    assert data["many"] == {"a": 1, "b": 1, "c": 2, "d": 4}


def test_quoted_merge_key_is_an_ordinary_key() -> None:
    assert load_yaml_text('"<<": 1\n', "m.yaml").data == {"<<": 1}


def test_merge_value_must_be_mapping() -> None:
    with pytest.raises(YamlError, match=r"m.yaml:1:9: expected a mapping or a list of mappings"):
        load_yaml_text("a: {<<: 3}\n", "m.yaml")


def test_aliases_give_independent_copies() -> None:
    data = load_yaml_text("a: &x {k: [1]}\nb: *x\n", "m.yaml").data
    data["a"]["k"].append(2)
    assert data["b"] == {"k": [1]}


def test_reset_and_override_tags() -> None:
    data = load_yaml_text(
        "ports: !reset []\nenv: !reset null\nx: !override {a: 1}\nbare: !reset\n", "t.yaml"
    ).data
    assert data["ports"] == ResetTag([])
    assert data["env"] == ResetTag(None)
    assert data["bare"] == ResetTag(None)
    assert data["x"] == OverrideTag({"a": 1})


def test_duplicate_key_is_an_error_with_position() -> None:
    with pytest.raises(YamlError) as info:
        load_yaml_text("services:\n  web: {}\n  web: {}\n", "dup.yaml")
    err = info.value
    assert (err.path, err.line, err.column) == ("dup.yaml", 3, 3)
    assert "duplicate mapping key 'web' (first defined at line 2)" in str(err)


def test_duplicate_keys_from_merges_are_allowed() -> None:
    data = load_yaml_text("a: &a {x: 1}\nb: {<<: *a, x: 2}\n", "t.yaml").data
    assert data["b"] == {"x": 2}


def test_billion_laughs_refused_before_construction() -> None:
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*l{i - 1}"] * 9)
        lines.append(f"l{i}: &l{i} [{refs}]")
    with pytest.raises(YamlError, match="billion laughs") as info:
        load_yaml_text("\n".join(lines) + "\n", "bomb.yaml")
    assert info.value.path == "bomb.yaml"
    assert info.value.line is not None


def test_alias_limit_is_configurable() -> None:
    text = "a: &a [1, 2, 3, 4]\nb: [*a, *a, *a]\n"
    assert load_yaml_text(text, "t.yaml", max_alias_nodes=15).data["b"][2] == [1, 2, 3, 4]
    with pytest.raises(YamlError, match="limit of 14"):
        load_yaml_text(text, "t.yaml", max_alias_nodes=14)


def test_self_referencing_anchor_is_refused() -> None:
    with pytest.raises(YamlError, match="contains an alias to itself"):
        load_yaml_text("a: &a [1, *a]\n", "t.yaml")


def test_size_limit(tmp_path: Path) -> None:
    with pytest.raises(YamlError, match="larger than the 10-byte limit"):
        load_yaml_text("key: " + "x" * 20 + "\n", "big.yaml", max_bytes=10)
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "b" * 100 + "\n")
    with pytest.raises(YamlError, match="limit"):
        load_yaml_file(big, max_bytes=50)


def test_syntax_error_positions_are_one_based() -> None:
    with pytest.raises(YamlError) as info:
        load_yaml_text("a: 1\nb: [1,\n", "bad.yaml")
    assert info.value.path == "bad.yaml"
    assert info.value.line == 3
    assert str(info.value).startswith("bad.yaml:3:1: invalid YAML")
    assert "\n" not in str(info.value)


def test_mapping_value_error_position() -> None:
    with pytest.raises(YamlError) as info:
        load_yaml_text("a: b: c\n", "bad.yaml")
    assert (info.value.line, info.value.column) == (1, 5)


def test_non_scalar_key_is_an_error() -> None:
    with pytest.raises(YamlError, match="expected a scalar mapping key"):
        load_yaml_text("? [a]\n: 1\n", "t.yaml")


def test_missing_file_is_a_load_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(LoadError, match="file not found") as info:
        load_yaml_file(missing, display_path="nope.yaml")
    assert info.value.path == "nope.yaml"


def test_source_pointers() -> None:
    text = "services:\n  web:\n    image: nginx\n    ports:\n      - '80:80'\n      - 443\n"
    loaded = load_yaml_text(text, "c.yaml")
    assert loaded.sources["/services/web"] == SourceSpan("c.yaml", 2, 3)
    assert loaded.sources["/services/web/image"] == SourceSpan("c.yaml", 3, 5)
    assert loaded.sources["/services/web/ports/1"] == SourceSpan("c.yaml", 6, 9)
    assert loaded.sources.nearest("/services/web/image/x") == SourceSpan("c.yaml", 3, 5)


def test_pointer_tokens_are_escaped() -> None:
    loaded = load_yaml_text("labels:\n  traefik/a~b: 1\n", "c.yaml")
    assert loaded.sources["/labels/traefik~1a~0b"].line == 2


def test_empty_document() -> None:
    assert load_yaml_text("", "e.yaml").data is None
    assert load_yaml_text("# only a comment\n", "e.yaml").data is None


def test_multi_document_stream() -> None:
    docs = load_yaml_documents("kind: A\n---\nkind: B\nx: 1\n", "k.yaml")
    assert [d.data["kind"] for d in docs] == ["A", "B"]
    assert docs[1].sources["/x"] == SourceSpan("k.yaml", 4, 1)
    with pytest.raises(YamlError, match="single document"):
        load_yaml_text("a: 1\n---\nb: 2\n", "k.yaml")


def test_file_loading_uses_display_path(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("a: 1\n")
    loaded = load_yaml_file(path, display_path="c.yaml")
    assert loaded.path == "c.yaml"
    assert loaded.sources["/a"].path == "c.yaml"
