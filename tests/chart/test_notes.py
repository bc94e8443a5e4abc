"""templates/NOTES.txt: what `helm install` prints, rendered by the real Helm engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kubealign.actions.convert import chart_files, chart_tree
from kubealign.validate.helm import _render_sdk


def _notes(tmp_path: Path, values: dict[str, Any]) -> str:
    for rel, data in chart_tree("shop").items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data if isinstance(data, bytes) else data.encode())
    chart = tmp_path / "chart"
    (chart / "values.yaml").write_bytes(chart_files()["values.yaml"])  # the chart's defaults
    (chart / "values-prod.yaml").write_text(yaml.safe_dump(values))
    texts = _render_sdk(chart, [chart / "values.yaml", chart / "values-prod.yaml"], values=None,
                        release="shop", namespace="shop-prod", kube_version=None)
    return next(text for path, text in texts.items() if path.endswith("templates/NOTES.txt"))


def test_notes_list_enabled_services_with_service_ports_and_hosts(tmp_path: Path) -> None:
    pytest.importorskip("helm_python")
    notes = _notes(tmp_path, {"services": {
        "web": {"image": {"repository": "shop/web"},
                "ports": [{"name": "http", "containerPort": 8080, "port": 80}],
                "ingress": {"enabled": True, "hosts": [{"host": "shop.example.com"}]}},
        "worker": {"image": {"repository": "shop/worker"}},
        "old": {"enabled": False, "image": {"repository": "shop/old"}}}})
    assert "Release shop in namespace shop-prod: 2 service(s) enabled." in notes
    assert "  web: Deployment, Service web 80, host shop.example.com\n" in notes
    assert "  worker: Deployment\n" in notes
    assert "old" not in notes
    assert "kubectl -n shop-prod get pods -l app.kubernetes.io/instance=shop -w" in notes


def test_notes_say_how_to_install_when_nothing_is_enabled(tmp_path: Path) -> None:
    pytest.importorskip("helm_python")
    notes = _notes(tmp_path, {"services": {"web": {"enabled": False,
                                                   "image": {"repository": "shop/web"}}}})
    assert "0 service(s) enabled" in notes
    assert "-f chart/values-<environment>.yaml" in notes
