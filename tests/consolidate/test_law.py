"""The consolidation law on random values trees: base + overlay == the variant."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kubealign.transform.consolidate import (
    consolidate,
    deep_merge,
    expected_merge,
    with_explicit_enabled,
)

KEYS = st.sampled_from(["a", "b", "c", "image", "tag", "env", "replicas", "gpu"])
SCALARS = st.one_of(st.integers(-3, 3), st.booleans(), st.sampled_from(["x", "y", "1.0", ""]))
TREES = st.recursive(
    st.one_of(SCALARS, st.lists(SCALARS, max_size=3)),
    lambda children: st.dictionaries(KEYS, children, max_size=4),
    max_leaves=20,
)
PLAIN = st.dictionaries(KEYS, TREES, max_size=5)
SERVICE = st.dictionaries(KEYS | st.just("enabled"), TREES, max_size=4)
WITH_SERVICES = st.fixed_dictionaries(
    {"services": st.dictionaries(st.sampled_from(["api", "web", "db", "gpu-job"]), SERVICE,
                                 max_size=4)},
    optional={"global": PLAIN},
)
ENVS = st.lists(st.sampled_from(["dev", "prod", "ai", "data", "mcp", "stage"]), min_size=1,
                max_size=6, unique=True)


@settings(max_examples=150, deadline=None)
@given(ENVS, st.data())
def test_base_plus_overlay_is_the_variant(envs: list[str], data: st.DataObject) -> None:
    variants = {env: data.draw(PLAIN, label=env) for env in envs}
    result = consolidate(variants, prefer=data.draw(st.sampled_from(envs)))
    for env, values in variants.items():
        assert deep_merge(result.base, result.overlays[env]) == values


@settings(max_examples=150, deadline=None)
@given(ENVS, st.data())
def test_services_law_partial_services_are_disabled_stubs(envs: list[str],
                                                          data: st.DataObject) -> None:
    variants: dict[str, dict[str, Any]] = {env: data.draw(WITH_SERVICES, label=env)
                                           for env in envs}
    result = consolidate(variants)
    for env, values in variants.items():
        merged = deep_merge(result.base, result.overlays[env])
        assert merged == expected_merge(values, result.base)
        own = values["services"]
        for name, svc in merged["services"].items():
            if name not in own:
                assert svc["enabled"] is False
    every = set.intersection(*(set(v["services"]) for v in variants.values()))
    for name, svc in result.base["services"].items():
        if name not in every:
            assert svc["enabled"] is False


def test_majority_goes_to_the_base_and_only_differences_to_overlays() -> None:
    variants = {
        "dev": {"services": {"api": {"image": {"repository": "r", "tag": "dev"}, "replicas": 1}}},
        "prod": {"services": {"api": {"image": {"repository": "r", "tag": "1.2"}, "replicas": 3}}},
        "stage": {"services": {"api": {"image": {"repository": "r", "tag": "1.2"},
                                       "replicas": 1}}},
    }
    result = consolidate(variants)
    assert result.base == {"services": {"api": {"enabled": True, "image": {"repository": "r",
                                                                           "tag": "1.2"},
                                                "replicas": 1}}}
    assert result.overlays == {
        "dev": {"services": {"api": {"image": {"tag": "dev"}}}},
        "prod": {"services": {"api": {"replicas": 3}}},
        "stage": {},
    }


def test_service_in_some_variants_is_disabled_in_base_not_duplicated() -> None:
    gpu = {"image": {"repository": "ai", "tag": "1"}, "gpu": {"count": 1}}
    variants = {"dev": {"services": {"web": {"replicas": 1}}},
                "ai": {"services": {"web": {"replicas": 1}, "ai": gpu}},
                "data": {"services": {"web": {"replicas": 1}, "ai": {**gpu, "replicas": 2}}}}
    result = consolidate(variants)
    assert result.base["services"]["ai"] == {"enabled": False, **gpu}
    assert result.overlays["ai"] == {"services": {"ai": {"enabled": True}}}
    assert result.overlays["data"] == {"services": {"ai": {"enabled": True, "replicas": 2}}}
    assert result.overlays["dev"] == {}


def test_ties_go_to_the_preferred_environment() -> None:
    variants = {"a": {"x": 1}, "b": {"x": 2}}
    assert consolidate(variants, prefer="b").base == {"x": 2}
    assert consolidate(variants).base == {"x": 1}


def test_map_over_scalar_replaces() -> None:
    variants = {"a": {"x": 1}, "b": {"x": 1}, "c": {"x": {"y": 2}}}
    result = consolidate(variants)
    assert result.base == {"x": 1}
    assert deep_merge(result.base, result.overlays["c"]) == {"x": {"y": 2}}


def test_helm_merge_rule() -> None:
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1, "e": {"f": 1}}
    over = {"a": {"c": [3]}, "d": {"e": 1}, "e": 2}
    assert deep_merge(base, over) == {"a": {"b": 1, "c": [3]}, "d": {"e": 1}, "e": 2}


def test_explicit_enabled_keeps_false() -> None:
    assert with_explicit_enabled({"services": {"a": {"enabled": False}, "b": {}}}) == {
        "services": {"a": {"enabled": False}, "b": {"enabled": True}}}
