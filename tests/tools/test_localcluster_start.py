"""A local cluster that fails to start says why, once, in every test that needs it.

In CI the e2e fixture's start once ended in ``SystemExit``; pytest caches a session
fixture's failure only for ``Exception`` subclasses, so the first test showed the reason and
the 64 after it an internal ``assert not self._finalizers`` with none. The start now raises
``ClusterError``, watches the processes it waits for (a dead etcd is reported at once with
its log, not after the API server's three-minute timeout), picks distinct ports, and retries
with new ports once. No cluster is started here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import ModuleType

import pytest

from cluster_tools import TOOLS, cluster_tool


@pytest.fixture(scope="module")
def lc() -> ModuleType:
    return cluster_tool("localcluster")


def _exited_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_ports_chosen_together_are_distinct(lc: ModuleType) -> None:
    for _ in range(20):
        ports = lc.free_ports(3)
        assert len(set(ports)) == 3


def test_a_component_that_died_is_reported_at_once_with_its_log(
        lc: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "pids").mkdir()
    (tmp_path / "logs").mkdir()
    (tmp_path / "pids" / "etcd").write_text(str(_exited_pid()), encoding="utf-8")
    (tmp_path / "logs" / "etcd.log").write_text(
        "starting\nlisten tcp 127.0.0.1:2379: bind: address already in use\n", encoding="utf-8")
    port = lc.free_port()
    started = time.monotonic()
    with pytest.raises(lc.ClusterError) as raised:
        lc._wait_http(tmp_path, "etcd", f"http://127.0.0.1:{port}/health", None, ("etcd",), 60)
    assert time.monotonic() - started < 10
    assert "etcd exited" in str(raised.value)
    assert "address already in use" in str(raised.value)


def test_a_failed_start_is_retried_with_new_ports(
        lc: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[int] = []

    def start(root: Path) -> object:
        attempts.append(1)
        (root / "etcd").mkdir(exist_ok=True)
        if len(attempts) == 1:
            raise lc.ClusterError("kube-apiserver not ready after 120s")
        return lc.Ports(1, 2, 3)

    monkeypatch.setattr(lc, "start", start)
    monkeypatch.setattr(lc, "stop", lambda root: None)
    assert lc.start_with_retry(tmp_path) == lc.Ports(1, 2, 3)
    assert len(attempts) == 2


def test_a_start_that_keeps_failing_names_every_attempt(
        lc: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def start(root: Path) -> object:
        raise lc.ClusterError("etcd exited")

    monkeypatch.setattr(lc, "start", start)
    monkeypatch.setattr(lc, "stop", lambda root: None)
    with pytest.raises(lc.ClusterError) as raised:
        lc.start_with_retry(tmp_path, attempts=2)
    assert "attempt 1: etcd exited" in str(raised.value)
    assert "attempt 2: etcd exited" in str(raised.value)


def test_every_test_of_a_failed_cluster_fixture_shows_the_reason(tmp_path: Path) -> None:
    (tmp_path / "test_uses_cluster.py").write_text(textwrap.dedent(f"""
        import sys
        import pytest
        sys.path.insert(0, {str(TOOLS)!r})
        import localcluster

        @pytest.fixture(scope="session")
        def cluster():
            raise localcluster.ClusterError("kube-apiserver not ready: etcd exited")
            yield

        @pytest.fixture(scope="session")
        def tools(cluster):
            return cluster

        def test_one(cluster, tools): pass
        def test_two(cluster, tools): pass
        def test_three(tools): pass
    """), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         str(tmp_path)], capture_output=True, text=True, cwd=tmp_path, check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    summary = [line for line in done.stdout.splitlines() if line.startswith("ERROR ")]
    assert len(summary) == 3, done.stdout[-2000:]
    assert all("ClusterError" in line for line in summary), summary
    assert done.stdout.count("etcd exited") >= 3, done.stdout[-2000:]
    assert "AssertionError" not in done.stdout
