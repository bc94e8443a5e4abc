"""The audit context: every file of a repository loaded once, best-effort, for all rules.

Load errors never abort the audit: they are kept as :class:`LoadProblem` and turned into
findings by a rule, so one broken file cannot hide the rest of the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from kubealign.errors import KubealignError
from kubealign.load.ci_workflow import load_workflow
from kubealign.load.compose.loader import ComposeOptions, load_raw_project
from kubealign.load.compose.normalize import normalize_project
from kubealign.load.dockerfile import load_dockerfile
from kubealign.load.makefile import load_makefile
from kubealign.load.python_script import load_python_script
from kubealign.load.shell_script import load_shell_script
from kubealign.load.yaml_safe import LoadedYaml, load_yaml_documents, read_text_file
from kubealign.model.artifacts import DockerfileInfo, MakefileInfo, ScriptInfo, WorkflowInfo
from kubealign.model.compose import Project
from kubealign.model.inventory import Artifact, ArtifactKind, Inventory
from kubealign.model.vocabulary import Vocabulary

K = ArtifactKind
T = TypeVar("T")

#: Every profile enabled: an audit looks at all services, not the default selection.
_ALL_PROFILES = ("*",)


@dataclass(frozen=True, slots=True)
class LoadProblem:
    path: str
    line: int | None
    kind: str  # compose | dockerfile | script | makefile | ci | manifest
    message: str


@dataclass(frozen=True, slots=True)
class ComposeDoc:
    """One compose file loaded on its own (its folder as project directory)."""

    path: str
    project: Project | None
    raw: LoadedYaml | None
    swarm: bool
    lines: int


@dataclass(frozen=True, slots=True)
class ManifestDoc:
    path: str
    documents: tuple[LoadedYaml, ...]


@dataclass(slots=True)
class AuditContext:
    """Everything rules read. Paths are POSIX and relative to ``root``."""

    root: Path
    inventory: Inventory
    compose: dict[str, ComposeDoc] = field(default_factory=dict)
    dockerfiles: dict[str, DockerfileInfo] = field(default_factory=dict)
    scripts: dict[str, ScriptInfo] = field(default_factory=dict)
    makefiles: dict[str, MakefileInfo] = field(default_factory=dict)
    workflows: dict[str, WorkflowInfo] = field(default_factory=dict)
    manifests: dict[str, ManifestDoc] = field(default_factory=dict)
    problems: list[LoadProblem] = field(default_factory=list)
    #: The plan's names for environments and services (set by the audit action before any
    #: rule runs: rules cannot read the plan themselves, it is a sibling layer).
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    _texts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Analyses computed once by the builder (see kubealign.rules.analysis), by name.
    analyses: dict[str, Any] = field(default_factory=dict)

    def rel(self, path: str | Path) -> str:
        """A loader's path (absolute or relative) as a repository path."""
        candidate = Path(path)
        if candidate.is_absolute():
            try:
                return candidate.resolve().relative_to(self.root.resolve()).as_posix()
            except ValueError:
                return candidate.as_posix()
        return candidate.as_posix()

    def lines(self, path: str) -> tuple[str, ...]:
        """The text of a repository file, split in lines (cached; empty when unreadable)."""
        cached = self._texts.get(path)
        if cached is None:
            try:
                text = (self.root / path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            cached = tuple(text.splitlines())
            self._texts[path] = cached
        return cached

    def artifact(self, path: str) -> Artifact | None:
        return self.inventory.get(path)

    def analysis(self, name: str, compute: Callable[[AuditContext], T]) -> T:
        """A derived view computed at most once per audit."""
        if name not in self.analyses:
            self.analyses[name] = compute(self)
        result: T = self.analyses[name]
        return result


def _attempt(ctx: AuditContext, path: str, kind: str, load: Callable[[], T]) -> T | None:
    try:
        return load()
    except KubealignError as exc:
        ctx.problems.append(LoadProblem(path, exc.line, kind, exc.message))
    except (ValueError, OSError, RecursionError) as exc:
        ctx.problems.append(LoadProblem(path, None, kind, f"cannot be read: {exc}"))
    return None


def _load_compose(ctx: AuditContext, artifact: Artifact) -> None:
    path = ctx.root / artifact.path
    raw_yaml = _attempt(
        ctx,
        artifact.path,
        "compose",
        lambda: load_yaml_documents(read_text_file(path, display=artifact.path), artifact.path),
    )
    first = raw_yaml[0] if raw_yaml else None

    def load() -> Project:
        raw = load_raw_project(
            ComposeOptions(files=(path,), project_directory=path.parent, profiles=_ALL_PROFILES)
        )
        return normalize_project(raw)

    project = _attempt(ctx, artifact.path, "compose", load) if first is not None else None
    ctx.compose[artifact.path] = ComposeDoc(
        path=artifact.path,
        project=project,
        raw=first,
        swarm=artifact.has(K.SWARM_STACK),
        lines=len(ctx.lines(artifact.path)),
    )


def _load_script(ctx: AuditContext, artifact: Artifact) -> None:
    path = ctx.root / artifact.path
    language = artifact.script.language if artifact.script else ""
    if language == "make" or Path(artifact.path).name in {"Makefile", "makefile", "GNUmakefile"}:
        makefile = _attempt(
            ctx, artifact.path, "makefile", lambda: load_makefile(path, artifact.path)
        )
        if makefile is not None:
            ctx.makefiles[artifact.path] = makefile
        return
    if language == "python" or artifact.path.endswith(".py"):
        info = _attempt(
            ctx, artifact.path, "script", lambda: load_python_script(path, artifact.path)
        )
    elif language in {"bash", "sh", "zsh", "shell", "ksh"} or artifact.path.endswith(".sh"):
        info = _attempt(
            ctx, artifact.path, "script", lambda: load_shell_script(path, artifact.path)
        )
    else:
        return
    if info is not None:
        ctx.scripts[artifact.path] = info


def _load_manifest(ctx: AuditContext, artifact: Artifact) -> None:
    path = ctx.root / artifact.path
    docs = _attempt(
        ctx,
        artifact.path,
        "manifest",
        lambda: load_yaml_documents(read_text_file(path, display=artifact.path), artifact.path),
    )
    if docs is not None:
        ctx.manifests[artifact.path] = ManifestDoc(artifact.path, tuple(docs))


def build_context(root: Path, inventory: Inventory) -> AuditContext:
    """Load every deployment file of ``inventory`` once (errors recorded, never raised)."""
    ctx = AuditContext(root=root, inventory=inventory)
    for artifact in inventory:
        path = ctx.root / artifact.path
        if artifact.has(K.COMPOSE):
            _load_compose(ctx, artifact)
        if artifact.has(K.DOCKERFILE):
            info = _attempt(
                ctx,
                artifact.path,
                "dockerfile",
                partial(load_dockerfile, path, artifact.path),
            )
            if info is not None:
                ctx.dockerfiles[artifact.path] = info
        if artifact.has(K.DEPLOY_SCRIPT) or artifact.has(K.SCRIPT):
            _load_script(ctx, artifact)
        if artifact.has(K.CI_WORKFLOW):
            workflow = _attempt(
                ctx, artifact.path, "ci", partial(load_workflow, path, artifact.path)
            )
            if workflow is not None:
                ctx.workflows[artifact.path] = workflow
        if artifact.has(K.KUBERNETES_MANIFEST) or artifact.has(K.KUSTOMIZATION):
            _load_manifest(ctx, artifact)
    return ctx
