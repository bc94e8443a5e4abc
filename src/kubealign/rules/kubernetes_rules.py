"""K8S: Kubernetes manifests, Kustomize, Helm charts and Argo CD apps kept in the repository."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath

from kubealign.load.dockerfile import parse_image_ref
from kubealign.model.audit import (
    ChartEntry,
    DriftEntry,
    KeelAnnotation,
    KubernetesSection,
    ManifestEntry,
    NamespaceUse,
)
from kubealign.model.findings import Finding, Severity
from kubealign.model.inventory import ArtifactKind
from kubealign.rules.base import Rule
from kubealign.rules.context import AuditContext
from kubealign.rules.helpers import WORKLOAD_KINDS, ManifestObject, manifest_objects
from kubealign.rules.kustomize import kustomize_facts
from kubealign.rules.liveness import liveness
from kubealign.rules.strategies import anything_live
from kubealign.rules.variants import ServiceFacts, compose_facts

K = ArtifactKind


def _kustomize_namespaces(ctx: AuditContext) -> dict[str, tuple[str, str]]:
    """Directory of a kustomization -> (namespace, kustomization path)."""
    found: dict[str, tuple[str, str]] = {}
    for artifact in ctx.inventory.by_kind(K.KUSTOMIZATION):
        if artifact.kustomization and artifact.kustomization.namespace:
            directory = str(PurePosixPath(artifact.path).parent)
            found[directory] = (artifact.kustomization.namespace, artifact.path)
    return found


def namespace_uses(ctx: AuditContext) -> tuple[NamespaceUse, ...]:
    uses: dict[str, set[str]] = {}
    for obj in manifest_objects(ctx):
        name = obj.name if obj.kind == "Namespace" else obj.namespace
        if name:
            uses.setdefault(name, set()).add(f"{obj.path}:{obj.line('metadata') or 1}")
    for directory, (namespace, path) in _kustomize_namespaces(ctx).items():
        del directory
        uses.setdefault(namespace, set()).add(path)
    return tuple(NamespaceUse(n, tuple(sorted(uses[n]))) for n in sorted(uses))


def _image_key(image: str) -> tuple[str, str | None]:
    ref = parse_image_ref(image)
    return PurePosixPath(ref.repository).name, ref.tag or "latest"


def drift_entries(ctx: AuditContext) -> tuple[DriftEntry, ...]:
    """Workloads whose compose counterpart (same image repository) differs; the service is
    named by its values key.

    Compared with the live compose files when any exist (production truth), else all.
    """
    facts = compose_facts(ctx)
    live = liveness(ctx)
    live_files = [p for p in facts if live.is_live(p) and ctx.compose[p].swarm]
    files = live_files or sorted(facts)
    # A manifest names no compose service: its image says which one it runs (per file, the
    # first service by values key of each image repository).
    by_repository: dict[str, dict[str, ServiceFacts]] = {}
    for path in files:
        index = by_repository[path] = {}
        for _, item in sorted(facts[path].items()):
            if item.repository:
                index.setdefault(PurePosixPath(item.repository).name, item)
    entries: list[DriftEntry] = []
    for obj in manifest_objects(ctx):
        if obj.kind not in WORKLOAD_KINDS:
            continue
        for tokens, container in obj.containers():
            image = container.get("image")
            if not isinstance(image, str) or not image:
                continue
            repository, tag = _image_key(image)
            for path in files:
                fact = by_repository[path].get(repository)
                if fact is None:
                    continue
                key = fact.key
                if fact.tag != tag:
                    entries.append(
                        DriftEntry(
                            key,
                            "image-tag",
                            path,
                            fact.lines["image-tag"],
                            fact.tag or "-",
                            obj.path,
                            obj.line(*tokens, "image"),
                            tag or "-",
                        )
                    )
                spec = obj.data.get("spec")
                replicas = spec.get("replicas") if isinstance(spec, Mapping) else None
                if replicas is not None and fact.values["replicas"] not in {None, str(replicas)}:
                    entries.append(
                        DriftEntry(
                            key,
                            "replicas",
                            path,
                            fact.lines["replicas"],
                            fact.values["replicas"] or "-",
                            obj.path,
                            obj.line("spec", "replicas"),
                            str(replicas),
                        )
                    )
    return tuple(
        sorted(entries, key=lambda e: (e.service, e.aspect, e.manifest_file, e.compose_file))
    )


def keel_annotations(ctx: AuditContext) -> tuple[KeelAnnotation, ...]:
    found = []
    for obj in manifest_objects(ctx):
        metadata = obj.data.get("metadata")
        annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
        if isinstance(annotations, Mapping) and "keel.sh/policy" in annotations:
            found.append(
                KeelAnnotation(
                    obj.path,
                    obj.line("metadata", "annotations", "keel.sh/policy"),
                    f"{obj.kind}/{obj.name}",
                    str(annotations["keel.sh/policy"]),
                )
            )
    return tuple(found)


def chart_entries(ctx: AuditContext) -> tuple[ChartEntry, ...]:
    live = liveness(ctx)
    entries = []
    for artifact in ctx.inventory.by_kind(K.HELM_CHART):
        info = artifact.helm_chart
        directory = info.directory if info else str(PurePosixPath(artifact.path).parent)
        members = [a.path for a in ctx.inventory if a.path.startswith(directory + "/")]
        installers = sorted(
            {
                f"{e.source}:{e.line}" if e.line else e.source
                for m in members
                for e in live.referenced_by(m)
                if live.is_live(e.source)
            }
        )
        entries.append(
            ChartEntry(directory, info.name if info else None, bool(installers), tuple(installers))
        )
    return tuple(entries)


def kubernetes_section(ctx: AuditContext) -> KubernetesSection:
    live = liveness(ctx)
    by_file: dict[str, list[ManifestObject]] = {}
    for obj in manifest_objects(ctx):
        by_file.setdefault(obj.path, []).append(obj)
    manifests = []
    for path in sorted(by_file):
        objs = by_file[path]
        applied_by = tuple(sorted({e.source for e in live.live_referrers(path)}))
        manifests.append(
            ManifestEntry(
                path=path,
                objects=tuple(f"{o.kind}/{o.name}" for o in objs),
                namespaces=tuple(sorted({o.namespace for o in objs if o.namespace})),
                applied=live.is_live(path),
                applied_by=applied_by,
            )
        )
    return KubernetesSection(
        namespace_uses(ctx),
        tuple(manifests),
        drift_entries(ctx),
        keel_annotations(ctx),
        chart_entries(ctx),
    )


class ConflictingNamespaces(Rule):
    """The same workload is placed in different namespaces by different manifest trees.

    Kustomize ``namespace:`` overrides count as the namespace of every resource they build.

    Why:
        Services look each other up by ``name.namespace``; with two namespaces for one app,
        half the DNS names, Secrets and NetworkPolicies point at the wrong place.

    Fix:
        One namespace per environment, set in one place (the Argo CD Application
        destination or the Helm release).
    """

    id = "K8S001"
    name = "conflicting-namespaces"
    severity = Severity.MEDIUM
    category = "kubernetes"
    targets = ("kubernetes-manifest", "kustomization")
    root_cause = "workload"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        kustomized = kustomize_facts(ctx)
        placed: dict[str, dict[str, tuple[str, int | None]]] = {}
        for obj in manifest_objects(ctx):
            if obj.kind not in WORKLOAD_KINDS or obj.path in kustomized.patches:
                continue  # a patch changes a workload placed elsewhere
            namespace = obj.namespace or "default"
            placement = kustomized.placements.get(obj.path)
            if placement is not None:
                single = placement.single()
                if single is None:
                    continue  # overlays place one base in each environment's namespace
                namespace = single[0]
            placed.setdefault(obj.name, {}).setdefault(
                namespace, (obj.path, obj.line("metadata", "namespace") or obj.line("metadata"))
            )
        for name in sorted(placed):
            namespaces = placed[name]
            if len(namespaces) < 2:
                continue
            listing = ", ".join(f"{ns} ({p})" for ns, (p, _) in sorted(namespaces.items()))
            for namespace, (path, line) in sorted(namespaces.items()):
                yield self.finding(
                    f"workload {name!r} is placed in {len(namespaces)} namespaces: {listing}",
                    path,
                    line,
                    key=name,
                    detail=f"namespace {namespace}",
                )


class ManifestNotApplied(Rule):
    """A manifest nothing live applies, in a repository where something is live.

    No live script, CI job, kustomization or Argo CD application applies it. Where nothing
    at all is live, the repository is deployed by hand and no tree is reported.

    Why:
        Unapplied manifests describe a cluster that does not exist; they are read as
        documentation of production and they are wrong.

    Fix:
        Delete them, or make them reachable (kustomization, Argo CD) if they are the future.
    """

    id = "K8S002"
    name = "manifest-not-applied"
    severity = Severity.LOW
    category = "kubernetes"
    targets = ("kubernetes-manifest",)
    root_cause = "folder of manifests (one abandoned tree, applied or deleted together)"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        if not anything_live(ctx):
            return  # deployed by hand: no tree is abandoned for a live one
        for entry in kubernetes_section(ctx).manifests:
            if not entry.applied:
                parent = str(PurePosixPath(entry.path).parent)
                folder = "the repository root" if parent == "." else f"{parent}/"
                yield self.finding(
                    f"manifests in {folder} are applied by no live path",
                    entry.path,
                    1,
                    key=f"{parent}/",
                    detail=", ".join(entry.objects[:4])
                    + (" …" if len(entry.objects) > 4 else ""),
                )


class ComposeDrift(Rule):
    """A Kubernetes workload differs from the live compose service it mirrors.

    Image tags and replica counts are compared between each workload and the compose
    service with the same image repository in the live stack file.

    Why:
        Whoever switches to the manifests deploys old images or different scale; the two
        descriptions of production have diverged.

    Fix:
        Generate the Kubernetes side from one source (``kubealign convert``) instead of
        keeping hand-written copies.
    """

    id = "K8S003"
    name = "compose-drift"
    severity = Severity.MEDIUM
    category = "kubernetes"
    targets = ("kubernetes-manifest", "compose")
    root_cause = "service and setting"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for entry in drift_entries(ctx):
            yield self.finding(
                f"{entry.service} {entry.aspect} differs between Kubernetes and compose",
                entry.manifest_file,
                entry.manifest_line,
                key=f"{entry.service} {entry.aspect}",
                detail=f"{entry.manifest_value!r} here but {entry.compose_value!r} in "
                f"{entry.compose_file}"
                + (f":{entry.compose_line}" if entry.compose_line else ""),
            )


class HelmChartNotInstalled(Rule):
    """A Helm chart no live path installs, in a repository where something is live.

    Where nothing at all is live, the repository is deployed by hand (perhaps with
    ``helm install``) and no chart is reported.

    Why:
        An uninstalled chart is an unfinished migration: it competes with the live
        deployment for attention and drifts from it.

    Fix:
        Install it through Argo CD/CI, or replace it with the chart ``kubealign convert``
        generates.
    """

    id = "K8S004"
    name = "helm-chart-not-installed"
    severity = Severity.MEDIUM
    category = "kubernetes"
    targets = ("helm-chart",)
    root_cause = "chart"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        if not anything_live(ctx):
            return  # deployed by hand: `helm install` may be how
        for chart in chart_entries(ctx):
            if not chart.installed:
                path = f"{chart.directory}/Chart.yaml" if chart.directory else "Chart.yaml"
                yield self.finding(
                    f"chart {chart.name or chart.directory!r} is never installed", path, 1,
                    key=chart.directory,
                )


class KeelAnnotations(Rule):
    """Keel auto-update annotations on workloads.

    Why:
        Keel changes running images outside Git: with GitOps the cluster and the repository
        disagree, and Argo CD reverts Keel (or the reverse).

    Fix:
        Let CI bump the tag in the values file (or use Argo CD Image Updater writing to Git).
    """

    id = "K8S005"
    name = "keel-annotations"
    severity = Severity.LOW
    category = "kubernetes"
    targets = ("kubernetes-manifest",)
    root_cause = "manifest file"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for annotation in keel_annotations(ctx):
            yield self.finding(
                "workloads are auto-updated by Keel, outside Git",
                annotation.path,
                annotation.line,
                key=annotation.path,
                detail=f"{annotation.workload} (policy {annotation.policy})",
            )


class LatestTagInManifest(Rule):
    """A Kubernetes container image with ``latest`` or no tag.

    Why:
        Pods restarted at different times run different code, and ``kubectl rollout undo``
        cannot return to a known version.

    Fix:
        Pin the tag in the values file and let CI bump it.
    """

    id = "K8S006"
    name = "latest-tag-in-manifest"
    severity = Severity.MEDIUM
    category = "kubernetes"
    targets = ("kubernetes-manifest",)
    root_cause = "image repository"

    def check(self, ctx: AuditContext) -> Iterator[Finding]:
        for obj in manifest_objects(ctx):
            for tokens, container in obj.containers():
                image = container.get("image")
                if not isinstance(image, str) or "$" in image:
                    continue
                ref = parse_image_ref(image)
                if ref.unpinned:
                    yield self.finding(
                        f"image {ref.repository!r} is not pinned (latest or no tag)",
                        obj.path,
                        obj.line(*tokens, "image"),
                        key=ref.repository,
                        detail=f"{obj.kind} {obj.name!r} runs {image!r}",
                    )
