"""`kubealign deploy`, `status` and `rollback` against the local cluster, with each Helm
engine: the helm binary (v4, built by `make tools`) and the embedded SDK."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from e2e_helpers import Kubectl

ROOT = Path(__file__).resolve().parents[2]
KUBEALIGN = ROOT / ".venv" / "bin" / "kubealign"
# Two environments of the example whose StatefulSets have the same volumeClaimTemplates:
# `development` names postgres' volume `pgdata`, the others `postgres-data`, and Kubernetes
# refuses to change a StatefulSet's claim templates in place (kubealign deploy's server-side
# dry run says so; docs/e2e.md lists it as left). These tests are about the engines.
FIRST, NEXT = "local", "enhanced"


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("e2e") / "sophia"
    done = subprocess.run([str(KUBEALIGN), "migrate", str(ROOT / "examples" / "sophia"),
                           "--out", str(out)], capture_output=True, text=True, check=False)
    assert (out / "chart" / "values-development.yaml").is_file(), done.stderr[-2000:]
    return out


def _run(engine: str, kubeconfig: Path, tools_bin: Path, *args: str) -> str:
    env = {**os.environ, "KUBECONFIG": str(kubeconfig), "KUBEALIGN_HELM": engine,
           "PATH": f"{tools_bin}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([str(KUBEALIGN), *args], capture_output=True, text=True, env=env,
                          check=False, timeout=600)
    assert done.returncode == 0, f"kubealign {' '.join(args)}: {done.stderr[-3000:]}"
    return done.stdout + done.stderr


@pytest.mark.parametrize("engine", ["binary", "sdk"])
def test_deploy_upgrade_rollback(engine: str, migrated: Path, local_cluster: Path,
                                 tools_bin: Path, kubectl: Kubectl) -> None:
    ns = f"engine-{engine}"
    common = ("--dir", str(migrated), "--namespace", ns, "--yes", "--timeout", "180")
    said = _run(engine, local_cluster, tools_bin, "deploy", "--env", FIRST,
                "--create-namespace", *common)
    assert "server-side dry run (https://127.0.0.1:" in said and "objects accepted" in said
    assert "revision 1" in said
    pods = json.loads(kubectl("get", "pods", "-n", ns, "-o", "json"))["items"]
    assert pods and all(p["status"]["phase"] == "Running" for p in pods)
    # Upgrade to another environment's values, then back.
    _run(engine, local_cluster, tools_bin, "deploy", "--env", NEXT, *common)
    _run(engine, local_cluster, tools_bin, "rollback", "--env", FIRST, "--revision",
         "1", *common)
    status = _run(engine, local_cluster, tools_bin, "status", "--env", FIRST,
                  *common[:4])
    assert "revision 3" in status and "deployed" in status
    helm = str(tools_bin / "helm")
    history = json.loads(subprocess.run(
        [helm, "history", "sophia", "-n", ns, "-o", "json", "--kubeconfig", str(local_cluster)],
        capture_output=True, text=True, check=True).stdout)
    assert [h["status"] for h in history] == ["superseded", "superseded", "deployed"]
    assert history[-1]["description"] == "Rollback to 1"
    subprocess.run([helm, "uninstall", "sophia", "-n", ns, "--kubeconfig",
                    str(local_cluster), "--wait"], capture_output=True, check=False)
    kubectl("delete", "namespace", ns, "--wait=false")


def _managers(kubectl: Kubectl, ns: str) -> set[str]:
    """The field managers that applied (server-side) the Deployments of ``ns``."""
    items = json.loads(kubectl("get", "deployments", "-n", ns, "-o", "json",
                               "--show-managed-fields"))["items"]
    return {entry["manager"] for item in items
            for entry in item["metadata"].get("managedFields", [])
            if entry.get("operation") == "Apply"}


@pytest.mark.parametrize(("first", "second"), [("sdk", "binary"), ("binary", "sdk")])
def test_a_release_of_one_engine_is_upgraded_by_the_other(
        first: str, second: str, migrated: Path, local_cluster: Path, tools_bin: Path,
        kubectl: Kubectl) -> None:
    """Both engines apply as field manager ``helm`` (the SDK runs its writes in a child named
    so): before, the SDK applied as ``python3`` and every field conflicted across engines."""
    ns = f"cross-{first}-{second}"
    common = ("--dir", str(migrated), "--namespace", ns, "--yes", "--timeout", "180")
    _run(first, local_cluster, tools_bin, "deploy", "--env", FIRST, "--create-namespace",
         *common)
    assert _managers(kubectl, ns) == {"helm"}
    said = _run(second, local_cluster, tools_bin, "deploy", "--env", NEXT, *common)
    assert "revision 2" in said
    _run(second, local_cluster, tools_bin, "rollback", "--env", FIRST, "--revision",
         "1", *common)
    _run(first, local_cluster, tools_bin, "deploy", "--env", FIRST, *common)
    status = _run(second, local_cluster, tools_bin, "status", "--env", FIRST,
                  *common[:4])
    assert "revision 4" in status and "deployed" in status
    assert _managers(kubectl, ns) == {"helm"}
    subprocess.run([str(tools_bin / "helm"), "uninstall", "sophia", "-n", ns, "--kubeconfig",
                    str(local_cluster), "--wait"], capture_output=True, check=False)
    kubectl("delete", "namespace", ns, "--wait=false")
