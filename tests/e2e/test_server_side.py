"""deploy/server_check.py against a real kube-apiserver: what it accepts, what it refuses and
with which field, and the diff against live objects."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import Kubectl

from kubealign.deploy.kube_api import FIELD_MANAGER, KubeApi
from kubealign.deploy.server_check import server_check
from kubealign.transform.secrets.providers import SecretsSettings, provider_block


def _deployment(name: str, **pod: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": name, "image": "nginx:1.27"}], **pod},
            },
        },
    }


@pytest.fixture
def namespace(kubectl: Kubectl, request: pytest.FixtureRequest) -> Iterator[str]:
    # One namespace per test case: a parameter's id is kept, so cases never share one that
    # is still being deleted.
    test, _, param = request.node.name.partition("[")
    name = ("srv-" + test.replace("_", "-")[5:40].strip("-")
            + (f"-{param.rstrip(']')}" if param else "")).lower()[:63].strip("-")
    kubectl("create", "namespace", name)
    yield name
    kubectl("delete", "namespace", name, "--wait=false", check=False)


def test_valid_objects_are_accepted_and_nothing_is_stored(local_cluster: Path, namespace: str,
                                                          kubectl: Kubectl) -> None:
    check = server_check([_deployment("web")], namespace, kubeconfig=local_cluster)
    assert check.skipped is None and check.rejections == ()
    assert check.accepted == 1 and check.server.startswith("https://127.0.0.1:")
    assert kubectl("get", "deployments", "-n", namespace, "-o", "name") == ""


def test_refusals_name_the_object_and_the_field(local_cluster: Path, namespace: str) -> None:
    # The three refusals issue 12 saw on real stacks, and a field Strict validation rejects.
    bad_alias = _deployment("alias", hostAliases=[{"ip": "host-gateway",
                                                   "hostnames": ["host.docker.internal"]}])
    unknown_field = _deployment("shm")
    unknown_field["spec"]["template"]["spec"]["containers"][0]["shmSize"] = "1Gi"
    empty_selector = _deployment("sel", nodeSelector={"gpu-type": ""})
    missing_crd = {"apiVersion": "example.com/v1", "kind": "Widget",
                   "metadata": {"name": "w"}}
    check = server_check([bad_alias, unknown_field, empty_selector, missing_crd], namespace,
                         kubeconfig=local_cluster)
    found = {(r.kind, r.name, r.field) for r in check.rejections}
    assert ("Deployment", "alias", "spec.template.spec.hostAliases[0].ip") in found
    assert any(r.name == "shm" and "shmSize" in r.message for r in check.rejections)
    assert ("Widget", "w", "apiVersion") in found
    # An empty node selector value is valid for the API server: only the scheduler (and
    # the e2e's Pending check) sees it never matches. The dry run must not invent refusals.
    assert not any(r.name == "sel" for r in check.rejections)
    assert check.accepted == 1


def test_a_missing_namespace_is_checked_in_default_with_a_note(local_cluster: Path) -> None:
    check = server_check([_deployment("web")], "does-not-exist-yet", kubeconfig=local_cluster)
    assert check.accepted == 1
    assert any("does not exist yet" in note for note in check.notes)


def _apply_as(api: KubeApi, namespace: str, obj: dict[str, Any], manager: str) -> None:
    resource = api.resource("apps/v1", "Deployment")
    assert resource is not None
    path = api.object_path("apps/v1", resource, namespace, obj["metadata"]["name"])
    body = json.dumps({**obj, "metadata": {**obj["metadata"], "namespace": namespace}})
    status, payload = api.request("PATCH", f"{path}?fieldManager={manager}&force=true",
                                  body.encode(), "application/apply-patch+yaml")
    assert status < 300, payload


def test_an_upgrade_is_dry_run_as_the_manager_that_applied_the_release(
        local_cluster: Path, namespace: str) -> None:
    """Switching a Deployment to Recreate drops rollingUpdate; applied by another field
    manager the old rollingUpdate would stay and the server refuse the object, although
    Helm's own upgrade (the same manager) succeeds."""
    api = KubeApi.connect(local_cluster)
    _apply_as(api, namespace, _deployment("gpu"), "helm")
    recreate = copy.deepcopy(_deployment("gpu"))
    recreate["spec"]["strategy"] = {"type": "Recreate"}
    check = server_check([recreate], namespace, kubeconfig=local_cluster, with_diff=True)
    assert check.rejections == (), [r.describe() for r in check.rejections]
    [change] = check.changes
    assert change.change == "changed" and "-    type: RollingUpdate" in change.diff
    # The same dry run as our own manager is refused: the test above can fail.
    resource = api.resource("apps/v1", "Deployment")
    assert resource is not None
    path = api.object_path("apps/v1", resource, namespace, "gpu")
    body = {**recreate, "metadata": {**recreate["metadata"], "namespace": namespace}}
    status, payload = api.apply_dry_run(path, body, FIELD_MANAGER)
    assert status == 422 and "rollingUpdate" in json.dumps(payload)


def test_diff_against_live_objects(local_cluster: Path, namespace: str) -> None:
    api = KubeApi.connect(local_cluster)
    _apply_as(api, namespace, _deployment("web"), "helm")
    same = server_check([_deployment("web"), _deployment("new")], namespace,
                        kubeconfig=local_cluster, with_diff=True)
    assert [(c.name, c.change) for c in same.changes] == [("web", "unchanged"),
                                                          ("new", "added")]
    moved = _deployment("web")
    moved["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28"
    [change] = server_check([moved], namespace, kubeconfig=local_cluster,
                            with_diff=True).changes
    assert change.change == "changed"
    assert "+      - image: nginx:1.28" in change.diff and "nginx:1.27" in change.diff


@pytest.mark.parametrize("provider", ["pulumi", "vault", "aws", "gcp"])
def test_every_provider_s_store_is_accepted_by_the_external_secrets_crds(
        local_cluster: Path, namespace: str, provider: str) -> None:
    # The chart's Pulumi store once used `auth.accessToken` (ESO v2.5+ only): the CRDs the
    # cluster serves refused it ("field not declared") and no secret ever synced.
    settings = {"pulumi": {"organization": "acme", "project": "shop", "environment": "prod"},
                "vault": {"server": "https://vault:8200", "role": "shop"},
                "aws": {"region": "eu-west-1"},
                "gcp": {"project_id": "acme-prod"}}[provider]
    block = provider_block(SecretsSettings(provider, settings))
    assert block is not None
    store = {"apiVersion": "external-secrets.io/v1", "kind": "SecretStore",
             "metadata": {"name": f"{provider}-store"}, "spec": {"provider": block}}
    check = server_check([store], namespace, kubeconfig=local_cluster)
    assert check.rejections == (), check.rejections
    assert check.accepted == 1


def test_text_outside_the_bmp_reaches_the_api_server_intact(local_cluster: Path,
                                                             namespace: str) -> None:
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "motd"},
              "data": {"motd": "deployed \U0001F680, ╔═╗ and é"}}
    check = server_check([config], namespace, kubeconfig=local_cluster)
    assert check.rejections == (), check.rejections
    assert check.accepted == 1


def test_a_changed_claim_template_is_refused_as_a_statefulset_field_fixed_in_place(
        local_cluster: Path, namespace: str, kubectl: Kubectl) -> None:
    # Seen upgrading real charts (Dashboard4-0, ValueCanvas, Nexus): an environment whose
    # volume has another name changes volumeClaimTemplates, which no upgrade can apply.
    def statefulset(claim: str) -> dict[str, Any]:
        return {"apiVersion": "apps/v1", "kind": "StatefulSet",
                "metadata": {"name": "db", "labels": {"app": "db"}},
                "spec": {"serviceName": "db", "replicas": 1,
                         "selector": {"matchLabels": {"app": "db"}},
                         "template": {"metadata": {"labels": {"app": "db"}},
                                      "spec": {"containers": [{"name": "db",
                                                               "image": "postgres:16"}]}},
                         "volumeClaimTemplates": [{"metadata": {"name": claim}, "spec": {
                             "accessModes": ["ReadWriteOnce"],
                             "resources": {"requests": {"storage": "1Gi"}}}}]}}
    kubectl("apply", "-n", namespace, "-f", "-", stdin=json.dumps(statefulset("data")))
    check = server_check([statefulset("data-production")], namespace, kubeconfig=local_cluster)
    assert check.rejections and all(r.immutable_statefulset for r in check.rejections)
