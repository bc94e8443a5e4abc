"""A CI job whose kubectl never gets a cluster makes no manifest live.

A GitHub-hosted runner has no kubeconfig: a "Configure kubectl" step that only echoes (a
comment saying a kubeconfig "would normally" come from secrets) leaves every ``kubectl
apply`` of its job without a cluster. A job that writes a kubeconfig from a secret, sets a
context with an action, or runs on a self-hosted runner does reach one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kubealign.actions.audit import audit
from kubealign.actions.inventory import build_inventory
from kubealign.rules.context import build_context
from kubealign.rules.liveness import liveness
from repo_files import write_files

_MANIFEST = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n"
             "  namespace: app\n")

_ECHO_ONLY = """
      - name: Configure kubectl
        run: |
          # This would normally use kubeconfig from secrets
          echo "Configuring kubectl for the cluster..."
"""

_CONFIGURED = {
    "kubeconfig from a secret": """
      - name: Configure kubectl
        run: |
          mkdir -p ~/.kube
          echo "${{ secrets.KUBECONFIG }}" | base64 -d > ~/.kube/config
""",
    "context action": """
      - uses: azure/k8s-set-context@v4
        with:
          method: kubeconfig
          kubeconfig: ${{ secrets.KUBE }}
""",
    "cloud credentials": """
      - run: aws eks update-kubeconfig --name prod
""",
}


def _workflow(steps: str, runs_on: str = "ubuntu-latest") -> str:
    return (f"name: deploy\non: [push]\njobs:\n  deploy:\n    runs-on: {runs_on}\n"
            f"    steps:\n      - uses: actions/checkout@v4\n{steps.strip(chr(10))}\n"
            "      - name: Apply\n        run: kubectl apply -f k8s/api.yaml\n")


def _live(root: Path) -> bool:
    return liveness(build_context(root, build_inventory(root))).is_live("k8s/api.yaml")


def test_an_echo_only_kubectl_step_is_no_cluster(tmp_path: Path) -> None:
    # As in the real repository this comes from, another strategy is live (here a
    # Makefile's compose): the manifests are then a tree nothing applies.
    root = write_files(tmp_path, {".github/workflows/deploy.yml": _workflow(_ECHO_ONLY),
                                  "k8s/api.yaml": _MANIFEST,
                                  "Makefile": "deploy:\n\tdocker compose -f compose.yaml up -d\n",
                                  "compose.yaml": "services:\n  api:\n    image: nginx:1.27\n"})
    assert not _live(root)
    report = audit(root)
    kubernetes = next(s for s in report.strategies if s.name == "kubernetes")
    assert not kubernetes.live
    assert "kubeconfig" in " ".join(kubernetes.evidence)
    assert any(f.rule == "K8S002" and f.path == "k8s/api.yaml" for f in report.findings)


def test_echoing_the_word_kubectl_is_no_kubectl_command(tmp_path: Path) -> None:
    workflow = ("name: d\non: [push]\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: |\n          mkdir -p ~/.kube\n"
                "          echo kubectl apply -f k8s/api.yaml\n")
    root = write_files(tmp_path, {".github/workflows/d.yml": workflow, "k8s/api.yaml": _MANIFEST})
    assert not _live(root)


@pytest.mark.parametrize("how", sorted(_CONFIGURED))
def test_a_job_that_sets_a_cluster_reaches_it(tmp_path: Path, how: str) -> None:
    root = write_files(tmp_path, {".github/workflows/deploy.yml": _workflow(_CONFIGURED[how]),
                                  "k8s/api.yaml": _MANIFEST})
    assert _live(root)


def test_a_self_hosted_runner_may_hold_its_own_kubeconfig(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        ".github/workflows/deploy.yml": _workflow(_ECHO_ONLY, "[self-hosted, linux]"),
        "k8s/api.yaml": _MANIFEST,
    })
    assert _live(root)
