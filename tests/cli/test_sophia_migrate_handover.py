"""migrate on the real Sophia repository: its JSON says whether secrets are connected, and
host mounts keep the image's files unless the target is a writable data folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli_runner import run_cli

_SOPHIA = "sprawl/ai-cherry+sophia-strategic-development"


@pytest.fixture(scope="module")
def migrated(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory
             ) -> tuple[Path, dict[str, Any]]:
    repository = corpus_dir / _SOPHIA
    if not repository.is_dir():
        pytest.skip(f"{repository} is absent")
    out = tmp_path_factory.mktemp("sophia-real") / "out"
    result = run_cli("migrate", str(repository), "--out", str(out), "--format", "json")
    assert result.code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return out, data


@pytest.mark.corpus
def test_migrate_json_says_the_secrets_are_connected(
        migrated: tuple[Path, dict[str, Any]]) -> None:
    """The repository says its Pulumi ESC settings: every store is rendered."""
    out, data = migrated
    assert data["secrets_not_connected"] is None
    values = yaml.safe_load((out / "chart" / "values.yaml").read_text())
    assert values["secretStores"]


@pytest.mark.corpus
def test_host_mounts_keep_the_image_s_files(migrated: tuple[Path, dict[str, Any]]) -> None:
    out, _ = migrated
    values = yaml.safe_load((out / "chart" / "values.yaml").read_text())
    mounts = {(name, key): m for name, svc in values["services"].items()
              for key, m in (svc.get("hostMounts") or {}).items()}
    assert mounts, "Sophia bind-mounts host paths outside the repository"
    for (name, key), mount in mounts.items():
        writable_data = not mount.get("readOnly") and any(
            word in mount["mountPath"] for word in ("data", "log", "cache", "storage"))
        assert mount["source"] in {"none", "emptyDir"}, (name, key)
        if mount["source"] == "emptyDir":
            assert writable_data, (name, key, mount)
