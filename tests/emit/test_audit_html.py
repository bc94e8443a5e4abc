"""The HTML report: self-contained, escaped, CSP-locked, readable without JavaScript."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
from html.parser import HTMLParser

from emit.sample_report import BREAKOUT, HOSTILE_MESSAGE, sample_report
from kubealign.emit.audit_html import json_for_script, render_html


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
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert HOSTILE_MESSAGE in "".join(doc.text)
    assert "pin a tag " + BREAKOUT in "".join(doc.text)
    # Attribute values are escaped too (the location's sort key holds the raw path).
    assert 'data-sort="deployment/we&lt;ird&gt; &amp; &quot;odd&quot; name.yml 000000012"' in page
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
        for name in ("src", "href", "action", "srcset"):
            value = attrs.get(name)
            assert value is None or value.startswith("#"), (tag, name, value)
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
    links = [a["href"] for t, a in doc.elements if t == "a" and a.get("href")]
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
