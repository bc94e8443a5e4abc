"""Profiles (Compose spec 15-profiles.md): which services exist for the active profiles.

Services without ``profiles`` are always enabled; the others when one of their profiles is
active (``*`` activates all). Top-level resources are unaffected. A dependency on a disabled
service is an error unless it is declared ``required: false``, in which case it is dropped.

With ``keep`` (conversion), disabled services stay in the document and the dependencies on
them are kept: the chart then holds every service, the disabled ones with ``enabled: false``,
so choosing a profile is one flag in values (its waits only apply while it is enabled).
"""

from __future__ import annotations

from collections.abc import Iterable

from kubealign.errors import ComposeError
from kubealign.load.compose.tolerance import DEPENDENCY_DROPPED, Tolerance
from kubealign.load.compose.tree import Node
from kubealign.model.findings import Severity


def _is_enabled(service: Node, active: frozenset[str]) -> bool:
    profiles = service.get("profiles")
    if profiles is None or not isinstance(profiles.value, list) or not profiles.value:
        return True
    if "*" in active:
        return True
    return any(str(item.value) in active for item in profiles.value)


def _error(message: str, node: Node) -> ComposeError:
    path, line = node.where()
    return ComposeError(message, path=path, line=line)


def _check_dependencies(name: str, service: Node, enabled: set[str], known: set[str],
                        tolerance: Tolerance | None = None, keep: bool = False) -> None:
    depends_on = service.get("depends_on")
    if depends_on is None:
        return
    if isinstance(depends_on.value, list):
        entries: Iterable[tuple[str, Node]] = [(str(i.value), i) for i in depends_on.value]
    elif isinstance(depends_on.value, dict):
        entries = list(depends_on.value.items())
    else:
        return
    kept_keys: list[str] = []
    for dependency, node in entries:
        if dependency not in known:
            error = _error(f"service {name!r} depends on undefined service {dependency!r}",
                           node)
            if tolerance is None:
                raise error
            tolerance.record_error(DEPENDENCY_DROPPED, Severity.MEDIUM, error,
                                   "the dependency is left out (Docker Compose refuses it)")
            continue
        if dependency in enabled:
            kept_keys.append(dependency)
            continue
        required = node.get("required")
        if required is not None and required.value is False:
            if keep:
                kept_keys.append(dependency)
            continue
        error = _error(
            f"service {name!r} depends on {dependency!r}, which no active profile enables; "
            "expected one of its profiles to be activated (--profile)",
            node,
        )
        if tolerance is None:
            raise error
        tolerance.record_error(DEPENDENCY_DROPPED, Severity.LOW, error,
                               "the dependency is kept, waited for only once enabled" if keep
                               else "the dependency is left out")
        if keep:
            kept_keys.append(dependency)
    if isinstance(depends_on.value, dict):
        depends_on.value = {k: depends_on.value[k] for k in kept_keys}
    else:
        depends_on.value = [i for i in depends_on.value if str(i.value) in kept_keys]


def apply_profiles(document: Node, active: Iterable[str],
                   tolerance: Tolerance | None = None, keep: bool = False) -> list[str]:
    """Remove disabled services in place (unless ``keep``); return their names, sorted."""
    services = document.get("services")
    if services is None or not isinstance(services.value, dict):
        return []
    active_set = frozenset(active)
    known = set(services.value)
    enabled = {n for n, s in services.value.items() if _is_enabled(s, active_set)}
    for name in sorted(enabled):
        _check_dependencies(name, services.value[name], enabled, known, tolerance, keep)
    disabled = sorted(known - enabled)
    if not keep:
        services.value = {n: s for n, s in services.value.items() if n in enabled}
    return disabled
