"""Discovery on the bundled example and on the shared compose corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubealign.actions.inventory import build_inventory
from kubealign.model.inventory import ArtifactKind

K = ArtifactKind
REPO = Path(__file__).resolve().parents[2]
SOPHIA = REPO / "examples" / "sophia"
CORPUS = REPO / ".." / "shared" / "corpus"


def test_sophia_inventory() -> None:
    if not SOPHIA.is_dir():
        pytest.skip(f"{SOPHIA} is absent")
    inventory = build_inventory(SOPHIA)

    def kinds(path: str) -> set[ArtifactKind]:
        artifact = inventory.get(path)
        assert artifact is not None, path
        return set(artifact.kinds)

    assert kinds("docker-compose.cloud.yml") >= {K.COMPOSE, K.SWARM_STACK}
    assert kinds("docker-compose.override.yml") == {K.COMPOSE}
    assert K.DOCKERFILE in kinds("docker/Dockerfile.gh200")
    assert K.DOCKERFILE in kinds("Dockerfile.production.2025")
    assert K.MOUNTED_CONFIG in kinds("config/llm/llm-gateway.yaml")
    assert K.HELM_CHART in kinds("kubernetes/helm/sophia-platform/Chart.yaml")
    assert len(inventory.by_kind(K.DEPLOY_SCRIPT)) >= 15
    assert len(inventory.by_kind(K.KUSTOMIZATION)) >= 1
    per_instance = [
        a.path for a in inventory.by_kind(K.COMPOSE) if a.path.startswith("deployment/")
    ]
    assert len(per_instance) >= 5
    namespaces = {
        doc.namespace
        for artifact in inventory.by_kind(K.KUBERNETES_MANIFEST)
        if artifact.kubernetes is not None
        for doc in artifact.kubernetes.documents
        if doc.namespace
    }
    assert len(namespaces) > 1  # the example's conflicting namespaces
    assert all(not a.notes for a in inventory), [(a.path, a.notes) for a in inventory if a.notes]


@pytest.mark.corpus
def test_every_corpus_compose_file_is_a_compose_file() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    inventory = build_inventory(CORPUS)
    compose_files = [a for a in inventory if a.path.endswith(("compose.yaml", "compose.yml"))]
    assert compose_files
    for artifact in compose_files:
        assert K.COMPOSE in artifact.kinds, artifact.path
        if artifact.size == 0:  # real repositories commit empty compose files too
            assert any(note.startswith("empty") for note in artifact.notes), artifact.path
            continue
        assert artifact.compose is not None, (artifact.path, artifact.notes)
        assert artifact.compose.services, artifact.path
