"""Recreate StatefulSets whose fixed fields an upgrade changes (``--recreate-statefulsets``).

Kubernetes never changes a StatefulSet's ``volumeClaimTemplates``, ``selector`` or
``serviceName`` in place, and neither Helm nor Argo CD can: the usual way (Argo CD's
``Replace=true`` sync option, the Helm community's ``kubectl delete --cascade=orphan``) is
to delete the object and let the upgrade create it anew. It is deleted with
``propagationPolicy: Orphan``, so its PersistentVolumeClaims stay even under a
``persistentVolumeClaimRetentionPolicy`` of ``Delete``.

Its pods are then deleted too, one by one: measured on the local control plane, a pod the new
StatefulSet adopts keeps the old volumes, and the controller's attempt to give it the new
claims is refused ("pod updates may not change fields other than ...") on every sync, so the
rollout never starts and Helm's wait times out (a changed selector or serviceName fails the
same way). Created anew, each pod mounts its old claims again (same names) and the new
template's new ones.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubealign.deploy.kube_api import KubeApi
from kubealign.deploy.server_check import Rejection
from kubealign.errors import DeployError

PROPAGATION = "Orphan"
# The garbage collector first takes the pods' owner references off (the orphan finalizer):
# a few seconds on a busy cluster. Helm must not apply before the object is gone, or it
# patches the one being deleted and the upgrade ends with no StatefulSet at all; a pod
# takes its termination grace period.
_GONE_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class RecreatePlan:
    """What ``--recreate-statefulsets`` would do with the server's refusals."""

    names: tuple[str, ...]
    """The StatefulSets to delete (sorted); empty when nothing is to be recreated."""
    blocking: tuple[Rejection, ...]
    """Refusals recreating cannot cure: any one of them stops the deploy as before."""


def recreate_plan(rejections: Sequence[Rejection]) -> RecreatePlan:
    """The StatefulSets to recreate, only when every refusal is an immutable-StatefulSet one."""
    blocking = tuple(r for r in rejections if not r.immutable_statefulset)
    names = tuple(sorted({r.name for r in rejections if r.immutable_statefulset}))
    return RecreatePlan(() if blocking else names, blocking)


def deletion_line(name: str, namespace: str, *, would: bool = False) -> str:
    """What is said on stderr before each deletion (by ``--dry-run``: what would be)."""
    verb = "would delete" if would else "deleting"
    return (f"recreate: {verb} StatefulSet {name} in namespace {namespace} with "
            f"propagationPolicy {PROPAGATION}, then its pods (their PersistentVolumeClaims "
            "stay; the upgrade creates the StatefulSet anew and its pods on the same claims)")


def _message(payload: Any) -> str:
    said = payload.get("message") if isinstance(payload, Mapping) else None
    return str(said or "no message")


class _Deleter:
    """Deletes objects and waits until each is gone (bounded, then one error line)."""

    def __init__(self, api: KubeApi, timeout: float, sleep: Callable[[float], None],
                 clock: Callable[[], float]) -> None:
        self.api, self.timeout, self.sleep, self.clock = api, timeout, sleep, clock

    def delete(self, path: str, what: str, propagation: str) -> None:
        status, payload = self.api.delete(path, propagation)
        if status >= 300 and status != 404:
            raise DeployError(f"cannot delete {what} (HTTP {status}): {_message(payload)}; "
                              f"expected the API server to accept a delete with "
                              f"propagationPolicy {propagation}; nothing was upgraded")
        deadline = self.clock() + self.timeout
        while self.api.get(path) is not None:
            if self.clock() >= deadline:
                raise DeployError(f"{what} still exists {self.timeout:.0f}s after its "
                                  "deletion: expected the cluster to remove it; nothing was "
                                  "upgraded (run the command again once it is gone)")
            self.sleep(0.5)


def _owned_pods(api: KubeApi, namespace: str, statefulset: Mapping[str, Any]) -> list[str]:
    """The pods the StatefulSet controls (read before its deletion takes their owner off)."""
    uid = (statefulset.get("metadata") or {}).get("uid")
    labels = ((statefulset.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    query = urllib.parse.urlencode(
        {"labelSelector": ",".join(f"{k}={v}" for k, v in sorted(labels.items()))})
    listed = api.get(f"/api/v1/namespaces/{urllib.parse.quote(namespace)}/pods?{query}") or {}
    return sorted(
        str(pod["metadata"]["name"]) for pod in listed.get("items") or []
        if any(ref.get("uid") == uid and ref.get("controller")
               for ref in pod["metadata"].get("ownerReferences") or [])
    )


def delete_orphaning(
    api: KubeApi,
    namespace: str,
    names: Sequence[str],
    *,
    say: Callable[[str], None],
    timeout: float = _GONE_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Delete each StatefulSet (Orphan) and then its pods, waiting until each one is gone."""
    resource = api.resource("apps/v1", "StatefulSet")
    if resource is None:
        raise DeployError("the cluster does not serve apps/v1 StatefulSet: expected it to "
                          "delete the StatefulSets to recreate")
    deleter = _Deleter(api, timeout, sleep, clock)
    for name in names:
        path = api.object_path("apps/v1", resource, namespace, name)
        live = api.get(path)
        pods = _owned_pods(api, namespace, live) if isinstance(live, Mapping) else []
        say(deletion_line(name, namespace))
        deleter.delete(path, f"StatefulSet {name} in namespace {namespace}", PROPAGATION)
        for pod in pods:
            say(f"recreate: deleting pod {pod} of StatefulSet {name} in namespace {namespace}")
            deleter.delete(f"/api/v1/namespaces/{urllib.parse.quote(namespace)}/pods/"
                           f"{urllib.parse.quote(pod)}", f"pod {pod} in namespace {namespace}",
                           "Background")
