"""templates/NOTES.txt: what Helm prints after an install, rendered by the real engines."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml
from chart_helpers import CHART_DIR

from kubealign.validate.helm import render_notes

ROOT = Path(__file__).resolve().parents[2]
VALUES = {
    "services": {
        "api": {"image": {"repository": "acme/api", "tag": "1"},
                "ports": [{"name": "http", "containerPort": 8080, "port": 80}],
                "ingress": {"enabled": True, "hosts": [{"host": "shop.example.com"}]}},
        "llm": {"image": {"repository": "acme/llm", "tag": "1"},
                "ports": [{"name": "http", "containerPort": 9000}],
                "gpu": {"count": 2, "pool": "gh200"}},
        "worker": {"image": {"repository": "acme/worker", "tag": "1"}},
        "admin": {"enabled": False, "image": {"repository": "acme/admin", "tag": "1"}},
    },
    "externalSecrets": {"api-env": {"data": [
        {"secretKey": "DB_PASSWORD", "remoteRef": {"key": "shop.db_password"}}]}},
}


def _binary() -> str | None:
    """The helm binary on PATH, else the one `make tools` builds."""
    found = shutil.which("helm")
    built = ROOT / ".tools" / "bin" / "current" / "helm"
    return found or (str(built) if built.is_file() else None)


@pytest.mark.parametrize("engine", ["sdk", "binary"])
def test_notes_name_services_gpus_ingress_and_secrets(engine: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    if engine == "binary":
        binary = _binary()
        if binary is None:
            pytest.skip("no helm binary: on PATH or built by `make tools`")
        monkeypatch.setenv("PATH", f"{Path(binary).parent}{os.pathsep}{os.environ['PATH']}")
    values = tmp_path / "values-test.yaml"
    values.write_text(yaml.safe_dump(VALUES), encoding="utf-8")
    notes = render_notes(CHART_DIR, (CHART_DIR / "values.yaml", values), release="shop",
                         namespace="prod", backend="binary" if engine == "binary" else "sdk")
    assert notes.startswith("Release shop, namespace prod, revision 1.")
    assert "Services (3 enabled, 1 disabled in these values):" in notes
    assert "  - api (Deployment): api.prod.svc port 80" in notes
    assert "  - llm (Deployment): llm.prod.svc port 9000; 2 GPU(s) on pool gh200" in notes
    assert "  - worker (Deployment): no Service (nothing reaches it by name)" in notes
    assert "Disabled in these values (services.<name>.enabled): admin" in notes
    assert "  - shop.example.com -> api" in notes
    assert "1 ExternalSecret(s)" in notes and "kubectl get externalsecrets -n prod" in notes
    assert "kubectl port-forward -n prod svc/api 80" in notes
    # Names and keys only: the remote key of a secret is no business of the notes.
    assert "shop.db_password" not in notes


def test_a_chart_without_services_still_prints_its_release() -> None:
    notes = render_notes(CHART_DIR, (CHART_DIR / "values.yaml",), release="empty",
                         namespace="default", backend="sdk")
    assert notes.startswith("Release empty, namespace default, revision 1.")
    assert "Services (0 enabled):" in notes
