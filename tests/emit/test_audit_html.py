"""The HTML report: self-contained, escaped, CSP-locked, readable without JavaScript."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from emit.sample_report import BREAKOUT, HOSTILE_MESSAGE, sample_report
from kubealign.emit.audit_charts import findings_chart, topology
from kubealign.emit.audit_formats import link_prefix
from kubealign.emit.audit_html import COLLAPSE_ROWS, json_for_script, render_html, top_actions
from kubealign.model.audit import ActionItem, AuditReport


class _Collector(HTMLParser):
    """Elements with their attributes, the text of each <script>/<style>, all text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self.text: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag in self.raw:
            self._open = tag
            self.raw[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self.raw[self._open][-1] += data
        else:
            self.text.append(data)


def _parse() -> tuple[str, _Collector]:
    page = render_html(sample_report())
    collector = _Collector()
    collector.feed(page)
    collector.close()
    return page, collector


def _sha(content: str) -> str:
    return base64.b64encode(hashlib.sha256(content.encode()).digest()).decode()


def test_exactly_two_scripts_the_data_and_the_code() -> None:
    _, doc = _parse()
    scripts = [attrs for tag, attrs in doc.elements if tag == "script"]
    assert scripts == [{"type": "application/json", "id": "report-data"}, {}]


def test_hostile_text_is_escaped_everywhere() -> None:
    page, doc = _parse()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert HOSTILE_MESSAGE in "".join(doc.text)
    assert "pin a tag " + BREAKOUT in "".join(doc.text)
    # Attribute values are escaped too (the location's sort key holds the raw path).
    assert 'data-sort="deployment/we&lt;ird&gt; &amp; &#34;odd&#34; name.yml 000000012"' in page
    assert "\x00" not in page


def test_embedded_json_is_the_report_and_cannot_close_its_script() -> None:
    _, doc = _parse()
    data_text = doc.raw["script"][0]
    assert "</" not in data_text and "<" not in data_text
    assert json.loads(data_text) == sample_report().to_json_dict()
    escaped = json_for_script({"a": "</script>\u2028&"})
    assert escaped == '{"a":"\\u003c/script\\u003e\\u2028\\u0026"}'


def test_no_network_access_and_csp_pins_the_inline_code() -> None:
    _, doc = _parse()
    for tag, attrs in doc.elements:
        for name in ("src", "action", "srcset"):
            assert attrs.get(name) is None, (tag, name)
        # Links are anchors in the page or relative links to the repository's files: no
        # scheme, no host, no absolute path (a click opens a file, nothing loads by itself).
        href = attrs.get("href")
        assert href is None or href.startswith("#") or not re.match(r"[a-z]+:|/", href), href
    assert not re.search(r"url\(|@import|https?://", doc.raw["style"][0])
    assert "http" not in doc.raw["script"][1]
    csp = next(a["content"] for t, a in doc.elements
               if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None and csp.startswith("default-src 'none';")
    assert f"script-src 'sha256-{_sha(doc.raw['script'][1])}'" in csp
    assert f"style-src 'sha256-{_sha(doc.raw['style'][0])}'" in csp


def test_findings_table_rows_carry_filter_attributes() -> None:
    _, doc = _parse()
    rows = [a for t, a in doc.elements if t == "tr" and "data-severity" in a]
    assert [(r["data-severity"], r["data-rule"]) for r in rows] == [
        (str(f.severity), f.rule) for f in sample_report().findings]
    tables = {a.get("id"): a for t, a in doc.elements if t == "table"}
    assert tables["findings-table"]["class"] == "sortable"
    controls = next(a for t, a in doc.elements if a.get("id") == "findings-controls")
    assert "hidden" in controls  # shown by the script only: no dead controls without JS


def test_matrix_highlights_cells_of_services_that_differ() -> None:
    _, doc = _parse()
    cells = [a.get("class") for t, a in doc.elements if t == "td"
             and a.get("class") in {"cell-differs", "absent"}]
    # backend differs in its three environments; frontend and redis are alike; 2 absent.
    assert cells.count("cell-differs") == 3 and cells.count("absent") == 2
    differing = [a["data-aspect"] for t, a in doc.elements
                 if t == "span" and a.get("class") == "aspect differs"]
    assert set(differing) == {"tag", "replicas", "gpus", "memory"}


def test_every_section_is_reachable_from_the_navigation() -> None:
    _, doc = _parse()
    links = [a["href"] for t, a in doc.elements if t == "a" and (a.get("href") or "")[:1] == "#"]
    ids = {a["id"] for t, a in doc.elements if t == "section"}
    targets = {href[1:] for href in links if href}
    assert ids <= targets <= ids | {"findings"}


def test_deterministic() -> None:
    assert render_html(sample_report()) == render_html(sample_report())


def test_matrix_does_not_repeat_a_tag_the_image_already_carries() -> None:
    report = sample_report()
    first = dataclasses.replace(report.matrix.cells[0], image="redis:7", tag="7")
    matrix = dataclasses.replace(report.matrix, cells=(first, *report.matrix.cells[1:]))
    page = render_html(dataclasses.replace(report, matrix=matrix))
    assert 'data-aspect="tag">redis:7</span>' in page
    assert "redis:7:7" not in page
    assert 'data-aspect="tag">scoobyjava15/sophia-backend:latest</span>' in page


# --------------------------------------------------------------------------- first screen, pictures


def _many_findings(count: int) -> AuditReport:
    report = sample_report()
    base = report.findings[0]
    findings = tuple(dataclasses.replace(base, path=f"deploy/f{i:02d}.yml", line=i + 1)
                     for i in range(count))
    return dataclasses.replace(report, findings=findings)


def test_every_finding_links_to_its_file_and_line_from_where_the_report_is() -> None:
    report = sample_report()
    page = render_html(report, link_prefix="../repo/")
    for finding in report.findings:
        if finding.path and "<" not in finding.path:
            anchor = f"#L{finding.line}" if finding.line is not None else ""
            assert f'href="../repo/{finding.path}{anchor}"' in page
    # Characters that mean something in a URL are percent-encoded, not left to the browser.
    assert 'href="../repo/deployment/we%3Cird%3E%20%26%20%22odd%22%20name.yml#L12"' in page


def test_link_prefix_is_the_repository_seen_from_the_report(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "sub").mkdir(parents=True)
    assert link_prefix(repo, repo) == ""
    assert link_prefix(repo, tmp_path / "out") == "../repo/"
    assert link_prefix(repo, repo / "sub") == "../"


def test_first_screen_lists_the_first_ten_actions_in_plan_order() -> None:
    report = sample_report()
    phase = report.action_plan[0]
    items = tuple(ActionItem(f"action {i}", "do it", ("STR001",), ("a.yml",))
                  for i in range(14))
    report = dataclasses.replace(report, action_plan=(dataclasses.replace(phase, items=items),))
    page = render_html(report)
    first = page.split('<ol class="top-actions">', 1)[1].split("</ol>", 1)[0]
    assert re.findall(r"<strong>(action \d+)</strong>", first) == [f"action {i}" for i in range(10)]
    assert top_actions(report)[0].item is items[0]


def test_long_tables_fold_short_ones_do_not() -> None:
    assert 'id="findings-table-fold"' not in render_html(sample_report())
    page = render_html(_many_findings(COLLAPSE_ROWS + 1))
    assert '<details class="fold" id="findings-table-fold"><summary>' in page
    assert f"({COLLAPSE_ROWS + 1} rows)" in page


def test_pictures_are_inline_svg_drawn_from_the_report() -> None:
    report = sample_report()
    _, doc = _parse()
    svgs = [a.get("id") for t, a in doc.elements if t == "svg"]
    assert svgs == ["before-after-chart", "findings-chart", "topology-graph", "presence-heatmap"]
    m = report.matrix
    cells = [a for t, a in doc.elements if t == "rect" and "cell" in (a.get("class") or "")]
    assert len(cells) == len(m.services) * len(m.environments)
    assert sum("absent" in (a.get("class") or "") for a in cells) == (
        len(m.services) * len(m.environments) - len(m.cells))
    chart = findings_chart(report)
    assert chart is not None
    assert sum(r.total for r in chart.rows) == len(report.findings)
    graph = topology(report)
    assert graph is not None and len(graph.services) == len(m.services)


def test_topology_joins_services_to_their_networks_and_environments() -> None:
    report = sample_report()
    cells = tuple(dataclasses.replace(c, networks=("backend",) if c.service == "backend"
                                      else ("default",)) for c in report.matrix.cells)
    report = dataclasses.replace(report, matrix=dataclasses.replace(report.matrix, cells=cells))
    graph = topology(report)
    assert graph is not None
    assert [n.full for n in graph.networks] == ["default", "backend"]
    backend = next(s for s in graph.services if s.node.full == "backend")
    environments = {c.environment for c in cells if c.service == "backend"}
    assert len(backend.edges) == 1 + len(environments)
    assert "networks: backend" in backend.node.detail
