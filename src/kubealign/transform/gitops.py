"""Argo CD for the generated chart: one ApplicationSet (list generator, one Application per
environment) and the same Applications written out plainly; Keel annotations found in the
repository, each with its Argo CD Image Updater equivalent (an ``ImageUpdater`` resource with
git write-back to the environment's values file)."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubealign.model.plan import Plan

ARGO_API = "argoproj.io/v1alpha1"
IMAGE_UPDATER_API = "argocd-image-updater.argoproj.io/v1alpha1"
SYNC_OPTIONS = ("CreateNamespace=true", "ServerSideApply=true")
KEEL_PREFIX = "keel.sh/"


@dataclass(frozen=True, slots=True)
class EnvironmentTarget:
    name: str
    namespace: str
    value_files: tuple[str, ...]
    """Relative to the chart folder, in order (last wins)."""
    synced: bool = True
    """Argo CD syncs it automatically (deployed today); else its Application waits for a
    manual sync and the ApplicationSet leaves it out."""


@dataclass(frozen=True, slots=True)
class GitSource:
    repo_url: str
    revision: str
    chart_path: str


def _sync_policy(automated: bool = True) -> dict[str, Any]:
    # Prune and self-heal: Git is the only source of truth; waves order config before workloads
    # inside the chart (SecretStore -2, ExternalSecret -1, the rest 0). An environment nothing
    # deploys today is not started by merely applying the Application.
    policy: dict[str, Any] = {"syncOptions": list(SYNC_OPTIONS)}
    if automated:
        policy = {"automated": {"prune": True, "selfHeal": True}, **policy}
    return policy


def _spec(plan: Plan, source: GitSource, value_files: Sequence[str], namespace: str,
          automated: bool = True) -> dict[str, Any]:
    return {
        "project": plan.gitops.project,
        "source": {
            "repoURL": source.repo_url,
            "targetRevision": source.revision,
            "path": source.chart_path,
            "helm": {"releaseName": plan.release, "valueFiles": list(value_files)},
        },
        "destination": {"server": plan.gitops.server, "namespace": namespace},
        "syncPolicy": _sync_policy(automated),
    }


def _labels(plan: Plan, environment: str) -> dict[str, str]:
    return {"app.kubernetes.io/part-of": plan.release,
            "app.kubernetes.io/managed-by": "kubealign",
            "kubealign.io/environment": environment}


def application(plan: Plan, source: GitSource, target: EnvironmentTarget) -> dict[str, Any]:
    return {
        "apiVersion": ARGO_API,
        "kind": "Application",
        "metadata": {"name": f"{plan.release}-{target.name}",
                     "namespace": plan.gitops.argocd_namespace,
                     "labels": _labels(plan, target.name),
                     "finalizers": ["resources-finalizer.argocd.argoproj.io"]},
        "spec": _spec(plan, source, target.value_files, target.namespace, target.synced),
    }


def application_set(plan: Plan, source: GitSource, targets: Sequence[EnvironmentTarget]
                    ) -> dict[str, Any]:
    order = {name: index for index, name in enumerate(plan.migration_order)}
    elements = [{"environment": t.name, "namespace": t.namespace,
                 "valuesFile": t.value_files[-1],
                 "migrationStep": str(order.get(t.name, len(order)) + 1)} for t in targets
                if t.synced]
    template_spec = _spec(plan, source, ["values.yaml", "{{.valuesFile}}"], "{{.namespace}}")
    return {
        "apiVersion": ARGO_API,
        "kind": "ApplicationSet",
        "metadata": {"name": plan.release, "namespace": plan.gitops.argocd_namespace,
                     "labels": {"app.kubernetes.io/part-of": plan.release,
                                "app.kubernetes.io/managed-by": "kubealign"}},
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [{"list": {"elements": elements}}],
            "template": {
                "metadata": {
                    "name": f"{plan.release}-{{{{.environment}}}}",
                    "labels": {**_labels(plan, "{{.environment}}"),
                               "kubealign.io/migration-step": "{{.migrationStep}}"},
                    "finalizers": ["resources-finalizer.argocd.argoproj.io"],
                },
                "spec": template_spec,
            },
            "syncPolicy": {"preserveResourcesOnDeletion": True},
        },
    }


# --------------------------------------------------------------------------- Keel


@dataclass(frozen=True, slots=True)
class KeelWorkload:
    path: str
    line: int | None
    kind: str
    name: str
    annotations: tuple[tuple[str, str], ...]
    images: tuple[str, ...]

    def get(self, key: str) -> str | None:
        return dict(self.annotations).get(KEEL_PREFIX + key)


def keel_workloads(documents: Sequence[tuple[str, int | None, Mapping[str, Any]]]
                   ) -> list[KeelWorkload]:
    """Workloads whose annotations or labels carry ``keel.sh/*`` (annotations win)."""
    found: list[KeelWorkload] = []
    for path, line, doc in documents:
        meta = doc.get("metadata")
        if not isinstance(meta, Mapping):
            continue
        merged: dict[str, str] = {}
        for source in ("labels", "annotations"):
            values = meta.get(source)
            if isinstance(values, Mapping):
                merged.update({str(k): str(v) for k, v in values.items()
                               if str(k).startswith(KEEL_PREFIX)})
        if not merged:
            continue
        found.append(KeelWorkload(path, line, str(doc.get("kind", "")),
                                  str(meta.get("name", "")), tuple(sorted(merged.items())),
                                  tuple(_images(doc))))
    return sorted(found, key=lambda k: (k.path, k.line or 0, k.name))


def _images(doc: Mapping[str, Any]) -> list[str]:
    spec = doc.get("spec")
    template = spec.get("template") if isinstance(spec, Mapping) else None
    pod = template.get("spec") if isinstance(template, Mapping) else None
    containers = pod.get("containers") if isinstance(pod, Mapping) else None
    return [str(c["image"]) for c in containers or [] if isinstance(c, Mapping) and "image" in c]


@dataclass(frozen=True, slots=True)
class UpdatePolicy:
    strategy: str
    constraint: str | None
    allow_tags: str | None
    note: str


def image_updater_policy(workload: KeelWorkload, tag: str | None) -> UpdatePolicy:
    """Keel policy -> Image Updater strategy (reference §6.7's suggested mapping)."""
    policy = (workload.get("policy") or "").strip()
    match_tag = (workload.get("matchTag") or workload.get("match-tag") or "").lower() == "true"
    parts = re.match(r"^v?(\d+)\.(\d+)", tag or "")
    if policy == "patch" and parts:
        return UpdatePolicy("semver", f"{parts.group(1)}.{parts.group(2)}.x", None,
                            "patch -> semver X.Y.x")
    if policy == "minor" and parts:
        return UpdatePolicy("semver", f"{parts.group(1)}.x", None, "minor -> semver X.x")
    if policy in ("major", "all"):
        return UpdatePolicy("semver", None, None, f"{policy} -> semver without constraint")
    if policy == "force":
        if match_tag:
            return UpdatePolicy("digest", None, None,
                                "force + matchTag -> digest (follow the same tag's digest)")
        return UpdatePolicy("newest-build", None, None, "force -> newest-build")
    if policy.startswith(("glob:", "regexp:")):
        kind, _, pattern = policy.partition(":")
        regexp = pattern if kind == "regexp" else _glob_to_regexp(pattern)
        return UpdatePolicy("newest-build", None, f"regexp:{regexp}", f"{kind} -> allowTags")
    if policy in ("minor", "patch"):
        return UpdatePolicy("semver", None, None, f"{policy}: the tag {tag!r} is not semver; "
                            "set a constraint by hand")
    return UpdatePolicy("semver", None, None, f"policy {policy!r} has no direct equivalent")


def _glob_to_regexp(pattern: str) -> str:
    return "^" + re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".") + "$"


def image_updater(plan: Plan, source: GitSource, workloads: Sequence[KeelWorkload],
                  services: Mapping[str, str], environments: Sequence[str]
                  ) -> dict[str, Any] | None:
    """An ``ImageUpdater`` for the Keel-managed images the chart also runs.

    ``services`` maps an image repository to the values key of the service running it.
    Write-back is ``git`` to the values file of each environment (Argo CD-generated
    Applications would lose an in-cluster patch on the next sync).
    """
    images: list[dict[str, Any]] = []
    for workload in workloads:
        for image in workload.images:
            repository, _, tag = image.partition(":")
            key = services.get(repository)
            if key is None:
                continue
            policy = image_updater_policy(workload, tag or None)
            settings: dict[str, Any] = {"updateStrategy": policy.strategy}
            if policy.allow_tags:
                settings["allowTags"] = policy.allow_tags
            name = f"{repository}:{policy.constraint}" if policy.constraint else repository
            images.append({
                "alias": key,
                "imageName": name,
                "commonUpdateSettings": settings,
                "manifestTargets": {"helm": {"name": f"services.{key}.image.repository",
                                             "tag": f"services.{key}.image.tag"}},
            })
    if not images:
        return None
    unique = {img["alias"]: img for img in images}
    return {
        "apiVersion": IMAGE_UPDATER_API,
        "kind": "ImageUpdater",
        "metadata": {"name": plan.release, "namespace": plan.gitops.argocd_namespace},
        "spec": {
            "applicationRefs": [{"namePattern": f"{plan.release}-{env}",
                                 # copies: a shared object would be written as a YAML alias
                                 "images": [copy.deepcopy(unique[k]) for k in sorted(unique)],
                                 "writeBackConfig": {"method": "git", "gitConfig": {
                                     "repository": source.repo_url,
                                     "branch": source.revision,
                                     # relative: to the Application's path, the chart
                                     "writeBackTarget": f"helmvalues:values-{env}.yaml"}}}
                                for env in environments],
        },
    }
