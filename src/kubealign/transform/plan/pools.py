"""GPU node pools: which GPU model each environment's GPU services need, and where that was
written (placement constraints, header comments, env files, docs)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kubealign.model.compose import Project, Service, gpu_requests
from kubealign.model.plan import Ambiguity, NodePool
from kubealign.transform.plan.environments import DetectedEnvironment
from kubealign.transform.plan.gpus import GpuModel, find_models, model_of_value
from kubealign.transform.plan.sources import TextLine

GPU_TAINT = "nvidia.com/gpu=true:NoSchedule"
_HOST = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$")
_FILE_SUFFIXES = (".yml", ".yaml", ".sh", ".py", ".md", ".env", ".json", ".txt", ".conf")
_ARM = re.compile(r"\b(arm64|aarch64)\b", re.IGNORECASE)
_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
# Cloud regions and zones (us-east-3, europe-west4-a) sit in the same table rows as hosts.
_REGION = re.compile(r"^(?:us|eu|ap|sa|ca|me|af|il|mx|asia|europe|northamerica|southamerica|"
                     r"australia)-[a-z]+-?\d+(?:-[a-z])?$")


@dataclass
class PoolFacts:
    model: GpuModel
    counts: list[tuple[int, str]] = field(default_factory=list)
    nodes: set[str] = field(default_factory=set)
    labels: dict[str, str] = field(default_factory=dict)
    arm: list[str] = field(default_factory=list)
    pinned_non_gpu: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


@dataclass
class PoolAssignment:
    node_pool: str | None = None
    service_pools: dict[str, str] = field(default_factory=dict)
    gpus_for_all: int | None = None
    reasons: list[str] = field(default_factory=list)


@dataclass
class PoolResult:
    pools: list[NodePool]
    assignments: dict[str, PoolAssignment]
    pool_reasons: dict[str, list[str]]
    ambiguous: list[Ambiguity]


def hostnames(text: str) -> list[str]:
    found: list[str] = []
    for raw in re.split(r"[\s|,()`'\"\[\]]+", text):
        word = raw.strip(".:;")
        if not word or "/" in word or "=" in word or word.endswith(_FILE_SUFFIXES):
            continue
        first = word.split(".", 1)[0]
        if _HOST.match(first) and not find_models(first) and first not in found:
            found.append(first)
    return found


def _host_models(lines: Sequence[TextLine]) -> dict[str, list[tuple[GpuModel, int | None,
                                                                   TextLine]]]:
    hosts: dict[str, list[tuple[GpuModel, int | None, TextLine]]] = {}
    for line in lines:
        models = find_models(line.text)
        if len(models) != 1:
            continue
        model, count = models[0]
        for host in hostnames(line.text):
            hosts.setdefault(host, []).append((model, count, line))
    return hosts


def is_host_on_line(host: str, text: str) -> bool:
    """Whether ``text`` writes ``host`` as a machine: in a row that also gives an IP address
    (an inventory table), or as the target of ``node``, ``@``, ``hostname``, ``host`` or
    ``instance``. A hyphenated word beside a GPU model is not a machine by itself: prose
    (``executive-grade``), label values (``large-inference``), key names and regions are not."""
    if _REGION.match(host):
        return False
    if _IPV4.search(text):
        return True
    return re.search(r"(?:\bnode\s+|@|\bhost(?:name)?\s*[=:]?\s*|\binstance[=:\s]+)"
                     + re.escape(host) + r"\b", text, re.IGNORECASE) is not None


Mention = tuple[GpuModel, int | None, str]
_NEAR = 3
"""Lines either side of a file's name that still describe it (a ``case`` arm, a table row)."""


def models_near_names(texts: Mapping[str, str], paths: Sequence[str]
                      ) -> dict[str, list[Mention]]:
    """Compose file -> GPU models written right next to its name in live scripts and
    workflows (``compose_file=docker-compose-x.yml`` beside ``gpu=A6000`` in one ``case``
    arm): only where a single model is that close."""
    names: dict[str, list[str]] = {}
    for path in paths:
        names.setdefault(path.rsplit("/", 1)[-1], []).append(path)
    found: dict[str, list[Mention]] = {}
    for source, text in sorted(texts.items()):
        lines = text.splitlines()
        for index, line in enumerate(lines):
            for name, owners in names.items():
                if len(owners) != 1 or name not in line:
                    continue
                window = _block(lines, index, [n for n in names if n != name])
                models = {m.id: (m, c) for text_line in window
                          if _GPU_WORD.search(text_line) for m, c in find_models(text_line)}
                if len(models) == 1:
                    model, count = next(iter(models.values()))
                    found.setdefault(owners[0], []).append(
                        (model, count, f"{source}:{index + 1} (next to its name)"))
    return found


_GPU_WORD = re.compile(r"gpu", re.IGNORECASE)


def _block(lines: Sequence[str], index: int, others: Sequence[str]) -> list[str]:
    """The lines around ``lines[index]`` that still describe the file it names: at most
    ``_NEAR`` either side, never past a line naming another compose file or ending a
    ``case`` arm (``;;``)."""
    block = [lines[index]]
    for step in (-1, 1):
        at = index + step
        while 0 <= at < len(lines) and abs(at - index) <= _NEAR:
            text = lines[at]
            if ";;" in text or any(name in text for name in others):
                break
            block.append(text)
            at += step
    return block


def _environment_models(env: DetectedEnvironment, lines: Sequence[TextLine],
                        near: Mapping[str, list[Mention]] | None = None,
                        *, strong_only: bool = False) -> list[Mention]:
    """GPU models written about the environment's own file: header, env files, the lines
    around its name in live scripts, docs rows (``strong_only``: only the file's header and
    its deploy scripts, what names the instance the file runs on)."""
    found: list[Mention] = []
    primary = env.primary
    header = [(m, c, f"{primary.path}:{n} {text!r}") for n, text in primary.header
              for m, c in find_models(text)]
    if len({m.id for m, _, _ in header}) == 1:
        found.extend(header)
    beside = (near or {}).get(primary.path, [])
    if len({m.id for m, _, _ in beside}) == 1:
        found.extend(beside)
    refs = {ref for facts in env.files for ref in facts.env_file_refs}
    basename = primary.stem
    for line in lines:
        if line.path in refs and "GPU" in line.text.upper() and "=" in line.text and \
                not strong_only:
            value = line.text.split("=", 1)[1].strip()
            model = model_of_value(value)
            if model is not None:
                found.append((model, None, f"{line.where()} {line.text!r}"))
        elif basename in line.text and line.path not in refs and not strong_only:
            models = find_models(line.text)
            if len(models) == 1:
                found.append((models[0][0], models[0][1], f"{line.where()} (docs row)"))
    return found


def _constraint_model(service: Service, hosts: Mapping[str, list[tuple[GpuModel, int | None,
                                                                         TextLine]]]
                      ) -> tuple[GpuModel, str, tuple[str, str] | None] | None:
    """The GPU model a service's placement pins it to, the reason, and the label used."""
    placement = service.deploy.placement if service.deploy else None
    if placement is None:
        return None
    for constraint in placement.constraints:
        if constraint.operator != "==":
            continue
        written = constraint.written or f"{constraint.subject}=={constraint.value}"
        if constraint.subject.startswith("node.labels."):
            model = model_of_value(constraint.value)
            if model is not None:
                label = (constraint.subject[len("node.labels."):], constraint.value)
                return model, f"placement constraint {written!r}", label
        if constraint.subject == "node.hostname":
            known = {m.id: (m, line) for m, _, line in hosts.get(constraint.value, [])}
            if len(known) == 1:
                model, line = next(iter(known.values()))
                return model, (f"placement constraint {written!r}; {line.where()} puts a "
                               f"{model.display} in that host"), None
    return None


def _arm(service: Service) -> bool:
    if service.platform and _ARM.search(service.platform):
        return True
    placement = service.deploy.placement if service.deploy else None
    return bool(placement and any(c.subject == "node.platform.arch" and _ARM.search(c.value)
                                  for c in placement.constraints))


def assign_pools(environments: Sequence[DetectedEnvironment], projects: Mapping[str, Project],
                 renames: Mapping[str, Mapping[str, str]], lines: Sequence[TextLine],
                 near: Mapping[str, list[Mention]] | None = None) -> PoolResult:
    hosts = _host_models(lines)
    facts: dict[str, PoolFacts] = {}
    assignments: dict[str, PoolAssignment] = {}
    ambiguous: list[Ambiguity] = []

    def pool(model: GpuModel) -> PoolFacts:
        return facts.setdefault(model.id, PoolFacts(model))

    for env in environments:
        project = projects.get(env.name)
        if project is None:
            continue
        assignment = PoolAssignment()
        assignments[env.name] = assignment
        gpu_services = [s for s in project.services if gpu_requests(s)]
        # An environment that runs GPU services needs a pool; one whose own file or deploy
        # script names the GPU of its instance keeps it too (the pool its GPU work goes to),
        # but a docs row alone does not give a GPU to an environment that requests none.
        env_models = _environment_models(env, lines, near, strong_only=not gpu_services)
        distinct = sorted({m.id for m, _, _ in env_models})
        env_model: GpuModel | None = None
        if len(distinct) == 1:
            model = env_model = env_models[0][0]
            assignment.node_pool = model.id
            counts = [c for _, c, _ in env_models if c]
            assignment.gpus_for_all = counts[0] if counts else None
            assignment.reasons.append(f"node pool {model.id}: " + "; ".join(
                why for _, _, why in env_models))
            entry = pool(model)
            entry.counts.extend((c, why) for _, c, why in env_models if c)
        elif len(distinct) > 1 and gpu_services:
            ambiguous.append(Ambiguity(env.primary.path, f"environment {env.name!r}: several GPU "
                                       f"models written about it ({', '.join(distinct)}); "
                                       "pools are taken per service from placement"))
        names = renames.get(env.name, {})
        for service in project.services:
            pinned = _constraint_model(service, hosts)
            is_gpu = service in gpu_services
            canonical = names.get(service.name, service.name)
            if pinned is not None:
                model, why, label = pinned
                entry = pool(model)
                if label is not None:
                    entry.labels[label[0]] = label[1]
                if _arm(service):
                    entry.arm.append(f"{env.name}/{service.name}")
                if not is_gpu:
                    entry.pinned_non_gpu.append(f"{env.name}/{service.name}")
                elif model.id != assignment.node_pool:
                    assignment.service_pools[canonical] = model.id
                    assignment.reasons.append(f"{canonical} -> {model.id}: {why}")
            elif is_gpu and assignment.node_pool is None:
                ambiguous.append(Ambiguity(env.primary.path, f"GPU service {service.name!r} of "
                                           f"environment {env.name!r}: no GPU model found (no "
                                           "placement constraint, header, env file or docs "
                                           "line); set its nodePool in the plan"))
            elif is_gpu and env_model is not None and _arm(service):
                pool(env_model).arm.append(f"{env.name}/{service.name}")
    for host, mentions in sorted(hosts.items()):
        ids = sorted({m.id for m, _, _ in mentions})
        if not any(is_host_on_line(host, line.text) for _, _, line in mentions):
            continue  # never written as a machine: not a node of any pool
        if len(ids) == 1 and ids[0] in facts:
            entry = facts[ids[0]]
            entry.nodes.add(host)
            entry.counts.extend((c, line.where()) for _, c, line in mentions if c)
            entry.arm.extend(line.where() for _, _, line in mentions if _ARM.search(line.text))
        elif len(ids) > 1:
            ambiguous.append(Ambiguity(mentions[0][2].path, f"host {host!r} is written with "
                                       f"several GPU models: {', '.join(ids)}"))
    pools, reasons = _pools(facts)
    return PoolResult(pools, assignments, reasons, ambiguous)


def _pools(facts: Mapping[str, PoolFacts]) -> tuple[list[NodePool], dict[str, list[str]]]:
    pools: list[NodePool] = []
    reasons: dict[str, list[str]] = {}
    for model_id in sorted(facts):
        entry = facts[model_id]
        counts = sorted({c for c, _ in entry.counts})
        why: list[str] = []
        if counts:
            source = next(w for c, w in entry.counts if c == max(counts))
            why.append(f"{max(counts)} GPU(s) per node ({source})")
        taint: str | None = GPU_TAINT
        if entry.pinned_non_gpu:
            taint = None
            why.append("not tainted: non-GPU services are pinned to it "
                       f"({', '.join(sorted(set(entry.pinned_non_gpu)))})")
        else:
            why.append("tainted so only pods that tolerate GPUs land there (the chart adds the "
                       "toleration to GPU services)")
        if entry.arm:
            why.append(f"arm64 ({sorted(set(entry.arm))[0]})")
        why.append(f"product label {entry.model.product!r} is the usual GPU Feature Discovery "
                   "value for this model: check it on the nodes")
        pools.append(NodePool(
            name=model_id,
            gpu=entry.model.display,
            gpus_per_node=max(counts) if counts else None,
            label=model_id,
            product=entry.model.product,
            taint=taint,
            labels=tuple(sorted(entry.labels.items())),
            nodes=tuple(sorted(entry.nodes)),
            architecture="arm64" if entry.arm else None,
        ))
        reasons[model_id] = why
    return pools, reasons
