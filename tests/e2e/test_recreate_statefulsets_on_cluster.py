"""`kubealign deploy|rollback --recreate-statefulsets` against the local cluster, with each
Helm engine: an environment whose StatefulSet has one claim template is upgraded to values
with two (Kubernetes refuses to change volumeClaimTemplates in place), then rolled back."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import Kubectl

ROOT = Path(__file__).resolve().parents[2]
KUBEALIGN = ROOT / ".venv" / "bin" / "kubealign"
COMPOSE = """\
services:
  db:
    image: postgres:16
    volumes:
      - data:/var/lib/postgresql/data
volumes:
  data: {}
"""
# A second volume for the same service: a second claim template of its StatefulSet.
TWO_CLAIMS = """\
services:
  db:
    persistence:
      wal:
        mountPath: /var/lib/postgresql/wal
        size: 1Gi
"""


@pytest.fixture(scope="session")
def one_statefulset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A converted repository with one StatefulSet, its environment and a `twoclaims` one."""
    base = tmp_path_factory.mktemp("recreate")
    (base / "repo").mkdir()
    (base / "repo" / "docker-compose.yml").write_text(COMPOSE, encoding="utf-8")
    out = base / "out"
    done = subprocess.run([str(KUBEALIGN), "migrate", str(base / "repo"), "--out", str(out)],
                          capture_output=True, text=True, check=False)
    overlays = sorted((out / "chart").glob("values-*.yaml"))
    assert len(overlays) == 1, done.stderr[-2000:]
    (out / "chart" / "values-twoclaims.yaml").write_text(TWO_CLAIMS, encoding="utf-8")
    return out, overlays[0].stem.removeprefix("values-")


def _run(engine: str, kubeconfig: Path, tools_bin: Path,
         *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KUBECONFIG": str(kubeconfig), "KUBEALIGN_HELM": engine,
           "PATH": f"{tools_bin}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run([str(KUBEALIGN), *args], capture_output=True, text=True, env=env,
                          check=False, timeout=600)


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"{' '.join(done.args[1:])}: {done.stderr[-3000:]}"
    return done.stdout + done.stderr


def _items(kubectl: Kubectl, kind: str, ns: str) -> list[dict[str, Any]]:
    return list(json.loads(kubectl("get", kind, "-n", ns, "-o", "json"))["items"])


@pytest.mark.parametrize("engine", ["binary", "sdk"])
def test_a_new_claim_template_is_deployed_and_rolled_back_by_recreating_the_statefulset(
        engine: str, one_statefulset: tuple[Path, str], local_cluster: Path, tools_bin: Path,
        kubectl: Kubectl) -> None:
    out, first = one_statefulset
    ns = f"recreate-{engine}"
    common = ("--dir", str(out), "--namespace", ns, "--yes", "--timeout", "180")
    _ok(_run(engine, local_cluster, tools_bin, "deploy", "--env", first, "--create-namespace",
             *common))
    [sts] = _items(kubectl, "statefulsets", ns)
    name, old_uid = sts["metadata"]["name"], sts["metadata"]["uid"]
    assert len(sts["spec"]["volumeClaimTemplates"]) == 1
    [claim] = _items(kubectl, "pvc", ns)
    claim_name, claim_uid = claim["metadata"]["name"], claim["metadata"]["uid"]

    # Without the option: refused before Helm runs, the remedy naming the option.
    refused = _run(engine, local_cluster, tools_bin, "deploy", "--env", "twoclaims", *common)
    assert refused.returncode == 1, refused.stderr
    assert "--recreate-statefulsets" in refused.stderr
    assert f"kubectl delete statefulset {name} -n {ns} --cascade=orphan" in refused.stderr
    # --dry-run says what it would delete and deletes nothing.
    dry = _ok(_run(engine, local_cluster, tools_bin, "deploy", "--env", "twoclaims",
                   "--recreate-statefulsets", "--dry-run", *common))
    assert f"would delete StatefulSet {name} in namespace {ns}" in dry
    assert [s["metadata"]["uid"] for s in _items(kubectl, "statefulsets", ns)] == [old_uid]

    said = _ok(_run(engine, local_cluster, tools_bin, "deploy", "--env", "twoclaims",
                    "--recreate-statefulsets", *common))
    assert f"deleting StatefulSet {name} in namespace {ns} with propagationPolicy Orphan" in said
    assert "revision 2" in said
    [new] = _items(kubectl, "statefulsets", ns)
    assert new["metadata"]["uid"] != old_uid and len(new["spec"]["volumeClaimTemplates"]) == 2
    claims = {c["metadata"]["name"]: c for c in _items(kubectl, "pvc", ns)}
    assert claims[claim_name]["metadata"]["uid"] == claim_uid  # the data stayed
    assert len(claims) == 2 and all(c["status"]["phase"] == "Bound" for c in claims.values())
    pods = _items(kubectl, "pods", ns)
    assert pods and all(p["status"]["phase"] == "Running" for p in pods)
    assert all(p["metadata"]["ownerReferences"][0]["uid"] == new["metadata"]["uid"]
               for p in pods)

    # Going back to one claim template meets the same refusal, and the same cure.
    back = _run(engine, local_cluster, tools_bin, "rollback", "--env", first, "--revision",
                "1", *common)
    assert back.returncode == 1 and "kubealign rollback again with --recreate-statefulsets" \
        in back.stderr, back.stderr
    said = _ok(_run(engine, local_cluster, tools_bin, "rollback", "--env", first, "--revision",
                    "1", "--recreate-statefulsets", *common))
    assert f"deleting StatefulSet {name} in namespace {ns}" in said and "now revision 3" in said
    [again] = _items(kubectl, "statefulsets", ns)
    assert len(again["spec"]["volumeClaimTemplates"]) == 1
    assert claims.keys() <= {c["metadata"]["name"] for c in _items(kubectl, "pvc", ns)}
    helm = str(tools_bin / "helm")
    history = json.loads(subprocess.run(
        [helm, "history", "repo", "-n", ns, "-o", "json", "--kubeconfig", str(local_cluster)],
        capture_output=True, text=True, check=True).stdout)
    assert [h["status"] for h in history] == ["superseded", "superseded", "deployed"]
    assert history[-1]["description"] == "Rollback to 1"
    subprocess.run([helm, "uninstall", "repo", "-n", ns, "--kubeconfig", str(local_cluster),
                    "--wait"], capture_output=True, check=False)
    kubectl("delete", "namespace", ns, "--wait=false")
