"""`deploy|rollback --recreate-statefulsets` without a cluster: which refusals it cures, the
deletion requests it sends, and that the CLI deletes only after the checks and confirmation,
before Helm. tests/e2e/test_recreate_statefulsets.py runs it on a real API server."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from deploy_helpers import FakeHelm, plan_namespace, run_cli

from kubealign.actions.deploy import rejected, rollback_revision, rollback_server_check
from kubealign.deploy.helm_adapter import BinaryHelmClient, Target, UpgradeOptions
from kubealign.deploy.kube_api import Resource
from kubealign.deploy.recreate import delete_orphaning, recreate_plan
from kubealign.deploy.server_check import Rejection, ServerCheck
from kubealign.errors import DeployError, UsageError

_FIXED = ("Forbidden: updates to statefulset spec for fields other than 'replicas', "
          "'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' "
          "and 'minReadySeconds' are forbidden")
POSTGRES = Rejection("StatefulSet", "postgres", "spec", _FIXED)
REDIS = Rejection("StatefulSet", "redis", "spec", _FIXED)
OTHER = Rejection("Deployment", "web", "spec.template.spec.hostAliases[0].ip",
                  "Invalid value: \"host-gateway\": must be a valid IP address")


def test_only_refusals_that_are_all_fixed_statefulset_fields_are_recreated() -> None:
    assert recreate_plan([REDIS, POSTGRES, POSTGRES]).names == ("postgres", "redis")
    mixed = recreate_plan([POSTGRES, OTHER])
    assert mixed.names == () and mixed.blocking == (OTHER,)
    # A StatefulSet refused for another reason is not cured by recreating it.
    assert recreate_plan([Rejection("StatefulSet", "db", "spec.replicas", "Invalid")]).names == ()


def test_the_remedy_names_the_option_for_the_command_to_run_again() -> None:
    check = ServerCheck(server="https://10.0.0.1:6443", rejections=(POSTGRES,))
    deploy = str(rejected(check, "shop"))
    assert "kubectl delete statefulset postgres -n shop --cascade=orphan" in deploy
    assert "run kubealign deploy again with --recreate-statefulsets" in deploy
    assert "kubealign rollback again with --recreate-statefulsets" in str(
        rejected(check, "shop", "rollback"))
    mixed = str(rejected(ServerCheck(rejections=(OTHER, POSTGRES)), "shop"))
    assert "once the other refusals are fixed" in mixed and "run kubealign" not in mixed
    assert "recreate-statefulsets" not in str(rejected(ServerCheck(rejections=(OTHER,)), "shop"))


class FakeApi:
    """The parts of KubeApi delete_orphaning uses: StatefulSets with one pod each, and a
    deleted object that is still there for ``lingers`` more GETs."""

    def __init__(self, status: int = 200, lingers: int = 1) -> None:
        self.status, self.lingers = status, lingers
        self.calls: list[tuple[str, str, str]] = []
        self.deleted: dict[str, int] = {}

    def resource(self, api_version: str, kind: str) -> Any:
        return Resource("statefulsets", True) if kind == "StatefulSet" else None

    def object_path(self, api_version: str, resource: Any, namespace: str, name: str) -> str:
        return f"/apis/{api_version}/namespaces/{namespace}/{resource.plural}/{name}"

    def delete(self, path: str, propagation: str) -> tuple[int, Any]:
        self.calls.append(("DELETE", path, propagation))
        self.deleted[path] = self.lingers
        return self.status, {"message": "statefulsets.apps \"db\" is forbidden"}

    def get(self, path: str) -> Any:
        if "/pods?" in path:
            self.calls.append(("LIST", path, ""))
            owner = {"uid": "uid-postgres", "controller": True}
            return {"items": [
                {"metadata": {"name": "postgres-1", "ownerReferences": [owner]}},
                {"metadata": {"name": "postgres-0", "ownerReferences": [owner]}},
                {"metadata": {"name": "stray", "ownerReferences": []}}]}
        if path in self.deleted:
            self.calls.append(("GET", path, ""))
            self.deleted[path] -= 1
            return {} if self.deleted[path] >= 0 else None
        name = path.rsplit("/", 1)[-1]
        return {"metadata": {"name": name, "uid": f"uid-{name}"},
                "spec": {"selector": {"matchLabels": {"app": name, "tier": "db"}}}}


def test_each_statefulset_is_deleted_orphaning_then_its_pods_each_awaited() -> None:
    api, said, slept = FakeApi(lingers=1), [], []
    delete_orphaning(api, "shop", ("postgres", "redis"), say=said.append,  # type: ignore[arg-type]
                     sleep=slept.append)
    sts, pods = "/apis/apps/v1/namespaces/shop/statefulsets/", "/api/v1/namespaces/shop/pods"
    gone = [("GET", sts + "postgres", "")] * 2
    assert api.calls[:6] == [
        ("LIST", pods + "?labelSelector=app%3Dpostgres%2Ctier%3Ddb", ""),
        ("DELETE", sts + "postgres", "Orphan"), *gone,
        ("DELETE", pods + "/postgres-0", "Background"), ("GET", pods + "/postgres-0", "")]
    # Only the pods the StatefulSet controls; redis (another uid) owns none of them.
    assert [c[1] for c in api.calls if c[0] == "DELETE"] == [
        sts + "postgres", pods + "/postgres-0", pods + "/postgres-1", sts + "redis"]
    assert said == [
        "recreate: deleting StatefulSet postgres in namespace shop with propagationPolicy "
        "Orphan, then its pods (their PersistentVolumeClaims stay; the upgrade creates the "
        "StatefulSet anew and its pods on the same claims)",
        "recreate: deleting pod postgres-0 of StatefulSet postgres in namespace shop",
        "recreate: deleting pod postgres-1 of StatefulSet postgres in namespace shop",
        "recreate: deleting StatefulSet redis in namespace shop with propagationPolicy "
        "Orphan, then its pods (their PersistentVolumeClaims stay; the upgrade creates the "
        "StatefulSet anew and its pods on the same claims)"]
    assert slept == [0.5] * 4


def test_a_refused_deletion_or_one_that_never_finishes_stops_before_helm() -> None:
    with pytest.raises(DeployError, match=r"cannot delete StatefulSet db in namespace shop "
                       r"\(HTTP 403\): .* expected the API server to accept"):
        delete_orphaning(FakeApi(status=403), "shop", ("db",), say=print)  # type: ignore[arg-type]
    ticks = iter(range(0, 1000, 50))
    with pytest.raises(DeployError, match="still exists 120s after its deletion"):
        delete_orphaning(FakeApi(lingers=99), "shop", ("db",), say=print,  # type: ignore[arg-type]
                         sleep=lambda _: None, clock=lambda: float(next(ticks)))


Deleted = list[tuple[str, tuple[str, ...], int]]


@pytest.fixture
def refusing(monkeypatch: pytest.MonkeyPatch, fake_helm: FakeHelm) -> Deleted:
    """The server-side dry runs refuse ``postgres``'s claim templates; each deletion is
    recorded with its namespace and the number of Helm writes made before it."""
    check = ServerCheck(server="https://10.0.0.1:6443", accepted=20, rejections=(POSTGRES,))
    monkeypatch.setattr("kubealign.cli.deploy.server_side_check", lambda *a, **k: check)
    monkeypatch.setattr("kubealign.cli.deploy.rollback_server_check", lambda *a, **k: check)
    deleted: Deleted = []

    def recreate(target: Any, names: tuple[str, ...], say: Any) -> None:
        writes = len(fake_helm.calls_of("upgrade")) + len(fake_helm.calls_of("rollback"))
        deleted.append((target.namespace, names, writes))
        say(f"deleted {', '.join(names)}")

    monkeypatch.setattr("kubealign.cli.deploy.recreate_statefulsets", recreate)
    return deleted


def test_deploy_without_the_option_stops_with_the_remedy(
        fake_helm: FakeHelm, converted_sophia: Path,
        refusing: Deleted) -> None:
    result = run_cli("deploy", "--env", "development", "--dir", str(converted_sophia))
    assert result.code == 1
    assert "kubealign deploy again with --recreate-statefulsets" in result.stderr
    assert refusing == [] and fake_helm.calls_of("upgrade") == []


def test_deploy_with_the_option_deletes_then_upgrades(
        fake_helm: FakeHelm, converted_sophia: Path,
        refusing: Deleted) -> None:
    result = run_cli("deploy", "--env", "development", "--dir", str(converted_sophia),
                     "--recreate-statefulsets")
    assert result.code == 0, result.stderr
    namespace = plan_namespace(converted_sophia, "development")
    assert refusing == [(namespace, ("postgres",), 0)]  # deleted before Helm upgraded
    assert len(fake_helm.calls_of("upgrade")) == 1
    assert "deleted postgres" in result.stderr


def test_dry_run_says_what_would_be_deleted_and_deletes_nothing(
        fake_helm: FakeHelm, converted_sophia: Path,
        refusing: Deleted) -> None:
    namespace = plan_namespace(converted_sophia, "development")
    text = run_cli("deploy", "--env", "development", "--dir", str(converted_sophia),
                   "--recreate-statefulsets", "--dry-run")
    assert text.code == 0, text.stderr
    assert (f"recreate: would delete StatefulSet postgres in namespace {namespace} with "
            "propagationPolicy Orphan") in text.stderr
    as_json = run_cli("deploy", "--env", "development", "--dir", str(converted_sophia),
                      "--recreate-statefulsets", "--dry-run", "--format", "json")
    assert as_json.code == 0, as_json.stderr
    assert json.loads(as_json.stdout)["recreate_statefulsets"] == [
        {"kind": "StatefulSet", "name": "postgres", "namespace": namespace,
         "propagation_policy": "Orphan"}]
    assert refusing == [] and fake_helm.calls_of("upgrade") == []


def test_other_refusals_stop_even_with_the_option(
        fake_helm: FakeHelm, converted_sophia: Path, monkeypatch: pytest.MonkeyPatch,
        refusing: Deleted) -> None:
    mixed = ServerCheck(server="https://10.0.0.1:6443", rejections=(OTHER, POSTGRES))
    monkeypatch.setattr("kubealign.cli.deploy.server_side_check", lambda *a, **k: mixed)
    result = run_cli("deploy", "--env", "development", "--dir", str(converted_sophia),
                     "--recreate-statefulsets")
    assert result.code == 1 and "refuses 2 field(s)" in result.stderr
    assert refusing == [] and fake_helm.calls_of("upgrade") == []


def test_production_is_confirmed_before_anything_is_deleted(
        fake_helm: FakeHelm, converted_sophia: Path, monkeypatch: pytest.MonkeyPatch,
        refusing: Deleted) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    for command in ("deploy", "rollback"):
        result = run_cli(command, "--env", "production", "--dir", str(converted_sophia),
                         "--recreate-statefulsets")
        assert result.code == 2 and "--yes" in result.stderr, result.stderr
    assert refusing == [] and fake_helm.calls_of("upgrade") == []
    assert fake_helm.calls_of("rollback") == []


def test_rollback_meets_the_same_refusal_and_the_same_cure(
        fake_helm: FakeHelm, converted_sophia: Path,
        refusing: Deleted) -> None:
    for _ in range(2):
        assert run_cli("deploy", "-e", "development", "-d", str(converted_sophia),
                       "--recreate-statefulsets").code == 0
    upgrades = len(fake_helm.calls_of("upgrade"))
    refusing.clear()
    refused = run_cli("rollback", "--env", "development", "--dir", str(converted_sophia))
    assert refused.code == 1
    assert "kubealign rollback again with --recreate-statefulsets" in refused.stderr
    assert fake_helm.calls_of("rollback") == [] and refusing == []
    done = run_cli("rollback", "--env", "development", "--dir", str(converted_sophia),
                   "--recreate-statefulsets")
    assert done.code == 0, done.stderr
    assert refusing == [(plan_namespace(converted_sophia, "development"), ("postgres",),
                         upgrades)]  # deleted before Helm rolled back
    assert len(fake_helm.calls_of("rollback")) == 1


def test_a_rollback_checks_the_objects_of_the_revision_it_returns_to(
        fake_helm: FakeHelm, monkeypatch: pytest.MonkeyPatch) -> None:
    statefulset = ("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\n"
                   "spec: {serviceName: db}\n")
    monkeypatch.setenv("FAKE_HELM_MANIFEST", statefulset)
    client, target = BinaryHelmClient("helm"), Target("sophia", "shop")
    for _ in range(3):
        client.upgrade_install(target, Path("chart"), [], UpgradeOptions())
    assert rollback_revision(target, client, None) == 2  # what helm rollback picks
    assert rollback_revision(target, client, 1) == 1
    with pytest.raises(UsageError, match="revisions start at 1"):
        rollback_revision(target, client, 0)
    sent: list[Any] = []
    monkeypatch.setattr("kubealign.actions.deploy.server_check",
                        lambda objects, namespace, **_: sent.append((objects, namespace)))
    rollback_server_check(target, client, 2)
    assert sent == [([{"apiVersion": "apps/v1", "kind": "StatefulSet",
                       "metadata": {"name": "db"}, "spec": {"serviceName": "db"}}], "shop")]
    assert ["status", "sophia", "--revision", "2", "--namespace", "shop", "--output",
            "json"] in fake_helm.calls_of("status")
