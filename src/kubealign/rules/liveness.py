"""Which files are live: reachable from CI, a Makefile target, or a script that one of them runs.

The graph's nodes are repository paths. Edges go from a file to the files it runs, deploys,
builds or includes: CI workflows (jobs that can run) and Makefiles are the roots; scripts
point at what they call and deploy; compose files at the Dockerfiles, env files and configs
they use; kustomizations at their resources.
"""

from __future__ import annotations

import bisect
import fnmatch
import posixpath
import re
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from kubealign.model.artifacts import DeployCommand, DeployKind, ScriptCall
from kubealign.model.inventory import ArtifactKind
from kubealign.rules.context import AuditContext

K = ArtifactKind
_VARIABLE = re.compile(r"\$\{[^}]*\}|\$\(?[A-Za-z_][A-Za-z0-9_]*\)?")
_MIN_LITERAL_CHARS = 4
_GLOB = re.compile(r"[*?]")
#: Commands that act on a cluster, which a CI job must connect to first.
CLUSTER_KINDS = frozenset({
    DeployKind.KUBECTL_APPLY, DeployKind.KUBECTL_DELETE, DeployKind.KUBECTL_SET_IMAGE,
    DeployKind.KUBECTL_CREATE_SECRET, DeployKind.KUBECTL_ROLLOUT, DeployKind.KUBECTL_OTHER,
    DeployKind.HELM_UPGRADE, DeployKind.HELM_INSTALL, DeployKind.HELM_OTHER,
})
# Kinds whose ``files`` are read on another machine or are not repository paths.
_REMOTE_ONLY = frozenset({DeployKind.SSH})


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    line: int | None
    target: str
    how: str

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.source, self.line or 0, self.target, self.how)


@dataclass(slots=True)
class Liveness:
    edges: dict[str, list[Edge]] = field(default_factory=dict)
    incoming: dict[str, list[Edge]] = field(default_factory=dict)
    roots: tuple[str, ...] = ()
    #: Live path -> the edge that first reached it (None for a root).
    reached: dict[str, Edge | None] = field(default_factory=dict)
    #: kubectl/helm commands of CI jobs that never give them a cluster: no edges.
    clusterless: list[Edge] = field(default_factory=list)

    def is_live(self, path: str) -> bool:
        return path in self.reached

    def referenced_by(self, path: str) -> tuple[Edge, ...]:
        """Edges to ``path`` or to a directory holding it."""
        # Edges are inserted in sorted order (see build_liveness).
        found = list(self.incoming.get(path, ()))
        parts = path.split("/")
        for depth in range(len(parts) - 1, 0, -1):
            found += self.incoming.get("/".join(parts[:depth]) + "/", ())
        return tuple(sorted(found, key=Edge.sort_key)) if len(found) > 1 else tuple(found)

    def live_referrers(self, path: str) -> tuple[Edge, ...]:
        return tuple(e for e in self.referenced_by(path) if self.is_live(e.source))

    def chain(self, path: str) -> tuple[Edge, ...]:
        """The edges from a root to ``path`` (empty for a root or a dead file)."""
        edges: list[Edge] = []
        seen: set[str] = set()
        current = self.reached.get(path)
        while current is not None and current.source not in seen:
            seen.add(current.source)
            edges.append(current)
            current = self.reached.get(current.source)
        return tuple(reversed(edges))

    def evidence(self, path: str) -> str:
        chain = self.chain(path)
        if not chain:
            return f"{path} is a root (CI workflow or Makefile)" if path in self.reached else ""
        first = chain[0]
        text = first.source + (f":{first.line}" if first.line else "")
        for edge in chain:
            text += f" -> {edge.target}"
        return text


class PathResolver:
    """Turns a word written in a script (``./x.sh``, ``$DIR/k8s/``, ``compose-${env}.yml``)
    into repository paths."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = sorted(paths)
        self._set = frozenset(self.paths)
        self._by_name: dict[str, list[str]] = {}
        for path in self.paths:
            self._by_name.setdefault(PurePosixPath(path).name, []).append(path)

    def under(self, directory: str) -> list[str]:
        prefix = directory.rstrip("/") + "/"
        start = bisect.bisect_left(self.paths, prefix)
        found: list[str] = []
        for path in self.paths[start:]:
            if not path.startswith(prefix):
                break
            found.append(path)
        return found

    def resolve(
        self, word: str, base_dirs: Sequence[str], *, globs: bool = False
    ) -> tuple[str, ...]:
        """``globs``: expand ``*``/``?`` as the shell does (a command's file arguments); a
        glob merely written in a script's text names no file."""
        word = word.strip("'\"")
        if not word or word in {"-", ".", "./"} or "://" in word:
            return ()
        # A leading "$SCRIPT_DIR/" or "${ROOT}/" names where the script lives: drop it.
        word = re.sub(r"^(?:\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*)/", "", word)
        word = posixpath.normpath(word) if word not in {"", "."} else word
        if word.startswith(("/", "..")):
            return ()
        if "$" in word:
            return self._pattern(word, base_dirs)
        if globs and _GLOB.search(word):
            return self._glob(word, base_dirs)
        for base in (*base_dirs, ""):
            candidate = posixpath.normpath(posixpath.join(base, word)) if base else word
            if candidate in self._set:
                return (candidate,)
            if self.under(candidate):
                # A directory is one node (``dir/``); reaching it reaches what it holds.
                return (candidate.rstrip("/") + "/",)
        if "/" not in word and "." in word:
            return tuple(self._by_name.get(word, ()))
        return ()

    def manifests_in(self, directory: str) -> tuple[str, ...]:
        """The manifests directly in ``directory`` (what ``kubectl -f DIR`` reads)."""
        prefix = directory.rstrip("/") + "/"
        return tuple(p for p in self.under(directory) if "/" not in p[len(prefix):]
                     and p.endswith((".yaml", ".yml", ".json")))

    def kustomization_in(self, directory: str) -> str | None:
        for name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
            if directory.rstrip("/") + "/" + name in self._set:
                return directory.rstrip("/") + "/" + name
        return None

    def _glob(self, word: str, base_dirs: Sequence[str]) -> tuple[str, ...]:
        """A shell glob (``k8s/mcp-*-deployment.yaml``): the files it matches, where ``*``
        stays inside one folder as the shell's does."""
        for base in (*base_dirs, ""):
            full = posixpath.join(base, word) if base else word
            pattern = re.compile(
                "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c)
                        for c in full) + "/?"
            )
            found = [p for p in self.paths if pattern.fullmatch(p)]
            if found:
                return tuple(found)
        return ()

    def _pattern(self, word: str, base_dirs: Sequence[str]) -> tuple[str, ...]:
        pattern = _VARIABLE.sub("*", word)
        literal = pattern.replace("*", "").replace("/", "").replace(".", "")
        if len(literal) < _MIN_LITERAL_CHARS:
            return ()
        found: set[str] = set()
        for base in (*base_dirs, ""):
            full = posixpath.join(base, pattern) if base else pattern
            found.update(fnmatch.filter(self.paths, full))
        if not found and "/" not in pattern:
            found.update(p for p in self.paths if fnmatch.fnmatch(PurePosixPath(p).name, pattern))
        return tuple(sorted(found))


def _command_edges(
    source: str,
    commands: Iterable[DeployCommand],
    calls: Iterable[ScriptCall],
    resolver: PathResolver,
    base_dirs: Sequence[str],
    dead_functions: frozenset[str] = frozenset(),
) -> list[Edge]:
    edges: list[Edge] = []
    for command in commands:
        if command.function in dead_functions or command.kind in _REMOTE_ONLY:
            continue
        built = {v for k, v in command.params if k == "kustomization"}
        if command.kind is DeployKind.KUSTOMIZE_BUILD:
            built.update(command.files)
        for word in command.files:
            for found in resolver.resolve(word, base_dirs, globs=True):
                # ``kubectl apply -k dir`` builds dir's kustomization, not every file the
                # folder holds; ``kubectl apply -f dir`` reads the folder's own manifests,
                # its subfolders only with ``-R``.
                built_file = resolver.kustomization_in(found) if word in built else None
                if built_file is not None:
                    targets: Sequence[str] = (built_file,)
                elif found.endswith("/") and _flat_kubectl(command):
                    targets = resolver.manifests_in(found)
                else:
                    targets = (found,)
                edges += [Edge(source, command.line, t, command.kind.value) for t in targets]
    for call in calls:
        for target in resolver.resolve(call.target, base_dirs):
            edges.append(Edge(source, call.line, target, f"runs ({call.mode})"))
    return edges


def _kustomize_edges(ctx: AuditContext, resolver: PathResolver) -> list[Edge]:
    edges: list[Edge] = []
    for artifact in ctx.inventory.by_kind(K.KUSTOMIZATION):
        info = artifact.kustomization
        if info is None:
            continue
        directory = posixpath.dirname(artifact.path)
        for entry in (*info.resources, *info.components, *info.patches):
            # Kustomize reads every entry relative to the kustomization's folder, so
            # ``../base`` is joined there first; only a path leaving the repository is dropped.
            joined = kustomize_path(directory, entry)
            if joined is None:
                continue
            for target in resolver.resolve(joined, (), globs=True):
                edges.append(Edge(artifact.path, None, target, "kustomize resource"))
    return edges


def kustomize_path(directory: str, entry: str) -> str | None:
    """A kustomization's entry as a repository path, None for a URL or a path outside."""
    if "://" in entry or entry.startswith(("/", "github.com/", "git@")):
        return None
    joined = posixpath.normpath(posixpath.join(directory, entry)) if directory else entry
    joined = posixpath.normpath(joined)
    return None if joined == ".." or joined.startswith("../") else joined


def _flat_kubectl(command: DeployCommand) -> bool:
    """A kubectl command reading its ``-f`` folders without ``-R``/``--recursive``."""
    if not command.kind.value.startswith("kubectl-") or not command.argv:
        return False
    if PurePosixPath(command.argv[0]).name != "kubectl":
        return False
    return not any(a in {"-R", "--recursive", "--recursive=true"} for a in command.argv)


def _compose_edges(ctx: AuditContext) -> list[Edge]:
    edges: list[Edge] = []
    for artifact in ctx.inventory.by_kind(K.COMPOSE):
        info = artifact.compose
        if info is not None:
            for reference in info.references:
                if reference.exists:
                    edges.append(Edge(artifact.path, None, reference.path, reference.key))
    return edges


def _argo_edges(ctx: AuditContext, resolver: PathResolver) -> list[Edge]:
    edges: list[Edge] = []
    for artifact in ctx.inventory.by_kind(K.ARGOCD_APPLICATION):
        if artifact.argocd is None:
            continue
        for app in artifact.argocd.applications:
            if app.path:
                for target in resolver.resolve(app.path, ()):
                    edges.append(Edge(artifact.path, app.line, target, "argocd source"))
    return edges


def build_liveness(ctx: AuditContext) -> Liveness:
    resolver = PathResolver(a.path for a in ctx.inventory)
    graph = Liveness()
    all_edges: list[Edge] = []
    roots: list[str] = []
    for path, workflow in ctx.workflows.items():
        if workflow.disabled:
            continue
        roots.append(path)
        dead = frozenset(job.name for job in workflow.jobs if job.disabled)
        live_calls = [c for c in workflow.calls if not _call_in_dead_job(workflow, c, dead)]
        clusterless = frozenset(j.name for j in workflow.jobs if not j.cluster_access)
        commands = []
        for command in workflow.deploy_commands:
            if command.function in clusterless and command.kind in CLUSTER_KINDS:
                graph.clusterless += [Edge(path, command.line, t, command.kind.value)
                                      for w in command.files
                                      for t in resolver.resolve(w, ("",), globs=True)]
            else:
                commands.append(command)
        all_edges += _command_edges(path, commands, live_calls, resolver, ("",), dead)
    for path, makefile in ctx.makefiles.items():
        roots.append(path)
        base = posixpath.dirname(path)
        all_edges += _command_edges(
            path, makefile.deploy_commands, makefile.calls, resolver, (base,)
        )
    for path, script in ctx.scripts.items():
        base = posixpath.dirname(path)
        bases = (base, "") if base else ("",)
        all_edges += _command_edges(path, script.deploy_commands, script.calls, resolver, bases)
        artifact = ctx.artifact(path)
        if artifact is not None and artifact.script is not None:
            for reference in artifact.script.references:
                for target in resolver.resolve(reference, bases):
                    # A folder merely named (``cd scripts/``, an echo, a comment) runs none
                    # of its files; commands that use a folder (kubectl apply -f k8s/,
                    # rsync) are edges of their own.
                    if not target.endswith("/"):
                        all_edges.append(Edge(path, None, target, "named"))
    all_edges += _compose_edges(ctx)
    all_edges += _kustomize_edges(ctx, resolver)
    all_edges += _argo_edges(ctx, resolver)
    for edge in sorted(set(all_edges), key=Edge.sort_key):
        if edge.target == edge.source:
            continue
        graph.edges.setdefault(edge.source, []).append(edge)
        graph.incoming.setdefault(edge.target, []).append(edge)
    graph.roots = tuple(sorted(roots))
    queue: deque[str] = deque(graph.roots)
    for root in graph.roots:
        graph.reached[root] = None
    while queue:
        current = queue.popleft()
        outgoing: Iterable[Edge] = graph.edges.get(current, ())
        if current.endswith("/"):
            outgoing = [Edge(current, None, p, "in directory") for p in resolver.under(current)]
        for edge in outgoing:
            if edge.target not in graph.reached:
                graph.reached[edge.target] = edge
                queue.append(edge.target)
    # Directory nodes (``dir/``) stay in ``reached`` so that chains through them resolve.
    return graph


def _call_in_dead_job(workflow: object, call: ScriptCall, dead: frozenset[str]) -> bool:
    """Calls carry no job name: a call is dead when a dead job's command sits on its line."""
    commands: Iterable[DeployCommand] = getattr(workflow, "deploy_commands", ())
    return any(c.line == call.line and c.function in dead for c in commands)


def liveness(ctx: AuditContext) -> Liveness:
    return ctx.analysis("liveness", build_liveness)
