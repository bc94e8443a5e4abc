"""Geometry of the pictures in the HTML audit report, as plain data for the templates.

Every picture is inline SVG drawn from numbers computed here, so the page needs no script,
no font and no network to show them (the report's Content-Security-Policy forbids all three).
Colours come from CSS classes in ``assets/audit_report.css`` (SVG presentation attributes
and classes are not inline styles, so the CSP's style hash still covers everything).
Coordinates are integers: the same report always gives byte-identical SVG.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kubealign.model.audit import CATEGORIES, AuditReport, MatrixCell
from kubealign.model.findings import Severity

#: Highest severity first, as the report lists them.
SEVERITIES: tuple[str, ...] = tuple(str(s) for s in sorted(Severity, reverse=True))

_CHAR = 7  # px per character of 12 px system-ui text, rounded up: label widths
_ROW = 22
_BAR_WIDTH = 260


def _label_width(labels: list[str], floor: int, ceiling: int) -> int:
    longest = max((len(label) for label in labels), default=0)
    return max(floor, min(ceiling, longest * _CHAR + 12))


def _clip(label: str, width: int) -> str:
    """Shorten a label to what fits in ``width`` px (the full text stays in a <title>)."""
    fits = max(4, (width - 12) // _CHAR)
    return label if len(label) <= fits else label[: fits - 1] + "…"


# --------------------------------------------------------------------------- findings chart


@dataclass(frozen=True, slots=True)
class Segment:
    severity: str
    count: int
    x: int
    width: int


@dataclass(frozen=True, slots=True)
class BarRow:
    label: str
    total: int
    y: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class FindingsChart:
    """Findings per category, one stacked bar each, split by severity."""

    width: int
    height: int
    label_width: int
    rows: tuple[BarRow, ...]
    severities: tuple[tuple[str, int], ...]


def findings_chart(report: AuditReport) -> FindingsChart | None:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SEVERITIES, 0))
    for finding in report.findings:
        counts[finding.category or "uncategorised"][str(finding.severity)] += 1
    order = [c for c in CATEGORIES if c in counts] + sorted(set(counts) - set(CATEGORIES))
    if not order:
        return None
    label_width = _label_width(order, 90, 150)
    biggest = max(sum(counts[c].values()) for c in order)
    rows = []
    for index, category in enumerate(order):
        x = label_width
        segments = []
        for severity in SEVERITIES:
            count = counts[category][severity]
            if not count:
                continue
            width = max(2, round(_BAR_WIDTH * count / biggest))
            segments.append(Segment(severity, count, x, width))
            x += width
        rows.append(BarRow(category, sum(counts[category].values()), index * _ROW,
                           tuple(segments)))
    totals = tuple((s, sum(counts[c][s] for c in order)) for s in SEVERITIES)
    return FindingsChart(label_width + _BAR_WIDTH + 48, len(rows) * _ROW, label_width,
                         tuple(rows), tuple((s, n) for s, n in totals if n))


# --------------------------------------------------------------------------- before / after


@dataclass(frozen=True, slots=True)
class BeforeAfterRow:
    kind: str
    before: int
    after: int
    y: int
    before_width: int
    after_width: int


@dataclass(frozen=True, slots=True)
class BeforeAfterChart:
    width: int
    height: int
    label_width: int
    rows: tuple[BeforeAfterRow, ...]


def before_after_chart(report: AuditReport) -> BeforeAfterChart | None:
    items = report.before_after
    if not items:
        return None
    label_width = _label_width([b.kind for b in items], 90, 150)
    biggest = max(max(b.before, b.after) for b in items) or 1
    step = 30
    rows = tuple(
        BeforeAfterRow(b.kind, b.before, b.after, i * step,
                       max(2, round(_BAR_WIDTH * b.before / biggest)),
                       max(2, round(_BAR_WIDTH * b.after / biggest)))
        for i, b in enumerate(items)
    )
    return BeforeAfterChart(label_width + _BAR_WIDTH + 48, len(rows) * step, label_width, rows)


# --------------------------------------------------------------------------- heatmap

_CELL = 14
_HEADER = 118  # room for environment names written at -60°


@dataclass(frozen=True, slots=True)
class HeatCell:
    x: int
    y: int
    #: absent | present | differs
    state: str
    title: str
    file: str | None
    line: int | None


@dataclass(frozen=True, slots=True)
class HeatLabel:
    text: str
    full: str
    position: int


@dataclass(frozen=True, slots=True)
class Heatmap:
    """Services (rows) × environments (columns): where each service is deployed."""

    width: int
    height: int
    label_width: int
    header: int
    cell: int
    services: tuple[HeatLabel, ...]
    environments: tuple[HeatLabel, ...]
    cells: tuple[HeatCell, ...]
    deployed: int
    possible: int


def heatmap(report: AuditReport, differing: dict[str, set[str]]) -> Heatmap | None:
    m = report.matrix
    if not m.services or not m.environments:
        return None
    label_width = _label_width(list(m.services), 80, 190)
    cells_by_key = {(c.service, c.environment): c for c in m.cells}
    cells = []
    for row, service in enumerate(m.services):
        for column, environment in enumerate(m.environments):
            found = cells_by_key.get((service, environment))
            x, y = label_width + column * _CELL, _HEADER + row * _CELL
            if found is None:
                cells.append(HeatCell(x, y, "absent", f"{service} is not in {environment}",
                                      None, None))
                continue
            state = "differs" if differing.get(service) else "present"
            title = f"{service} in {environment}: {_cell_summary(found)}"
            cells.append(HeatCell(x, y, state, title, found.file, found.line))
    width = label_width + len(m.environments) * _CELL + 90  # the last names lean right
    return Heatmap(
        width=max(width, 260),
        height=_HEADER + len(m.services) * _CELL + 4,
        label_width=label_width,
        header=_HEADER,
        cell=_CELL,
        services=tuple(HeatLabel(_clip(s, label_width), s, _HEADER + i * _CELL + _CELL - 3)
                       for i, s in enumerate(m.services)),
        environments=tuple(HeatLabel(_clip(e, 150), e, label_width + i * _CELL + _CELL // 2)
                           for i, e in enumerate(m.environments)),
        cells=tuple(cells),
        deployed=len(cells_by_key),
        possible=len(m.services) * len(m.environments),
    )


def _cell_summary(cell: MatrixCell) -> str:
    parts = [cell.image if cell.tag is None or cell.image.endswith(f":{cell.tag}")
             else f"{cell.image}:{cell.tag}"]
    for name, value in (("replicas", cell.replicas), ("GPUs", cell.gpus),
                        ("memory", cell.memory), ("CPUs", cell.cpus)):
        if value is not None:
            parts.append(f"{name} {value}")
    where = f"{cell.file}:{cell.line}" if cell.line is not None else cell.file
    return ", ".join(parts) + f" ({where})"


# --------------------------------------------------------------------------- topology

_NODE = 18
_COLUMN_GAP = 150


@dataclass(frozen=True, slots=True)
class TopologyNode:
    text: str
    full: str
    y: int
    #: networks a service joins / environments it runs in (for the label's tooltip)
    detail: str


@dataclass(frozen=True, slots=True)
class Edge:
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass(frozen=True, slots=True)
class ServiceNode:
    node: TopologyNode
    #: Edges drawn inside the service's group, so hovering the service highlights them (CSS).
    edges: tuple[Edge, ...]


@dataclass(frozen=True, slots=True)
class Topology:
    """Networks (left) — services (middle) — environments (right)."""

    width: int
    height: int
    network_x: int
    service_x: int
    environment_x: int
    column_width: int
    networks: tuple[TopologyNode, ...]
    services: tuple[ServiceNode, ...]
    environments: tuple[TopologyNode, ...]


def topology(report: AuditReport) -> Topology | None:
    m = report.matrix
    if not m.services:
        return None
    networks_of: dict[str, set[str]] = defaultdict(set)
    environments_of: dict[str, list[str]] = defaultdict(list)
    for cell in m.cells:
        networks_of[cell.service].update(cell.networks)
        if cell.environment not in environments_of[cell.service]:
            environments_of[cell.service].append(cell.environment)
    members: dict[str, int] = defaultdict(int)
    for names in networks_of.values():
        for name in names:
            members[name] += 1
    # Biggest networks first; services follow the first network they join, which keeps
    # most edges short and uncrossed without a layout engine.
    networks = sorted(members, key=lambda n: (-members[n], n))
    rank = {name: i for i, name in enumerate(networks)}
    services = sorted(m.services, key=lambda s: (
        min((rank[n] for n in networks_of[s]), default=len(networks)), s))
    rows = max(len(services), len(networks), len(m.environments))
    height = rows * _NODE + 40
    column = _COLUMN_GAP + 10
    network_x = 8
    service_x = network_x + column + _COLUMN_GAP
    environment_x = service_x + column + _COLUMN_GAP

    def spread(count: int) -> list[int]:
        # Shorter columns are centred against the longest, so edges fan out evenly.
        offset = (rows - count) * _NODE // 2
        return [34 + offset + i * _NODE for i in range(count)]

    network_y = dict(zip(networks, spread(len(networks)), strict=True))
    environment_y = dict(zip(m.environments, spread(len(m.environments)), strict=True))
    service_nodes = []
    for service, y in zip(services, spread(len(services)), strict=True):
        joined = sorted(networks_of[service], key=lambda n: rank[n])
        runs_in = environments_of[service]
        edges = [Edge(network_x + column, network_y[n] - 4, service_x - 4, y - 4) for n in joined]
        edges += [Edge(service_x + column, y - 4, environment_x - 4, environment_y[e] - 4)
                  for e in runs_in]
        detail = (f"networks: {', '.join(joined) or 'none'}; "
                  f"environments ({len(runs_in)}): {', '.join(runs_in)}")
        service_nodes.append(ServiceNode(
            TopologyNode(_clip(service, column), service, y, detail), tuple(edges)))
    return Topology(
        width=environment_x + column,
        height=height,
        network_x=network_x,
        service_x=service_x,
        environment_x=environment_x,
        column_width=column,
        networks=tuple(TopologyNode(_clip(n, column), n, network_y[n],
                                    f"{members[n]} services") for n in networks),
        services=tuple(service_nodes),
        environments=tuple(
            TopologyNode(_clip(e, column), e, environment_y[e],
                         f"{sum(1 for c in m.cells if c.environment == e)} services")
            for e in m.environments),
    )
