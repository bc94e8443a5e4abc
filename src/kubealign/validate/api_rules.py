"""What the API server refuses that the JSON schemas let through, checked offline.

Every rule here is one the API server applies on create (its field validation), found where a
chart passed the schemas and was refused on a cluster: names and label syntax, a workload
selector that does not select its own pods, duplicate or dangling names inside a pod,
quantities that do not parse, requests above limits, probes a kubelet cannot run. Where a
cluster is reachable, ``validate --server`` asks the API server itself; this check is the
same truth without one (the agreement is tested against a real kube-apiserver).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubealign.validate.api_formats import (
    CONFIG_DATA_SIZE,
    TOTAL_ANNOTATION_SIZE,
    config_map_key,
    dns1035_label,
    dns1123_label,
    dns1123_subdomain,
    env_var_name,
    ip_address,
    label_value,
    path_segment,
    port_name,
    qualified_name,
    quantity,
)
from kubealign.validate.schema_compiler import Issue, Path
from kubealign.validate.selectors import selects

_RBAC = ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")
_SELECTING_WORKLOADS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")
_CRON_JOB_NAME_MAX = 52
"""A CronJob's Jobs are named after it with an 11-character suffix."""
_JOB_NAME_MAX = 63
"""A Job's name is the value of its pods' ``job-name`` label."""
_RELAXED_ENV_NAMES = (1, 32)
"""From then on an environment variable name is any printable ASCII but '='."""
_RELAXED_SERVICE_NAMES = (1, 36)
"""Measured on a 1.36 kube-apiserver: a Service name may start with a digit (an RFC 1123
label); older servers want an RFC 1035 label."""


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> Iterator[tuple[int, Mapping[str, Any]]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, Mapping):
                yield index, item


def _issue(path: Path, what: str, value: object, expected: str) -> Issue:
    return Issue(path, f"{what} {value!r} is invalid: expected {expected}")


# --------------------------------------------------------------------------- metadata


def _name_rule(kind: str, version: str) -> Callable[[str], str | None]:
    if kind == "Service":
        return dns1123_label if _version_at_least(version, _RELAXED_SERVICE_NAMES) \
            else dns1035_label
    if kind in ("Namespace", "StatefulSet"):  # a StatefulSet names its pods' hostnames
        return dns1123_label
    if kind in _RBAC:
        return path_segment
    return dns1123_subdomain


def _name_issues(obj: Mapping[str, Any], kind: str, version: str) -> list[Issue]:
    metadata = _mapping(obj.get("metadata"))
    issues = []
    name = metadata.get("name")
    if isinstance(name, str) and name:
        problem = _name_rule(kind, version)(name)
        if problem is None and kind == "CronJob" and len(name) > _CRON_JOB_NAME_MAX:
            problem = f"at most {_CRON_JOB_NAME_MAX} characters (its Jobs add a suffix)"
        if problem is None and kind == "Job" and len(name) > _JOB_NAME_MAX:
            problem = f"at most {_JOB_NAME_MAX} characters (it is its pods' job-name label)"
        if problem is not None:
            issues.append(_issue(("metadata", "name"), f"{kind} name", name, problem))
    namespace = metadata.get("namespace")
    if isinstance(namespace, str) and namespace:
        problem = dns1123_label(namespace)
        if problem is not None:
            issues.append(_issue(("metadata", "namespace"), "namespace", namespace, problem))
    return issues


def _label_issues(labels: Any, path: Path, what: str = "label") -> list[Issue]:
    issues = []
    for key, value in _mapping(labels).items():
        problem = qualified_name(str(key))
        if problem is not None:
            issues.append(_issue((*path, str(key)), f"{what} key", key, problem))
        if isinstance(value, str):
            problem = label_value(value)
            if problem is not None:
                issues.append(_issue((*path, str(key)), f"{what} value", value, problem))
    return issues


def _annotation_issues(annotations: Any, path: Path) -> list[Issue]:
    issues = []
    size = 0
    for key, value in _mapping(annotations).items():
        problem = qualified_name(str(key).lower())  # the API server ignores their case
        if problem is not None:
            issues.append(_issue((*path, str(key)), "annotation key", key, problem))
        size += len(str(key).encode()) + len(str(value).encode())
    if size > TOTAL_ANNOTATION_SIZE:
        issues.append(Issue(path, f"annotations take {size} bytes: expected at most "
                                  f"{TOTAL_ANNOTATION_SIZE} together"))
    return issues


def _metadata_issues(metadata: Any, path: Path) -> list[Issue]:
    metadata = _mapping(metadata)
    return [*_label_issues(metadata.get("labels"), (*path, "labels")),
            *_annotation_issues(metadata.get("annotations"), (*path, "annotations"))]


def _selector_issues(selector: Any, path: Path) -> list[Issue]:
    selector = _mapping(selector)
    issues = _label_issues(selector.get("matchLabels"), (*path, "matchLabels"), "selector")
    for index, expression in _items(selector.get("matchExpressions")):
        key = expression.get("key")
        at = (*path, "matchExpressions", index)
        if isinstance(key, str):
            problem = qualified_name(key)
            if problem is not None:
                issues.append(_issue((*at, "key"), "selector key", key, problem))
        for number, value in enumerate(expression.get("values") or ()):
            if isinstance(value, str) and label_value(value) is not None:
                issues.append(_issue((*at, "values", number), "selector value", value,
                                     str(label_value(value))))
    return issues


def _workload_selector_issues(obj: Mapping[str, Any]) -> list[Issue]:
    spec = _mapping(obj.get("spec"))
    selector = spec.get("selector")
    if not isinstance(selector, Mapping):
        return []
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        return [Issue(("spec", "selector"), "empty selector: expected one that selects the "
                                            "pod template's labels")]
    labels = _mapping(_mapping(spec.get("template")).get("metadata")).get("labels")
    if not selects(selector, labels):
        return [Issue(("spec", "template", "metadata", "labels"),
                      "selector does not match the pod template's labels")]
    return []


# --------------------------------------------------------------------------- pods


def _pod_template(obj: Mapping[str, Any], kind: str) -> tuple[Path, Mapping[str, Any]] | None:
    """(path, template) of the pod template: ``metadata`` and ``spec`` of the pods."""
    spec = _mapping(obj.get("spec"))
    if kind == "Pod":
        return (), obj
    if kind == "CronJob":
        job = _mapping(_mapping(spec.get("jobTemplate")).get("spec"))
        return ("spec", "jobTemplate", "spec", "template"), _mapping(job.get("template"))
    if kind in (*_SELECTING_WORKLOADS, "Job", "ReplicationController"):
        return ("spec", "template"), _mapping(spec.get("template"))
    return None


def _resource_issues(resources: Any, path: Path) -> list[Issue]:
    resources = _mapping(resources)
    issues = []
    amounts: dict[str, dict[str, Any]] = {}
    for part in ("limits", "requests"):
        for name, value in _mapping(resources.get(part)).items():
            amount = quantity(value)
            if amount is None:
                issues.append(_issue((*path, part, str(name)), f"{part}.{name}", value,
                                     "a quantity such as 500m, 2Gi or 4"))
            elif amount < 0:
                issues.append(_issue((*path, part, str(name)), f"{part}.{name}", value,
                                     "a quantity of 0 or more"))
            else:
                amounts.setdefault(str(name), {})[part] = amount
    for name, both in sorted(amounts.items()):
        if "limits" in both and "requests" in both and both["requests"] > both["limits"]:
            issues.append(Issue((*path, "requests", name),
                                f"requests.{name} {resources['requests'][name]!r} is more "
                                f"than limits.{name} {resources['limits'][name]!r}: expected "
                                "at most the limit"))
    return issues


def _probe_issues(container: Mapping[str, Any], path: Path) -> list[Issue]:
    issues = []
    for field in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = container.get(field)
        if not isinstance(probe, Mapping):
            continue
        handlers = [h for h in ("exec", "httpGet", "tcpSocket", "grpc") if h in probe]
        if len(handlers) != 1:
            issues.append(Issue((*path, field), f"{field} has {len(handlers)} handlers "
                                f"({', '.join(handlers) or 'none'}): expected exactly one of "
                                "exec, httpGet, tcpSocket, grpc"))
        threshold = probe.get("successThreshold")
        if field != "readinessProbe" and isinstance(threshold, int) and threshold != 1:
            issues.append(_issue((*path, field, "successThreshold"),
                                 f"{field}.successThreshold", threshold, "1"))
    return issues


def _container_issues(container: Mapping[str, Any], path: Path, volumes: set[str],
                      relaxed_env: bool) -> list[Issue]:
    issues = []
    names: set[str] = set()
    numbers: set[tuple[int, str]] = set()
    name = container.get("name")
    if isinstance(name, str) and dns1123_label(name) is not None:
        issues.append(_issue((*path, "name"), "container name", name, str(dns1123_label(name))))
    for index, port in _items(container.get("ports")):
        number = port.get("containerPort")
        if isinstance(number, int) and not 0 < number < 65536:
            issues.append(_issue((*path, "ports", index, "containerPort"), "containerPort",
                                 number, "1-65535"))
        host = port.get("hostPort")
        if isinstance(host, int) and not 0 <= host < 65536:
            issues.append(_issue((*path, "ports", index, "hostPort"), "hostPort", host,
                                 "0-65535"))
        label = port.get("name")
        if isinstance(label, str) and port_name(label) is not None:
            issues.append(_issue((*path, "ports", index, "name"), "port name", label,
                                 str(port_name(label))))
        if isinstance(label, str) and label:
            if label in names:
                issues.append(Issue((*path, "ports", index, "name"),
                                    f"port name {label!r} is used twice in the container"))
            names.add(label)
        protocol = str(port.get("protocol") or "TCP")
        if isinstance(number, int):
            if (number, protocol) in numbers:
                issues.append(Issue((*path, "ports", index, "containerPort"),
                                    f"containerPort {number}/{protocol} is listed twice in the "
                                    "container"))
            numbers.add((number, protocol))
    for index, variable in _items(container.get("env")):
        env_name = variable.get("name")
        if isinstance(env_name, str) and env_var_name(env_name, relaxed_env) is not None:
            issues.append(_issue((*path, "env", index, "name"), "environment variable",
                                 env_name, str(env_var_name(env_name, relaxed_env))))
    mount_paths: set[str] = set()
    for index, mount in _items(container.get("volumeMounts")):
        volume = mount.get("name")
        if isinstance(volume, str) and volume not in volumes:
            issues.append(Issue((*path, "volumeMounts", index, "name"),
                                f"volumeMount {volume!r} names no volume of the pod"))
        mount_path = mount.get("mountPath")
        if isinstance(mount_path, str):
            if mount_path in mount_paths:
                issues.append(Issue((*path, "volumeMounts", index, "mountPath"),
                                    f"mountPath {mount_path!r} is mounted twice in the "
                                    "container"))
            mount_paths.add(mount_path)
    issues += _resource_issues(container.get("resources"), (*path, "resources"))
    issues += _probe_issues(container, path)
    return issues


def _pod_spec_issues(spec: Mapping[str, Any], path: Path, relaxed_env: bool,
                     claims: set[str]) -> list[Issue]:
    """``claims``: the volumes a StatefulSet's volumeClaimTemplates add to every pod."""
    issues = _label_issues(spec.get("nodeSelector"), (*path, "nodeSelector"), "node selector")
    volumes: set[str] = set()
    for index, volume in _items(spec.get("volumes")):
        name = volume.get("name")
        if not isinstance(name, str):
            continue
        at = (*path, "volumes", index, "name")
        if dns1123_label(name) is not None:
            issues.append(_issue(at, "volume name", name, str(dns1123_label(name))))
        if name in volumes:
            issues.append(Issue(at, f"volume {name!r} is defined twice"))
        volumes.add(name)
    containers: set[str] = set()
    host_ports: set[tuple[str, str, int]] = set()
    for field in ("initContainers", "containers"):
        for index, container in _items(spec.get(field)):
            at = (*path, field, index)
            name = container.get("name")
            if isinstance(name, str):
                if name in containers:
                    issues.append(Issue((*at, "name"), f"container name {name!r} is used "
                                                       "twice in the pod"))
                containers.add(name)
            issues += _container_issues(container, at, volumes | claims, relaxed_env)
            for number, port in _items(container.get("ports") if field == "containers"
                                       else None):
                host = port.get("hostPort")
                if not isinstance(host, int) or host == 0:
                    continue
                # One node port per protocol and address: the pod could not be placed.
                key = (str(port.get("protocol") or "TCP"), str(port.get("hostIP") or ""), host)
                if key in host_ports:
                    issues.append(Issue((*at, "ports", number, "hostPort"),
                                        f"hostPort {host}/{key[0]} is used twice in the pod"))
                host_ports.add(key)
    for index, alias in _items(spec.get("hostAliases")):
        ip = alias.get("ip")
        if isinstance(ip, str) and ip_address(ip) is not None:
            issues.append(_issue((*path, "hostAliases", index, "ip"), "hostAliases ip", ip,
                                 str(ip_address(ip))))
    return issues


def _pod_issues(obj: Mapping[str, Any], kind: str, relaxed_env: bool) -> list[Issue]:
    found = _pod_template(obj, kind)
    if found is None:
        return []
    path, template = found
    issues = [] if kind == "Pod" else _metadata_issues(template.get("metadata"),
                                                          (*path, "metadata"))
    spec = template.get("spec")
    claims = {str(_mapping(claim.get("metadata")).get("name")) for _, claim in
              _items(_mapping(obj.get("spec")).get("volumeClaimTemplates"))}
    if isinstance(spec, Mapping):
        issues += _pod_spec_issues(spec, (*path, "spec"), relaxed_env,
                                   claims if kind == "StatefulSet" else set())
    return issues


# --------------------------------------------------------------------------- other kinds


def _service_issues(obj: Mapping[str, Any]) -> list[Issue]:
    spec = _mapping(obj.get("spec"))
    issues = _label_issues(spec.get("selector"), ("spec", "selector"), "selector")
    ports = list(_items(spec.get("ports")))
    names: set[str] = set()
    for index, port in ports:
        at = ("spec", "ports", index)
        name = port.get("name")
        if isinstance(name, str) and name:
            if dns1123_label(name) is not None:
                issues.append(_issue((*at, "name"), "Service port name", name,
                                     str(dns1123_label(name))))
            if name in names:
                issues.append(Issue((*at, "name"), f"Service port name {name!r} is used "
                                                   "twice"))
            names.add(name)
        elif len(ports) > 1:
            issues.append(Issue((*at, "name"), "a Service with several ports names each one"))
        number = port.get("port")
        if isinstance(number, int) and not 0 < number < 65536:
            issues.append(_issue((*at, "port"), "port", number, "1-65535"))
        target = port.get("targetPort")
        if isinstance(target, int) and not 0 < target < 65536:
            issues.append(_issue((*at, "targetPort"), "targetPort", target, "1-65535"))
        if isinstance(target, str) and port_name(target) is not None:
            issues.append(_issue((*at, "targetPort"), "targetPort", target,
                                 f"a port number or a container port name: {port_name(target)}"))
    return issues


def _data_issues(obj: Mapping[str, Any], kind: str) -> list[Issue]:
    issues = []
    size = 0
    seen: set[str] = set()
    fields = ("data", "binaryData") if kind == "ConfigMap" else ("data", "stringData")
    for field in fields:
        for key, value in _mapping(obj.get(field)).items():
            problem = config_map_key(str(key))
            if problem is not None:
                issues.append(_issue((field, str(key)), f"{kind} key", key, problem))
            if kind == "ConfigMap" and key in seen:
                issues.append(Issue((field, str(key)), f"key {key!r} is in data and "
                                                       "binaryData"))
            seen.add(str(key))
            # A Secret's `data` is base64: the limit counts the decoded bytes.
            stored = len(str(value).encode())
            size += len(str(key).encode()) + (stored * 3 // 4 if kind == "Secret"
                                              and field == "data" else stored)
    if size > CONFIG_DATA_SIZE:
        issues.append(Issue((), f"{kind} data takes {size} bytes: expected at most "
                                f"{CONFIG_DATA_SIZE} (1 MiB)"))
    return issues


def _claim_issues(spec: Any, path: Path) -> list[Issue]:
    requests = _mapping(_mapping(_mapping(spec).get("resources")).get("requests"))
    storage = requests.get("storage")
    if storage is not None and quantity(storage) is None:
        return [_issue((*path, "resources", "requests", "storage"), "storage request",
                       storage, "a quantity such as 10Gi")]
    return []


def _ingress_issues(obj: Mapping[str, Any]) -> list[Issue]:
    issues = []
    for index, rule in _items(_mapping(obj.get("spec")).get("rules")):
        host = rule.get("host")
        if isinstance(host, str) and host:
            bare = host[2:] if host.startswith("*.") else host
            if dns1123_subdomain(bare) is not None:
                issues.append(_issue(("spec", "rules", index, "host"), "Ingress host", host,
                                     "a DNS name (an RFC 1123 subdomain, '*.' allowed first)"))
        paths = _mapping(rule.get("http")).get("paths")
        for number, item in _items(paths):
            text = item.get("path")
            if isinstance(text, str) and item.get("pathType") in ("Prefix", "Exact") \
                    and not text.startswith("/"):
                issues.append(_issue(("spec", "rules", index, "http", "paths", number, "path"),
                                     "path", text, "an absolute path (starting with '/')"))
    return issues


def _kind_issues(obj: Mapping[str, Any], kind: str) -> list[Issue]:
    spec = _mapping(obj.get("spec"))
    if kind == "Service":
        return _service_issues(obj)
    if kind in ("ConfigMap", "Secret"):
        return _data_issues(obj, kind)
    if kind == "PersistentVolumeClaim":
        return _claim_issues(spec, ("spec",))
    if kind == "Ingress":
        return _ingress_issues(obj)
    issues = []
    if kind in ("StatefulSet",):
        for index, claim in _items(spec.get("volumeClaimTemplates")):
            at: Path = ("spec", "volumeClaimTemplates", index)
            issues += _metadata_issues(claim.get("metadata"), (*at, "metadata"))
            issues += _claim_issues(claim.get("spec"), (*at, "spec"))
    if kind in ("PodDisruptionBudget", "Job"):
        issues += _selector_issues(spec.get("selector"), ("spec", "selector"))
    if kind == "NetworkPolicy":
        issues += _selector_issues(spec.get("podSelector"), ("spec", "podSelector"))
    return issues


def _version_at_least(version: str, wanted: tuple[int, int]) -> bool:
    parts = version.lstrip("v").split(".")
    try:
        return (int(parts[0]), int(parts[1])) >= wanted
    except (IndexError, ValueError):
        return True  # an unknown version string: the current rules


@dataclass(frozen=True, slots=True)
class ApiServerRulesCheck:
    """The API server's field validation that no schema carries, as an ObjectCheck."""

    kube_version: str
    name: str = "api"
    covers_kinds: bool = False

    def check(self, obj: Mapping[str, Any]) -> list[Issue] | None:
        kind = obj.get("kind")
        if not isinstance(kind, str):
            return None
        relaxed = _version_at_least(self.kube_version, _RELAXED_ENV_NAMES)
        issues = [*_name_issues(obj, kind, self.kube_version),
                  *_metadata_issues(obj.get("metadata"), ("metadata",)),
                  *_pod_issues(obj, kind, relaxed), *_kind_issues(obj, kind)]
        if kind in _SELECTING_WORKLOADS:
            issues += _selector_issues(_mapping(obj.get("spec")).get("selector"),
                                       ("spec", "selector"))
            issues += _workload_selector_issues(obj)
        return issues


def api_server_checks(kube_version: str) -> Sequence[ApiServerRulesCheck]:
    return (ApiServerRulesCheck(kube_version),)
