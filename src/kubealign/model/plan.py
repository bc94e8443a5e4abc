"""The environment plan (``kubealign.yaml``): which compose files make which environment.

``kubealign plan`` detects a plan and writes it with comments explaining each decision;
people edit it; ``kubealign convert`` reads it back. Paths are POSIX, relative to the
repository: the plan's ``root``, itself relative to the plan file (a plan kept beside the
output reaches back into the repository). Every field here is something a user may correct
by hand, so the model is small and every name in it is the one written in the file.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from kubealign.model.source import SourceSpan

PLAN_VERSION = 1
PLAN_FILE_NAME = "kubealign.yaml"


class EnvironmentKind(enum.Enum):
    """How an environment's compose files were found."""

    COMPOSE = "compose"
    """One compose file, or an override chain (``docker-compose.yml`` + overrides)."""
    STANDALONE = "standalone"
    """A per-instance copy with its own project directory (``deployment/docker-compose-x.yml``)."""
    SWARM = "swarm"
    """A stack deployed with ``docker stack deploy``."""


class EnvironmentStatus(enum.Enum):
    """Whether the repository runs an environment today, from the evidence it holds."""

    DEPLOYED = "deployed"
    """A script, Makefile target or CI job runs its compose chain."""
    DOCUMENTED = "documented"
    """Only a doc shows the command that runs it."""
    REFERENCED = "referenced"
    """No command kubealign can read runs it, but a live script or workflow names its file."""
    DEAD = "dead"
    """Nothing runs it and nothing live names it: a variant left behind."""

    @property
    def synced(self) -> bool:
        """Argo CD syncs it automatically: only what is deployed today."""
        return self is EnvironmentStatus.DEPLOYED


@dataclass(frozen=True, slots=True)
class Environment:
    name: str
    files: tuple[str, ...]
    """Compose files in ``-f`` order (later files override earlier ones)."""
    project_directory: str
    env_files: tuple[str, ...] = ()
    """Variable files for interpolation (``--env-file``), in order."""
    profiles: tuple[str, ...] = ()
    kind: EnvironmentKind = EnvironmentKind.COMPOSE
    namespace: str | None = None
    """Target namespace; ``<plan namespace>-<name>`` when absent."""
    node_pool: str | None = None
    """Pool of the environment's GPU services unless ``service_pools`` names another."""
    service_pools: tuple[tuple[str, str], ...] = ()
    """(canonical service name, pool) for GPU services placed on a specific pool."""
    gpus_for_all: int | None = None
    """What compose ``count: all`` becomes here (GPUs per node of the pool)."""
    status: EnvironmentStatus = EnvironmentStatus.DEPLOYED
    """A plan written by hand names what its author deploys; detection says what it found."""
    invoked_by: tuple[str, ...] = ()
    """``file:line`` of the commands that run this chain (scripts, Makefiles, CI, docs)."""


@dataclass(frozen=True, slots=True)
class NodePool:
    name: str
    gpu: str | None = None
    """GPU model as people write it (``GH200``, ``RTX 6000 Ada``)."""
    gpus_per_node: int | None = None
    label: str | None = None
    """Value of the plan's ``node_selector_key`` on the pool's nodes (default: the name)."""
    product: str | None = None
    """The ``nvidia.com/gpu.product`` GPU Feature Discovery should report (a guess to check)."""
    taint: str | None = None
    """``key=value:Effect`` or ``key:Effect``; no taint when absent."""
    labels: tuple[tuple[str, str], ...] = ()
    """Further labels the plan's workloads select (e.g. the Swarm ``gpu`` label)."""
    nodes: tuple[str, ...] = ()
    """Host names known to belong to the pool."""
    architecture: str | None = None
    time_slicing: int | None = None
    """Pods each GPU of the pool serves (the NVIDIA device plugin's
    ``sharing.timeSlicing`` replicas): the user's choice; absent, ``kubealign cluster``
    proposes it only where the repository shows services sharing one device."""

    @property
    def selector_value(self) -> str:
        return self.label or self.name


@dataclass(frozen=True, slots=True)
class ServiceMatch:
    """One service under different names in different environments."""

    name: str
    """The canonical name (the values key in every environment)."""
    names: tuple[tuple[str, str], ...]
    """(environment, compose service name) where the name differs from ``name``."""
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class Component:
    """A compose project in another folder that belongs to the platform (folded in)."""

    file: str
    project_directory: str
    reason: str = ""
    environments: tuple[str, ...] = ()
    """The environments it is folded into (the ones the evidence names); empty: every one."""

    def folds_into(self, environment: str) -> bool:
        return not self.environments or environment in self.environments


@dataclass(frozen=True, slots=True)
class SeparateProject:
    """A compose project that is not part of the platform: its own release."""

    file: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Ambiguity:
    file: str
    reason: str


@dataclass(frozen=True, slots=True)
class GitOps:
    repo_url: str | None = None
    target_revision: str = "HEAD"
    chart_path: str | None = None
    """Path of the generated chart inside the repository (default: derived from ``--out``)."""
    project: str = "default"
    argocd_namespace: str = "argocd"
    server: str = "https://kubernetes.default.svc"


@dataclass(frozen=True, slots=True)
class Plan:
    release: str
    namespace: str
    base: str
    environments: tuple[Environment, ...]
    migration_order: tuple[str, ...] = ()
    node_selector_key: str = "gpu-type"
    node_pools: tuple[NodePool, ...] = ()
    services: tuple[ServiceMatch, ...] = ()
    components: tuple[Component, ...] = ()
    separate_releases: tuple[SeparateProject, ...] = ()
    ambiguous: tuple[Ambiguity, ...] = ()
    gitops: GitOps = field(default_factory=GitOps)
    version: int = PLAN_VERSION
    root: str = "."
    """The repository, relative to the plan file's folder (POSIX); every other path of the
    plan is relative to it. ``.`` for a plan inside the repository."""

    def environment(self, name: str) -> Environment:
        for env in self.environments:
            if env.name == name:
                return env
        raise KeyError(name)

    def pool(self, name: str) -> NodePool | None:
        return next((p for p in self.node_pools if p.name == name), None)

    def namespace_of(self, env: Environment) -> str:
        return env.namespace or f"{self.namespace}-{env.name}"[:63].rstrip("-")

    def renames(self, environment: str) -> dict[str, str]:
        """Compose service name -> canonical name, in ``environment``."""
        out: dict[str, str] = {}
        for match in self.services:
            for env, compose_name in match.names:
                if env == environment:
                    out[compose_name] = match.name
        return out


@dataclass(frozen=True, slots=True)
class PlanSource:
    """A plan as read from a file, with where each value was written (for error messages)."""

    plan: Plan
    path: str
    spans: dict[str, SourceSpan] = field(default_factory=dict)

    def where(self, pointer: str) -> SourceSpan | None:
        current = pointer
        while True:
            span = self.spans.get(current)
            if span is not None or not current:
                return span
            current = current.rsplit("/", 1)[0]
