"""Many variants' values -> one base values file plus one small overlay per environment.

The law (tested with hypothesis and on every case): for every environment ``e``,

    deep_merge(base, overlays[e]) == variants[e]   (with ``services`` as below)

where ``deep_merge`` is Helm's rule for values files: maps merge key by key, lists and
scalars replace. Helm has no way to *remove* a key with a later file short of ``null`` (which
only works against the chart's own defaults), so the base only holds keys every variant has;
what only some variants have lives in their overlays.

``services`` is the one exception, on purpose: a service that only some variants run is
written once in the base with ``enabled: false`` (its common part) and switched on, with its
differences, in the overlays of the variants that run it, instead of being copied into each
overlay. So for an environment that lacks the service, the merged values hold a disabled
definition that renders nothing. Every service entry carries an explicit ``enabled`` (see
:func:`with_explicit_enabled`) so the merged values equal the variant's exactly for its own
services.

The base value of a key is what most variants agree on; ties go to the preferred environment
(the plan's base), then to the earliest environment.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SERVICES = "services"
ENABLED = "enabled"


@dataclass(frozen=True, slots=True)
class Consolidation:
    base: dict[str, Any]
    overlays: dict[str, dict[str, Any]]
    environments: tuple[str, ...]

    def merged(self, environment: str) -> dict[str, Any]:
        """What Helm computes for ``environment``: the base with its overlay on top."""
        return deep_merge(self.base, self.overlays[environment])


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's rule for values files: maps merge key by key, everything else replaces."""
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = value
    return merged


def with_explicit_enabled(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with ``enabled`` written on every service (the chart's default is true).

    Renders exactly the same manifests; it makes "this service runs here" a value an overlay
    can change.
    """
    out = dict(values)
    services = values.get(SERVICES)
    if isinstance(services, Mapping):
        out[SERVICES] = {
            name: {ENABLED: True, **svc} if isinstance(svc, Mapping) else svc
            for name, svc in services.items()
        }
    return out


def expected_merge(variant: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    """What the law says ``deep_merge(base, overlay)`` must equal for ``variant``: the variant
    (with explicit ``enabled``) plus the base's disabled definitions of the services it lacks."""
    expected = with_explicit_enabled(variant)
    base_services = base.get(SERVICES)
    if isinstance(base_services, Mapping):
        own = expected.get(SERVICES)
        services = dict(own) if isinstance(own, Mapping) else {}
        for name, svc in base_services.items():
            if name not in services:
                services[name] = svc
        expected[SERVICES] = dict(sorted(services.items()))
    return expected


def consolidate(
    variants: Mapping[str, Mapping[str, Any]], *, prefer: str | None = None
) -> Consolidation:
    """Split ``variants`` (environment -> plain values) into a base and per-environment overlays."""
    if not variants:
        raise ValueError("consolidate needs at least one variant")
    envs = tuple(variants)
    order = _preference(envs, prefer)
    prepared = {env: with_explicit_enabled(values) for env, values in variants.items()}
    base, overlays = _split_map(prepared, order, top=True)
    return Consolidation(base=base, overlays={env: overlays.get(env, {}) for env in envs},
                         environments=envs)


def _preference(envs: Sequence[str], prefer: str | None) -> tuple[str, ...]:
    if prefer is not None and prefer in envs:
        return (prefer, *(e for e in envs if e != prefer))
    return tuple(envs)


def _key(value: Any) -> Hashable:
    """Equality key: scalars as themselves (typed, so 1 and True differ), containers as JSON
    (the C encoder beats a Python walk on long lists such as NetworkPolicy peers)."""
    if value is None or isinstance(value, str | int | float | bool):
        return (type(value).__name__, value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _split_map(
    nodes: Mapping[str, Mapping[str, Any]], order: Sequence[str], *, top: bool = False
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Every env in ``nodes`` holds a mapping here: split it key by key."""
    envs = [e for e in order if e in nodes]
    base: dict[str, Any] = {}
    overlays: dict[str, dict[str, Any]] = {}
    keys: dict[str, None] = {}
    for env in envs:
        keys.update(dict.fromkeys(nodes[env]))
    for key in keys:
        present = {env: nodes[env][key] for env in envs if key in nodes[env]}
        if top and key == SERVICES and all(isinstance(v, Mapping) for v in present.values()):
            sub_base, sub_overlays = _split_services(present, envs, len(present) == len(envs))
            base[key] = sub_base
            for env, sub in sub_overlays.items():
                overlays.setdefault(env, {})[key] = sub
            continue
        if len(present) < len(envs) or _different_choices(present.values()):
            # The base cannot hold a key some variant lacks (a later file cannot delete it),
            # nor the common part of maps that chose different handlers: that part alone
            # (a probe's timings without exec/httpGet) is invalid wherever nothing is merged
            # on top, e.g. a disabled service.
            for env, value in present.items():
                overlays.setdefault(env, {})[key] = value
            continue
        value_base, value_overlays = _split_value(present, envs)
        base[key] = value_base
        for env, sub in value_overlays.items():
            overlays.setdefault(env, {})[key] = sub
    return base, overlays


# Keys of which a map holds exactly one (a probe's handler: the values schema's ``oneOf``).
_CHOICES = frozenset({"exec", "httpGet", "tcpSocket", "grpc"})


def _different_choices(values: Any) -> bool:
    chosen = {frozenset(v) & _CHOICES for v in values if isinstance(v, Mapping)}
    return len(chosen) > 1


def _split_value(
    present: Mapping[str, Any], order: Sequence[str]
) -> tuple[Any, dict[str, Any]]:
    """Every env has this key: recurse into maps, else take the majority value."""
    if all(isinstance(v, Mapping) for v in present.values()):
        sub_base, sub_overlays = _split_map(present, order)
        return sub_base, {env: sub for env, sub in sub_overlays.items() if sub}
    # Mixed or scalar: a map overlay over a map base would merge, not replace, so the base
    # is chosen among non-map values; map-valued environments then replace it whole.
    candidates = {env: v for env, v in present.items() if not isinstance(v, Mapping)}
    chosen = _majority(candidates, order)
    chosen_key = _key(chosen)
    overlays = {env: v for env, v in present.items() if _key(v) != chosen_key}
    return chosen, overlays


def _majority(values: Mapping[str, Any], order: Sequence[str]) -> Any:
    counts: dict[Hashable, int] = {}
    first: dict[Hashable, tuple[int, Any]] = {}
    for rank, env in enumerate(e for e in order if e in values):
        key = _key(values[env])
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, (rank, values[env]))
    best = max(counts, key=lambda k: (counts[k], -first[k][0]))
    return first[best][1]


def _split_services(
    present: Mapping[str, Mapping[str, Any]], order: Sequence[str], everywhere: bool
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Services: common ones split like any map; partial ones disabled in the base."""
    envs = [e for e in order if e in present]
    names: dict[str, None] = {}
    for env in envs:
        names.update(dict.fromkeys(present[env]))
    base: dict[str, Any] = {}
    overlays: dict[str, dict[str, Any]] = {}
    for name in sorted(names):
        holders = {env: present[env][name] for env in envs if name in present[env]}
        if everywhere and len(holders) == len(order):
            value_base, value_overlays = _split_value(holders, envs)
            base[name] = value_base
            for env, sub in value_overlays.items():
                overlays.setdefault(env, {})[name] = sub
            continue
        if not all(isinstance(v, Mapping) for v in holders.values()):
            for env, value in holders.items():
                overlays.setdefault(env, {})[name] = value
            continue
        bodies = {env: {k: v for k, v in svc.items() if k != ENABLED}
                  for env, svc in holders.items()}
        body_base, body_overlays = _split_map(bodies, envs)
        base[name] = {ENABLED: False, **body_base}
        for env, svc in holders.items():
            sub = dict(body_overlays.get(env, {}))
            enabled = svc.get(ENABLED, True)
            if enabled is not False:
                sub = {ENABLED: enabled, **sub}
            if sub:
                overlays.setdefault(env, {})[name] = sub
    return base, overlays
