"""The repository inventory: every file discovery saw, what kind of file it is, and why.

Frozen, slotted dataclasses holding tuples only, so an inventory compares, hashes and
serialises deterministically. Paths are POSIX paths relative to the repository root.
Secret values never enter these objects: env files contribute variable *names* only.
"""

from __future__ import annotations

import bisect
import enum
from collections.abc import Iterator
from dataclasses import dataclass

#: Bumped whenever the JSON contract (docs/inventory.md) changes incompatibly.
INVENTORY_SCHEMA_VERSION = 1


class ArtifactKind(enum.Enum):
    """What a file is. A file may have several kinds (a Swarm stack is also a compose file).

    Declaration order is the display order of the text rendering.
    """

    COMPOSE = "compose"
    SWARM_STACK = "swarm-stack"
    ENV_FILE = "env-file"
    DOCKERFILE = "dockerfile"
    KUBERNETES_MANIFEST = "kubernetes-manifest"
    KUSTOMIZATION = "kustomization"
    HELM_CHART = "helm-chart"
    HELM_VALUES = "helm-values"
    HELM_TEMPLATE = "helm-template"
    ARGOCD_APPLICATION = "argocd-application"
    DEPLOY_SCRIPT = "deploy-script"
    SCRIPT = "script"
    CI_WORKFLOW = "ci-workflow"
    MOUNTED_CONFIG = "mounted-config"
    DOCS = "docs"
    OTHER = "other"

    @property
    def order(self) -> int:
        return _KIND_ORDER[self]


_KIND_ORDER = {kind: index for index, kind in enumerate(ArtifactKind)}


@dataclass(frozen=True, slots=True, order=True)
class Evidence:
    """Why a file got a kind: ``reason`` is a short human sentence."""

    kind: ArtifactKind
    reason: str


# --------------------------------------------------------------------------- per-kind details


@dataclass(frozen=True, slots=True)
class FileReference:
    """A path a compose file points at (env_file, bind mount, config, secret, build…).

    ``path`` is normalised relative to the repository root; ``exists`` says whether
    discovery saw that file or directory (False also for paths leaving the repository).
    """

    key: str
    pointer: str
    path: str
    exists: bool


@dataclass(frozen=True, slots=True)
class ComposeInfo:
    services: tuple[str, ...]
    networks: tuple[str, ...]
    volumes: tuple[str, ...]
    secrets: tuple[str, ...]
    configs: tuple[str, ...]
    #: JSON pointers of the keys that only Docker Swarm honours (deploy.placement, …).
    swarm_keys: tuple[str, ...]
    references: tuple[FileReference, ...]


@dataclass(frozen=True, slots=True)
class EnvFileInfo:
    #: Variable names in file order (values are never kept).
    variables: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DockerStage:
    base: str
    name: str | None
    line: int


@dataclass(frozen=True, slots=True)
class DockerfileInfo:
    stages: tuple[DockerStage, ...]
    syntax: str | None


@dataclass(frozen=True, slots=True)
class ManifestDocument:
    index: int
    api_version: str
    kind: str
    name: str | None
    namespace: str | None
    line: int | None


@dataclass(frozen=True, slots=True)
class KubernetesInfo:
    documents: tuple[ManifestDocument, ...]


@dataclass(frozen=True, slots=True)
class KustomizeImage:
    name: str
    new_name: str | None
    new_tag: str | None
    digest: str | None


@dataclass(frozen=True, slots=True)
class KustomizationInfo:
    namespace: str | None
    resources: tuple[str, ...]
    components: tuple[str, ...]
    patches: tuple[str, ...]
    images: tuple[KustomizeImage, ...]
    #: Files the ``configMapGenerator``/``secretGenerator`` entries read (``envs``, ``env``,
    #: ``files``, without a ``key=`` prefix), as written: relative to the kustomization.
    generator_files: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HelmChartInfo:
    name: str | None
    version: str | None
    app_version: str | None
    api_version: str | None
    #: Chart directory relative to the repository root ("" for the root itself).
    directory: str
    has_templates: bool
    values_files: tuple[str, ...]
    dependencies: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ArgoApplication:
    kind: str
    name: str | None
    namespace: str | None
    project: str | None
    repo_url: str | None
    path: str | None
    chart: str | None
    target_revision: str | None
    destination_server: str | None
    destination_namespace: str | None
    value_files: tuple[str, ...]
    line: int | None


@dataclass(frozen=True, slots=True)
class ArgoInfo:
    applications: tuple[ArgoApplication, ...]


@dataclass(frozen=True, slots=True)
class MakeTarget:
    name: str
    line: int
    #: First word of each recipe line, in order (``docker``, ``kubectl``, ``$(BIN)/pytest``).
    commands: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScriptInfo:
    language: str
    interpreter: str | None
    #: Deployment tools the text mentions (docker, kubectl, ssh, helm, …), sorted.
    tools: tuple[str, ...]
    targets: tuple[MakeTarget, ...]
    #: Repository paths (files or directories) named in the text, sorted.
    references: tuple[str, ...]
    #: Compose files passed to ``docker stack deploy -c``.
    stack_deploys: tuple[str, ...]
    #: Compose files passed to ``docker compose -f`` / ``docker-compose -f``.
    compose_files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CiInfo:
    system: str
    jobs: tuple[str, ...]
    #: GitHub Actions ``uses:`` references, sorted.
    uses: tuple[str, ...]
    tools: tuple[str, ...]
    references: tuple[str, ...]
    stack_deploys: tuple[str, ...]
    compose_files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MountReference:
    """A compose file that mounts or loads this file."""

    compose: str
    key: str
    pointer: str


@dataclass(frozen=True, slots=True)
class MountedConfigInfo:
    referenced_by: tuple[MountReference, ...]


@dataclass(frozen=True, slots=True)
class DocsInfo:
    #: Deployment topics the text mentions (compose, kubernetes, helm, …), sorted.
    topics: tuple[str, ...]


# --------------------------------------------------------------------------- artifacts


@dataclass(frozen=True, slots=True)
class Artifact:
    """One file of the repository with its kinds, the evidence, and per-kind details."""

    path: str
    size: int
    kinds: tuple[ArtifactKind, ...]
    evidence: tuple[Evidence, ...]
    #: Problems met while reading the file (parse errors, size caps); never fatal.
    notes: tuple[str, ...] = ()
    compose: ComposeInfo | None = None
    env_file: EnvFileInfo | None = None
    dockerfile: DockerfileInfo | None = None
    kubernetes: KubernetesInfo | None = None
    kustomization: KustomizationInfo | None = None
    helm_chart: HelmChartInfo | None = None
    argocd: ArgoInfo | None = None
    script: ScriptInfo | None = None
    ci: CiInfo | None = None
    mounted: MountedConfigInfo | None = None
    docs: DocsInfo | None = None

    def has(self, kind: ArtifactKind) -> bool:
        return kind in self.kinds


@dataclass(frozen=True, slots=True)
class SkippedPath:
    """A path discovery deliberately did not enter, and why (symlink out of root, …)."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Inventory:
    """Artifacts sorted by path (discovery guarantees it; :meth:`get` relies on it)."""

    root: str
    artifacts: tuple[Artifact, ...]
    skipped: tuple[SkippedPath, ...] = ()
    schema_version: int = INVENTORY_SCHEMA_VERSION

    def __iter__(self) -> Iterator[Artifact]:
        return iter(self.artifacts)

    def get(self, path: str) -> Artifact | None:
        """The artifact at ``path`` (artifacts are sorted by path: a binary search)."""
        index = bisect.bisect_left(self.artifacts, path, key=lambda a: a.path)
        if index < len(self.artifacts) and self.artifacts[index].path == path:
            return self.artifacts[index]
        return None

    def by_kind(self, kind: ArtifactKind) -> tuple[Artifact, ...]:
        return tuple(a for a in self.artifacts if kind in a.kinds)

    def counts(self) -> dict[ArtifactKind, int]:
        """Number of files per kind, for every kind (zero included), in display order."""
        counts = dict.fromkeys(ArtifactKind, 0)
        for artifact in self.artifacts:
            for kind in artifact.kinds:
                counts[kind] += 1
        return counts
