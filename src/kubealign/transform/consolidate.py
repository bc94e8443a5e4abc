"""Many variants' values -> one base values file plus one small overlay per environment.

The base **is** the base environment (the plan's ``base``): ``values.yaml`` alone installs it,
and each ``values-<env>.yaml`` holds only what that environment does differently. The law
(tested with hypothesis, on the chart cases with real Helm, and on every conversion):

    coalesce(base, overlays[e]) == variants[e]   (with ``services`` as below)

where :func:`coalesce` is what Helm computes for ``helm template -f values-<e>.yaml`` over a
chart whose ``values.yaml`` is the base: maps merge key by key, lists and scalars replace, and
a ``null`` deletes the chart default's key. So a key the base environment has and ``e`` lacks
is written ``null`` in ``e``'s overlay (a probe's ``exec: null`` when ``e`` checks with
``httpGet``): the base never has to be shrunk to what every environment shares.

``services`` is the one exception, on purpose: a service of the base environment that ``e``
does not run is switched off in ``e``'s overlay (``enabled: false``) instead of being deleted,
so the overlay stays one line per absent service; the merged values then hold a disabled
definition that renders nothing. A service the base environment does not run is written
once in ``values.yaml`` too, switched off (``enabled: false``), with what the environments
running it mostly agree on, and switched on with their differences in their overlays: it is
not copied into each overlay, and ``values.yaml`` alone still renders exactly the base
environment. Every service entry carries an explicit ``enabled`` (see
:func:`with_explicit_enabled`) so the merged values equal the variant's exactly for its own
services.
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
    base_environment: str = ""
    """The environment ``base`` is (its overlay is empty)."""

    def merged(self, environment: str) -> dict[str, Any]:
        """What Helm computes for ``environment``: the base with its overlay on top."""
        return coalesce(self.base, self.overlays[environment])


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's rule between values files given with ``-f``: maps merge key by key, everything
    else (``null`` included) replaces."""
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = value
    return merged


def coalesce(defaults: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's rule between the chart's ``values.yaml`` and the user's values: as
    :func:`deep_merge`, except that a ``null`` deletes the key the defaults have."""
    merged = dict(defaults)
    for key, value in values.items():
        current = merged.get(key)
        if value is None and key in defaults:
            del merged[key]
        elif isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = coalesce(current, value)
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
    """What the law says ``coalesce(base, overlay)`` must equal for ``variant``: the variant
    (with explicit ``enabled``) plus the base's definitions, switched off, of the services it
    lacks."""
    expected = with_explicit_enabled(variant)
    base_services = base.get(SERVICES)
    if isinstance(base_services, Mapping):
        own = expected.get(SERVICES)
        services = dict(own) if isinstance(own, Mapping) else {}
        for name, svc in base_services.items():
            if name not in services:
                services[name] = {**svc, ENABLED: False} if isinstance(svc, Mapping) else svc
        expected[SERVICES] = dict(sorted(services.items()))
    return expected


def consolidate(
    variants: Mapping[str, Mapping[str, Any]], *, prefer: str | None = None
) -> Consolidation:
    """Split ``variants`` (environment -> plain values) into the base environment's values
    (``prefer``, else the first) and per-environment overlays."""
    if not variants:
        raise ValueError("consolidate needs at least one variant")
    envs = tuple(variants)
    chosen = prefer if prefer is not None and prefer in variants else envs[0]
    prepared = {env: with_explicit_enabled(values) for env, values in variants.items()}
    order = (chosen, *(e for e in envs if e != chosen))
    base = _with_stubs(prepared[chosen], prepared, order)
    overlays = {env: _overlay(base, prepared[env], top=True) for env in envs}
    return Consolidation(base=base, overlays=overlays, environments=envs,
                         base_environment=chosen)


def _with_stubs(base: Mapping[str, Any], variants: Mapping[str, Mapping[str, Any]],
                order: Sequence[str]) -> dict[str, Any]:
    """The base environment's values plus, switched off, one shared definition of each
    service only other environments run (what most of them agree on)."""
    own = base.get(SERVICES)
    if not isinstance(own, Mapping):
        return dict(base)
    holders: dict[str, list[Any]] = {}
    for env in order:
        services = variants[env].get(SERVICES)
        for name, svc in (services.items() if isinstance(services, Mapping) else ()):
            if name not in own and isinstance(svc, Mapping):
                holders.setdefault(name, []).append(
                    {k: v for k, v in svc.items() if k != ENABLED})
    if not holders:
        return dict(base)
    services = dict(own)
    for name, bodies in holders.items():
        services[name] = {ENABLED: False, **_shared(bodies)}
    return {**base, SERVICES: dict(sorted(services.items()))}


# Keys of which a map holds exactly one (a probe's handler: the values schema's ``oneOf``).
_CHOICES = frozenset({"exec", "httpGet", "tcpSocket", "grpc"})


def _shared(values: Sequence[Any]) -> Any:
    """What most of ``values`` agree on (ties: the earliest). Maps keep the keys more than
    half of them have, recursively; maps that chose different handlers (a probe's ``exec``
    or ``httpGet``) are taken whole, since their common part alone would be invalid."""
    maps = [v for v in values if isinstance(v, Mapping)]
    choices = {frozenset(v) & _CHOICES for v in maps}
    if len(maps) < len(values) or len(choices) > 1:
        return _majority(values)
    keys: dict[str, None] = {}
    for value in maps:
        keys.update(dict.fromkeys(value))
    out: dict[str, Any] = {}
    for key in keys:
        present = [v[key] for v in maps if key in v]
        if 2 * len(present) > len(maps):
            out[key] = _shared(present)
    return out


def _majority(values: Sequence[Any]) -> Any:
    counts: dict[Hashable, int] = {}
    first: dict[Hashable, tuple[int, Any]] = {}
    for rank, value in enumerate(values):
        key = _key(value)
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, (rank, value))
    best = max(counts, key=lambda k: (counts[k], -first[k][0]))
    return first[best][1]


def _key(value: Any) -> Hashable:
    """Equality key: scalars as themselves (typed, so 1 and True differ), containers as JSON
    (the C encoder beats a Python walk on long lists such as NetworkPolicy peers)."""
    if value is None or isinstance(value, str | int | float | bool):
        return (type(value).__name__, value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _overlay(base: Mapping[str, Any], variant: Mapping[str, Any], *, top: bool = False
             ) -> dict[str, Any]:
    """The smallest values that, coalesced over ``base``, give ``variant``."""
    out: dict[str, Any] = {}
    for key, value in variant.items():
        if key not in base:
            out[key] = value
            continue
        current = base[key]
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            sub = (_services(current, value) if top and key == SERVICES
                   else _overlay(current, value))
            if sub:
                out[key] = sub
        elif _key(value) != _key(current):
            out[key] = value
    for key in base:
        if key not in variant:
            out[key] = None  # Helm deletes the base's key
    return out


def _services(base: Mapping[str, Any], variant: Mapping[str, Any]) -> dict[str, Any]:
    """Services: the base's that the variant lacks are switched off, not deleted."""
    out: dict[str, Any] = {}
    for name in sorted({*base, *variant}):
        if name not in variant:
            if isinstance(base[name], Mapping):
                if base[name].get(ENABLED, True) is not False:
                    out[name] = {ENABLED: False}
            else:
                out[name] = None
            continue
        value = variant[name]
        current = base.get(name)
        if name not in base:
            out[name] = value
        elif isinstance(value, Mapping) and isinstance(current, Mapping):
            sub = _overlay(current, value)
            if sub:
                out[name] = sub
        elif _key(value) != _key(current):
            out[name] = value
    return out
