"""A real control plane for the tests of this folder (docs/e2e.md).

The session starts its own local cluster (tools/cluster/localcluster.py: etcd,
kube-apiserver, controller-manager, scheduler and KWOK built from their Go modules) under
``.cluster-pytest/``, apart from the one ``make cluster`` / ``make e2e`` use, and stops it at
the end (``KUBEALIGN_KEEP_TEST_CLUSTER=1`` keeps it for the next run: a second start then
takes seconds). The Go programs are built by ``make tools`` when missing (cold: ~7 min, then
cached). Skipped, with the reason, only where Go is absent.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from e2e_helpers import Kubectl

from cluster_tools import cluster_tool

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / ".cluster-pytest"


def _localcluster() -> ModuleType:
    return cluster_tool("localcluster")


@pytest.fixture(scope="session")
def local_cluster() -> Iterator[Path]:
    """The kubeconfig of a running local cluster with the default (seed) node pools."""
    if shutil.which("go") is None:
        pytest.skip("Go is not installed: the local control plane is built from Go modules "
                    "(see docs/e2e.md)")
    built = subprocess.run(["make", "--no-print-directory", "tools"], cwd=ROOT,
                           capture_output=True, text=True, check=False)
    if built.returncode != 0:
        pytest.fail(f"make tools failed: {built.stderr[-2000:]}")
    previous = os.environ.get("KUBEALIGN_CLUSTER_DIR")
    os.environ["KUBEALIGN_CLUSTER_DIR"] = str(STATE)
    lc = _localcluster()
    try:
        kubeconfig = lc.up(None, None)
        yield kubeconfig
    finally:
        if not os.environ.get("KUBEALIGN_KEEP_TEST_CLUSTER"):
            lc.stop(STATE)
            shutil.rmtree(STATE, ignore_errors=True)
        if previous is None:
            os.environ.pop("KUBEALIGN_CLUSTER_DIR", None)
        else:
            os.environ["KUBEALIGN_CLUSTER_DIR"] = previous


@pytest.fixture(scope="session")
def tools_bin(local_cluster: Path) -> Path:
    return Path(_localcluster().tools_bin())


@pytest.fixture
def kubectl(local_cluster: Path, tools_bin: Path) -> Kubectl:
    return Kubectl(tools_bin / "kubectl", local_cluster)
