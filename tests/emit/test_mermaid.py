"""The topology diagram: escaped labels, generated ids, network subgraphs, edge limit."""

from __future__ import annotations

import re

from emit.sample_report import sample_report
from kubealign.emit.mermaid import (
    MAX_SERVICE_EDGES,
    Topology,
    flowchart,
    label,
    report_flowchart,
)


def test_labels_cannot_break_out_of_their_node() -> None:
    expected = '"a #quot;b#quot; #lt;c#gt; #amp; #96;d#96; #35;e #124;f"'
    assert label('a "b" <c> & `d` #e |f') == expected
    assert label("two\nlines") == '"two lines"'


def test_report_diagram_links_environments_files_and_services() -> None:
    diagram = report_flowchart(sample_report())
    assert diagram.startswith("flowchart LR\n")
    assert '  env1{{"cloud"}}' in diagram
    assert '  file2[["docker-compose.cloud.yml"]]' in diagram
    assert "  env1 --> file2" in diagram
    assert "  file2 -.-> svc2" in diagram
    # Node ids are generated, never user text.
    ids = set(re.findall(r"^\s+(\w+)[\[({]", diagram, flags=re.MULTILINE))
    assert ids <= {f"{p}{i}" for p in ("svc", "env", "file", "net") for i in range(10)}
    assert '"odd"' not in diagram and "#quot;odd#quot;" in diagram
    assert diagram == report_flowchart(sample_report())


def test_services_are_grouped_by_network() -> None:
    topology = Topology(
        environments={"prod": ["c.yml"]},
        files={"c.yml": ["api", "db", "web"]},
        networks={"api": ["backend", "frontend"], "db": ["backend"], "web": ["frontend"]},
    )
    diagram = flowchart(topology)
    backend = diagram.split('subgraph net0["network: backend"]\n', 1)[1].split("  end", 1)[0]
    assert 'svc0(["api"])' in backend and 'svc1(["db"])' in backend
    frontend = diagram.split('subgraph net1["network: frontend"]\n', 1)[1].split("  end", 1)[0]
    assert 'svc2(["web"])' in frontend


def test_too_many_service_edges_are_summarised() -> None:
    services = [f"s{i}" for i in range(MAX_SERVICE_EDGES + 1)]
    diagram = flowchart(Topology({"e": ["f.yml"]}, {"f.yml": services}, {}))
    assert "-.->" not in diagram
    assert f"%% {MAX_SERVICE_EDGES + 1} file -> service edges omitted" in diagram
