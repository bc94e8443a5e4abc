"""Fixtures: one headless Chromium per session, skipped when no chromium binary exists."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from browser.chromium_cdp import Browser, find_chromium


@pytest.fixture(scope="session")
def chromium_binary() -> str:
    binary = find_chromium()
    if binary is None:
        pytest.skip("no chromium binary on PATH (.ci/run installs Debian's chromium package)")
    return binary


@pytest.fixture(scope="session")
def browser(chromium_binary: str) -> Iterator[Browser]:
    with tempfile.TemporaryDirectory(prefix="kubealign-chromium-") as profile:
        instance = Browser(chromium_binary, Path(profile))
        try:
            yield instance
        finally:
            instance.close()
