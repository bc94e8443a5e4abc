"""The local cluster's PKI (tools/cluster/localcluster.py) is never trusted half-written.

An interrupted pytest session once left ``.cluster-pytest/pki`` with a key of one generation and
a certificate of another; the next session's API server started, and every client handshake
failed with ssl KEY_VALUES_MISMATCH. Needs only ``openssl``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from types import ModuleType

import pytest

from cluster_tools import cluster_tool

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")


def _localcluster() -> ModuleType:
    return cluster_tool("localcluster")


@pytest.fixture(scope="module")
def lc() -> ModuleType:
    return _localcluster()


def test_generated_pki_is_complete_and_kept(lc: ModuleType, tmp_path: Path) -> None:
    pki = tmp_path / "pki"
    lc.ensure_pki(pki)
    assert lc.pki_complete(pki)
    before = (pki / "admin.key").read_bytes()
    lc.ensure_pki(pki)
    assert (pki / "admin.key").read_bytes() == before
    # Nothing but pki itself remains beside it (no temporary or stale folder).
    assert [p.name for p in tmp_path.iterdir()] == ["pki"]


def test_key_of_another_generation_is_detected_and_regenerated(
        lc: ModuleType, tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "pki", tmp_path / "b" / "pki"
    lc.ensure_pki(first)
    lc.ensure_pki(second)
    shutil.copy(second / "admin.key", first / "admin.key")
    assert not lc.pki_complete(first)
    lc.ensure_pki(first)
    assert lc.pki_complete(first)
    assert (first / "admin.key").read_bytes() != (second / "admin.key").read_bytes()


def test_certificate_of_another_ca_is_detected(lc: ModuleType, tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "pki", tmp_path / "b" / "pki"
    lc.ensure_pki(first)
    lc.ensure_pki(second)
    for name in ("apiserver.crt", "apiserver.key"):
        shutil.copy(second / name, first / name)
    assert not lc.pki_complete(first)


def test_half_written_folder_is_replaced(lc: ModuleType, tmp_path: Path) -> None:
    pki = tmp_path / "pki"
    pki.mkdir()
    (pki / "ca.crt").write_text("interrupted", encoding="utf-8")
    assert not lc.pki_complete(pki)
    lc.ensure_pki(pki)
    assert lc.pki_complete(pki)


def test_interrupted_generation_leaves_no_pki(
        lc: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, ...]] = []
    real = lc._openssl

    def failing(*args: str, cwd: Path) -> None:
        calls.append(args)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real(*args, cwd=cwd)

    monkeypatch.setattr(lc, "_openssl", failing)
    with pytest.raises(KeyboardInterrupt):
        lc.ensure_pki(tmp_path / "pki")
    assert list(tmp_path.iterdir()) == []
