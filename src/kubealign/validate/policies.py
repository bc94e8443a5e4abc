"""POL rules: policy checks on rendered manifests (what the chart produced, not the input).

Per-object rules are :class:`ObjectCheck`s (they plug into :func:`checks.run_checks` next to
the schema checks); rules that need the whole render (a PodDisruptionBudget for each
replicated workload, a NetworkPolicy selecting each pod) are :class:`RenderCheck`s.
:func:`check_policies` runs both and returns located violations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubealign.model.findings import Finding, Severity
from kubealign.validate.checks import ObjectCheck
from kubealign.validate.results import dotted
from kubealign.validate.schema_compiler import Issue, Path
from kubealign.validate.selectors import selects

POD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "ReplicaSet")
LONG_RUNNING = ("Deployment", "StatefulSet", "DaemonSet")
HOST_NAMESPACES = ("hostNetwork", "hostPID", "hostIPC")


@dataclass(frozen=True, slots=True)
class Policy:
    id: str
    severity: Severity
    doc: str


POLICIES: dict[str, Policy] = {p.id: p for p in (
    Policy("POL001", Severity.MEDIUM, "every container sets CPU and memory requests and a "
           "memory limit (scheduling and eviction need them)"),
    Policy("POL002", Severity.LOW, "long-running containers have readiness and liveness "
           "probes"),
    Policy("POL003", Severity.MEDIUM, "images are pinned: no `latest` tag and no untagged "
           "image"),
    Policy("POL004", Severity.HIGH, "pods use no host namespace (hostNetwork, hostPID, "
           "hostIPC)"),
    Policy("POL005", Severity.HIGH, "pods mount no hostPath volume"),
    Policy("POL006", Severity.LOW, "containers set imagePullPolicy explicitly"),
    Policy("POL007", Severity.MEDIUM, "pods and ServiceAccounts do not automount the API "
           "token"),
    Policy("POL008", Severity.HIGH, "containers meet Pod Security restricted: runAsNonRoot, "
           "allowPrivilegeEscalation false, capabilities drop ALL, seccomp RuntimeDefault or "
           "Localhost"),
    Policy("POL009", Severity.MEDIUM, "workloads with more than one replica have a "
           "PodDisruptionBudget"),
    Policy("POL010", Severity.MEDIUM, "every pod is selected by a NetworkPolicy"),
    Policy("POL011", Severity.LOW, "containers have a read-only root filesystem"),
)}


def _pod_spec(obj: Mapping[str, Any]) -> tuple[Path, Mapping[str, Any]] | None:
    kind = obj.get("kind")
    if kind == "Pod":
        spec = obj.get("spec")
        return ("spec",), spec if isinstance(spec, Mapping) else {}
    if kind == "CronJob":
        template = obj.get("spec", {}).get("jobTemplate", {}).get("spec", {}).get("template", {})
        return ("spec", "jobTemplate", "spec", "template", "spec"), template.get("spec", {})
    if kind in POD_KINDS:
        return ("spec", "template", "spec"), obj.get("spec", {}).get("template", {}).get(
            "spec", {})
    return None


def _containers(obj: Mapping[str, Any]) -> Iterator[tuple[Path, Mapping[str, Any]]]:
    found = _pod_spec(obj)
    if found is None:
        return
    base, spec = found
    for field in ("initContainers", "containers"):
        for index, container in enumerate(spec.get(field) or ()):
            if isinstance(container, Mapping):
                yield (*base, field, index), container


def _resources(obj: Mapping[str, Any]) -> list[Issue]:
    issues = []
    for path, c in _containers(obj):
        res = c.get("resources") or {}
        missing = [f"requests.{k}" for k in ("cpu", "memory") if k not in (res.get("requests")
                                                                            or {})]
        if "memory" not in (res.get("limits") or {}):
            missing.append("limits.memory")
        if missing:
            issues.append(Issue((*path, "resources"), f"container {c.get('name')!r} has no "
                                f"{', '.join(missing)}"))
    return issues


def _probes(obj: Mapping[str, Any]) -> list[Issue] | None:
    if obj.get("kind") not in LONG_RUNNING:
        return None
    issues = []
    for path, c in _containers(obj):
        if path[-2] == "initContainers":
            continue
        missing = [p for p in ("readinessProbe", "livenessProbe") if p not in c]
        if missing:
            issues.append(Issue(path, f"container {c.get('name')!r} has no "
                                f"{' and no '.join(missing)}"))
    return issues


def _image_tag(obj: Mapping[str, Any]) -> list[Issue]:
    issues = []
    for path, c in _containers(obj):
        image = str(c.get("image", ""))
        name = image.split("@", 1)[0]
        last = name.rsplit("/", 1)[-1]
        if "@" in image:
            continue
        if ":" not in last or last.endswith(":latest"):
            issues.append(Issue((*path, "image"), f"image {image!r} is not pinned (tag `latest` "
                                "or none): pin a version or a digest"))
    return issues


def _host_namespaces(obj: Mapping[str, Any]) -> list[Issue]:
    found = _pod_spec(obj)
    if found is None:
        return []
    base, spec = found
    return [Issue((*base, key), f"{key} is true") for key in HOST_NAMESPACES if spec.get(key)]


def _host_path(obj: Mapping[str, Any]) -> list[Issue]:
    found = _pod_spec(obj)
    if found is None:
        return []
    base, spec = found
    return [Issue((*base, "volumes", i), f"volume {v.get('name')!r} is a hostPath")
            for i, v in enumerate(spec.get("volumes") or ()) if "hostPath" in v]


def _pull_policy(obj: Mapping[str, Any]) -> list[Issue]:
    return [Issue(path, f"container {c.get('name')!r} has no imagePullPolicy")
            for path, c in _containers(obj) if not c.get("imagePullPolicy")]


def _automount(obj: Mapping[str, Any]) -> list[Issue] | None:
    if obj.get("kind") == "ServiceAccount":
        if obj.get("automountServiceAccountToken") is False:
            return []
        return [Issue(("automountServiceAccountToken",), "ServiceAccount automounts its token")]
    found = _pod_spec(obj)
    if found is None:
        return None
    base, spec = found
    if spec.get("automountServiceAccountToken") is False:
        return []
    return [Issue((*base, "automountServiceAccountToken"), "pod does not set "
                  "automountServiceAccountToken: false")]


def _restricted(obj: Mapping[str, Any]) -> list[Issue]:
    found = _pod_spec(obj)
    if found is None:
        return []
    _, spec = found
    pod = spec.get("securityContext") or {}
    issues = []
    for path, c in _containers(obj):
        sc = c.get("securityContext") or {}
        problems = []
        if sc.get("runAsNonRoot", pod.get("runAsNonRoot")) is not True:
            problems.append("runAsNonRoot is not true")
        if sc.get("runAsUser", pod.get("runAsUser")) == 0:
            problems.append("runAsUser is 0")
        if sc.get("allowPrivilegeEscalation") is not False:
            problems.append("allowPrivilegeEscalation is not false")
        if sc.get("privileged"):
            problems.append("privileged")
        caps = sc.get("capabilities") or {}
        if "ALL" not in (caps.get("drop") or ()):
            problems.append("capabilities do not drop ALL")
        extra = sorted(set(caps.get("add") or ()) - {"NET_BIND_SERVICE"})
        if extra:
            problems.append(f"capabilities add {', '.join(extra)}")
        seccomp = (sc.get("seccompProfile") or pod.get("seccompProfile") or {}).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            problems.append("seccompProfile is not RuntimeDefault or Localhost")
        if problems:
            issues.append(Issue((*path, "securityContext"), f"container {c.get('name')!r}: "
                                f"{'; '.join(problems)}"))
    return issues


def _read_only_root(obj: Mapping[str, Any]) -> list[Issue]:
    return [Issue((*path, "securityContext", "readOnlyRootFilesystem"),
                  f"container {c.get('name')!r} has a writable root filesystem")
            for path, c in _containers(obj)
            if (c.get("securityContext") or {}).get("readOnlyRootFilesystem") is not True]


@dataclass(frozen=True, slots=True)
class PolicyCheck:
    """One per-object POL rule as an :class:`ObjectCheck`."""

    policy: Policy
    rule: Callable[[Mapping[str, Any]], list[Issue] | None]
    covers_kinds: bool = False

    @property
    def name(self) -> str:
        return self.policy.id

    def check(self, obj: Mapping[str, Any]) -> list[Issue] | None:
        if _pod_spec(obj) is None and obj.get("kind") != "ServiceAccount":
            return None
        return self.rule(obj)


_OBJECT_RULES: dict[str, Callable[[Mapping[str, Any]], list[Issue] | None]] = {
    "POL001": _resources, "POL002": _probes, "POL003": _image_tag, "POL004": _host_namespaces,
    "POL005": _host_path, "POL006": _pull_policy, "POL007": _automount, "POL008": _restricted,
    "POL011": _read_only_root,
}


def policy_checks() -> list[ObjectCheck]:
    return [PolicyCheck(POLICIES[rule_id], rule) for rule_id, rule in _OBJECT_RULES.items()]


# --- whole-render rules ----------------------------------------------------------------------


def _labels(obj: Mapping[str, Any]) -> Mapping[str, str]:
    if obj.get("kind") == "Pod":
        return obj.get("metadata", {}).get("labels") or {}
    return obj.get("spec", {}).get("template", {}).get("metadata", {}).get("labels") or {}


@dataclass(frozen=True, slots=True)
class PolicyViolation:
    rule: str
    severity: Severity
    kind: str
    name: str
    path: str
    message: str

    def finding(self, source: str | None = None) -> Finding:
        return Finding(self.rule, self.severity, f"{self.kind}/{self.name}: {self.path}: "
                       f"{self.message}", source, None, POLICIES[self.rule].doc, "policy")


def _name(obj: Mapping[str, Any]) -> str:
    return str(obj.get("metadata", {}).get("name", "?"))


def _pdb_violations(objects: Sequence[Mapping[str, Any]]) -> list[PolicyViolation]:
    pdbs = [o for o in objects if o.get("kind") == "PodDisruptionBudget"]
    out = []
    for obj in objects:
        if obj.get("kind") not in ("Deployment", "StatefulSet"):
            continue
        replicas = obj.get("spec", {}).get("replicas", 1)
        if not isinstance(replicas, int) or replicas <= 1:
            continue
        labels = _labels(obj)
        if not any(selects(p.get("spec", {}).get("selector"), labels) for p in pdbs):
            out.append(PolicyViolation("POL009", POLICIES["POL009"].severity, str(obj["kind"]),
                                       _name(obj), "spec.replicas", f"{replicas} replicas and "
                                       "no PodDisruptionBudget selects its pods"))
    return out


def _network_policy_violations(objects: Sequence[Mapping[str, Any]]) -> list[PolicyViolation]:
    policies = [o for o in objects if o.get("kind") == "NetworkPolicy"]
    out = []
    for obj in objects:
        if _pod_spec(obj) is None:
            continue
        labels = _labels(obj)
        if not any(selects(p.get("spec", {}).get("podSelector"), labels) or
                   p.get("spec", {}).get("podSelector") == {} for p in policies):
            out.append(PolicyViolation("POL010", POLICIES["POL010"].severity, str(obj["kind"]),
                                       _name(obj), "spec.template.metadata.labels",
                                       "no NetworkPolicy selects its pods"))
    return out


RENDER_RULES: tuple[Callable[[Sequence[Mapping[str, Any]]], list[PolicyViolation]], ...] = (
    _pdb_violations, _network_policy_violations)


def check_policies(objects: Sequence[Mapping[str, Any]],
                   skip: frozenset[str] = frozenset()) -> list[PolicyViolation]:
    """Every POL rule on a whole render; ``skip`` leaves rules out by id."""
    found: list[PolicyViolation] = []
    for obj in objects:
        for check in policy_checks():
            if check.name in skip:
                continue
            for issue in check.check(obj) or ():
                found.append(PolicyViolation(check.name, POLICIES[check.name].severity,
                                             str(obj.get("kind")), _name(obj),
                                             dotted(issue.path), issue.message))
    for rule in RENDER_RULES:
        found.extend(v for v in rule(objects) if v.rule not in skip)
    return sorted(found, key=lambda v: (v.rule, v.kind, v.name, v.path, v.message))
