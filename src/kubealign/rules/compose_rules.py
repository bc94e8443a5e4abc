"""CMP: Compose files and Swarm stacks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath

from kubealign.load.dockerfile import parse_image_ref
from kubealign.model.artifacts import DeployKind
from kubealign.model.findings import Finding, Severity
from kubealign.rules.base import Rule
from kubealign.rules.context import AuditContext
from kubealign.rules.helpers import raw_services
from kubealign.rules.liveness import liveness
from kubealign.rules.variants import differences, similarity_entries

_COMPOSE_RUNS = frozenset(
    k.value
    for k in (
        DeployKind.COMPOSE_UP,
        DeployKind.COMPOSE_PULL,
        DeployKind.COMPOSE_BUILD,
        DeployKind.COMPOSE_DOWN,
    )
)


class ComposeLoadError(Rule):
    """A compose file that cannot be loaded on its own.

    Each compose file is loaded with its own folder as project directory, as ``docker
    compose -f FILE`` would; syntax errors, unknown keys and failed interpolation land here.

    Why:
        A file Compose cannot load is either dead or only works with flags nobody wrote down.

    Fix:
        Correct the reported line, or delete the file if nothing uses it.
    """

    id = "CMP101"
    name = "compose-load-error"
    severity = Severity.HIGH
    category = "compose"
    targets = ("compose",)
    root_cause = "compose file"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for problem in ctx.problems:
            if problem.kind == "compose":
                yield self.finding(f"cannot load: {problem.message}", problem.path, problem.line,
                                   key=problem.path)


class LatestImageTag(Rule):
    """A service image with the ``latest`` tag or no tag at all.

    Why:
        ``latest`` moves: two hosts pulling at different times run different code, and a
        rollback cannot name the previous version.

    Fix:
        Pin a version tag (or a digest) and bump it through CI.
    """

    id = "CMP102"
    name = "latest-image-tag"
    severity = Severity.MEDIUM
    category = "compose"
    targets = ("compose",)
    root_cause = "image repository"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for service in raw_services(ctx):
            image = service.data.get("image")
            if not isinstance(image, str) or "$" in image:
                continue
            ref = parse_image_ref(image)
            if ref.unpinned:
                yield self.finding(
                    f"image {ref.repository!r} is not pinned (latest or no tag)",
                    service.doc.path,
                    service.line("image"),
                    key=ref.repository,
                    detail=f"service {service.name!r} uses {image!r}",
                )


class ImageTagDrift(Rule):
    """The same service runs different image tags in different compose files.

    Services are matched across files by their values key in the chart: ``backend`` and
    ``sophia-backend`` count as one service where the plan joins them (one image
    repository, never both in one file).

    Why:
        Environments that should run the same release silently run different code; a fix
        verified in one environment is not what the other runs.

    Fix:
        Keep one tag per release in one values file per environment (``image.tag``) and let
        CI set it.
    """

    id = "CMP103"
    name = "image-tag-drift"
    severity = Severity.MEDIUM
    category = "compose"
    targets = ("compose",)
    root_cause = "service (its values key in the chart)"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for difference in differences(ctx):
            if difference.aspect != "image-tag":
                continue
            tags = sorted({v.value for v in difference.values})
            files = len({v.file for v in difference.values})
            for value in difference.values:
                yield self.finding(
                    f"service {difference.service!r} runs {len(tags)} image tags in {files} "
                    f"files: {', '.join(tags)}",
                    value.file,
                    value.line,
                    key=difference.service,
                    detail=f"tag {value.value!r}",
                )


class ComposeVariant(Rule):
    """A compose file that is mostly a copy of another one.

    Two files are variants when at least half of their services (matched by values key, as
    the chart names them) are the same; the report lists the percentage of shared services and of
    identical settings for every pair.

    Why:
        Copies drift: each variant changes a few values and silently misses the fixes made
        to the others.

    Fix:
        Express the differences as per-environment values of one chart (``kubealign convert``
        derives them) and delete the copies.
    """

    id = "CMP104"
    name = "compose-variant"
    severity = Severity.LOW
    category = "compose"
    targets = ("compose",)
    root_cause = "compose file"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        # One finding per file, naming its closest sibling (all pairs are in the report).
        closest: dict[str, tuple[float, float, str, int]] = {}
        for entry in similarity_entries(ctx):
            if entry.service_similarity < 50.0:
                continue
            for path, other in ((entry.left, entry.right), (entry.right, entry.left)):
                score = (entry.service_similarity, entry.settings_similarity)
                best = closest.get(path)
                count = (best[3] if best else 0) + 1
                if best is None or score > best[:2] or (score == best[:2] and other < best[2]):
                    closest[path] = (*score, other, count)
                else:
                    closest[path] = (*best[:3], count)
        for path in sorted(closest):
            services, settings, other, count = closest[path]
            also = f"; variant of {count - 1} more files" if count > 1 else ""
            yield self.finding(
                f"variant of {other}: {services:.1f}% shared services, "
                f"{settings:.1f}% identical settings{also}",
                path,
                1,
                key=path,
            )


class ValuesOnlyVariant(Rule):
    """Two environment files with the same services and keys, differing only by values.

    Why:
        Such files are the textbook case for one template with a values file per environment:
        keeping them as copies multiplies every structural change.

    Fix:
        Keep one chart and move the differing values into ``values-<env>.yaml``.
    """

    id = "CMP105"
    name = "values-only-variant"
    severity = Severity.LOW
    category = "compose"
    targets = ("compose",)
    root_cause = "pair of compose files"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for entry in similarity_entries(ctx):
            if entry.values_only:
                yield self.finding(
                    f"differs from {entry.left} only by values "
                    f"({entry.settings_similarity:.1f}% identical settings)",
                    entry.right,
                    1,
                    key=f"{entry.left} {entry.right}",
                )


class MissingFileReference(Rule):
    """A compose file points at a file that is not in the repository.

    Env files, bind mounts, configs, secrets and build contexts are checked.

    Why:
        The file only works on the one machine that has the missing file, which is
        undocumented state.

    Fix:
        Commit the file (without secrets), point at the right path, or generate it in CI.
    """

    id = "CMP106"
    name = "missing-file-reference"
    severity = Severity.MEDIUM
    category = "compose"
    targets = ("compose",)
    root_cause = "missing file, or the outermost missing folder of missing files"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for path in sorted(ctx.compose):
            artifact = ctx.artifact(path)
            if artifact is None or artifact.compose is None:
                continue
            raw = ctx.compose[path].raw
            for reference in artifact.compose.references:
                if reference.exists or reference.path.startswith(("/", "..")):
                    continue
                span = raw.sources.nearest(reference.pointer) if raw else None
                folder = _missing_folder(ctx, reference.path)
                if folder is None:
                    message = (f"{reference.path!r} is referenced but does not exist in the "
                               "repository")
                    detail = reference.key
                else:
                    # Every file under a folder that was never committed is one thing to fix.
                    message = (f"folder {folder + '/'!r} does not exist in the repository; "
                               "compose files reference files in it")
                    detail = f"{reference.key} {reference.path!r}"
                yield self.finding(
                    message,
                    path,
                    span.line if span else None,
                    # A missing build context and a missing file in it share the folder.
                    key=folder if folder is not None else reference.path.rstrip("/"),
                    detail=detail,
                )


def _missing_folder(ctx: AuditContext, path: str) -> str | None:
    """The outermost folder of ``path`` that is not in the repository (None when the file's
    folder exists and only the file is missing)."""
    parents = [p for p in reversed(PurePosixPath(path).parents) if str(p) != "."]
    for parent in parents:
        if not (ctx.root / parent).is_dir():
            return str(parent)
    return None


class DockerSocketMount(Rule):
    """A service mounts the Docker socket.

    Why:
        Access to ``/var/run/docker.sock`` is root on the host; in Kubernetes there is no
        Docker socket to mount at all.

    Fix:
        Use the orchestrator's API with a scoped service account (Traefik: the Kubernetes
        Ingress provider) instead of the socket.
    """

    id = "CMP107"
    name = "docker-socket-mount"
    severity = Severity.HIGH
    category = "compose"
    targets = ("compose",)
    root_cause = "service"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for service in raw_services(ctx):
            volumes = service.data.get("volumes")
            for index, volume in enumerate(volumes if isinstance(volumes, list) else []):
                text = volume.get("source", "") if isinstance(volume, Mapping) else str(volume)
                if "docker.sock" in str(text):
                    yield self.finding(
                        f"service {service.name!r} mounts the Docker socket",
                        service.doc.path,
                        service.line("volumes", index),
                        key=service.name,
                    )


class TraefikLabelsOutsideDeploy(Rule):
    """Traefik labels on a Swarm stack service outside ``deploy.labels``.

    In Swarm mode Traefik reads service labels, which are ``deploy.labels``; container
    ``labels:`` are ignored, so the router is never created.

    Why:
        The route silently does not exist: the service is unreachable although the file
        looks correct.

    Fix:
        Move the ``traefik.*`` labels under ``deploy.labels`` (or, after conversion, into the
        Ingress values).
    """

    id = "CMP201"
    name = "traefik-labels-outside-deploy"
    severity = Severity.HIGH
    category = "swarm"
    targets = ("swarm-stack",)
    root_cause = "stack file"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for service in raw_services(ctx):
            if not service.doc.swarm:
                continue
            labels = [entry for entry in service.labels() if entry[0].startswith("traefik.")]
            if labels:
                yield self.finding(
                    "traefik labels outside deploy.labels: Swarm ignores them, no route exists",
                    service.doc.path,
                    labels[0][2] or service.line("labels"),
                    key=service.doc.path,
                    detail=f"service {service.name!r}: {len(labels)} labels",
                )


class SwarmKeysIgnoredByCompose(Rule):
    """Swarm-only settings in a file that is run with ``docker compose``, never as a stack.

    ``deploy.placement``, ``update_config``, ``rollback_config``, ``endpoint_mode``,
    ``mode: global``, generic resources and overlay networks only take effect with
    ``docker stack deploy``.

    Why:
        Readers believe the service is pinned or rolled out safely; under ``docker compose``
        none of it happens.

    Fix:
        Remove the keys, or express placement as node selectors/affinity after conversion.
    """

    id = "CMP202"
    name = "swarm-keys-ignored-by-compose"
    severity = Severity.LOW
    category = "swarm"
    targets = ("compose", "deploy-script")
    root_cause = "compose file"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        live = liveness(ctx)
        for path in sorted(ctx.compose):
            doc = ctx.compose[path]
            artifact = ctx.artifact(path)
            if not doc.swarm or artifact is None or artifact.compose is None:
                continue
            hows = {edge.how for edge in live.referenced_by(path)}
            if DeployKind.STACK_DEPLOY.value in hows or not hows & _COMPOSE_RUNS:
                continue
            keys = artifact.compose.swarm_keys
            span = doc.raw.sources.nearest(keys[0]) if doc.raw and keys else None
            yield self.finding(
                f"{len(keys)} Swarm-only settings, but the file is only run with docker compose "
                f"({', '.join(keys[:3])}{' …' if len(keys) > 3 else ''})",
                path,
                span.line if span else 1,
                key=path,
            )


class BuildInStack(Rule):
    """``build:`` in a Swarm stack file.

    Why:
        ``docker stack deploy`` ignores ``build``: the stack runs whatever image tag is in the
        registry, not what the file says it builds.

    Fix:
        Build in CI and reference the pushed tag only.
    """

    id = "CMP203"
    name = "build-in-stack"
    severity = Severity.LOW
    category = "swarm"
    targets = ("swarm-stack",)
    root_cause = "stack file"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for service in raw_services(ctx):
            if service.doc.swarm and "build" in service.data:
                yield self.finding(
                    "build: in a stack file, which docker stack deploy ignores",
                    service.doc.path,
                    service.line("build"),
                    key=service.doc.path,
                    detail=f"service {service.name!r}",
                )


class RestartInStack(Rule):
    """``restart:`` in a Swarm stack file.

    Why:
        Swarm ignores ``restart`` and uses ``deploy.restart_policy``; the written policy is
        not the one in effect.

    Fix:
        Use ``deploy.restart_policy`` (or rely on the Kubernetes controller after conversion).
    """

    id = "CMP204"
    name = "restart-in-stack"
    severity = Severity.LOW
    category = "swarm"
    targets = ("swarm-stack",)
    root_cause = "stack file"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for service in raw_services(ctx):
            if service.doc.swarm and "restart" in service.data:
                yield self.finding(
                    "restart: in a stack file, which Swarm ignores",
                    service.doc.path,
                    service.line("restart"),
                    key=service.doc.path,
                    detail=f"service {service.name!r}",
                )
