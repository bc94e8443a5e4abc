"""A Mermaid ``flowchart`` of the deployment topology: environments, compose files, services.

Environments point at the compose files that define them; compose files point at the services
they run; services sit in one subgraph per network they share (a service on several networks
sits in the first, sorted). Node ids are generated (``svc3``), never taken from user text, and
every label is escaped with Mermaid's entity codes, so no file or service name can break out
of its node or out of the Markdown code fence around the diagram.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kubealign.model.audit import AuditReport

#: Beyond this many file -> service edges the diagram stops being readable; they are dropped
#: (the services × environments matrix carries the same facts) and the diagram says so.
MAX_SERVICE_EDGES = 120

_ENTITIES = {'"': "#quot;", "&": "#amp;", "<": "#lt;", ">": "#gt;", "`": "#96;",
             "#": "#35;", "|": "#124;"}


@dataclass(frozen=True, slots=True)
class Topology:
    """What the diagram shows, independent of where it came from."""

    #: environment -> compose files defining it
    environments: Mapping[str, Sequence[str]]
    #: compose file -> services it runs
    files: Mapping[str, Sequence[str]]
    #: service -> networks it joins (empty: no network information)
    networks: Mapping[str, Sequence[str]]


def label(text: str) -> str:
    """``text`` as a quoted Mermaid label (entity-escaped, one line)."""
    escaped = "".join(_ENTITIES.get(char, char) for char in " ".join(text.split()))
    return f'"{escaped}"'


def topology_from_report(report: AuditReport) -> Topology:
    environments: dict[str, set[str]] = {}
    files: dict[str, set[str]] = {}
    for cell in report.matrix.cells:
        environments.setdefault(cell.environment, set()).add(cell.file)
        files.setdefault(cell.file, set()).add(cell.service)
    # The report carries networks only where compose files disagree about them.
    networks: dict[str, set[str]] = {}
    for difference in report.compose.differences:
        if difference.aspect != "networks":
            continue
        for value in difference.values:
            names = {n.strip() for n in value.value.replace(";", ",").split(",") if n.strip()}
            networks.setdefault(difference.service, set()).update(names)
    return Topology(
        environments={env: sorted(paths) for env, paths in environments.items()},
        files={path: sorted(services) for path, services in files.items()},
        networks={service: sorted(names) for service, names in networks.items()},
    )


def flowchart(topology: Topology) -> str:
    """The diagram source (without the surrounding code fence), deterministic."""
    lines = ["flowchart LR"]
    environment_ids = {env: f"env{i}" for i, env in enumerate(sorted(topology.environments))}
    file_ids = {path: f"file{i}" for i, path in enumerate(sorted(topology.files))}
    services = sorted({s for names in topology.files.values() for s in names})
    service_ids = {service: f"svc{i}" for i, service in enumerate(services)}

    home: dict[str, list[str]] = {}
    loose: list[str] = []
    for service in services:
        joined = sorted(topology.networks.get(service, ()))
        if joined:
            home.setdefault(joined[0], []).append(service)
        else:
            loose.append(service)
    for index, network in enumerate(sorted(home)):
        lines.append(f"  subgraph net{index}[{label('network: ' + network)}]")
        lines.extend(f"    {service_ids[s]}([{label(s)}])" for s in home[network])
        lines.append("  end")
    lines.extend(f"  {service_ids[s]}([{label(s)}])" for s in loose)

    lines.append(f"  subgraph environments[{label('environments')}]")
    lines.extend(f"    {environment_ids[env]}{{{{{label(env)}}}}}" for env in environment_ids)
    lines.append("  end")
    lines.extend(f"  {file_ids[path]}[[{label(path)}]]" for path in file_ids)

    for env in sorted(topology.environments):
        for path in sorted(set(topology.environments[env])):
            if path in file_ids:
                lines.append(f"  {environment_ids[env]} --> {file_ids[path]}")
    service_edges = [
        f"  {file_ids[path]} -.-> {service_ids[service]}"
        for path in sorted(topology.files)
        for service in sorted(set(topology.files[path]))
    ]
    if len(service_edges) <= MAX_SERVICE_EDGES:
        lines.extend(service_edges)
    else:
        lines.append(f"  %% {len(service_edges)} file -> service edges omitted; see the matrix")
    lines.append("  classDef env fill:#e8f0fe,stroke:#1a73e8")
    if environment_ids:
        lines.append(f"  class {','.join(environment_ids.values())} env")
    return "\n".join(lines) + "\n"


def report_flowchart(report: AuditReport) -> str:
    return flowchart(topology_from_report(report))
