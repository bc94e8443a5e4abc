"""Which objects of the hand-written manifests the generated chart really replaces.

A manifest is deployment debt only when the new path makes every object it holds: a wrong
``git rm`` loses configuration the team relies on (alert rules, RBAC, operators, storage
classes), so each object needs evidence and anything without evidence stays.

Per object (see ``chart_services`` for what the chart renders):

- a workload is replaced when it runs a service of the chart: the same image repository
  (one chart service runs it, or the names agree too) or the service's name, as a kind the
  chart makes for it (never a CronJob; a DaemonSet only for a ``deploy.mode: global``
  service), with one container;
- a Service, NetworkPolicy, ConfigMap, Secret, ServiceAccount or claim when it belongs to
  replaced workloads (selector, reference, name) and the chart makes its counterpart: a
  ConfigMap's keys are the chart's config files (same content) or environment variables,
  a Secret's keys its ExternalSecrets or environment;
- an HPA or a PodDisruptionBudget of a replaced workload must move into the values (the
  chart has them, the converter leaves them off), an Ingress too when no Traefik rule
  gives the service its host;
- a Namespace is made by Argo CD unless it carries labels or annotations of its own;
- a kustomization is replaced when everything it lists is;
- anything else (CRDs, PrometheusRules, ServiceMonitors, RBAC, VPAs, StorageClasses,
  operators' objects) is a kind the chart does not make: it stays.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kubealign.model.inventory import ArtifactKind
from kubealign.rules.chart_services import (
    LONG_RUNNING,
    ChartService,
    chart_services,
    normal_repository,
    secret_name,
)
from kubealign.rules.context import AuditContext
from kubealign.rules.helpers import WORKLOAD_KINDS, ManifestObject, manifest_objects
from kubealign.rules.liveness import PathResolver, kustomize_path

K = ArtifactKind

REPLACED = "replaced"
#: The chart can make it, once a value says so: move the setting, then delete.
MOVE = "move"
#: The chart does not make it.
KEEP = "keep"

#: Suffixes hand-written names add to a service's name.
_KIND_SUFFIXES = ("-deployment", "-deploy", "-statefulset", "-sts", "-daemonset", "-job",
                  "-configmap", "-config", "-cm", "-secrets", "-secret", "-serviceaccount",
                  "-sa", "-pvc", "-data")
_CLUSTER_IP = frozenset({"", "ClusterIP"})
#: Secret types an ExternalSecret of the chart does not render (it makes Opaque Secrets).
_OPAQUE = frozenset({"", "Opaque"})
#: Namespace metadata Argo CD's CreateNamespace loses nothing of. Any other label may be
#: what a NetworkPolicy's namespaceSelector or an admission policy selects.
_PLAIN_NAMESPACE_KEYS = frozenset({"kubernetes.io/metadata.name", "description"})


@dataclass(frozen=True, slots=True)
class ObjectVerdict:
    """What becomes of one object of a hand-written manifest."""

    object: str  # Kind/name
    status: str  # replaced | move | keep
    #: What replaces it (``chart service mcp-github``), or what to do (move/keep).
    by: str
    #: The evidence: ``image scoobyjava15/mcp-github``, ``selects Deployment/x``...
    evidence: str

    def line(self) -> str:
        if self.status == REPLACED:
            return f"{self.object} → {self.by} ({self.evidence})"
        return f"{self.object}: {self.evidence} — {self.by}"


@dataclass(frozen=True, slots=True)
class FileVerdict:
    path: str
    objects: tuple[ObjectVerdict, ...]
    #: Why the file cannot be judged object by object (unreadable), else None.
    unreadable: str | None = None

    @property
    def replaced(self) -> bool:
        return self.unreadable is None and all(o.status == REPLACED for o in self.objects)

    def reason(self) -> str:
        """One line: what replaces the objects (grouped), or the first object that stays."""
        if self.unreadable is not None:
            return f"hand-written manifest: {self.unreadable} — keep it"
        if not self.objects:
            return "hand-written manifest: holds no Kubernetes object"
        if self.replaced:
            groups: dict[str, list[str]] = {}
            for verdict in self.objects:
                groups.setdefault(verdict.by, []).append(verdict.object)
            parts = [f"{_few(objects)} → {by}" for by, objects in groups.items()]
            shown = "; ".join(parts[:3]) + (f"; +{len(parts) - 3} more" if len(parts) > 3 else "")
            return f"hand-written manifest: {shown}"
        # The strongest reason first: an object that stays (before one that moves) by itself
        # (before one that stays because another does), a workload before what it uses.
        staying = sorted((o for o in self.objects if o.status != REPLACED),
                         key=lambda o: (o.status != KEEP, "which stays" in o.evidence,
                                        o.object.split("/")[0] not in WORKLOAD_KINDS))
        more = f" (+{len(staying) - 1} more object(s) the chart does not replace)" \
            if len(staying) > 1 else ""
        first = staying[0]
        return f"hand-written manifest: {first.object}: {first.evidence} — {first.by}{more}"


def _few(objects: list[str]) -> str:
    return ", ".join(objects[:3]) + (f" +{len(objects) - 3}" if len(objects) > 3 else "")


# --------------------------------------------------------------------------- reading objects


def _get(node: Any, *keys: str) -> Any:
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def _mapping(node: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in node.items()} if isinstance(node, Mapping) else {}


def _pod_spec(obj: ManifestObject) -> Mapping[str, Any]:
    tokens = obj.pod_spec_pointer()
    node: Any = obj.data
    for token in tokens or ():
        node = node.get(token) if isinstance(node, Mapping) else None
    return node if tokens and isinstance(node, Mapping) else {}


def _pod_labels(obj: ManifestObject) -> dict[str, str]:
    if obj.kind == "Pod":
        return _mapping(_get(obj.data, "metadata", "labels"))
    if obj.kind == "CronJob":
        return _mapping(_get(obj.data, "spec", "jobTemplate", "spec", "template", "metadata",
                             "labels"))
    return _mapping(_get(obj.data, "spec", "template", "metadata", "labels"))


def _references(obj: ManifestObject) -> dict[str, set[str]]:
    """Kind (ConfigMap, Secret, PersistentVolumeClaim, ServiceAccount) -> names the pod uses."""
    spec = _pod_spec(obj)
    found: dict[str, set[str]] = {"ConfigMap": set(), "Secret": set(),
                                  "PersistentVolumeClaim": set(), "ServiceAccount": set()}
    account = spec.get("serviceAccountName") or spec.get("serviceAccount")
    if account:
        found["ServiceAccount"].add(str(account))
    for volume in spec.get("volumes") or ():
        if not isinstance(volume, Mapping):
            continue
        _add(found["ConfigMap"], _get(volume, "configMap", "name"))
        _add(found["Secret"], _get(volume, "secret", "secretName"))
        _add(found["PersistentVolumeClaim"], _get(volume, "persistentVolumeClaim", "claimName"))
        for source in _get(volume, "projected", "sources") or ():
            _add(found["ConfigMap"], _get(source, "configMap", "name"))
            _add(found["Secret"], _get(source, "secret", "name"))
    for secret in spec.get("imagePullSecrets") or ():
        _add(found["Secret"], _get(secret, "name"))
    for group in ("containers", "initContainers"):
        for container in spec.get(group) or ():
            for source in _get(container, "envFrom") or ():
                _add(found["ConfigMap"], _get(source, "configMapRef", "name"))
                _add(found["Secret"], _get(source, "secretRef", "name"))
            for env in _get(container, "env") or ():
                _add(found["ConfigMap"], _get(env, "valueFrom", "configMapKeyRef", "name"))
                _add(found["Secret"], _get(env, "valueFrom", "secretKeyRef", "name"))
    return found


def _add(names: set[str], value: Any) -> None:
    if isinstance(value, str) and value:
        names.add(value)


def _keys(obj: ManifestObject, *fields: str) -> list[str]:
    return sorted({str(k) for f in fields for k in (_mapping(obj.data.get(f)) or {})})


# --------------------------------------------------------------------------- the judge


@dataclass
class _Workload:
    obj: ManifestObject
    service: ChartService | None
    verdict: ObjectVerdict
    labels: dict[str, str]
    uses: dict[str, set[str]]


class _Judge:
    """Verdicts for every object of every manifest, workloads first (the rest follows them)."""

    def __init__(self, ctx: AuditContext) -> None:
        self.ctx = ctx
        self.services = chart_services(ctx)
        self.objects = [o for o in manifest_objects(ctx) if o.kind != "Kustomization"]
        # An image alone names a service only when every workload running it has one name:
        # a primary and a replica of one database image are two workloads, the chart one.
        self.running: dict[str, set[str]] = {}
        for obj in self.objects:
            for _, container in obj.containers() if obj.kind in WORKLOAD_KINDS else ():
                if isinstance(container.get("image"), str) and container["image"]:
                    self.running.setdefault(normal_repository(container["image"]),
                                            set()).add(obj.name)
        self.workloads = [self._workload(o) for o in self.objects if o.kind in WORKLOAD_KINDS]
        self.by_name = {(w.obj.kind, w.obj.name): w for w in self.workloads}
        self.bound_accounts = {
            str(_get(subject, "name"))
            for o in self.objects if o.kind in {"RoleBinding", "ClusterRoleBinding"}
            for subject in (o.data.get("subjects") or ())
            if _get(subject, "kind") == "ServiceAccount"
        }

    # -- workloads ---------------------------------------------------------------------

    def _named(self, name: str) -> ChartService | None:
        """The chart service named ``name``, or ``name`` without a kind suffix
        (``session-deployment``, ``rest-configmap``)."""
        candidates = [name, *(name.removesuffix(s) for s in _KIND_SUFFIXES if name.endswith(s))]
        for candidate in candidates:
            found = [s for s in self.services.values() if candidate in s.names]
            if found:
                return found[0]
        return None

    def _match(self, obj: ManifestObject, repositories: list[str]
               ) -> tuple[ChartService | None, str]:
        """The chart service a workload runs and the evidence, or None and why not."""
        why = f"runs {', '.join(repositories[:2]) or 'no image'}"
        for repository in repositories:
            running = [s for s in self.services.values() if repository in s.repositories]
            named = [s for s in running if s is self._named(obj.name)]
            if named:
                return named[0], f"image {repository}, name {obj.name}"
            if not running:
                continue
            keys = ", ".join(s.key for s in running[:2])
            others = sorted(self.running.get(repository, set()) - {obj.name})
            if len(running) == 1 and "/" in repository and not others:
                return running[0], f"image {repository}"
            why = (f"runs {repository} like chart service {keys}, under another name"
                   + (f" (so do {_few(others)}: the chart runs one)" if others else ""))
        service = self._named(obj.name)
        if service is not None:
            return service, f"name {obj.name}"
        if why.startswith("runs ") and " like " not in why:
            why += f"; no service of the chart runs it or is named {obj.name}"
        return None, why

    def _workload(self, obj: ManifestObject) -> _Workload:
        containers = [c for _, c in obj.containers()]
        repositories = [normal_repository(str(c["image"])) for c in containers
                        if isinstance(c.get("image"), str) and c["image"]]
        labels, uses = _pod_labels(obj), _references(obj)
        label = f"{obj.kind}/{obj.name}"

        def stays(evidence: str, by: str = "keep it") -> _Workload:
            return _Workload(obj, None, ObjectVerdict(label, KEEP, by, evidence), labels, uses)

        if obj.kind == "CronJob":
            return stays("the chart makes no CronJob",
                         "keep it, or move it under the chart's templates")
        service, evidence = self._match(obj, repositories)
        if service is None:
            return stays(evidence)
        wanted = {"DaemonSet": {"DaemonSet"}, "Job": {"Job"}}.get(obj.kind, LONG_RUNNING)
        if not service.kinds & wanted:
            made = "/".join(sorted(service.kinds))
            return stays(f"the chart runs {service.key} as a {made}, not a {obj.kind}")
        if len(containers) > 1:
            names = ", ".join(str(c.get("name") or "?") for c in containers[:3])
            return stays(f"runs {len(containers)} containers ({names}); the chart runs one per "
                         f"service ({service.key})", "keep it, or move the sidecars first")
        return _Workload(obj, service,
                         ObjectVerdict(label, REPLACED, f"chart service {service.key}", evidence),
                         labels, uses)

    def _selected(self, selector: Mapping[str, str]) -> list[_Workload]:
        return [w for w in self.workloads
                if selector and all(w.labels.get(k) == v for k, v in selector.items())]

    def _users(self, kind: str, name: str) -> list[_Workload]:
        return [w for w in self.workloads if name in w.uses.get(kind, ())]

    # -- the other kinds -----------------------------------------------------------------

    def verdict(self, obj: ManifestObject) -> ObjectVerdict:
        if obj.kind in WORKLOAD_KINDS:
            return self.by_name_or_compute(obj)
        handler = {
            "Service": self._service, "NetworkPolicy": self._network_policy,
            "ConfigMap": self._config_map, "Secret": self._secret,
            "ServiceAccount": self._service_account, "PersistentVolumeClaim": self._claim,
            "HorizontalPodAutoscaler": self._autoscaler, "PodDisruptionBudget": self._budget,
            "Ingress": self._ingress, "Namespace": self._namespace,
        }.get(obj.kind)
        label = f"{obj.kind}/{obj.name}"
        if handler is None:
            return ObjectVerdict(label, KEEP, "keep it, or move it under the chart's templates",
                                 f"the chart makes no {obj.kind}")
        return handler(obj, label)

    def by_name_or_compute(self, obj: ManifestObject) -> ObjectVerdict:
        for workload in self.workloads:
            if workload.obj is obj:
                return workload.verdict
        return self._workload(obj).verdict

    def _owner(self, users: list[_Workload], label: str, what: str
               ) -> tuple[ChartService | None, ObjectVerdict | None]:
        """The chart service of the workloads using an object, or a verdict that it stays."""
        kept = [w for w in users if w.service is None]
        if kept:
            shown = ", ".join(f"{w.obj.kind}/{w.obj.name}" for w in kept[:2])
            return None, ObjectVerdict(label, KEEP, "keep it", f"{what} {shown}, which stays")
        services = {w.service.key: w.service for w in users if w.service is not None}
        return (next(iter(services.values())) if len(services) == 1 else None), None

    def _service(self, obj: ManifestObject, label: str) -> ObjectVerdict:
        spec = obj.data.get("spec") if isinstance(obj.data.get("spec"), Mapping) else {}
        assert isinstance(spec, Mapping)
        kind = str(spec.get("type") or "")
        selector = _mapping(spec.get("selector"))
        if kind == "ExternalName" or not selector:
            return ObjectVerdict(label, KEEP, "keep it",
                                 "a Service without selector (ExternalName or its own "
                                 "Endpoints): the chart makes none")
        selected = self._selected(selector)
        service, stays = self._owner(selected, label, "selects")
        if stays is not None:
            return stays
        evidence = (f"selects {selected[0].obj.kind}/{selected[0].obj.name}" if selected
                    else f"name {obj.name}")
        if not selected:
            service = next((s for s in self.services.values() if obj.name in s.dns_names),
                           None)
        if service is None:
            return ObjectVerdict(label, KEEP, "keep it",
                                 "selects no workload the chart replaces")
        if obj.name not in service.dns_names:
            return ObjectVerdict(label, MOVE, f"add it to services.{service.key}.service."
                                 "aliases, or make its callers use the chart's name",
                                 f"{evidence}; the chart names the Service "
                                 f"{_few(sorted(service.dns_names - {service.key + '-headless'}))}")
        if kind not in _CLUSTER_IP:
            return ObjectVerdict(label, MOVE, f"set services.{service.key}.service.type in the "
                                 "values, then delete it", f"a {kind} Service")
        return ObjectVerdict(label, REPLACED, f"chart service {service.key}", evidence)

    def _network_policy(self, obj: ManifestObject, label: str) -> ObjectVerdict:
        selector = _mapping(_get(obj.data, "spec", "podSelector", "matchLabels"))
        if _get(obj.data, "spec", "podSelector", "matchExpressions"):
            return ObjectVerdict(label, KEEP, "keep it", "selects pods by expressions; the "
                                 "chart's policies are one per service")
        if not selector:
            return ObjectVerdict(label, KEEP, "keep it", "applies to every pod of its "
                                 "namespace; the chart's policies are per service")
        owner = self._selected_owner(selector, label, "selects", "selects no workload the "
                                     "chart replaces, or several services")
        if isinstance(owner, ObjectVerdict):
            return owner
        service, first = owner
        return ObjectVerdict(label, REPLACED, f"chart service {service.key}",
                             f"selects {first.obj.kind}/{first.obj.name}; the "
                             "chart's NetworkPolicy follows its compose networks")

    def _selected_owner(self, selector: Mapping[str, str], label: str, verb: str,
                        nothing: str) -> tuple[ChartService, _Workload] | ObjectVerdict:
        """The one chart service whose replaced workloads ``selector`` selects (and the
        first of them), or the verdict that the object stays."""
        selected = self._selected(selector)
        service, stays = self._owner(selected, label, verb)
        if stays is not None:
            return stays
        if service is None:
            return ObjectVerdict(label, KEEP, "keep it", nothing)
        return service, selected[0]

    def _used_by(self, kind: str, obj: ManifestObject, label: str
                 ) -> tuple[list[ChartService], ObjectVerdict | None]:
        """The chart services whose replaced workloads use the object (or the one it is named
        after when no workload uses it), or a verdict that it stays with a kept workload."""
        users = self._users(kind, obj.name)
        kept = [w for w in users if w.service is None]
        if kept:
            shown = ", ".join(f"{w.obj.kind}/{w.obj.name}" for w in kept[:2])
            return [], ObjectVerdict(label, KEEP, "keep it", f"used by {shown}, which stays")
        if users:
            found = {w.service.key: w.service for w in users if w.service is not None}
            return [found[k] for k in sorted(found)], None
        named = self._named(obj.name)
        return ([named] if named is not None else []), None

    def _config_map(self, obj: ManifestObject, label: str) -> ObjectVerdict:
        services, stays = self._used_by("ConfigMap", obj, label)
        if stays is not None:
            return stays
        if not services:
            return ObjectVerdict(label, KEEP, "keep it",
                                 "used by no workload the chart replaces")
        keys = ", ".join(s.key for s in services)
        missing = [key for key in _keys(obj, "data", "binaryData")
                   if not any(key in s.env or self._same_file(obj, key, s) for s in services)]
        if missing:
            return ObjectVerdict(label, MOVE, f"move them into services.{services[0].key} "
                                 "(configFiles or env), or keep it",
                                 f"{_few(missing)} not among the config files or environment "
                                 f"the chart gives {keys}")
        return ObjectVerdict(label, REPLACED, f"chart service {keys}",
                             f"its keys are the chart's config files and environment of {keys}")

    def _same_file(self, obj: ManifestObject, key: str, service: ChartService) -> bool:
        content = _get(obj.data, "data", key)
        if not isinstance(content, str):
            return False
        wanted = _normal_text(content)
        return any(_normal_text("\n".join(self.ctx.lines(path))) == wanted
                   for path in service.file_sources(key))

    def _secret(self, obj: ManifestObject, label: str) -> ObjectVerdict:
        kind = str(obj.data.get("type") or "")
        if kind not in _OPAQUE:
            return ObjectVerdict(label, KEEP, "keep it, or put it in the secret store with an "
                                 "externalSecrets entry of that type",
                                 f"a {kind} Secret: the chart's ExternalSecrets make Opaque ones")
        services, stays = self._used_by("Secret", obj, label)
        if stays is not None:
            return stays
        keys = _keys(obj, "data", "stringData")
        # Unused and named after no service: any service of the chart may read its keys.
        candidates = services or list(self.services.values())
        names = {secret_name(n) for s in candidates for n in (*s.env, *s.secrets)}
        if secret_name(obj.name) in {n for s in candidates for n in s.secrets}:
            return ObjectVerdict(label, REPLACED, "the chart's ExternalSecrets",
                                 f"compose secret {obj.name}")
        if not keys:
            return ObjectVerdict(label, KEEP, "keep it", "holds no keys: nothing says which "
                                 "service needs it")
        missing = [k for k in keys if secret_name(k) not in names]
        if missing:
            return ObjectVerdict(label, MOVE, "put them in the secret store and reference "
                                 "them from the values, or keep it",
                                 f"{_few(missing)}: no service of the chart reads them")
        whose = f" of {', '.join(s.key for s in services)}" if services else ""
        return ObjectVerdict(label, REPLACED, "the chart's ExternalSecrets",
                             f"{_few(keys)}: the chart's secrets and environment{whose}")

    def _service_account(self, obj: ManifestObject, label: str) -> ObjectVerdict:
        if obj.name in self.bound_accounts:
            return ObjectVerdict(label, KEEP, "keep it", "a RoleBinding grants it a role; the "
                                 "chart's ServiceAccounts have none")
        services, stays = self._used_by("ServiceAccount", obj, label)
        if stays is not None:
            return stays
        if len(services) != 1:
            why = ("shared by chart services " + _few([s.key for s in services])
                   + "; the chart gives each its own") if services else \
                "used by no workload the chart replaces"
            return ObjectVerdict(label, KEEP, "keep it", why)
        service = services[0]
        if _mapping(_get(obj.data, "metadata", "annotations")):
            return ObjectVerdict(label, MOVE, f"set services.{service.key}.serviceAccount."
                                 "annotations, then delete it", "carries annotations")
        return ObjectVerdict(label, REPLACED, f"chart service {service.key}",
                             "the chart's ServiceAccount of the service")

    def _claim(self, obj: ManifestObject, label: str) -> ObjectVerdict:
        users = self._users("PersistentVolumeClaim", obj.name)
        service, stays = self._owner(users, label, "mounted by")
        if stays is not None:
            return stays
        if service is None or not service.volumes:
            return ObjectVerdict(label, KEEP, "keep it", "mounted by no workload whose chart "
                                 "service has a named volume")
        return ObjectVerdict(label, REPLACED, f"chart service {service.key}",
                             "the chart's claim of its named volume")

    def _target(self, obj: ManifestObject) -> _Workload | None:
        ref = _get(obj.data, "spec", "scaleTargetRef")
        return self.by_name.get((str(_get(ref, "kind")), str(_get(ref, "name"))))

    def _autoscaler(self, obj: ManifestObject, label: str) -> ObjectVerdict:
        target = self._target(obj)
        if target is None or target.service is None:
            return ObjectVerdict(label, KEEP, "keep it", "scales no workload the chart "
                                 "replaces")
        key = target.service.key
        return ObjectVerdict(label, MOVE, f"set services.{key}.autoscaling in the values, "
                             "then delete it", f"scales {target.obj.kind}/{target.obj.name}; "
                             "the converter leaves the chart's autoscaling off")

    def _budget(self, obj: ManifestObject, label: str) -> ObjectVerdict:
        owner = self._selected_owner(
            _mapping(_get(obj.data, "spec", "selector", "matchLabels")), label, "covers",
            "covers no workload the chart replaces")
        if isinstance(owner, ObjectVerdict):
            return owner
        service, _ = owner
        return ObjectVerdict(label, MOVE, f"set services.{service.key}.podDisruptionBudget "
                             "in the values, then delete it", "the converter leaves the "
                             "chart's PodDisruptionBudget off")

    def _backends(self, obj: ManifestObject) -> set[str]:
        spec = obj.data.get("spec")
        found: set[str] = set()
        for backend in _walk_backends(spec):
            _add(found, _get(backend, "service", "name"))
            _add(found, _get(backend, "serviceName"))
        return found

    def _ingress(self, obj: ManifestObject, label: str) -> ObjectVerdict:
        backends = sorted(self._backends(obj))
        services = [self._backend_service(name) for name in backends]
        if not backends or any(s is None for s in services):
            return ObjectVerdict(label, KEEP, "keep it", "routes to a Service the chart does "
                                 "not replace")
        chart = {s.key: s for s in services if s is not None}
        unrouted = sorted(k for k, s in chart.items() if not s.routed)
        if unrouted:
            return ObjectVerdict(label, MOVE, f"set services.{unrouted[0]}.ingress in the "
                                 "values, then delete it", "no Traefik rule gives "
                                 f"{', '.join(unrouted)} a host")
        return ObjectVerdict(label, REPLACED, f"chart service {_few(sorted(chart))}",
                             "the chart's Ingress from its Traefik rule")

    def _backend_service(self, name: str) -> ChartService | None:
        for other in self.objects:
            if other.kind == "Service" and other.name == name:
                verdict = self._service(other, f"Service/{name}")
                if verdict.status != REPLACED:
                    return None
                return self.services.get(verdict.by.removeprefix("chart service "))
        return self._named(name)

    def _namespace(self, obj: ManifestObject, label: str) -> ObjectVerdict:
        metadata = _get(obj.data, "metadata")
        own = sorted({*_mapping(_get(metadata, "labels")), *_mapping(_get(metadata, "annotations"))}
                     - _PLAIN_NAMESPACE_KEYS)
        own = [k for k in own if not k.startswith("app.kubernetes.io/")]
        if own:
            return ObjectVerdict(label, KEEP, "keep it, or set them in the Argo CD "
                                 "Application's managedNamespaceMetadata",
                                 f"carries {_few(own)}, which Argo CD's CreateNamespace does "
                                 "not set")
        return ObjectVerdict(label, REPLACED, "Argo CD",
                             "CreateNamespace=true makes each environment's namespace")


def _walk_backends(node: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key in {"backend", "defaultBackend"} and isinstance(value, Mapping):
                yield value
            else:
                yield from _walk_backends(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_backends(item)


def _normal_text(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


# --------------------------------------------------------------------------- per file


class _Kustomizations:
    """Kustomization verdicts, each after the kustomizations it includes (memo, cycle-safe)."""

    def __init__(self, ctx: AuditContext, files: dict[str, FileVerdict]) -> None:
        self.ctx = ctx
        self.files = files
        self.resolver = PathResolver(a.path for a in ctx.inventory)
        self.visiting: set[str] = set()

    def replaced(self, member: str | None) -> bool:
        if member is None:
            return False
        if member not in self.files and member not in self.visiting and \
                (artifact := self.ctx.artifact(member)) is not None and \
                artifact.has(K.KUSTOMIZATION):
            self.verdict(member)
        found = self.files.get(member)
        return found is not None and found.replaced

    def verdict(self, path: str) -> FileVerdict:
        if path in self.files:
            return self.files[path]
        self.visiting.add(path)
        result = self._judge(path)
        self.visiting.discard(path)
        self.files[path] = result
        return result

    def _judge(self, path: str) -> FileVerdict:
        artifact = self.ctx.artifact(path)
        info = artifact.kustomization if artifact is not None else None
        label = f"Kustomization/{posixpath.dirname(path) or '.'}"
        if info is None:
            return FileVerdict(path, (ObjectVerdict(label, KEEP, "keep it", "cannot be read"),))
        documents = self.ctx.manifests.get(path)
        data = documents.documents[0].data if documents and documents.documents else None
        generators = [g for g in ("configMapGenerator", "secretGenerator", "helmCharts")
                      if isinstance(data, Mapping) and data.get(g)]
        if generators:
            return FileVerdict(path, (ObjectVerdict(
                label, KEEP, "keep it", f"its {', '.join(generators)} make objects the chart "
                "does not"),))
        directory = posixpath.dirname(path)
        staying: list[str] = []
        listed = (*info.resources, *info.components, *info.patches)
        if not listed:
            return FileVerdict(path, (ObjectVerdict(
                label, KEEP, "keep it", "lists no file kubealign can follow (inline patches "
                "or transformers change what others build)"),))
        for entry in listed:
            joined = kustomize_path(directory, entry)
            targets = self.resolver.resolve(joined, (), globs=True) if joined else ()
            members = [self.resolver.kustomization_in(t) if t.endswith("/") else t
                       for t in targets]
            if not members or not all(self.replaced(m) for m in members):
                staying.append(entry)
        if staying:
            return FileVerdict(path, (ObjectVerdict(
                label, KEEP, "keep it", f"lists {_few(staying)}, which the chart does not "
                "replace"),))
        return FileVerdict(path, (ObjectVerdict(label, REPLACED, "the chart",
                                                "everything it lists is replaced"),))


def manifest_verdicts(ctx: AuditContext) -> dict[str, FileVerdict]:
    """Every hand-written manifest and kustomization (Argo CD applications excepted) ->
    what becomes of each object it holds. Computed once per audit."""

    def compute(c: AuditContext) -> dict[str, FileVerdict]:
        judge = _Judge(c)
        by_file: dict[str, list[ObjectVerdict]] = {}
        for obj in judge.objects:
            by_file.setdefault(obj.path, []).append(judge.verdict(obj))
        files: dict[str, FileVerdict] = {}
        kustomizations: list[str] = []
        for artifact in c.inventory:
            if not (artifact.has(K.KUBERNETES_MANIFEST) or artifact.has(K.KUSTOMIZATION)):
                continue
            if artifact.has(K.ARGOCD_APPLICATION):
                continue
            if artifact.has(K.KUSTOMIZATION):
                kustomizations.append(artifact.path)
            elif artifact.path not in c.manifests:
                files[artifact.path] = FileVerdict(artifact.path, (),
                                                   "the audit could not read it")
            else:
                files[artifact.path] = FileVerdict(artifact.path,
                                                   tuple(by_file.get(artifact.path, ())))
        judged = _Kustomizations(c, files)
        for path in sorted(kustomizations):
            judged.verdict(path)
        return {p: files[p] for p in sorted(files)}

    return ctx.analysis("manifest-verdicts", compute)
