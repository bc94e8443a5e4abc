"""Compose variant analysis: which files are variants of which, how alike, what each changes.

Services and environments carry the plan's names (``ctx.vocabulary``): a service is matched
across files by the values key the chart gives it (the plan's ``services:`` entries join
``backend`` and ``sophia-backend`` where they are one service), and the matrix's columns are
the plan's environments. A file no environment uses keeps its compose names and is said to be
in none.
"""

from __future__ import annotations

import itertools
import posixpath
import re
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
    key: str  # matched across files: the chart's values key (ctx.vocabulary)
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
    """The image repository's last part (a Dockerfile's or a secret's grouping, not a name the
    report gives a service: that is the plan's, ``ctx.vocabulary.key``)."""
    if service.image:
        ref = parse_image_ref(service.image)
        return PurePosixPath(ref.repository).name
    return service.name


def _facts(doc: ComposeDoc, service: Service, key: str) -> ServiceFacts:
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
        key=key,
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
                facts = _facts(doc, service, c.vocabulary.key(path, service.name))
                result[path].setdefault(facts.key, facts)
        return result

    return ctx.analysis("compose-facts", compute)


def service_of_image(ctx: AuditContext, repository: str) -> str | None:
    """The values key of the compose service running images of ``repository`` (its last
    part, ``sophia-backend``): what a Kubernetes manifest, which names no compose service,
    runs; the first key in file order when several do; None when no compose file runs it."""
    def compute(c: AuditContext) -> dict[str, str]:
        found: dict[str, str] = {}
        facts = compose_facts(c)
        for path in sorted(facts):
            for key, fact in sorted(facts[path].items()):
                if fact.repository:
                    found.setdefault(PurePosixPath(fact.repository).name, key)
        return found

    return ctx.analysis("service-of-image", compute).get(repository)


_NAME_NOISE = re.compile(r"^(docker-)?compose")


def _file_word(path: str) -> str:
    """``docker-compose.cloud.yml`` -> ``cloud``; ``docker-compose.yml`` -> ``""``: what the
    file name says of its role (never printed as an environment: those are the plan's)."""
    stem = re.sub(r"\.ya?ml$", "", PurePosixPath(path).name)
    return _NAME_NOISE.sub("", stem).strip("-._")


def compose_role(path: str, doc: ComposeDoc) -> str:
    name = PurePosixPath(path).name
    if ".override." in name:
        return "override"
    if doc.swarm:
        return "stack"
    if posixpath.dirname(path) and _file_word(path):
        return "instance"
    if not _file_word(path):
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
    # An override file adjusts the file it is read after: it is no copy of anything.
    whole = [p for p in sorted(facts) if compose_role(p, ctx.compose[p]) != "override"]
    for lpath, rpath in itertools.combinations(whole, 2):
        entry = _similarity(facts[lpath], facts[rpath], lpath, rpath)
        if entry is not None:
            entries.append(entry)
    return tuple(entries)


def differences(ctx: AuditContext) -> tuple[ServiceDifference, ...]:
    return ctx.analysis("compose-differences", _differences)


def _differences(ctx: AuditContext) -> tuple[ServiceDifference, ...]:
    facts = compose_facts(ctx)
    by_key: dict[str, list[ServiceFacts]] = {}
    overrides = {p for p in facts if compose_role(p, ctx.compose[p]) == "override"}
    for path in sorted(facts):
        for key, fact in facts[path].items():
            by_key.setdefault(key, []).append(fact)
    result: list[ServiceDifference] = []
    for key in sorted(by_key):
        for aspect in ASPECTS:
            # What an override file leaves unset it inherits: not a different value.
            items = [f for f in by_key[key]
                     if f.file not in overrides or f.values[aspect] is not None]
            if len(items) < 2:
                continue
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
        place = ctx.vocabulary.place(path)
        variants.append(
            ComposeVariant(
                file=path,
                role=compose_role(path, doc),
                project_dir=posixpath.dirname(path),
                services=tuple(sorted(f.name for f in facts.get(path, {}).values())),
                swarm=doc.swarm,
                live=live.is_live(path),
                variant_of=tuple(related),
                environments=place.environments,
                outside_plan=place.outside,
                lines=doc.lines,
                load_error=load_errors.get(path),
            )
        )
    return ComposeAnalysis(tuple(variants), sims, differences(ctx))


def service_matrix(ctx: AuditContext) -> ServiceMatrix:
    """One column per environment of the plan, its cells the services of the files it is
    built from (its ``-f`` chain, then the components folded in), each loaded alone and
    merged in that order: a later file's setting wins where it gives one, as in compose
    (lists such as ``environment`` are merged by compose, not here: the matrix shows no list
    but the networks). Files no environment uses are no column (``compose.variants`` says
    why); an environment none of whose files loaded is listed in ``not_loaded``."""
    facts = compose_facts(ctx)
    vocabulary = ctx.vocabulary
    cells: list[MatrixCell] = []
    environments: list[str] = []
    not_loaded: list[str] = []
    for env in vocabulary.environments:
        chain = [f for f in vocabulary.chains.get(env, ()) if f in facts]
        if not chain:
            not_loaded.append(env)
            continue
        environments.append(env)
        merged: dict[str, list[ServiceFacts]] = {}
        for path in chain:
            for key in sorted(facts[path]):
                merged.setdefault(key, []).append(facts[path][key])
        cells.extend(_cell(env, merged[key]) for key in sorted(merged))
    services = tuple(sorted({c.service for c in cells}))
    return ServiceMatrix(services, tuple(environments), tuple(cells), tuple(not_loaded))


def _cell(env: str, layers: list[ServiceFacts]) -> MatrixCell:
    """One service of one environment from its definitions in ``-f`` order."""
    # The file that gives the image is where the service is defined; an override only
    # adjusts it (the first file when none gives one).
    defined = next((f for f in reversed(layers) if f.image), layers[0])
    values: dict[str, str | None] = {}
    for layer in layers:
        values.update({a: v for a, v in layer.values.items() if v is not None})
    networks = next((f.networks for f in reversed(layers) if f.networks != ("default",)),
                    defined.networks)
    return MatrixCell(
        service=defined.key,
        environment=env,
        file=defined.file,
        line=defined.line,
        image=defined.image,
        tag=defined.tag,
        replicas=int(replicas) if (replicas := values.get("replicas")) else None,
        gpus=values.get("gpus"),
        memory=values.get("memory"),
        cpus=values.get("cpus"),
        host=values.get("hosts"),
        networks=networks,
        compose_service=defined.name,
    )
