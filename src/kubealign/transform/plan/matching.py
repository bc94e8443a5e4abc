"""The same service under different names in different variants.

Services match by name first. Then two name groups that never appear together in one variant
and run the same image repository (and, when both give one, the same command) are one service
under two names (``backend`` in one file, ``sophia-backend`` in another). The canonical name
is the one most variants use (ties: the base environment's, then the alphabetical first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kubealign.model.compose import Project, Service
from kubealign.model.plan import Ambiguity, ServiceMatch
from kubealign.transform.naming import parse_image


@dataclass(frozen=True, slots=True)
class _Seen:
    env: str
    name: str
    repository: str | None
    command: tuple[str, ...]


def _facts(env: str, service: Service) -> _Seen:
    repo = parse_image(service.image).repository if service.image else None
    command = service.command.argv if service.command is not None else ()
    return _Seen(env, service.name, repo, command)


def match_services(projects: Mapping[str, Project], order: Sequence[str], base: str | None,
                   files: Mapping[str, str]) -> tuple[list[ServiceMatch], list[Ambiguity]]:
    """Matches across ``projects`` (environment -> project); ``files``: environment -> the
    file to name in a doubt."""
    groups: dict[str, list[_Seen]] = {}
    for env in order:
        project = projects.get(env)
        if project is None:
            continue
        for service in project.services:
            groups.setdefault(service.name, []).append(_facts(env, service))
    merged: list[list[str]] = []  # lists of group names
    ambiguous: list[Ambiguity] = []
    assigned: dict[str, int] = {}
    names = sorted(groups, key=lambda n: (-len(groups[n]), n))
    for name in names:
        target = None
        for index, members in enumerate(merged):
            verdict = _compatible(groups, members, name)
            if verdict is True:
                target = index
                break
            if isinstance(verdict, tuple):
                env, reason = verdict
                ambiguous.append(Ambiguity(files.get(env, env), reason))
        if target is None:
            assigned[name] = len(merged)
            merged.append([name])
        else:
            assigned[name] = target
            merged[target].append(name)
    matches = [_match(groups, members, base) for members in merged if len(members) > 1]
    return sorted(matches, key=lambda m: m.name), ambiguous


def _repos(seen: Sequence[_Seen]) -> set[str]:
    return {s.repository for s in seen if s.repository}


def _compatible(groups: Mapping[str, list[_Seen]], members: Sequence[str],
                name: str) -> bool | tuple[str, str] | None:
    """True to merge; (environment, reason) when it looks like a match but is doubtful."""
    mine = groups[name]
    theirs = [s for member in members for s in groups[member]]
    shared = _repos(mine) & _repos(theirs)
    if not shared:
        return None
    if {s.env for s in mine} & {s.env for s in theirs}:
        return None  # both names run side by side somewhere: two services
    commands_mine = {s.command for s in mine if s.command}
    commands_theirs = {s.command for s in theirs if s.command}
    if commands_mine and commands_theirs and not (commands_mine & commands_theirs):
        first = members[0]
        return (mine[0].env, f"services {first!r} and {name!r} share the image "
                f"{sorted(shared)[0]} but not their command; kept apart (list both names "
                "under one entry of `services:` to merge them)")
    return True


def _match(groups: Mapping[str, list[_Seen]], members: Sequence[str],
           base: str | None) -> ServiceMatch:
    def rank(name: str) -> tuple[int, int, str]:
        envs = {s.env for s in groups[name]}
        return (-len(envs), 0 if base in envs else 1, name)

    canonical = min(members, key=rank)
    names: list[tuple[str, str]] = []
    evidence: list[str] = []
    repo = sorted(set.union(*(_repos(groups[m]) for m in members)))
    for member in sorted(members):
        if member == canonical:
            continue
        envs = sorted({s.env for s in groups[member]})
        names.extend((env, member) for env in envs)
        evidence.append(f"{member!r} in {', '.join(envs)}")
    canonical_envs = sorted({s.env for s in groups[canonical]})
    text = (f"same image repository {', '.join(repo)}; never both in one variant; "
            f"{canonical!r} in {', '.join(canonical_envs)}; " + "; ".join(evidence))
    return ServiceMatch(canonical, tuple(sorted(names)), text)
