"""What the generated chart makes for each service, as far as the audit can tell before
converting: the services of the plan's environments, under their values keys.

The chart (``kubealign/chart/templates``) renders, per service of ``.Values.services``: one
workload (Deployment, StatefulSet, DaemonSet for ``deploy.mode: global``, Job for a one-shot
service; never a CronJob), its Service and aliases, a ServiceAccount, a NetworkPolicy from its
compose networks, PersistentVolumeClaims of its named volumes, a ConfigMap of its config files
(compose bind-mounted files and ``configs:``), an Ingress where Traefik router labels give it
a host, and ExternalSecrets for its compose secrets and secret environment. The converter
never enables ``autoscaling`` or ``podDisruptionBudget``: the chart has them, the values must
ask. Argo CD creates each environment's namespace (``CreateNamespace=true``).

The facts come from the compose files the plan's environments are built from (the
vocabulary's chains): a repository without a plan gets an empty chart, so nothing of its
manifests counts as replaced.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kubealign.load.dockerfile import parse_image_ref
from kubealign.model.compose import Project, Service
from kubealign.rules.context import AuditContext

#: Long-running workload kinds, interchangeable for "runs the service".
LONG_RUNNING = frozenset({"Deployment", "StatefulSet"})


def normal_repository(image: str) -> str:
    """``docker.io/library/redis:7`` and ``redis`` are one repository."""
    repository = parse_image_ref(image.strip()).repository.lower()
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        if repository.startswith(prefix):
            repository = repository[len(prefix):]
    return repository.removeprefix("library/")


def dns_label(name: str) -> str:
    """A compose name as the chart's Service name (``ai_memory`` -> ``ai-memory``)."""
    return name.strip().lower().replace("_", "-").replace(".", "-")


def secret_name(name: str) -> str:
    """A compose secret or variable name compared with a Kubernetes Secret's name or key:
    ``POSTGRES_PASSWORD``, ``postgres-password`` and ``postgres_password`` are one."""
    return name.strip().lower().replace("-", "_").replace(".", "_")


@dataclass(frozen=True, slots=True)
class ChartService:
    """One service of the chart and what the chart renders for it."""

    key: str
    #: The values key and every compose name it has in the planned files.
    names: frozenset[str]
    repositories: frozenset[str]
    #: Workload kinds the chart renders for it in some environment.
    kinds: frozenset[str]
    #: Environment variables the chart sets (plain or from an ExternalSecret).
    env: frozenset[str]
    #: File name -> repository paths of the files the chart ships in its ConfigMap.
    files: tuple[tuple[str, tuple[str, ...]], ...]
    #: Compose secrets the service uses (``secret_name`` form): the chart's ExternalSecrets.
    secrets: frozenset[str]
    #: The service has named volumes: the chart renders their claims.
    volumes: bool
    #: Traefik router labels give it a host: the chart renders its Ingress.
    routed: bool
    #: The names of the Services the chart renders for it: the values key, its aliases
    #: (container_name, network aliases, hostname) and a StatefulSet's ``<key>-headless``.
    dns_names: frozenset[str] = frozenset()

    def file_sources(self, name: str) -> tuple[str, ...]:
        return next((paths for file, paths in self.files if file == name), ())


def _kind(service: Service) -> str:
    deploy = service.deploy
    if deploy is not None and deploy.mode in ("replicated-job", "global-job"):
        return "Job"
    if deploy is not None and deploy.mode == "global":
        return "DaemonSet"
    policy = deploy.restart_policy if deploy is not None else None
    written_no = service.restart == "no" and service.origin("restart") is not None
    if (policy is not None and policy.condition == "none") or written_no:
        return "Job"
    return "Deployment"


def _routed(service: Service) -> bool:
    labels = dict(service.labels)
    if service.deploy is not None:
        labels.update(service.deploy.labels)
    return any(k.startswith("traefik.http.routers.") and k.endswith(".rule") and "Host" in v
               for k, v in labels.items())


def _repository_file(ctx: AuditContext, source: str | None) -> str | None:
    if not source:
        return None
    try:
        path = Path(source).resolve().relative_to(ctx.root.resolve()).as_posix()
    except ValueError:
        return None
    return path if (ctx.root / path).is_file() else None


def _files(ctx: AuditContext, project: Project, service: Service) -> list[tuple[str, str]]:
    """(name in the container, repository path) of the files the chart's ConfigMap ships:
    bind-mounted files and file-backed ``configs:``."""
    found: list[tuple[str, str]] = []
    for mount in service.volumes:
        path = _repository_file(ctx, mount.source) if mount.type == "bind" else None
        if path is not None:
            found.append((posixpath.basename(mount.target.rstrip("/")), path))
    definitions = {d.name: d for d in project.configs}
    for ref in service.configs:
        definition = definitions.get(ref.source)
        path = _repository_file(ctx, definition.file if definition else None)
        if path is not None:
            found.append((posixpath.basename((ref.target or ref.source).rstrip("/")), path))
    return found


@dataclass
class _Builder:
    key: str
    names: set[str]
    repositories: set[str]
    kinds: set[str]
    env: set[str]
    files: dict[str, set[str]]
    secrets: set[str]
    volumes: bool = False
    routed: bool = False
    aliases: set[str] = field(default_factory=set)

    def add(self, ctx: AuditContext, project: Project, service: Service) -> None:
        self.names.add(service.name)
        aliases = {service.container_name, service.hostname,
                   *(a for n in service.networks for a in n.aliases)}
        self.aliases.update(dns_label(a) for a in aliases if a)
        if service.container_name:
            self.names.add(service.container_name)
        if service.image:
            self.repositories.add(normal_repository(service.image))
        self.kinds.add(_kind(service))
        self.env.update(service.environment)
        for name, path in _files(ctx, project, service):
            self.files.setdefault(name, set()).add(path)
        for ref in service.secrets:
            self.secrets.add(secret_name(ref.source))
        self.volumes |= any(m.type == "volume" and m.source for m in service.volumes)
        self.routed |= _routed(service)

    def build(self) -> ChartService:
        kinds = set(self.kinds)
        if "Deployment" in kinds:
            kinds |= LONG_RUNNING  # the converter makes a database a StatefulSet
        return ChartService(
            self.key, frozenset(self.names), frozenset(self.repositories), frozenset(kinds),
            frozenset(self.env),
            tuple((name, tuple(sorted(paths))) for name, paths in sorted(self.files.items())),
            frozenset(self.secrets), self.volumes, self.routed,
            frozenset({self.key, f"{self.key}-headless", *self.aliases}),
        )


def _planned_files(ctx: AuditContext) -> Iterable[str]:
    seen: dict[str, None] = {}
    for env in ctx.vocabulary.environments:
        for file in ctx.vocabulary.chains.get(env, ()):
            seen.setdefault(file, None)
    return seen


def chart_services(ctx: AuditContext) -> dict[str, ChartService]:
    """Values key -> what the chart makes for that service (computed once per audit)."""

    def compute(c: AuditContext) -> dict[str, ChartService]:
        builders: dict[str, _Builder] = {}
        for file in _planned_files(c):
            doc = c.compose.get(file)
            if doc is None or doc.project is None:
                continue
            for service in doc.project.services:
                key = c.vocabulary.key(file, service.name)
                builder = builders.setdefault(
                    key, _Builder(key, {key}, set(), set(), set(), {}, set()))
                builder.add(c, doc.project, service)
        return {key: builders[key].build() for key in sorted(builders)}

    return ctx.analysis("chart-services", compute)
