"""Server-side truth before a deploy: what the API server would refuse, and what would change.

Every rendered object goes to the cluster as a server-side apply dry run
(:mod:`kubealign.deploy.kube_api`). A refusal becomes a :class:`Rejection` naming the object
and, where the server says it, the field (``spec.template.spec.hostAliases[0].ip``) and its
message. An accepted object comes back as the server would store it, which ``--diff``
compares with the live object, the way ``kubectl diff`` does.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kubealign.deploy.kube_api import FIELD_MANAGER, ClusterUnavailable, KubeApi

# Fields the server owns: they differ on every write and say nothing about the change.
_SERVER_METADATA = ("managedFields", "resourceVersion", "generation", "creationTimestamp",
                    "uid", "selfLink")


@dataclass(frozen=True, slots=True)
class Rejection:
    kind: str
    name: str
    field: str
    message: str

    def describe(self) -> str:
        where = f" {self.field}:" if self.field else ""
        return f"{self.kind}/{self.name}:{where} {self.message}"

    @property
    def immutable_statefulset(self) -> bool:
        """A StatefulSet whose fixed fields (volumeClaimTemplates, selector, serviceName,
        podManagementPolicy) the new values change: no upgrade can apply it in place."""
        return self.kind == "StatefulSet" and \
            "updates to statefulset spec for fields other than" in self.message


@dataclass(frozen=True, slots=True)
class ObjectChange:
    """One object of a diff, against the live cluster or against the deployed release."""

    change: str  # "added" | "removed" | "changed" | "unchanged"
    kind: str
    namespace: str
    name: str
    diff: str = ""


@dataclass(frozen=True, slots=True)
class ServerCheck:
    """The outcome; ``skipped`` says why no cluster was asked (``None`` when it was)."""

    server: str = ""
    skipped: str | None = None
    accepted: int = 0
    rejections: tuple[Rejection, ...] = ()
    notes: tuple[str, ...] = ()
    changes: tuple[ObjectChange, ...] = field(default=())


def _name(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name") or "?")


def _rejections(kind: str, name: str, status: int, payload: Any) -> list[Rejection]:
    """The API server's Status: one Rejection per cause, else one for its message."""
    body: Mapping[str, Any] = payload if isinstance(payload, Mapping) else {}
    message = str(body.get("message") or f"HTTP {status}")
    causes = (body.get("details") or {}).get("causes") or []
    found = [
        Rejection(kind, name, str(cause.get("field") or ""),
                  str(cause.get("message") or cause.get("reason") or message))
        for cause in causes if isinstance(cause, Mapping)
    ]
    return found or [Rejection(kind, name, "", message)]


def _comparable(obj: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in obj.items() if k != "status"}
    metadata = dict(out.get("metadata") or {})
    for key in _SERVER_METADATA:
        metadata.pop(key, None)
    annotations = dict(metadata.get("annotations") or {})
    annotations.pop("deployment.kubernetes.io/revision", None)
    if annotations:
        metadata["annotations"] = annotations
    else:
        metadata.pop("annotations", None)
    out["metadata"] = metadata
    return out


def _diff(label: str, live: Mapping[str, Any], planned: Mapping[str, Any]) -> str:
    before = yaml.safe_dump(_comparable(live), sort_keys=True).splitlines()
    after = yaml.safe_dump(_comparable(planned), sort_keys=True).splitlines()
    return "\n".join(difflib.unified_diff(before, after, f"live {label}", f"new {label}",
                                          lineterm=""))


def applying_manager(live: Mapping[str, Any] | None) -> str:
    """The field manager to dry-run an existing object as: the one that applied it.

    The upgrade itself applies as that manager (Helm 4 applies server-side as ``helm``), so
    fields it set before and no longer sets are removed. Applied as another manager they
    would stay, and the dry run would answer for an object the upgrade never makes (a
    Deployment switched to ``Recreate`` keeping the old ``rollingUpdate``, which the server
    refuses). Objects nobody applied (new, or written by client-side apply) use our own.
    """
    appliers = {
        str(entry.get("manager"))
        for entry in ((live or {}).get("metadata") or {}).get("managedFields") or []
        if isinstance(entry, Mapping) and entry.get("operation") == "Apply"
        and not entry.get("subresource") and entry.get("manager")
    }
    return appliers.pop() if len(appliers) == 1 else FIELD_MANAGER


def server_check(
    objects: Sequence[Mapping[str, Any]],
    namespace: str,
    *,
    kube_context: str | None = None,
    kubeconfig: Path | None = None,
    with_diff: bool = False,
) -> ServerCheck:
    """Dry-run every object on the cluster; ``skipped`` when no cluster can be asked."""
    try:
        api = KubeApi.connect(kubeconfig, kube_context)
    except ClusterUnavailable as exc:
        return ServerCheck(skipped=str(exc))
    notes: list[str] = []
    target_ns = namespace
    if not api.namespace_exists(namespace):
        # Namespaced objects cannot be dry-run into a namespace that does not exist yet;
        # "default" gets the same validation and admission apart from namespace policies.
        target_ns = "default"
        notes.append(f"namespace {namespace!r} does not exist yet: objects were checked in "
                     "'default' (namespace-scoped policies of the target are not seen)")
    rejections: list[Rejection] = []
    changes: list[ObjectChange] = []
    accepted = 0
    for obj in objects:
        kind, name = str(obj.get("kind") or "?"), _name(obj)
        api_version = str(obj.get("apiVersion") or "")
        resource = api.resource(api_version, kind)
        if resource is None:
            rejections.append(Rejection(kind, name, "apiVersion",
                                        f"{api_version} {kind} is not served by this cluster "
                                        "(its CRD is not installed)"))
            continue
        body = dict(obj)
        metadata = dict(body.get("metadata") or {})
        if resource.namespaced:
            metadata["namespace"] = target_ns
        body["metadata"] = metadata
        path = api.object_path(api_version, resource, target_ns, name)
        live = api.get(path) if target_ns == namespace else None
        status, payload = api.apply_dry_run(path, body, applying_manager(live))
        if status >= 300:
            rejections.extend(_rejections(kind, name, status, payload))
            continue
        accepted += 1
        if with_diff and target_ns == namespace:
            label = f"{kind}/{name}"
            if live is None:
                changes.append(ObjectChange("added", kind, namespace, name))
            else:
                text = _diff(label, live, payload)
                changes.append(ObjectChange("changed" if text else "unchanged", kind, namespace,
                                          name, text))
        elif with_diff:
            changes.append(ObjectChange("added", kind, namespace, name))
    return ServerCheck(api.creds.server, None, accepted, tuple(rejections), tuple(notes),
                       tuple(changes))
