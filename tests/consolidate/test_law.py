"""The consolidation law on random values trees: base + overlay == the variant."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kubealign.transform.consolidate import (
    coalesce,
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
    prefer = data.draw(st.sampled_from(envs))
    result = consolidate(variants, prefer=prefer)
    assert result.base == variants[prefer] and result.overlays[prefer] == {}
    for env, values in variants.items():
        assert coalesce(result.base, result.overlays[env]) == values
        assert result.merged(env) == values


@settings(max_examples=150, deadline=None)
@given(ENVS, st.data())
def test_services_law_base_services_switched_off_elsewhere(envs: list[str],
                                                          data: st.DataObject) -> None:
    variants: dict[str, dict[str, Any]] = {env: data.draw(WITH_SERVICES, label=env)
                                           for env in envs}
    result = consolidate(variants)
    first = with_explicit_enabled(variants[envs[0]])
    assert result.overlays[envs[0]] == {}
    for name, svc in result.base["services"].items():
        if name in first["services"]:
            assert svc == first["services"][name]
        else:  # another environment's service: written once, switched off
            assert svc["enabled"] is False
    for env, values in variants.items():
        merged = coalesce(result.base, result.overlays[env])
        assert merged == expected_merge(values, result.base)
        own = values["services"]
        for name, svc in merged["services"].items():
            if name not in own:
                assert svc["enabled"] is False
                assert name in result.base["services"]


def test_base_is_the_preferred_environment_and_overlays_only_differences() -> None:
    variants = {
        "dev": {"services": {"api": {"image": {"repository": "r", "tag": "dev"}, "replicas": 1}}},
        "prod": {"services": {"api": {"image": {"repository": "r", "tag": "1.2"}, "replicas": 3}}},
        "stage": {"services": {"api": {"image": {"repository": "r", "tag": "1.2"},
                                       "replicas": 1}}},
    }
    result = consolidate(variants, prefer="prod")
    assert result.base == {"services": {"api": {"enabled": True, "image": {"repository": "r",
                                                                           "tag": "1.2"},
                                                "replicas": 3}}}
    assert result.overlays == {
        "dev": {"services": {"api": {"image": {"tag": "dev"}, "replicas": 1}}},
        "prod": {},
        "stage": {"services": {"api": {"replicas": 1}}},
    }


def test_services_the_base_lacks_are_shared_switched_off_and_on_where_they_run() -> None:
    gpu = {"image": {"repository": "ai", "tag": "1"}, "gpu": {"count": 1}}
    variants = {"dev": {"services": {"web": {"replicas": 1}}},
                "ai": {"services": {"web": {"replicas": 1}, "ai": gpu}},
                "data": {"services": {"web": {"replicas": 1}, "ai": {**gpu, "replicas": 2}}}}
    result = consolidate(variants, prefer="dev")
    assert result.base == {"services": {"ai": {"enabled": False, **gpu},
                                        "web": {"enabled": True, "replicas": 1}}}
    assert result.overlays["ai"] == {"services": {"ai": {"enabled": True}}}
    assert result.overlays["data"] == {"services": {"ai": {"enabled": True, "replicas": 2}}}
    assert result.overlays["dev"] == {}
    flipped = consolidate(variants, prefer="ai")
    assert flipped.overlays["dev"] == {"services": {"ai": {"enabled": False}}}
    assert flipped.overlays["data"] == {"services": {"ai": {"replicas": 2}}}


def test_a_shared_stub_never_mixes_probe_handlers() -> None:
    """Three environments probing one service three ways: the switched-off definition takes
    one handler whole (a probe's timings alone are invalid under the values schema)."""
    probes = [{"exec": {"command": ["true"]}, "periodSeconds": 5},
              {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 5},
              {"tcpSocket": {"port": 80}, "periodSeconds": 5}]
    variants = {"base": {"services": {"web": {"replicas": 1}}}}
    variants |= {f"e{i}": {"services": {"api": {"readinessProbe": p}}}
                 for i, p in enumerate(probes)}
    result = consolidate(variants, prefer="base")
    stub = result.base["services"]["api"]
    assert stub == {"enabled": False, "readinessProbe": probes[0]}
    for env, values in variants.items():
        assert result.merged(env) == expected_merge(values, result.base)
    assert result.overlays["e1"]["services"]["api"]["readinessProbe"] == {
        "httpGet": {"path": "/", "port": 80}, "exec": None}


def test_keys_the_base_has_and_a_variant_lacks_become_null() -> None:
    variants = {"a": {"probe": {"exec": ["true"], "period": 5}, "x": 1},
                "b": {"probe": {"httpGet": {"path": "/"}, "period": 5}}}
    result = consolidate(variants, prefer="a")
    assert result.overlays["b"] == {"probe": {"httpGet": {"path": "/"}, "exec": None},
                                    "x": None}
    assert result.merged("b") == variants["b"]


def test_ties_go_to_the_preferred_environment() -> None:
    variants = {"a": {"x": 1}, "b": {"x": 2}}
    assert consolidate(variants, prefer="b").base == {"x": 2}
    assert consolidate(variants).base == {"x": 1}


def test_map_over_scalar_replaces() -> None:
    variants = {"a": {"x": 1}, "b": {"x": 1}, "c": {"x": {"y": 2}}}
    result = consolidate(variants)
    assert result.base == {"x": 1}
    assert result.merged("c") == {"x": {"y": 2}}
    assert consolidate(variants, prefer="c").merged("a") == {"x": 1}


def test_coalesce_deletes_only_what_the_defaults_have() -> None:
    assert coalesce({"a": 1, "b": {"c": 1, "d": 2}}, {"a": None, "b": {"d": None}}) == {
        "b": {"c": 1}}
    assert deep_merge({"a": 1}, {"a": None}) == {"a": None}  # between -f files null stays


def test_helm_merge_rule() -> None:
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 1, "e": {"f": 1}}
    over = {"a": {"c": [3]}, "d": {"e": 1}, "e": 2}
    assert deep_merge(base, over) == {"a": {"b": 1, "c": [3]}, "d": {"e": 1}, "e": 2}


def test_explicit_enabled_keeps_false() -> None:
    assert with_explicit_enabled({"services": {"a": {"enabled": False}, "b": {}}}) == {
        "services": {"a": {"enabled": False}, "b": {"enabled": True}}}
