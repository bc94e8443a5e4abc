"""The HTML report's layout in headless Chromium at 1400 px and 800 px wide: the first
screen (strategies, the ten actions, before/after, findings by category) fits in a bounded
height, nothing overflows sideways, long tables are folded, and a screenshot is taken.

Measured page heights (scrollHeight, 1400 px / 800 px), before the first-screen redesign and
after: examples/sophia 65,786 / 96,425 -> 5,454 / 6,927; the real Sophia repository
(sprawl/ai-cherry+sophia-strategic-development) 143,982 / 211,858 -> 8,375 / 9,892.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from browser.chromium_cdp import Browser, Page
from kubealign.actions.audit import audit
from kubealign.emit.audit_html import render_html

pytestmark = pytest.mark.browser

_SOPHIA = "sprawl/ai-cherry+sophia-strategic-development"
#: Bottom of the first screen (px from the page top) per viewport width: one screen and a
#: bit at 1400 px (three columns), the three blocks stacked at 800 px.
_FIRST_SCREEN = {1400: 1000, 800: 1750}


def _bottom(page: Page, selector: str) -> int:
    value: int = page.evaluate(
        f"Math.round(document.querySelector('{selector}').getBoundingClientRect().bottom"
        " + window.scrollY)")
    return value


def _check_layout(page: Page, width: int, max_height: int, shot: Path) -> int:
    assert page.events.exceptions == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # What the first screen promises is in it.
    assert page.evaluate("document.querySelectorAll('#overview ol.top-actions > li').length") == 10
    for selector in ("#overview .strategies", "#before-after-chart", "#findings-chart"):
        assert page.evaluate(f"document.querySelector('{selector}') !== null"), selector
    assert _bottom(page, "#overview") <= _FIRST_SCREEN[width]
    height: int = page.evaluate("document.documentElement.scrollHeight")
    assert height <= max_height
    page.screenshot(shot)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(data[16:20], "big") == width
    return height


def _render(repository: Path, target: Path) -> None:
    target.write_text(render_html(audit(repository), link_prefix="../"), encoding="utf-8")


@pytest.mark.parametrize("width", [1400, 800])
def test_example_first_screen_and_height(browser: Browser, repo_root: Path, tmp_path: Path,
                                         width: int) -> None:
    target = tmp_path / "audit.html"
    _render(repo_root / "examples" / "sophia", target)
    with browser.new_page() as page:
        page.open(target.as_uri(), width=width, height=900)
        _check_layout(page, width, 9_000 if width == 1400 else 12_000,
                      tmp_path / f"sophia-{width}.png")
        # 328 findings: the table is folded; filtering from the first screen opens it.
        assert page.evaluate("document.getElementById('findings-table-fold').open") is False
        page.click("#findings-chart a[data-category='secrets']")
        assert page.evaluate("document.getElementById('findings-table-fold').open") is True
        categories = page.evaluate(
            "Array.from(document.querySelectorAll('#findings-table tbody tr:not(.filtered-out)'))"
            ".map(r => r.getAttribute('data-category'))")
        assert categories and set(categories) == {"secrets"}


@pytest.mark.corpus
@pytest.mark.parametrize("width", [1400, 800])
def test_sophia_first_screen_and_height(browser: Browser, corpus_dir: Path, tmp_path: Path,
                                        width: int) -> None:
    repository = corpus_dir / _SOPHIA
    if not repository.is_dir():
        pytest.skip(f"{repository} is absent")
    target = tmp_path / "audit.html"
    _render(repository, target)
    with browser.new_page() as page:
        page.open(target.as_uri(), width=width, height=900)
        _check_layout(page, width, 14_000 if width == 1400 else 18_000,
                      tmp_path / f"sophia-real-{width}.png")
        # 24 environments of 75 services: every combination is a square of the heatmap.
        services = page.evaluate("document.querySelectorAll('#matrix-table tbody tr').length")
        squares = page.evaluate("document.querySelectorAll('#presence-heatmap rect.cell').length")
        columns = page.evaluate(
            "document.querySelectorAll('#matrix-table thead th').length") - 1
        assert squares == services * columns
