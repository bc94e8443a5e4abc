"""The plan's names for the audit: which environment each compose file builds, which values
key each service gets (``model.vocabulary``).

The chart names a service ``service_key(renamed)``: the plan's ``services:`` entry renames it
in its environment, then the name is made a Kubernetes label (``ai_memory_v2`` ->
``ai-memory-v2``), exactly as ``convert`` does; the audit must print that name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kubealign.model.plan import Plan
from kubealign.model.vocabulary import FilePlace, Vocabulary
from kubealign.transform.naming import service_key


def vocabulary(plan: Plan, services: Mapping[str, Iterable[str]], *,
               source: str) -> Vocabulary:
    """The vocabulary of ``plan``; ``services``: compose file -> its service names as the
    audit loaded them (only those files get values keys)."""
    names = tuple(env.name for env in plan.environments)
    chains: dict[str, tuple[str, ...]] = {}
    for env in plan.environments:
        folded = sorted(c.file for c in plan.components if c.folds_into(env.name))
        chains[env.name] = tuple(dict.fromkeys((*env.files, *folded)))
    environments_of: dict[str, list[str]] = {}
    for env_name in names:  # migration order: the first environment's renames win below
        for file in chains[env_name]:
            environments_of.setdefault(file, []).append(env_name)
    outside: dict[str, list[str]] = {}
    for separate in plan.separate_releases:
        outside.setdefault(separate.file, []).append(
            f"a release of its own ({separate.reason})" if separate.reason
            else "a release of its own")
    for doubt in plan.ambiguous:
        if doubt.file not in environments_of and doubt.file in services:
            outside.setdefault(doubt.file, []).append(doubt.reason)
    places = {file: FilePlace(file, tuple(envs)) for file, envs in environments_of.items()}
    places.update({file: FilePlace(file, (), "; ".join(dict.fromkeys(why)))
                   for file, why in outside.items() if file not in places})
    keys: dict[tuple[str, str], str] = {}
    for file, service_names in services.items():
        envs = environments_of.get(file)
        if not envs:
            continue
        renames = plan.renames(envs[0])
        for name in service_names:
            keys[(file, name)] = service_key(renames.get(name, name))
    return Vocabulary(names, chains, places, keys, source)
