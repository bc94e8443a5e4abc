"""A bind mount of a host path outside the repository is a choice in values, never content.

Nothing of the host path is read (the canary planted there stays out of every output); the
mount stays in ``services.<svc>.hostMounts.<name>`` with ``source: emptyDir`` (the safe
default), a CNV205 finding names the ``volumes`` item's line and how to switch, and the chart
renders each of the three sources.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubealign.errors import HelmError
from kubealign.transform.values_schema import CHART_DIR, validate_values
from kubealign.validate.helm import render_chart
from kubealign.validate.policies import check_policies
from kubealign.validate.schemas import validate_object

CANARY = "CANARY_HOSTLOG_5e21"

COMPOSE = """\
services:
  api:
    image: acme/api:1.0
    volumes:
      - /var/log:/host-logs:ro
      - /etc/passwd:/etc/pw
      - ~/.ssh:/root/.ssh
      - ../../outside/logs:/y
      - {outside}/logs:/abs
      - /srv/uploads:/app/uploads
      - /etc/app/settings.ini:/app/data/settings.ini
"""


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], Path]:
    base = tmp_path_factory.mktemp("hostmounts")
    home, outside, repo = base / "home", base / "outside", base / "work" / "repo"
    for folder in (home / ".ssh", outside / "logs", repo):
        folder.mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text(f"{CANARY}\n")
    (outside / "logs" / "app.log").write_text(f"{CANARY}\n")
    (repo / "compose.yaml").write_text(COMPOSE.replace("{outside}", str(outside)))
    out = base / "out"
    proc = subprocess.run([sys.executable, "-m", "kubealign", "convert", str(repo), "--out",
                           str(out)], capture_output=True, cwd=base, timeout=300, check=False,
                          env={**os.environ, "HOME": str(home)})
    assert proc.returncode == 0, proc.stderr.decode()
    assert CANARY.encode() not in proc.stdout + proc.stderr
    for path in out.rglob("*"):
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path
    values = yaml.safe_load((out / "chart" / "values.yaml").read_text())
    return out, values, base


def test_each_mount_stays_in_values_dropped_or_an_empty_data_folder(
        converted: tuple[Path, dict[str, Any], Path]) -> None:
    _, values, _ = converted
    mounts = values["services"]["api"]["hostMounts"]
    # An empty folder would hide what the image has at the path (and turn a file into a
    # folder): only a writable data folder gets one; everything else is left to the image.
    assert {k: (m["mountPath"], m["source"]) for k, m in mounts.items()} == {
        "host-logs": ("/host-logs", "none"), "pw": ("/etc/pw", "none"),
        "ssh": ("/root/.ssh", "none"), "y": ("/y", "none"), "abs": ("/abs", "none"),
        "uploads": ("/app/uploads", "emptyDir"),
        "settings-ini": ("/app/data/settings.ini", "none")}
    assert mounts["host-logs"]["readOnly"] is True
    assert "readOnly" not in mounts["pw"]
    # Absolute paths elsewhere are preset for the hostPath choice; ~ and ../ name folders of
    # the machine compose ran on, and a path beside the checkout is not guessed either.
    assert mounts["host-logs"]["hostPath"] == {"path": "/var/log"}
    assert mounts["pw"]["hostPath"] == {"path": "/etc/passwd"}
    for key in ("ssh", "y", "abs"):
        assert mounts[key]["hostPath"] == {}
    assert "persistence" not in values["services"]["api"]  # no invented claim


def test_a_finding_names_each_line_and_how_to_switch(
        converted: tuple[Path, dict[str, Any], Path]) -> None:
    out, _, base = converted
    findings = [f for f in json.loads((out / "conversion.json").read_text())["findings"]
                if f["rule"] == "CNV205"]
    assert [(f["path"], f["line"]) for f in findings] == [
        ("compose.yaml", line) for line in (5, 6, 7, 8, 9, 10, 11)]
    ssh = next(f for f in findings if "/root/.ssh" in f["message"])
    assert "~/.ssh" in ssh["message"] and str(base / "home") not in ssh["message"]
    for finding in findings:
        assert "nothing of it was read" in finding["message"]
        assert ".source: hostPath" in finding["fix"]
        assert "persistentVolumeClaim" in finding["fix"]
    assert "which you set" in ssh["fix"]  # no path preset for ~
    pw = next(f for f in findings if "/etc/pw" in f["message"])
    assert "the image's own files at /etc/pw stay" in pw["message"]
    assert "emptyDir (an empty writable folder)" in pw["fix"]
    uploads = next(f for f in findings if "/app/uploads" in f["message"])
    assert "an empty writable folder there" in uploads["message"]


def _render(host_mounts: dict[str, Any], kind: str = "Deployment") -> dict[str, Any]:
    values = {"services": {"api": {"image": {"repository": "acme/api", "tag": "1"},
                                   "kind": kind, "hostMounts": host_mounts}}}
    assert validate_values(values) == []
    rendered = render_chart(CHART_DIR, values=values, release="demo", namespace="apps",
                            kube_version="1.31")
    return {f"{o['kind']}/{o['metadata']['name']}": o for o in rendered.objects}


def _pod(objects: dict[str, Any], kind: str = "Deployment") -> dict[str, Any]:
    spec: dict[str, Any] = objects[f"{kind}/api"]["spec"]["template"]["spec"]
    return spec


@pytest.mark.parametrize("kind", ["Deployment", "StatefulSet"])
def test_the_chart_renders_each_source(kind: str) -> None:
    objects = _render({
        "logs": {"mountPath": "/host-logs", "readOnly": True, "source": "emptyDir",
                 "hostPath": {"path": "/var/log"}},
        "node": {"mountPath": "/node", "source": "hostPath",
                 "hostPath": {"path": "/var/log", "type": "Directory"}},
        "made": {"mountPath": "/made", "source": "persistentVolumeClaim", "size": "5Gi",
                 "storageClass": "fast"},
        "given": {"mountPath": "/given", "source": "persistentVolumeClaim",
                  "claimName": "shared-logs"},
        "plain": {"mountPath": "/plain"},
        "kept": {"mountPath": "/etc/app", "source": "none", "hostPath": {"path": "/etc/app"}},
    }, kind)
    pod = _pod(objects, kind)
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["host-logs"] == {"name": "host-logs", "emptyDir": {}}
    assert volumes["host-plain"] == {"name": "host-plain", "emptyDir": {}}
    assert volumes["host-node"]["hostPath"] == {"path": "/var/log", "type": "Directory"}
    assert volumes["host-made"]["persistentVolumeClaim"] == {"claimName": "api-host-made"}
    assert volumes["host-given"]["persistentVolumeClaim"] == {"claimName": "shared-logs"}
    mounts = {m["mountPath"]: m for m in pod["containers"][0]["volumeMounts"]}
    assert mounts["/host-logs"] == {"name": "host-logs", "mountPath": "/host-logs",
                                    "readOnly": True}
    assert "readOnly" not in mounts["/node"]
    assert "host-kept" not in volumes and "/etc/app" not in mounts  # the image's files stay
    claim = objects["PersistentVolumeClaim/api-host-made"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "5Gi"
    assert claim["spec"]["storageClassName"] == "fast"
    assert "PersistentVolumeClaim/api-host-given" not in objects  # the user's own claim
    for obj in objects.values():
        assert not validate_object(obj, "1.31", strict=True), obj


def test_the_default_passes_the_hostpath_policy_and_the_choice_is_flagged() -> None:
    safe = _render({"logs": {"mountPath": "/logs", "hostPath": {"path": "/var/log"}}})
    assert not [v for v in check_policies(list(safe.values())) if v.rule == "POL005"]
    chosen = _render({"logs": {"mountPath": "/logs", "source": "hostPath",
                               "hostPath": {"path": "/var/log"}}})
    assert [v for v in check_policies(list(chosen.values())) if v.rule == "POL005"]


def test_hostpath_without_a_path_is_refused_naming_the_key() -> None:
    with pytest.raises(HelmError, match=r"services\.api\.hostMounts\.logs\.hostPath\.path"):
        _render({"logs": {"mountPath": "/logs", "source": "hostPath", "hostPath": {}}})


def test_a_misspelt_source_is_refused_by_the_schema() -> None:
    problems = validate_values({"services": {"api": {"image": {"repository": "a"}, "hostMounts": {
        "logs": {"mountPath": "/logs", "source": "hostpath"}}}}})
    assert [p for p in problems if p.startswith("/services/api/hostMounts/logs/source")]


def test_a_volume_name_taken_by_another_volume_is_refused_naming_the_service() -> None:
    values = {"services": {"api": {"image": {"repository": "acme/api", "tag": "1"},
                                   "persistence": {"host-logs": {"mountPath": "/data"}},
                                   "hostMounts": {"logs": {"mountPath": "/logs"}}}}}
    with pytest.raises(HelmError, match=r'services\.api: two volumes of the pod are named '
                                        r'"host-logs"'):
        render_chart(CHART_DIR, values=values, release="demo", namespace="apps",
                     kube_version="1.31")


NAMES = """\
services:
  api:
    image: acme/api:1.0
    volumes:
      - data:/srv/host-logs
      - /var/log:/logs
      - settings:/config
      - scratch:/tmp/tmpfs-0
      - ./app.conf:/etc/app.conf:ro
volumes:
  data: {}
  settings: {}
  scratch: {}
"""


def test_converted_volume_names_are_unique_and_deterministic(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "compose.yaml").write_text(NAMES)
    (repo / "app.conf").write_text("level = info\n")
    runs = []
    for out in (tmp_path / "a", tmp_path / "b"):
        proc = subprocess.run([sys.executable, "-m", "kubealign", "convert", str(repo),
                               "--out", str(out)], capture_output=True, timeout=300,
                              check=False)
        assert proc.returncode == 0, proc.stderr.decode()
        runs.append((out / "chart" / "values.yaml").read_text())
    assert runs[0] == runs[1]
    values = yaml.safe_load(runs[0])
    svc = values["services"]["api"]
    # the chart names hostMounts.<k> host-<k> and owns config and tmpfs-N: no key takes them
    # (a claim's key comes from where it is mounted)
    assert set(svc["persistence"]) == {"host-logs", "config-2", "tmpfs-0-2"}
    assert set(svc["hostMounts"]) == {"logs-2"}
    rendered = render_chart(CHART_DIR, values=values, release="demo", namespace="apps",
                            kube_version="1.31")
    pod = next(o for o in rendered.objects if o["kind"] == "Deployment")["spec"]["template"]
    names = [v["name"] for v in pod["spec"]["volumes"]]
    assert len(names) == len(set(names))
