"""What each kustomization builds: the manifest files it includes and the namespace it gives them.

Kustomize reads ``resources:`` (and ``components:``) relative to the kustomization's folder,
so ``../production/api.yaml`` is a file of a sibling folder and ``../base`` is the
kustomization in that folder, whose own files are included in turn. A ``namespace:`` is set
on everything the kustomization builds, overriding the files' own ``metadata.namespace``;
the outermost kustomization's namespace wins, as kustomize's namespace transformer does.
Patch files modify objects included elsewhere: they place nothing.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from kubealign.model.inventory import ArtifactKind
from kubealign.rules.context import AuditContext
from kubealign.rules.liveness import PathResolver, kustomize_path

K = ArtifactKind


@dataclass(frozen=True, slots=True)
class KustomizePlacement:
    """The namespaces the kustomizations including a file give it (one per including
    top-level kustomization that sets one), and the kustomization that set each."""

    namespaces: tuple[tuple[str, str], ...]

    def single(self) -> tuple[str, str] | None:
        """(namespace, kustomization) when every kustomization agrees on one."""
        names = {n for n, _ in self.namespaces}
        return self.namespaces[0] if len(names) == 1 else None


@dataclass(frozen=True, slots=True)
class KustomizeFacts:
    #: Manifest file -> where the kustomizations including it place it.
    placements: dict[str, KustomizePlacement]
    #: Files that are only patches of some kustomization.
    patches: frozenset[str]


def _members(
    ctx: AuditContext, resolver: PathResolver, path: str, seen: frozenset[str]
) -> list[tuple[str, str | None, str]]:
    """(file, namespace, kustomization setting it) for everything ``path`` builds, the
    innermost namespace first (the caller overrides it with its own)."""
    artifact = ctx.artifact(path)
    info = artifact.kustomization if artifact is not None else None
    if info is None or path in seen:
        return []
    directory = posixpath.dirname(path)
    found: list[tuple[str, str | None, str]] = []
    for entry in (*info.resources, *info.components):
        joined = kustomize_path(directory, entry)
        if joined is None:
            continue
        for target in resolver.resolve(joined, (), globs=True):
            if not target.endswith("/"):
                found.append((target, None, path))
                continue
            inner = resolver.kustomization_in(target)
            if inner is not None:
                found += _members(ctx, resolver, inner, seen | {path})
    if info.namespace:
        return [(f, info.namespace, path) for f, _, _ in found]
    return found


def _included_kustomizations(ctx: AuditContext, resolver: PathResolver) -> set[str]:
    """Kustomizations another one includes: bases and components, not built on their own."""
    found: set[str] = set()
    for artifact in ctx.inventory.by_kind(K.KUSTOMIZATION):
        info = artifact.kustomization
        directory = posixpath.dirname(artifact.path)
        for entry in (*info.resources, *info.components) if info is not None else ():
            joined = kustomize_path(directory, entry)
            for target in resolver.resolve(joined, ()) if joined is not None else ():
                inner = resolver.kustomization_in(target) if target.endswith("/") else None
                if inner is not None and inner != artifact.path:
                    found.add(inner)
    return found


def kustomize_facts(ctx: AuditContext) -> KustomizeFacts:
    def compute(c: AuditContext) -> KustomizeFacts:
        resolver = PathResolver(a.path for a in c.inventory)
        inner = _included_kustomizations(c, resolver)
        placements: dict[str, set[tuple[str, str]]] = {}
        patches: set[str] = set()
        included: set[str] = set()
        for artifact in c.inventory.by_kind(K.KUSTOMIZATION):
            info = artifact.kustomization
            if info is None:
                continue
            directory = posixpath.dirname(artifact.path)
            for entry in info.patches:
                joined = kustomize_path(directory, entry)
                if joined is not None:
                    patches.update(resolver.resolve(joined, (), globs=True))
            members = _members(c, resolver, artifact.path, frozenset())
            included.update(f for f, _, _ in members)
            if artifact.path in inner:
                continue  # built as part of the kustomizations including it
            for file, namespace, source in members:
                if namespace is not None:
                    placements.setdefault(file, set()).add((namespace, source))
        return KustomizeFacts(
            placements={f: KustomizePlacement(tuple(sorted(v))) for f, v in placements.items()},
            patches=frozenset(patches - included),
        )

    return ctx.analysis("kustomize", compute)
