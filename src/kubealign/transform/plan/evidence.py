"""Environments from how the repository runs its compose files.

Each distinct chain an invocation runs (``-f`` files, ``--env-file``, ``--profile``) is an
environment, named after what the chain says (its last file's word, else its env file's, else
``local`` for the defaults) and remembering every ``file:line`` that runs it. A file only ever
passed after the first ``-f`` is an override: it belongs to its chains and never becomes an
environment of its own. The environments detected from file names alone stay only for files
no invocation runs; each is *referenced* when a live script names it and *dead* otherwise.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kubealign.model.plan import Ambiguity, EnvironmentKind, EnvironmentStatus
from kubealign.transform.plan.environments import (
    DEFAULT_NAMES,
    DetectedEnvironment,
    Grouping,
    environment_word,
    name_uniquely,
)
from kubealign.transform.plan.invocations import (
    Invocation,
    InvocationScan,
    describe,
    environment_word_of_env_file,
    group_by_chain,
    live_references,
    override_only,
)
from kubealign.transform.plan.sources import ComposeFacts

_OVERRIDE_WORD = "override"


@dataclass(frozen=True, slots=True)
class Evidence:
    environments: list[DetectedEnvironment]
    ambiguous: list[Ambiguity]
    claimed: frozenset[str]
    """Compose files that are now part of an invoked chain (no longer components)."""


def _chain_name(files: Sequence[ComposeFacts], env_files: Sequence[str],
                profiles: Sequence[str]) -> str:
    # `docker-compose.override.staging.yml` names staging: "override" only says how it is used.
    stems = [re.sub(r"[.-]override(?=[.-])", "", f.stem) for f in files]
    words = [w for w in (environment_word(stem) for stem in stems) if w and w != _OVERRIDE_WORD]
    if words:
        name = words[-1]
    elif env_files and environment_word_of_env_file(env_files[-1]):
        name = environment_word_of_env_file(env_files[-1]) or "local"
    elif files[0].stem in DEFAULT_NAMES:
        name = "local"
    else:
        name = posixpath.basename(files[0].directory) or "default"
    return "-".join([name, *(p for p in profiles if p != name)])


def _status(invocations: Sequence[Invocation]) -> EnvironmentStatus:
    return (EnvironmentStatus.DEPLOYED if any(i.live for i in invocations)
            else EnvironmentStatus.DOCUMENTED)


def _invoked(chain_files: Sequence[ComposeFacts], invocations: Sequence[Invocation]
             ) -> DetectedEnvironment:
    first = invocations[0]
    swarm = any(i.swarm for i in invocations)
    kind = (EnvironmentKind.SWARM if swarm else
            EnvironmentKind.STANDALONE if chain_files[0].directory else EnvironmentKind.COMPOSE)
    ordered = sorted(invocations, key=lambda i: (not i.live, i.source, i.line))
    live_sources = {i.source for i in invocations if i.live}
    how = "deployed with docker stack deploy" if swarm else "run with docker compose"
    reasons = [f"{' + '.join(f.path for f in chain_files)}: {how} by "
               f"{len(live_sources)} script(s)/workflow(s)"
               + ("" if live_sources else " (only documented)"),
               *(f"invoked at {line}" for line in describe(ordered))]
    if len(chain_files) > 1:
        reasons.append(f"{', '.join(f.path for f in chain_files[1:])}: override(s) of "
                       f"{chain_files[0].path} in this chain, no environment of their own")
    return DetectedEnvironment(
        name=_chain_name(chain_files, first.env_files, first.profiles),
        files=list(chain_files), kind=kind, reasons=reasons, env_files=first.env_files,
        profiles=first.profiles, status=_status(invocations),
        invoked_by=tuple(dict.fromkeys(i.where() for i in ordered)),
        live_invocations=len(live_sources))


Chain = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def _chains(running: Sequence[Invocation]) -> dict[Chain, list[Invocation]]:
    """Every chain a script, Makefile or CI job runs; docs add chains of their own only for
    files nothing live runs, and without profiles: a doc listing `--profile build`, `--profile
    debug`... shows ways to use one environment, not one environment each."""
    chains = group_by_chain([i for i in running if i.live])
    live_files = {files: chain for chain in chains for files in (chain[0],)}
    for invocation in (i for i in running if not i.live):
        if invocation.files in live_files:
            chains[live_files[invocation.files]].append(invocation)  # more evidence, same env
            continue
        key = (invocation.files, invocation.env_files, ())
        chains.setdefault(key, []).append(dataclasses.replace(invocation, profiles=()))
    return chains


def environments_from_evidence(grouping: Grouping, facts: Sequence[ComposeFacts],
                               scan: InvocationScan) -> Evidence:
    by_path: Mapping[str, ComposeFacts] = {f.path: f for f in facts}
    platform = {f.path for env in grouping.environments for f in env.files}
    platform |= {component.path for component, _, _ in grouping.components}
    exact = [i for i in scan.invocations if i.runs and not i.pattern]
    named = {f for i in exact for f in i.files}
    # A file matched only through a variable counts where no command names it as written.
    running = exact + [i for i in scan.invocations
                       if i.runs and i.pattern and i.files[0] not in named]
    environments: list[DetectedEnvironment] = []
    claimed: set[str] = set()
    ambiguous: list[Ambiguity] = []
    for (files, _, _), invocations in _chains(running).items():
        if files[0] not in platform or any(f not in by_path for f in files):
            continue  # another project's chain, or a file that could not be read
        if by_path[files[0]].partial:
            # Compose refuses it: no service of the first file has an image or a build.
            ambiguous.append(Ambiguity(files[0], f"{invocations[0].where()} runs it first in "
                                       "its chain, but its services have no image or build "
                                       "of their own: it only works on top of another file "
                                       "(not an environment)"))
            continue
        environments.append(_invoked([by_path[f] for f in files], invocations))
        claimed.update(files)
    overrides = override_only(running)
    referenced = live_references(scan, by_path)
    for env in grouping.environments:
        if any(f.path in claimed for f in env.files[:1]) or env.primary.path in overrides:
            continue  # that file runs in an invoked chain: the chain is its environment
        sources = referenced.get(env.primary.path, [])
        if sources:
            env.status = EnvironmentStatus.REFERENCED
            env.reasons.append(f"no command kubealign can read runs it, but "
                               f"{', '.join(sources[:3])} name(s) it: not synced automatically")
        else:
            env.status = EnvironmentStatus.DEAD
            env.reasons.append("dead: no script, Makefile, CI job or doc runs it and nothing "
                               "live names it; converted, but Argo CD does not sync it")
        environments.append(env)
    for where, why in scan.unresolved:
        if where.split(":", 1)[0] in scan.live_text:
            ambiguous.append(Ambiguity(where.rsplit(":", 1)[0], f"line {where.rsplit(':', 1)[1]} "
                                       f"{why}"))
    name_uniquely(environments)
    return Evidence(environments, ambiguous, frozenset(claimed))
