"""Compose variant analysis: which files are variants of which, how alike, what each changes.

Services are matched across files by their image repository (``scoobyjava15/sophia-backend``
is the same service whether a file calls it ``backend`` or ``sophia-backend``), falling back
to the service name for services without an image.
"""

from __future__ import annotations

import itertools
import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePosixPath

from kubealign.load.dockerfile import parse_image_ref
from kubealign.model.audit import (
    ComposeAnalysis,
    ComposeVariant,
    MatrixCell,
    ServiceDifference,
    ServiceMatrix,
    ServiceValue,
    SimilarityEntry,
)
from kubealign.model.compose import Service, gpu_requests
from kubealign.model.source import pointer
from kubealign.rules.context import AuditContext, ComposeDoc
from kubealign.rules.liveness import liveness

#: Aspects compared between variants, in display order.
ASPECTS: tuple[str, ...] = (
    "image-tag",
    "replicas",
    "memory",
    "cpus",
    "gpus",
    "env",
    "hosts",
    "ports",
)
_ASPECT_KEYS = {
    "image-tag": ("image",),
    "replicas": ("deploy", "replicas"),
    "memory": ("deploy", "resources", "limits", "memory"),
    "cpus": ("deploy", "resources", "limits", "cpus"),
    "gpus": ("deploy", "resources", "reservations"),
    "env": ("environment",),
    "hosts": ("deploy", "placement"),
    "ports": ("ports",),
}
_VARIANT_THRESHOLD = 50.0


@dataclass(frozen=True, slots=True)
class ServiceFacts:
    file: str
    name: str  # as written in this file
    key: str  # matched across files
    image: str
    repository: str | None
    tag: str | None
    line: int | None
    values: dict[str, str | None]  # aspect -> normalised value
    lines: dict[str, int | None]
    #: Networks the service joins (``default`` when it names none), for the topology picture.
    networks: tuple[str, ...] = ()


def _human_bytes(value: int | None) -> str | None:
    if value is None:
        return None
    for unit, size in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if value >= size and value % size == 0:
            return f"{value // size}{unit}"
    return str(value)


def _cpus_text(value: object) -> str | None:
    """``4``, ``"4"`` and ``4.0`` are one quantity: equal numbers are not drift."""
    if value is None:
        return None
    try:
        return f"{float(str(value)):g}"
    except ValueError:
        return str(value)


def service_key(service: Service) -> str:
    if service.image:
        ref = parse_image_ref(service.image)
        return PurePosixPath(ref.repository).name
    return service.name


def _facts(doc: ComposeDoc, service: Service) -> ServiceFacts:
    ref = parse_image_ref(service.image) if service.image else None
    deploy = service.deploy
    limits = deploy.resources.limits if deploy and deploy.resources else None
    memory = limits.memory if limits and limits.memory else service.mem_limit
    cpus = limits.cpus if limits and limits.cpus else service.cpus
    gpus = gpu_requests(service)
    gpu_text = (
        ", ".join(sorted(str(g.count if g.count is not None else "all") for g in gpus)) or None
    )
    hosts = None
    if deploy and deploy.placement and deploy.placement.constraints:
        hosts = ", ".join(
            sorted(f"{c.subject}{c.operator}{c.value}" for c in deploy.placement.constraints)
        )
    values: dict[str, str | None] = {
        "image-tag": (ref.tag or "latest") if ref else None,
        "replicas": str(deploy.replicas) if deploy and deploy.replicas is not None else None,
        "memory": _human_bytes(memory),
        "cpus": _cpus_text(cpus),
        "gpus": gpu_text,
        "env": ", ".join(sorted(service.environment)) or None,
        "hosts": hosts,
        "ports": ", ".join(sorted({str(p.target) for p in service.ports})) or None,
    }
    sources = doc.raw.sources if doc.raw else None
    base = pointer("services", service.name)
    lines: dict[str, int | None] = {}
    for aspect, keys in _ASPECT_KEYS.items():
        span = sources.nearest(pointer("services", service.name, *keys)) if sources else None
        lines[aspect] = span.line if span else None
    span = sources.nearest(base) if sources else None
    return ServiceFacts(
        file=doc.path,
        name=service.name,
        key=service_key(service),
        image=service.image or "",
        repository=ref.repository if ref else None,
        tag=values["image-tag"],
        line=span.line if span else None,
        values=values,
        lines=lines,
        networks=_networks(service),
    )


def _networks(service: Service) -> tuple[str, ...]:
    """Compose attaches a service that names no network to the project's ``default``."""
    if service.network_mode:
        return (f"network_mode: {service.network_mode}",)
    return tuple(sorted({n.name for n in service.networks})) or ("default",)


def compose_facts(ctx: AuditContext) -> dict[str, dict[str, ServiceFacts]]:
    def compute(c: AuditContext) -> dict[str, dict[str, ServiceFacts]]:
        result: dict[str, dict[str, ServiceFacts]] = {}
        for path in sorted(c.compose):
            doc = c.compose[path]
            if doc.project is None:
                continue
            result[path] = {}
            for service in doc.project.services:
                facts = _facts(doc, service)
                result[path].setdefault(facts.key, facts)
        return result

    return ctx.analysis("compose-facts", compute)


_NAME_NOISE = re.compile(r"^(docker-)?compose")


def environment_name(path: str) -> str:
    """``docker-compose.cloud.yml`` -> ``cloud``; ``docker-compose.yml`` -> ``default``."""
    stem = re.sub(r"\.ya?ml$", "", PurePosixPath(path).name)
    stem = _NAME_NOISE.sub("", stem).strip("-._")
    return stem or "default"


def column_names(paths: list[str]) -> dict[str, str]:
    """One distinct matrix column name per compose file.

    Files named alike in different folders (twelve ``docker-compose.yml`` of MCP servers all
    named ``default``) would share a column and overwrite each other's cells; each of those
    gets the fewest enclosing folders that tell it apart (``asana/default``,
    ``x/api/default``), and two files of one folder with one name get their path.
    """
    by_name: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        by_name[environment_name(path)].append(path)
    result: dict[str, str] = {}
    for name, group in by_name.items():
        for path in group:
            result[path] = _shortest_distinct(path, name, [p for p in group if p != path])
    counts: dict[str, int] = defaultdict(int)
    for label in result.values():
        counts[label] += 1
    return {path: label if counts[label] == 1 else path for path, label in result.items()}


def _qualified(path: str, name: str, folders: int) -> str:
    directories = PurePosixPath(path).parent.parts
    kept = directories[len(directories) - folders:] if folders else ()
    return "/".join((*kept, name))


def _shortest_distinct(path: str, name: str, others: list[str]) -> str:
    # Up to the deepest of the group: a file at the root is told apart from the others by
    # their folders, not its own.
    depth = max(len(PurePosixPath(p).parent.parts) for p in [path, *others])
    for folders in range(depth + 1):
        label = _qualified(path, name, folders)
        if all(label != _qualified(other, name, folders) for other in others):
            return label
    return path


def compose_role(path: str, doc: ComposeDoc) -> str:
    name = PurePosixPath(path).name
    if ".override." in name:
        return "override"
    if doc.swarm:
        return "stack"
    if posixpath.dirname(path) and environment_name(path) != "default":
        return "instance"
    if environment_name(path) == "default":
        return "base"
    return "variant"


def _similarity(
    left: dict[str, ServiceFacts], right: dict[str, ServiceFacts], lpath: str, rpath: str
) -> SimilarityEntry | None:
    shared = sorted(set(left) & set(right))
    if not shared:
        return None
    union = set(left) | set(right)
    same = total = 0
    keys_equal = set(left) == set(right)
    for key in shared:
        for aspect in ASPECTS:
            a, b = left[key].values[aspect], right[key].values[aspect]
            if a is None and b is None:
                continue
            total += 1
            same += a == b
            if (a is None) != (b is None):
                keys_equal = False
    settings = round(100.0 * same / total, 1) if total else 100.0
    return SimilarityEntry(
        left=lpath,
        right=rpath,
        shared_services=tuple(shared),
        service_similarity=round(100.0 * len(shared) / len(union), 1),
        settings_similarity=settings,
        values_only=keys_equal and same < total,
    )


def similarity_entries(ctx: AuditContext) -> tuple[SimilarityEntry, ...]:
    return ctx.analysis("compose-similarity", _similarity_entries)


def _similarity_entries(ctx: AuditContext) -> tuple[SimilarityEntry, ...]:
    facts = compose_facts(ctx)
    entries = []
    for lpath, rpath in itertools.combinations(sorted(facts), 2):
        entry = _similarity(facts[lpath], facts[rpath], lpath, rpath)
        if entry is not None:
            entries.append(entry)
    return tuple(entries)


def differences(ctx: AuditContext) -> tuple[ServiceDifference, ...]:
    return ctx.analysis("compose-differences", _differences)


def _differences(ctx: AuditContext) -> tuple[ServiceDifference, ...]:
    facts = compose_facts(ctx)
    by_key: dict[str, list[ServiceFacts]] = {}
    for path in sorted(facts):
        for key, fact in facts[path].items():
            by_key.setdefault(key, []).append(fact)
    result: list[ServiceDifference] = []
    for key in sorted(by_key):
        items = by_key[key]
        if len(items) < 2:
            continue
        for aspect in ASPECTS:
            distinct = {f.values[aspect] for f in items}
            if len(distinct) > 1:
                values = tuple(
                    ServiceValue(f.file, f.values[aspect] or "-", f.lines[aspect]) for f in items
                )
                result.append(ServiceDifference(key, aspect, values))
    return tuple(result)


def analyse_compose(ctx: AuditContext) -> ComposeAnalysis:
    facts = compose_facts(ctx)
    live = liveness(ctx)
    sims = similarity_entries(ctx)
    variants = []
    load_errors = {p.path: p.message for p in ctx.problems if p.kind == "compose"}
    neighbours: dict[str, set[str]] = {}
    for entry in sims:
        if entry.service_similarity >= _VARIANT_THRESHOLD:
            neighbours.setdefault(entry.left, set()).add(entry.right)
            neighbours.setdefault(entry.right, set()).add(entry.left)
    for path in sorted(ctx.compose):
        doc = ctx.compose[path]
        related = sorted(neighbours.get(path, ()))
        variants.append(
            ComposeVariant(
                file=path,
                role=compose_role(path, doc),
                project_dir=posixpath.dirname(path),
                services=tuple(sorted(f.name for f in facts.get(path, {}).values())),
                swarm=doc.swarm,
                live=live.is_live(path),
                variant_of=tuple(related),
                environment=environment_name(path),
                lines=doc.lines,
                load_error=load_errors.get(path),
            )
        )
    return ComposeAnalysis(tuple(variants), sims, differences(ctx))


def service_matrix(ctx: AuditContext) -> ServiceMatrix:
    facts = compose_facts(ctx)
    cells: list[MatrixCell] = []
    services: set[str] = set()
    columns = [p for p in sorted(facts) if compose_role(p, ctx.compose[p]) != "override"]
    names = column_names(columns)
    environments: list[str] = []
    for path in columns:
        env = names[path]
        environments.append(env)
        for key in sorted(facts[path]):
            f = facts[path][key]
            services.add(key)
            cells.append(
                MatrixCell(
                    service=key,
                    environment=env,
                    file=path,
                    line=f.line,
                    image=f.image,
                    tag=f.tag,
                    replicas=int(f.values["replicas"]) if f.values["replicas"] else None,
                    gpus=f.values["gpus"],
                    memory=f.values["memory"],
                    cpus=f.values["cpus"],
                    host=f.values["hosts"],
                    networks=f.networks,
                )
            )
    return ServiceMatrix(tuple(sorted(services)), tuple(environments), tuple(cells))
