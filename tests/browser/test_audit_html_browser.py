"""The HTML audit report in headless Chromium: no console errors, no network, sorting and
filtering through real clicks and typing, readable with JavaScript off, and a screenshot."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from browser.chromium_cdp import CHROMIUM_FLAGS, Browser, Page
from emit.sample_report import BREAKOUT, HOSTILE_MESSAGE, sample_report
from kubealign.actions.audit import audit
from kubealign.emit.audit_html import render_html

pytestmark = pytest.mark.browser

_ROWS = "#findings-table tbody tr"
#: Every sample finding is one row, the grouped one included.
_TOTAL = len(sample_report().findings)
_VISIBLE = f"Array.from(document.querySelectorAll('{_ROWS}:not(.filtered-out)'))"


@pytest.fixture(scope="module")
def report_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    target = tmp_path_factory.mktemp("report") / "audit.html"
    target.write_text(render_html(sample_report()), encoding="utf-8")
    return target.as_uri()


def _rules(page: Page) -> list[str]:
    rules: list[str] = page.evaluate(f"{_VISIBLE}.map(r => r.getAttribute('data-rule'))")
    return rules


def _assert_clean(page: Page, url: str) -> None:
    assert page.events.console_errors == []
    assert page.events.exceptions == []
    assert all(request == url for request in page.events.requests), page.events.requests


def test_page_loads_without_errors_or_network(browser: Browser, report_url: str) -> None:
    with browser.new_page() as page:
        page.open(report_url)
        assert page.evaluate("document.documentElement.classList.contains('js')") is True
        assert page.evaluate("document.getElementById('findings-controls').hidden") is False
        assert page.evaluate("document.getElementById('findings-status').textContent") == (
            f"Showing {_TOTAL} of {_TOTAL} findings")
        # The hostile message rendered as text: no injected element ran or exists.
        assert page.evaluate("document.title") == "Deployment alignment audit: sophia"
        assert page.evaluate("document.querySelectorAll('script').length") == 2
        assert page.evaluate(
            "document.querySelector('tr[data-rule=CMP104]').cells[4].textContent"
        ) == HOSTILE_MESSAGE
        _assert_clean(page, report_url)


def test_clicking_headers_sorts(browser: Browser, report_url: str) -> None:
    with browser.new_page() as page:
        page.open(report_url)
        page.click("#findings-table thead th:nth-child(2) button")
        assert _rules(page) == sorted(f.rule for f in sample_report().findings)
        assert page.evaluate(
            "document.querySelector('#findings-table thead th:nth-child(2)')"
            ".getAttribute('aria-sort')") == "ascending"
        page.click("#findings-table thead th:nth-child(2) button")
        assert _rules(page) == sorted((f.rule for f in sample_report().findings), reverse=True)
        # Severity sorts by rank, not alphabetically: critical first.
        page.click("#findings-table thead th:nth-child(1) button")
        severities = page.evaluate(f"{_VISIBLE}.map(r => r.getAttribute('data-severity'))")
        assert severities[0] == "critical" and severities[-1] == "info"
        _assert_clean(page, report_url)


def test_keyboard_sorts_and_filters(browser: Browser, report_url: str) -> None:
    with browser.new_page() as page:
        page.open(report_url)
        page.focus("#findings-table thead th:nth-child(3) button")
        page.press_key("Enter", "Enter", 13, "\r")
        categories = page.evaluate(f"{_VISIBLE}.map(r => r.getAttribute('data-category'))")
        assert categories == sorted(categories)
        page.press_key("/", "Slash", 191, "/")
        assert page.evaluate("document.activeElement.id") == "filter-text"
        page.type_text("pipefail")
        # The "/" that moved the focus was not typed into the box.
        assert page.evaluate("document.getElementById('filter-text').value") == "pipefail"
        assert _rules(page) == ["SH001"]
        assert page.evaluate("document.getElementById('findings-status').textContent") == (
            f"Showing 1 of {_TOTAL} findings")
        page.click("#filter-reset")
        assert len(_rules(page)) == _TOTAL
        _assert_clean(page, report_url)


def test_severity_and_category_filters(browser: Browser, report_url: str) -> None:
    with browser.new_page() as page:
        page.open(report_url)
        page.evaluate("(() => { const s = document.getElementById('filter-severity');"
                      " s.value = 'medium'; s.dispatchEvent(new Event('change')); })()")
        # "medium" keeps medium and everything more severe.
        assert sorted(_rules(page)) == ["CMP104", "DSC001", "NET020", "SEC010", "STR001"]
        page.evaluate("(() => { const s = document.getElementById('filter-category');"
                      " s.value = 'strategy'; s.dispatchEvent(new Event('change')); })()")
        assert _rules(page) == ["STR001"]
        page.focus("#filter-text")
        page.type_text("no match at all")
        assert _rules(page) == []
        assert page.evaluate("document.getElementById('findings-empty').hidden") is False
        _assert_clean(page, report_url)


def test_readable_without_javascript(browser: Browser, report_url: str) -> None:
    with browser.new_page() as page:
        page.open(report_url, javascript=False)
        assert page.evaluate("document.documentElement.classList.contains('js')") is False
        page.send("Emulation.setScriptExecutionDisabled", value=False)
        # Everything is in the markup: rows shown, controls hidden, matrix highlighted.
        assert page.evaluate("document.getElementById('findings-controls').hidden") is True
        assert page.evaluate(
            "document.querySelectorAll('#findings-table tbody tr').length") == _TOTAL
        assert page.evaluate(
            "getComputedStyle(document.querySelector('#findings-table tbody tr')).display"
        ) == "table-row"
        assert page.evaluate("document.querySelectorAll('td.cell-differs').length") == 3
        assert page.events.exceptions == []


def test_wide_matrix_scrolls_inside_its_box(browser: Browser, tmp_path: Path) -> None:
    report = sample_report()
    environments = tuple(f"environment-{i:02d}" for i in range(14))
    cells = tuple(
        dataclasses.replace(cell, environment=env, file=f"deploy/{env}/docker-compose.yml")
        for env in environments for cell in report.matrix.cells[:1]
    )
    wide = dataclasses.replace(report, matrix=dataclasses.replace(
        report.matrix, environments=environments, cells=cells))
    target = tmp_path / "wide.html"
    target.write_text(render_html(wide), encoding="utf-8")
    with browser.new_page() as page:
        page.open(target.as_uri())
        assert page.evaluate("document.getElementById('matrix-table').offsetWidth") > 1280
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        _assert_clean(page, target.as_uri())


def test_real_audit_of_the_example(browser: Browser, repo_root: Path, tmp_path: Path) -> None:
    sophia = repo_root / "examples" / "sophia"
    if not sophia.is_dir():
        pytest.skip(f"{sophia} is absent")
    report = audit(sophia)
    target = tmp_path / "sophia.html"
    target.write_text(render_html(report), encoding="utf-8")
    with browser.new_page() as page:
        page.open(target.as_uri())
        assert len(_rules(page)) == len(report.findings)
        page.focus("#filter-text")
        page.type_text("SEC001")
        expected = [f.rule for f in report.findings if f.rule == "SEC001"]
        assert expected and _rules(page) == expected
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        _assert_clean(page, target.as_uri())


def test_screenshot(chromium_binary: str, report_url: str, tmp_path: Path) -> None:
    shot = tmp_path / "audit.png"
    subprocess.run(
        [chromium_binary, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
         f"--screenshot={shot}", "--window-size=1280,2000", report_url],
        check=True, capture_output=True, timeout=120,
    )
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 2000)
    # A blank or error page compresses to a few kilobytes; the report is far richer.
    assert len(data) > 60_000


def test_grouped_finding_lists_its_places_as_text(browser: Browser, report_url: str) -> None:
    with browser.new_page() as page:
        page.open(report_url)
        places = "document.querySelector('tr[data-rule=DSC001] details.places')"
        assert page.evaluate(f"{places}.open") is False
        page.click("tr[data-rule=DSC001] details.places summary")
        assert page.evaluate(f"{places}.open") is True
        text: str = page.evaluate(f"{places}.textContent")
        assert "scripts/deploy_enhanced_a.sh" in text and "docker-compose.cloud.yml" in text
        # The hostile detail of one place is shown as text: nothing it carries ran.
        assert BREAKOUT in text
        assert page.evaluate("document.title") == "Deployment alignment audit: sophia"
        assert page.evaluate(f"{places}.querySelectorAll('script').length") == 0
        _assert_clean(page, report_url)
