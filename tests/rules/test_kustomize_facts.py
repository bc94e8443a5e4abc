"""Manifests applied through a kustomization are live and take its namespace.

Kustomize reads ``resources:`` relative to the kustomization's folder (``../production/x``),
CI applies globs (``kubectl apply -f k8s/mcp-*.yaml``), and a ``namespace:`` overrides the
files' own; patches place nothing.
"""

from __future__ import annotations

from pathlib import Path

from kubealign.actions.audit import audit
from kubealign.actions.inventory import build_inventory
from kubealign.rules.context import build_context
from kubealign.rules.liveness import liveness
from repo_files import write_files


def _deployment(name: str, namespace: str | None = None) -> str:
    ns = f"\n  namespace: {namespace}" if namespace else ""
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}{ns}\n"
            "spec:\n  template:\n    spec:\n      containers:\n        - name: c\n"
            f"          image: {name}:1\n")


_WORKFLOW = """name: deploy
on: [push]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: azure/k8s-set-context@v4
        with:
          kubeconfig: ${{ secrets.KUBECONFIG }}
      - run: |
          kubectl apply -k k8s/gitops/
          kubectl apply -f k8s/extra/mcp-*-deployment.yaml
"""

_FILES = {
    ".github/workflows/deploy.yml": _WORKFLOW,
    "k8s/gitops/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\n"
    "kind: Kustomization\nnamespace: app-prod\nresources:\n  - ../production/api.yaml\n"
    "  - ../base\npatches:\n  - path: patches/api-resources.yaml\n",
    "k8s/gitops/patches/api-resources.yaml": _deployment("api"),
    "k8s/production/api.yaml": _deployment("api", "default"),
    "k8s/production/unused.yaml": _deployment("unused", "app-prod"),
    "k8s/base/kustomization.yaml": "resources:\n  - worker.yaml\n",
    "k8s/base/worker.yaml": _deployment("worker"),
    "k8s/extra/mcp-a-deployment.yaml": _deployment("mcp-a", "app-prod"),
    "k8s/extra/mcp-b-deployment.yaml": _deployment("mcp-b", "app-prod"),
    "k8s/extra/nested/mcp-c-deployment.yaml": _deployment("mcp-c", "app-prod"),
    # Another copy of the worker, applied by hand in the namespace the kustomization sets.
    "k8s/manual/worker.yaml": _deployment("worker", "app-prod"),
}


def test_kustomize_parent_entries_and_globs_are_live(tmp_path: Path) -> None:
    root = write_files(tmp_path, _FILES)
    live = liveness(build_context(root, build_inventory(root)))
    for path in ("k8s/production/api.yaml", "k8s/base/worker.yaml",
                 "k8s/gitops/patches/api-resources.yaml",
                 "k8s/extra/mcp-a-deployment.yaml", "k8s/extra/mcp-b-deployment.yaml"):
        assert live.is_live(path), path
    assert "k8s/gitops/kustomization.yaml" in live.evidence("k8s/production/api.yaml")
    # A glob stays inside its folder, as the shell's does; unlisted files stay dead.
    assert not live.is_live("k8s/extra/nested/mcp-c-deployment.yaml")
    assert not live.is_live("k8s/production/unused.yaml")


def test_parent_entry_leaving_the_repository_is_ignored(tmp_path: Path) -> None:
    root = write_files(tmp_path / "repo", {
        "kustomization.yaml": "resources:\n  - ../outside.yaml\n  - https://example.com/x\n",
    })
    live = liveness(build_context(root, build_inventory(root)))
    assert all(not e.target.startswith("..") for es in live.edges.values() for e in es)


def test_k8s001_honours_the_kustomization_namespace(tmp_path: Path) -> None:
    root = write_files(tmp_path, _FILES)
    conflicts = [f for f in audit(root).findings if f.rule == "K8S001"]
    # api.yaml says default but the kustomization puts it in app-prod; the patch places
    # nothing; the base's worker is in app-prod like the manual copy.
    assert conflicts == [], [f.message for f in conflicts]


def test_k8s001_still_sees_a_real_conflict(tmp_path: Path) -> None:
    files = dict(_FILES)
    files["k8s/manual/worker.yaml"] = _deployment("worker", "app-staging")
    root = write_files(tmp_path, files)
    conflicts = [f for f in audit(root).findings if f.rule == "K8S001"]
    places = sorted({o.path for f in conflicts for o in f.occurrences}
                    | {f.path for f in conflicts})
    assert places == ["k8s/base/worker.yaml", "k8s/manual/worker.yaml"]


def test_overlays_place_a_base_in_each_environment(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "base/kustomization.yaml": "resources:\n  - api.yaml\n",
        "base/api.yaml": _deployment("api"),
        "overlays/dev/kustomization.yaml": "namespace: dev\nresources:\n  - ../../base\n",
        "overlays/prod/kustomization.yaml": "namespace: prod\nresources:\n  - ../../base\n",
    })
    assert [f for f in audit(root).findings if f.rule == "K8S001"] == []
