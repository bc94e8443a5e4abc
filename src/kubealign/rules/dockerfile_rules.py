"""DKF: Dockerfiles, their variants per service, and which one is actually built."""

from __future__ import annotations

import itertools
import posixpath
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from kubealign.load.dockerfile import compare_dockerfiles
from kubealign.model.artifacts import DeployKind
from kubealign.model.audit import DockerfileDiff, DockerfileGroup, DockerfileVariant
from kubealign.model.findings import Finding, Severity
from kubealign.rules.base import Rule
from kubealign.rules.context import AuditContext
from kubealign.rules.liveness import liveness
from kubealign.rules.variants import service_key


def _compose_builds(ctx: AuditContext) -> dict[str, str]:
    """Dockerfile path -> service key, from compose ``build:`` sections."""
    found: dict[str, str] = {}
    for path in sorted(ctx.compose):
        project = ctx.compose[path].project
        if project is None:
            continue
        for service in project.services:
            build = service.build
            if build is None or build.context is None or "://" in build.context:
                continue
            context = ctx.rel(build.context)
            if PurePosixPath(build.context).is_absolute() and context.startswith("/"):
                continue
            dockerfile = posixpath.normpath(
                posixpath.join(context, build.dockerfile or "Dockerfile")
            )
            found.setdefault(dockerfile, service_key(service))
    return found


def _built_key(ctx: AuditContext, path: str) -> str | None:
    """The service a Dockerfile is built for: compose ``build:`` or ``docker build -t``."""
    compose_key = ctx.analysis("compose-builds", _compose_builds).get(path)
    if compose_key is not None:
        return compose_key
    live = liveness(ctx)
    for edge in live.referenced_by(path):
        if edge.how != DeployKind.DOCKER_BUILD.value:
            continue
        for source in (
            ctx.scripts.get(edge.source),
            ctx.makefiles.get(edge.source),
            ctx.workflows.get(edge.source),
        ):
            if source is None:
                continue
            for command in source.deploy_commands:
                tag = command.param("tag")
                if (
                    command.line == edge.line
                    and tag
                    and "$" not in tag.split("/")[-1].split(":")[0]
                ):
                    return PurePosixPath(tag.split(":")[0]).name
    return None


_GENERIC_FOLDERS = frozenset({"docker", "build", "dockerfiles"})
_COPY = re.compile(r"^\s*(?:COPY|ADD)\s+(?P<args>.+)$", re.IGNORECASE)


def _copied_folders(ctx: AuditContext, path: str) -> frozenset[str]:
    """The source folders a Dockerfile copies from its context (``COPY backend/ ...``):
    what application it packages. ``COPY . .``, single files and ``--from`` copies say
    nothing about that."""
    found: set[str] = set()
    for text in ctx.lines(path):
        match = _COPY.match(text)
        if match is None or "--from" in match.group("args"):
            continue
        words = [w for w in match.group("args").split() if not w.startswith("--")]
        for word in words[:-1]:
            source = word.strip("\"'[],").removeprefix("./")
            if "/" in source and not source.startswith(("/", "$", "..")):
                found.add(source.split("/", 1)[0])
    return frozenset(found)


def _group_keys(ctx: AuditContext) -> dict[str, str]:
    """Dockerfile -> the service it builds. Variants are Dockerfiles of one service: the
    one compose or a build command names; else one whose application folders (``COPY
    backend/``) are those of exactly one named service's Dockerfiles; else its folder's
    name (``docker/``, ``build/`` and the root name no service: "app")."""
    built = {p: k for p in sorted(ctx.dockerfiles) if (k := _built_key(ctx, p)) is not None}
    folders_of: dict[str, set[str]] = {}
    for path, key in built.items():
        folders_of.setdefault(key, set()).update(_copied_folders(ctx, path))
    keys = dict(built)
    for path in sorted(ctx.dockerfiles):
        if path in keys:
            continue
        directory = posixpath.dirname(path)
        if directory and PurePosixPath(directory).name not in _GENERIC_FOLDERS:
            keys[path] = PurePosixPath(directory).name
            continue
        copied = _copied_folders(ctx, path)
        sharing = [k for k, f in sorted(folders_of.items()) if copied & f]
        keys[path] = sharing[0] if len(sharing) == 1 else "app"
    return keys


def dockerfile_groups(ctx: AuditContext) -> tuple[DockerfileGroup, ...]:
    def compute(c: AuditContext) -> tuple[DockerfileGroup, ...]:
        live = liveness(c)
        groups: dict[str, list[str]] = {}
        keys = _group_keys(c)
        for path in sorted(c.dockerfiles):
            groups.setdefault(keys[path], []).append(path)
        result = []
        for key in sorted(groups):
            paths = groups[key]
            variants = []
            for path in paths:
                info = c.dockerfiles[path]
                built_by = tuple(
                    sorted(
                        {
                            f"{e.source}:{e.line}" if e.line else e.source
                            for e in live.referenced_by(path)
                        }
                    )
                )
                variants.append(
                    DockerfileVariant(
                        path=path,
                        syntax=info.syntax,
                        bases=tuple(s.base.text for s in info.stages if s.base_stage is None),
                        stages=len(info.stages),
                        user=info.effective_user,
                        healthcheck=info.healthcheck.value == "present",
                        gpu=info.gpu,
                        built_by=built_by,
                    )
                )
            diffs = [
                DockerfileDiff(a, b, d.aspect, d.left, d.right)
                for a, b in itertools.combinations(paths, 2)
                for d in compare_dockerfiles(c.dockerfiles[a], c.dockerfiles[b])
            ]
            live_paths = [p for p in paths if live.is_live(p)]
            ranked = sorted(
                paths,
                key=lambda p: (
                    not live.is_live(p),
                    c.dockerfiles[p].gpu,
                    -len(c.dockerfiles[p].stages),
                    c.dockerfiles[p].runs_as_root,
                    p,
                ),
            )
            recommended = ranked[0]
            gpu_variants = [p for p in paths if c.dockerfiles[p].gpu]
            advice = (
                f"keep {recommended} as the single Dockerfile "
                "(multi-stage, non-root user, HEALTHCHECK)"
            )
            if gpu_variants and recommended not in gpu_variants:
                advice += f"; fold {', '.join(gpu_variants)} into it as a 'gpu' build target"
            if len(live_paths) > 1:
                advice += f"; {len(live_paths)} variants are built today"
            result.append(DockerfileGroup(key, tuple(variants), tuple(diffs), recommended, advice))
        return tuple(result)

    return ctx.analysis("dockerfile-groups", compute)


class RunsAsRoot(Rule):
    """The final image runs as root.

    Why:
        A process escaping the application runs as root in the container; Kubernetes
        policies (``runAsNonRoot``) will refuse the pod.

    Fix:
        Add a user in the final stage and ``USER`` it (or a numeric UID).
    """

    id = "DKF001"
    name = "runs-as-root"
    severity = Severity.MEDIUM
    category = "dockerfile"
    targets = ("dockerfile",)
    root_cause = "Dockerfile"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for path, info in sorted(ctx.dockerfiles.items()):
            if info.runs_as_root and info.stages:
                final = info.final_stage
                yield self.finding(
                    f"final stage runs as {info.effective_user}",
                    path,
                    final.user_line or final.line,
                    key=path,
                )


class UnpinnedBaseImage(Rule):
    """A base image with ``latest`` or no tag.

    Why:
        Rebuilding the same commit produces a different image; a base image update can
        break the build or the runtime without any change in the repository.

    Fix:
        Pin a version tag, ideally with a digest, and update it deliberately.
    """

    id = "DKF002"
    name = "unpinned-base-image"
    severity = Severity.MEDIUM
    category = "dockerfile"
    targets = ("dockerfile",)
    root_cause = "base image"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for path, info in sorted(ctx.dockerfiles.items()):
            for stage in info.unpinned_bases:
                yield self.finding(
                    f"base image {stage.base.text!r} is not pinned", path, stage.line,
                    key=stage.base.text,
                )


class MissingHealthcheck(Rule):
    """The Dockerfile has no ``HEALTHCHECK``.

    Why:
        Without a health check the runtime cannot tell a hung process from a working one;
        the check is also the natural source for Kubernetes probes.

    Fix:
        Add ``HEALTHCHECK CMD`` calling the service's health endpoint (and mirror it as
        readiness/liveness probes).
    """

    id = "DKF003"
    name = "missing-healthcheck"
    severity = Severity.LOW
    category = "dockerfile"
    targets = ("dockerfile",)
    root_cause = "Dockerfile"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for path, info in sorted(ctx.dockerfiles.items()):
            if info.healthcheck.value == "absent" and info.stages:
                yield self.finding("no HEALTHCHECK", path, info.final_stage.line, key=path)


class DockerfileVariants(Rule):
    """A service has several Dockerfiles (``.production``, ``.optimized``, ``.gh200``…).

    Why:
        Each variant gets its own base image, user and fixes; which one production runs
        depends on which script was used last.

    Fix:
        Keep one multi-stage Dockerfile per service, with a ``gpu`` target where a GPU
        variant exists; the report names the one to keep.
    """

    id = "DKF004"
    name = "dockerfile-variants"
    severity = Severity.MEDIUM
    category = "dockerfile"
    targets = ("dockerfile",)
    root_cause = "service (its Dockerfiles become one)"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for group in dockerfile_groups(ctx):
            if len(group.variants) < 2:
                continue
            others = [v.path for v in group.variants if v.path != group.recommended]
            for path in others:
                pair = {path, group.recommended}
                aspects = sorted({d.aspect for d in group.differences
                                  if {d.left, d.right} == pair})
                yield self.finding(
                    f"{len(group.variants)} Dockerfiles for {group.service!r}: "
                    f"{group.recommendation}",
                    path,
                    1,
                    key=group.service,
                    detail=f"variant of {group.recommended} "
                    f"(differences: {', '.join(aspects) or 'none'})",
                )


class DockerfileNotBuilt(Rule):
    """No live path (CI, Makefile, live script, live compose file) builds this Dockerfile.

    Why:
        Unbuilt Dockerfiles still get edited and reviewed, and mislead readers about what
        production runs.

    Fix:
        Delete it, or merge what it does better into the Dockerfile that is built.
    """

    id = "DKF005"
    name = "dockerfile-not-built"
    severity = Severity.LOW
    category = "dockerfile"
    targets = ("dockerfile",)
    root_cause = "Dockerfile"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        live = liveness(ctx)
        for path in sorted(ctx.dockerfiles):
            if not live.is_live(path):
                users = [e.source for e in live.referenced_by(path)]
                note = (
                    f" (only dead files use it: {', '.join(sorted(set(users)))})" if users else ""
                )
                yield self.finding(f"not built by any live path{note}", path, 1, key=path)
