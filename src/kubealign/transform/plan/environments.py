"""Compose files -> environments: override chains, standalone copies, Swarm stacks, partial
overrides attached to their base, other projects told apart, doubtful files listed."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from kubealign.model.plan import Ambiguity, EnvironmentKind, EnvironmentStatus
from kubealign.transform.naming import dns_label
from kubealign.transform.plan.sources import ComposeFacts

DEFAULT_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
_OVERRIDE_WORD = "override"
_ALIASES = {"prod": "production", "dev": "development", "stg": "staging", "stage": "staging",
            "develop": "development", "test": "test", "qa": "qa"}
_DOUBT = re.compile(r"never finished|deprecated|obsolete|unused|do not use|decide between|"
                    r"legacy|not used|abandoned", re.IGNORECASE)
# Images so common that sharing one says nothing about two files being one project.
_GENERIC_NAMESPACES = frozenset({"library", "bitnami", "prom", "grafana", "nginx", "traefik",
                                 "redis", "postgres", "mysql", "mariadb", "mongo", "qdrant",
                                 "nvcr.io/nvidia"})


@dataclass
class DetectedEnvironment:
    name: str
    files: list[ComposeFacts]
    kind: EnvironmentKind
    reasons: list[str] = field(default_factory=list)
    env_files: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()
    status: EnvironmentStatus = EnvironmentStatus.DEAD
    invoked_by: tuple[str, ...] = ()
    """``file:line`` of the commands that run the chain."""
    live_invocations: int = 0
    """Distinct scripts, Makefiles and CI workflows that run it."""

    @property
    def primary(self) -> ComposeFacts:
        return self.files[0]

    @property
    def project_directory(self) -> str:
        return self.primary.directory or "."


@dataclass
class Grouping:
    environments: list[DetectedEnvironment]
    components: list[tuple[ComposeFacts, str, tuple[str, ...]]]
    """(file, reason, the platform files whose environments it joins)."""
    separate: list[tuple[ComposeFacts, str]]
    ambiguous: list[Ambiguity]


def environment_word(stem: str) -> str | None:
    """``docker-compose.prod.yml`` -> ``production``, ``docker-compose-ai.yml`` -> ``ai``."""
    base = re.sub(r"\.(ya?ml)$", "", stem)
    if base in ("docker-compose", "compose"):
        return None
    for prefix in ("docker-compose.", "docker-compose-", "docker-compose_", "compose.",
                   "compose-", "compose_"):
        if base.startswith(prefix):
            word = base[len(prefix):]
            break
    else:
        for suffix in (".docker-compose", "-docker-compose", ".compose", "-compose"):
            if base.endswith(suffix):
                word = base[: -len(suffix)]
                break
        else:
            word = base if base not in ("docker-compose", "compose") else ""
    word = re.sub(r"[^a-z0-9]+", "-", word.lower()).strip("-")
    return _ALIASES.get(word, word) or None


def _own_repositories(facts: ComposeFacts) -> set[str]:
    repos: set[str] = set()
    for service in facts.services:
        repo = service.repository
        if repo and "/" in repo and repo.rsplit("/", 1)[0] not in _GENERIC_NAMESPACES:
            repos.add(repo)
    return repos


def _related(a: ComposeFacts, b: ComposeFacts) -> bool:
    if _own_repositories(a) & _own_repositories(b):
        return True
    same = {(s.name, s.repository) for s in a.services if s.repository} & {
        (s.name, s.repository) for s in b.services if s.repository}
    return len(same) >= 2


def _families(files: Sequence[ComposeFacts]) -> list[list[ComposeFacts]]:
    parent = list(range(len(files)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(files)):
        for j in range(i + 1, len(files)):
            if _related(files[i], files[j]):
                parent[find(i)] = find(j)
    groups: dict[int, list[ComposeFacts]] = {}
    for i, facts in enumerate(files):
        groups.setdefault(find(i), []).append(facts)
    return sorted(groups.values(), key=lambda g: (-len(g), min(f.path for f in g)))


def _base_of(partial: ComposeFacts, full: Sequence[ComposeFacts]) -> ComposeFacts | None:
    wanted = {s.name for s in partial.services}
    candidates = [f for f in full if f.directory == partial.directory
                  and wanted <= {s.name for s in f.services}]
    candidates.sort(key=lambda f: (f.stem not in DEFAULT_NAMES,
                                   not partial.stem.startswith(f.stem.rsplit(".", 1)[0]), f.path))
    return candidates[0] if candidates else None


def _component_reason(facts: ComposeFacts, main: Sequence[ComposeFacts]
                      ) -> tuple[str, tuple[str, ...]] | None:
    """Why ``facts`` belongs to the platform, and the platform files that say so (the
    component is folded only into the environments built from those files)."""
    shared = sorted(set(facts.external_networks)
                    & {n for f in main for n in (*f.networks, *f.external_networks)})
    if shared:
        users = tuple(sorted(f.path for f in main
                             if shared[0] in (*f.networks, *f.external_networks)))
        return f"joins the platform's network {shared[0]!r} (external: true)", users
    names = {s.name for s in facts.services}
    reached: dict[str, list[str]] = {}
    for other in main:
        for name in sorted(names):
            if other.service(name) is not None:
                continue  # the file runs its own service of that name: no evidence
            if re.search(rf"(?<![A-Za-z0-9_-]){re.escape(name)}(?::[0-9]+|/)", other.text):
                reached.setdefault(name, []).append(other.path)
    if reached:
        name = sorted(reached)[0]
        paths = tuple(sorted({p for ps in reached.values() for p in ps}))
        return f"{', '.join(paths)} reach(es) its service {name!r} by name", paths
    return None


def _doubts(facts: ComposeFacts) -> list[str]:
    return [f"{facts.path}:{line}: {text!r}" for line, text in facts.header
            if _DOUBT.search(text)]


def group_files(files: Sequence[ComposeFacts], *, unique: bool = True) -> Grouping:
    """Environments from the files alone (``unique``: give them unique DNS-1123 names now;
    a caller adding environments of its own names them all at once)."""
    ambiguous: list[Ambiguity] = []
    partial = [f for f in files if f.partial]
    full = [f for f in files if not f.partial]
    families = _families(full)
    main = families[0] if families else []
    components: list[tuple[ComposeFacts, str, tuple[str, ...]]] = []
    separate: list[tuple[ComposeFacts, str]] = []
    for family in families[1:]:
        for facts in family:
            reason = _component_reason(facts, main)
            if reason is not None:
                components.append((facts, *reason))
            else:
                separate.append((facts, "shares no image, network or service name with the "
                                        "platform's compose files"))
    environments: list[DetectedEnvironment] = []
    for facts in sorted(main, key=lambda f: f.path):
        environments.extend(_environments_of(facts, partial, full))
    for facts in partial:
        if _base_of(facts, full) is None:
            ambiguous.append(Ambiguity(facts.path, "partial override (no image of its own) and "
                                       "no compose file in its folder defines all its services"))
    if unique:
        name_uniquely(environments)
    for env in environments:
        for doubt in _doubts(env.primary):
            ambiguous.append(Ambiguity(env.primary.path, f"kept as environment {env.name!r}, "
                                       f"but its header says {doubt.split(': ', 1)[1]}"))
    return Grouping(environments, components, separate, ambiguous)


def _environments_of(facts: ComposeFacts, partial: Sequence[ComposeFacts],
                     full: Sequence[ComposeFacts]) -> list[DetectedEnvironment]:
    kind = (EnvironmentKind.SWARM if facts.swarm else
            EnvironmentKind.STANDALONE if facts.directory else EnvironmentKind.COMPOSE)
    overrides = [p for p in partial if _base_of(p, full) is facts]
    automatic = [p for p in overrides if environment_word(p.stem) == _OVERRIDE_WORD]
    others = [p for p in overrides if p not in automatic]
    word = environment_word(facts.stem)
    is_default = facts.stem in DEFAULT_NAMES
    name = "local" if is_default else (word or posixpath.basename(facts.directory) or "default")
    reasons = [_kind_reason(facts, kind, is_default)]
    chain = [facts, *automatic]
    if automatic:
        reasons.append(f"{', '.join(p.path for p in automatic)}: partial override (no image of "
                       "its own) that `docker compose up` reads on top of it")
    envs = [DetectedEnvironment(name, chain, kind, reasons)]
    for override in others:
        env_name = environment_word(override.stem) or override.stem
        envs.append(DetectedEnvironment(env_name, [facts, override], kind, [
            f"{override.path}: partial override (no image of its own) of {facts.path}; "
            "the pair is one environment"]))
    return envs


def _kind_reason(facts: ComposeFacts, kind: EnvironmentKind, is_default: bool) -> str:
    deployed = f"; deployed by {', '.join(facts.deployed_by)}" if facts.deployed_by else ""
    if kind is EnvironmentKind.SWARM:
        return f"{facts.path}: Swarm stack (uses settings only Swarm honours){deployed}"
    if kind is EnvironmentKind.STANDALONE:
        return (f"{facts.path}: standalone copy with its own project directory "
                f"{facts.directory}/{deployed}")
    if is_default:
        return f"{facts.path}: the default compose file (what `docker compose up` runs){deployed}"
    return f"{facts.path}: compose variant named by its file{deployed}"


_STATUS_RANK = {EnvironmentStatus.DEPLOYED: 0, EnvironmentStatus.REFERENCED: 1,
                EnvironmentStatus.DOCUMENTED: 2, EnvironmentStatus.DEAD: 3}


def name_uniquely(environments: list[DetectedEnvironment]) -> None:
    """Names are DNS-1123 labels (they become namespaces and file names) and unique: a clash
    between files of different folders takes the folder's name in front; a remaining one (two
    chains of one folder) a number behind, the best-evidenced environment (deployed, run by
    the most scripts) keeping the plain name."""
    groups: dict[str, list[DetectedEnvironment]] = {}
    for env in environments:
        groups.setdefault(env.name, []).append(env)
    for name, clashing in groups.items():
        if len(clashing) < 2 or len({e.primary.directory for e in clashing}) < 2:
            continue
        for env in clashing:
            folder = posixpath.basename(env.primary.directory) or "root"
            env.reasons.append(f"named after its folder too: {name!r} is used by another file")
            env.name = f"{folder}-{name}"
    taken: set[str] = set()
    ranked = sorted(environments, key=lambda e: (_STATUS_RANK[e.status], -e.live_invocations))
    for env in ranked:
        label = environment_label(env.name)
        candidate, number = label, 2
        while candidate in taken:
            suffix = f"-{number}"
            candidate = f"{label[: ENVIRONMENT_NAME_MAX - len(suffix)].rstrip('-')}{suffix}"
            number += 1
        if candidate != env.name:
            env.reasons.append(f"named {candidate!r}: environment names become namespaces and "
                               f"file names (DNS-1123 labels), unique; written {env.name!r}")
            env.name = candidate
        taken.add(candidate)


ENVIRONMENT_NAME_MAX = 42
"""Leaves room for ``<namespace>-`` in front within the 63 characters of a namespace."""


def environment_label(text: str) -> str:
    """``NEXUS_app-local`` -> ``nexus-app-local``, ``.devcontainer-local`` ->
    ``devcontainer-local``: what the plan accepts as an environment name."""
    return dns_label(text, limit=ENVIRONMENT_NAME_MAX)
