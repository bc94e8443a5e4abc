"""The values contract of the fixed chart, as typed data.

This module is the single description of what ``chart/templates`` read from ``.Values``.
``values_schema`` walks these dataclasses to generate ``chart/values.schema.json`` (so Helm
refuses a misspelt or mistyped key, naming it), and ``docs/values.md`` is generated from the
same walk. The converter builds instances of these classes and turns them into plain values
with :func:`to_values`, so the chart and the converter cannot drift apart silently.

Conventions:

* Python field names are snake_case; the values key is camelCase (``container_port`` ->
  ``containerPort``) unless the field's metadata gives ``key``.
* ``X | None = None`` is an optional key: absent from the values when ``None``; the chart
  applies the documented default. A field without a default is required.
* ``tuple[X, ...]`` is a YAML list, ``dict[str, X]`` a YAML mapping with user-chosen keys.
  Maps are used wherever an environment overlay may change one entry (Helm merges maps
  key by key but replaces lists whole).
* Every field is ``Annotated[type, Meta(doc, **constraints)]``. Constraints: ``default``
  (what the chart does when absent, for the docs), JSON-schema ``pattern``, ``minimum``,
  ``maximum``, ``min_length``, ``max_length``, ``min_items``, ``item_pattern`` (list items),
  ``key_pattern``/``value_pattern`` (map keys/values), ``free_form`` (an object passed
  through unchecked, e.g. a secret store provider block), ``key`` (explicit values key).
"""

from __future__ import annotations

import re
from dataclasses import MISSING, dataclass, fields, is_dataclass
from functools import cache
from typing import Annotated, Any, ClassVar, Literal, get_args, get_origin, get_type_hints

# --- reusable constraints -------------------------------------------------------------------

#: DNS-1035 label, short enough that derived names (``<name>-headless``, StatefulSet pod and
#: revision names) stay within Kubernetes' 63-character limit.
SERVICE_NAME_PATTERN = r"^[a-z]([-a-z0-9]{0,48}[a-z0-9])?$"
#: DNS-1123 label (object names derived from a key, e.g. PVC ``<service>-<volume>``).
DNS_LABEL_PATTERN = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
#: DNS-1123 subdomain (names of Secrets, ConfigMaps, classes, stores).
DNS_SUBDOMAIN_PATTERN = r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$"
#: IANA service name as Kubernetes requires for port names (<= 15 chars, lowercase
#: alphanumerics and '-', at least one letter; no '--' is checked separately).
PORT_NAME_PATTERN = r"^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$"
#: Environment variable name (C identifier; Kubernetes also accepts '.' and '-').
ENV_NAME_PATTERN = r"^[-._a-zA-Z][-._a-zA-Z0-9]*$"
#: A key of a ConfigMap/Secret.
DATA_KEY_PATTERN = r"^[-._a-zA-Z0-9]+$"
#: Kubernetes resource quantity (``500m``, ``1.5``, ``512Mi``, ``2Gi``, ``1e3``).
QUANTITY_PATTERN = r"^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$"
#: Absolute container path.
ABS_PATH_PATTERN = r"^/"
#: Go duration as ESO's refreshInterval accepts it.
DURATION_PATTERN = r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$"
#: Label key (optional DNS prefix + '/' + name).
LABEL_KEY_PATTERN = (
    r"^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
#: Label value.
LABEL_VALUE_PATTERN = r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$"


@dataclass(frozen=True)
class Meta:
    """What a field means (``doc``) and how it is constrained, carried in ``Annotated``."""

    doc: str
    constraints: dict[str, Any]

    def __init__(self, doc: str, **constraints: Any) -> None:
        object.__setattr__(self, "doc", doc)
        object.__setattr__(self, "constraints", constraints)

    def get(self, key: str, default: Any = None) -> Any:
        if key == "doc":
            return self.doc
        return self.constraints.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key == "doc" or key in self.constraints

    def __getitem__(self, key: str) -> Any:
        if key == "doc":
            return self.doc
        return self.constraints[key]


Protocol = Literal["TCP", "UDP", "SCTP"]
PathType = Literal["Prefix", "Exact", "ImplementationSpecific"]
WorkloadKind = Literal["Deployment", "StatefulSet", "DaemonSet", "Job"]
StoreKind = Literal["SecretStore", "ClusterSecretStore"]
AccessMode = Literal["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]
IntOrPercent = int | str  # e.g. 1 or "25%"

# --- image ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Image:
    """Container image; the reference is ``[registry/]repository[:tag][@digest]``."""

    repository: Annotated[
        str | None,
        Meta(
            "Image repository, e.g. `nginx` or `ghcr.io/acme/api`. Absent only for a compose "
            "service with neither image nor build: Helm refuses to render it until it is set.",
            min_length=1,
        ),
    ] = None
    tag: Annotated[str | None, Meta("Image tag (always a string: quote numeric tags).")] = None
    digest: Annotated[
        str | None,
        Meta(
            "Image digest `sha256:...`; pins the image, tag kept for humans.",
            pattern=r"^[a-z0-9]+:[a-f0-9]{32,}$",
        ),
    ] = None
    registry: Annotated[str | None, Meta("Registry prefix; overrides `global.imageRegistry`.")] = (
        None
    )
    pull_policy: Annotated[
        Literal["Always", "IfNotPresent", "Never"] | None,
        Meta("Image pull policy.", default="global.imagePullPolicy"),
    ] = None


# --- ports, service, ingress ----------------------------------------------------------------


@dataclass(frozen=True)
class Port:
    """A container port, also exposed on the Service unless `expose` is false."""

    name: Annotated[
        str,
        Meta(
            "Port name (IANA service name: lowercase, <= 15 chars, at least one letter). Used by "
            "Service, probes and NetworkPolicy.",
            pattern=PORT_NAME_PATTERN,
            port_name=True,
        ),
    ]
    container_port: Annotated[int, Meta("Port the container listens on.", minimum=1, maximum=65535)]
    port: Annotated[
        int | None, Meta("Port of the Service.", default="containerPort", minimum=1, maximum=65535)
    ] = None
    protocol: Annotated[Protocol | None, Meta("Protocol.", default="TCP")] = None
    app_protocol: Annotated[
        str | None, Meta("Service appProtocol hint (e.g. `http`, `kubernetes.io/h2c`).")
    ] = None
    node_port: Annotated[
        int | None,
        Meta("Fixed nodePort when `service.type` is NodePort.", minimum=1, maximum=65535),
    ] = None
    expose: Annotated[bool | None, Meta("List this port on the Service.", default=True)] = None


@dataclass(frozen=True)
class ServiceSpec:
    """The Service named after the compose service, so `http://<name>:<port>` keeps working."""

    enabled: Annotated[
        bool | None, Meta("Render the Service.", default="true when the service has ports")
    ] = None
    type: Annotated[
        Literal["ClusterIP", "NodePort", "LoadBalancer"] | None,
        Meta("Service type.", default="ClusterIP"),
    ] = None
    headless: Annotated[
        bool | None,
        Meta(
            "Headless Service (`clusterIP: None`; Swarm `endpoint_mode: dnsrr`). A StatefulSet "
            "whose Service is headless uses it as its governing Service.",
            default=False,
        ),
    ] = None
    name: Annotated[
        str | None, Meta("Service name.", default="the service key", pattern=SERVICE_NAME_PATTERN)
    ] = None
    aliases: Annotated[
        tuple[str, ...] | None,
        Meta(
            "Extra Services with the same ports and selector (compose network aliases, other "
            "names the service was reached by).",
            item_pattern=SERVICE_NAME_PATTERN,
        ),
    ] = None
    annotations: Annotated[dict[str, str] | None, Meta("Annotations of the Service.")] = None


@dataclass(frozen=True)
class IngressPathSpec:
    path: Annotated[str, Meta("URL path.", pattern=ABS_PATH_PATTERN)]
    path_type: Annotated[
        PathType | None,
        Meta(
            "Ingress pathType. Note that `Prefix` matches whole path elements, unlike Traefik's "
            "string `PathPrefix`.",
            default="Prefix",
        ),
    ] = None
    port: Annotated[
        int | None,
        Meta(
            "Service port to route to.", default="the first exposed port", minimum=1, maximum=65535
        ),
    ] = None


@dataclass(frozen=True)
class IngressHost:
    host: Annotated[
        str | None,
        Meta(
            "Host name (may start with `*.`); absent: the rule matches any host (a Traefik "
            "rule without `Host()`, an nginx server without `server_name`).",
            pattern=r"^(\*\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$",
        ),
    ] = None
    paths: Annotated[
        tuple[IngressPathSpec, ...] | None,
        Meta("Paths routed to the service.", default="`/` with pathType Prefix"),
    ] = None


@dataclass(frozen=True)
class IngressTls:
    hosts: Annotated[tuple[str, ...], Meta("Hosts covered by the certificate.")]
    secret_name: Annotated[
        str,
        Meta(
            "Secret holding `tls.crt`/`tls.key` (cert-manager creates it when a cluster issuer is"
            " set).",
            pattern=DNS_SUBDOMAIN_PATTERN,
        ),
    ]


@dataclass(frozen=True)
class IngressSpec:
    enabled: Annotated[bool | None, Meta("Render the Ingress.", default=False)] = None
    class_name: Annotated[str | None, Meta("IngressClass.", default="global.ingress.className")] = (
        None
    )
    cluster_issuer: Annotated[
        str | None,
        Meta(
            "cert-manager ClusterIssuer (annotation `cert-manager.io/cluster-issuer`); empty "
            "string disables it for this service.",
            default="global.ingress.clusterIssuer",
        ),
    ] = None
    annotations: Annotated[
        dict[str, str] | None, Meta("Extra annotations (merged over the global ones).")
    ] = None
    hosts: Annotated[tuple[IngressHost, ...] | None, Meta("Rules, one per host.")] = None
    tls: Annotated[tuple[IngressTls, ...] | None, Meta("TLS blocks.")] = None


# --- probes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExecAction:
    command: Annotated[
        tuple[str, ...], Meta("Command run in the container (no shell unless given).", min_items=1)
    ]


@dataclass(frozen=True)
class HttpHeader:
    name: Annotated[str, Meta("Header name.")]
    value: Annotated[str, Meta("Header value.")]


@dataclass(frozen=True)
class HttpGetAction:
    port: Annotated[int | str, Meta("Port number or port name.", minimum=1, maximum=65535)]
    path: Annotated[str | None, Meta("Path.", default="/")] = None
    scheme: Annotated[Literal["HTTP", "HTTPS"] | None, Meta("Scheme.", default="HTTP")] = None
    http_headers: Annotated[tuple[HttpHeader, ...] | None, Meta("Extra request headers.")] = None


@dataclass(frozen=True)
class TcpSocketAction:
    port: Annotated[int | str, Meta("Port number or port name.", minimum=1, maximum=65535)]


@dataclass(frozen=True)
class Probe:
    """A probe; exactly one of `exec`, `httpGet`, `tcpSocket`. Timings are always rendered."""

    EXACTLY_ONE: ClassVar[tuple[str, ...]] = ("exec", "httpGet", "tcpSocket")

    exec: Annotated[ExecAction | None, Meta("Run a command.")] = None
    http_get: Annotated[HttpGetAction | None, Meta("HTTP GET.")] = None
    tcp_socket: Annotated[TcpSocketAction | None, Meta("TCP connect.")] = None
    initial_delay_seconds: Annotated[int | None, Meta("Initial delay.", default=0, minimum=0)] = (
        None
    )
    period_seconds: Annotated[int | None, Meta("Period.", default=10, minimum=1)] = None
    timeout_seconds: Annotated[int | None, Meta("Timeout.", default=1, minimum=1)] = None
    failure_threshold: Annotated[
        int | None, Meta("Failures before acting.", default=3, minimum=1)
    ] = None
    success_threshold: Annotated[
        int | None,
        Meta("Successes to recover (must be 1 for liveness and startup).", default=1, minimum=1),
    ] = None


@dataclass(frozen=True)
class Probes:
    liveness: Annotated[Probe | None, Meta("Liveness probe.")] = None
    readiness: Annotated[Probe | None, Meta("Readiness probe.")] = None
    startup: Annotated[Probe | None, Meta("Startup probe (compose `start_period`).")] = None


# --- resources and GPUs ---------------------------------------------------------------------


@dataclass(frozen=True)
class ResourceList:
    cpu: Annotated[str | None, Meta("CPU quantity, e.g. `500m`.", pattern=QUANTITY_PATTERN)] = None
    memory: Annotated[
        str | None,
        Meta(
            "Memory quantity (binary units: compose `512M` is `512Mi`).", pattern=QUANTITY_PATTERN
        ),
    ] = None
    ephemeral_storage: Annotated[
        str | None,
        Meta("Ephemeral storage quantity.", key="ephemeral-storage", pattern=QUANTITY_PATTERN),
    ] = None


@dataclass(frozen=True)
class Resources:
    limits: Annotated[ResourceList | None, Meta("Limits (compose `deploy.resources.limits`).")] = (
        None
    )
    requests: Annotated[
        ResourceList | None, Meta("Requests (compose `deploy.resources.reservations`).")
    ] = None


@dataclass(frozen=True)
class GpuRequest:
    """GPUs: a limit on the GPU resource, the pool's toleration and node selector."""

    count: Annotated[
        int,
        Meta(
            "Number of GPUs (compose `count: all`: the GPUs per node of the service's pool in "
            "the plan, else 1, reported as CNV500).",
            minimum=0,
        ),
    ]
    shared: Annotated[
        bool | None,
        Meta(
            "With `count: 0`: claim no GPU but run on the pool, tolerate its taint and see "
            "every GPU of the node (`NVIDIA_VISIBLE_DEVICES=all`), as compose `count: all` "
            "does beside other GPU services.",
            default=False,
        ),
    ] = None
    resource_name: Annotated[
        str | None, Meta("Extended resource name.", default="global.gpu.resourceName")
    ] = None
    pool: Annotated[
        str | None,
        Meta(
            "Node pool label value selected with `nodeSelectorKey`, e.g. `NVIDIA-GH200-480GB` or "
            "`gh200`; no selector when absent."
        ),
    ] = None
    node_selector_key: Annotated[
        str | None,
        Meta(
            "Label key of the pool.",
            default="global.gpu.nodeSelectorKey",
            pattern=LABEL_KEY_PATTERN,
        ),
    ] = None
    runtime_class_name: Annotated[
        str | None,
        Meta(
            "RuntimeClass (e.g. `nvidia`); empty string for none.",
            default="global.gpu.runtimeClassName",
        ),
    ] = None
    tolerate: Annotated[bool | None, Meta("Add the GPU taint toleration.", default=True)] = None


# --- scheduling -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeRequirement:
    key: Annotated[str, Meta("Node label key.", pattern=LABEL_KEY_PATTERN)]
    operator: Annotated[Literal["In", "NotIn", "Exists", "DoesNotExist"], Meta("Operator.")]
    values: Annotated[tuple[str, ...] | None, Meta("Values (for In/NotIn).")] = None


@dataclass(frozen=True)
class PreferredNodeTerm:
    weight: Annotated[int, Meta("Weight 1-100.", minimum=1, maximum=100)]
    requirements: Annotated[tuple[NodeRequirement, ...], Meta("Requirements of the preference.")]


@dataclass(frozen=True)
class NodeAffinity:
    required: Annotated[
        tuple[NodeRequirement, ...] | None,
        Meta("Requirements that must all hold (Swarm placement constraints, AND-ed)."),
    ] = None
    preferred: Annotated[tuple[PreferredNodeTerm, ...] | None, Meta("Soft preferences.")] = None


@dataclass(frozen=True)
class TopologySpread:
    topology_key: Annotated[
        str,
        Meta("Node label to spread over (Swarm `preferences.spread`).", pattern=LABEL_KEY_PATTERN),
    ]
    max_skew: Annotated[int | None, Meta("Max skew.", default=1, minimum=1)] = None
    when_unsatisfiable: Annotated[
        Literal["DoNotSchedule", "ScheduleAnyway"] | None,
        Meta("What to do when the spread cannot be met.", default="ScheduleAnyway"),
    ] = None


@dataclass(frozen=True)
class Toleration:
    key: Annotated[str | None, Meta("Taint key.")] = None
    operator: Annotated[Literal["Exists", "Equal"] | None, Meta("Operator.", default="Equal")] = (
        None
    )
    value: Annotated[str | None, Meta("Taint value.")] = None
    effect: Annotated[
        Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None, Meta("Effect.")
    ] = None


@dataclass(frozen=True)
class Strategy:
    type: Annotated[
        Literal["RollingUpdate", "Recreate"] | None,
        Meta("Update strategy.", default="RollingUpdate"),
    ] = None
    max_surge: Annotated[
        IntOrPercent | None,
        Meta(
            "Extra pods during an update (compose `order: start-first` > 0, `stop-first` 0).",
            pattern=r"^[0-9]+%$",
            minimum=0,
        ),
    ] = None
    max_unavailable: Annotated[
        IntOrPercent | None,
        Meta(
            "Pods down during an update (compose `parallelism`).", pattern=r"^[0-9]+%$", minimum=0
        ),
    ] = None


# --- security -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Capabilities:
    add: Annotated[
        tuple[str, ...] | None,
        Meta(
            "Capabilities added (only NET_BIND_SERVICE stays within the restricted profile).",
            item_pattern=r"^[A-Z_]+$",
        ),
    ] = None
    drop: Annotated[
        tuple[str, ...] | None,
        Meta("Capabilities dropped.", default=["ALL"], item_pattern=r"^[A-Z_]+$"),
    ] = None


@dataclass(frozen=True)
class SecurityContext:
    """Explicit relaxations of (or additions to) `global.podSecurity` for one service."""

    defaults: Annotated[
        Literal["restricted", "docker"] | None,
        Meta(
            "What fills the keys not set here: `restricted` (Pod Security restricted: "
            "non-root, ALL capabilities dropped, read-only root) or `docker` (what Docker "
            "gives a container: the image's own user, root allowed, the runtime's default "
            "capabilities, a writable root filesystem). kubealign writes `docker` for images "
            "it knows nothing about, so they start as under compose; set `restricted` to "
            "harden one (with `runAsUser` when the image's user is a name).",
            default="restricted",
        ),
    ] = None
    run_as_user: Annotated[int | None, Meta("UID (compose numeric `user`).", minimum=0)] = None
    run_as_group: Annotated[int | None, Meta("GID.", minimum=0)] = None
    fs_group: Annotated[
        int | None, Meta("Pod fsGroup (group owning mounted volumes).", minimum=0)
    ] = None
    run_as_non_root: Annotated[
        bool | None, Meta("Require a non-root user.", default="global.podSecurity.runAsNonRoot")
    ] = None
    read_only_root_filesystem: Annotated[
        bool | None,
        Meta("Read-only root filesystem.", default="global.podSecurity.readOnlyRootFilesystem"),
    ] = None
    allow_privilege_escalation: Annotated[
        bool | None, Meta("Allow privilege escalation.", default=False)
    ] = None
    privileged: Annotated[
        bool | None, Meta("Privileged container (violates Pod Security baseline).", default=False)
    ] = None
    capabilities: Annotated[Capabilities | None, Meta("Linux capabilities.")] = None
    seccomp_profile: Annotated[
        Literal["RuntimeDefault", "Localhost", "Unconfined"] | None,
        Meta("Seccomp profile type.", default="global.podSecurity.seccompProfile"),
    ] = None
    seccomp_localhost_profile: Annotated[str | None, Meta("Profile file for `Localhost`.")] = None


# --- files and volumes ----------------------------------------------------------------------


@dataclass(frozen=True)
class ConfigFile:
    """A file delivered through the service's ConfigMap, byte for byte."""

    EXACTLY_ONE: ClassVar[tuple[str, ...]] = ("content", "contentBase64")

    mount_path: Annotated[
        str, Meta("Absolute path of the file in the container.", pattern=ABS_PATH_PATTERN)
    ]
    content: Annotated[str | None, Meta("Text content (exactly; trailing newline included).")] = (
        None
    )
    content_base64: Annotated[str | None, Meta("Binary content, base64 (for non-UTF-8 files).")] = (
        None
    )
    mode: Annotated[
        int | None,
        Meta("File mode as a decimal integer (420 = 0644).", default=420, minimum=0, maximum=511),
    ] = None


@dataclass(frozen=True)
class SecretFile:
    """A file from a Kubernetes Secret (made by External Secrets), never its content."""

    secret_name: Annotated[str, Meta("Secret name.", pattern=DNS_SUBDOMAIN_PATTERN)]
    key: Annotated[str, Meta("Key in the Secret.", pattern=DATA_KEY_PATTERN)]
    mount_path: Annotated[
        str | None,
        Meta(
            "Absolute path in the container.",
            default="/run/secrets/<file key>",
            pattern=ABS_PATH_PATTERN,
        ),
    ] = None
    mode: Annotated[
        int | None,
        Meta("File mode as a decimal integer (292 = 0444).", default=292, minimum=0, maximum=511),
    ] = None


@dataclass(frozen=True)
class SecretKeyRef:
    secret_name: Annotated[str, Meta("Secret name.", pattern=DNS_SUBDOMAIN_PATTERN)]
    key: Annotated[str, Meta("Key in the Secret.", pattern=DATA_KEY_PATTERN)]
    optional: Annotated[bool | None, Meta("Start even when the key is missing.", default=False)] = (
        None
    )


@dataclass(frozen=True)
class PersistentVolume:
    """A named volume: a PVC (`<service>-<name>`), or a StatefulSet volumeClaimTemplate."""

    mount_path: Annotated[str, Meta("Absolute mount path.", pattern=ABS_PATH_PATTERN)]
    sub_path: Annotated[str | None, Meta("Sub-path of the volume to mount.")] = None
    read_only: Annotated[bool | None, Meta("Mount read-only.", default=False)] = None
    size: Annotated[
        str | None, Meta("Requested size.", default="1Gi", pattern=QUANTITY_PATTERN)
    ] = None
    storage_class: Annotated[str | None, Meta("StorageClass; cluster default when absent.")] = None
    access_modes: Annotated[
        tuple[AccessMode, ...] | None, Meta("Access modes.", default=["ReadWriteOnce"])
    ] = None
    claim_name: Annotated[
        str | None,
        Meta(
            "Mount this claim instead of a claim of its own (a volume shared with another "
            "service, or made outside the chart). Equal to `<service>-<name>`, the claim is "
            "this service's: the chart creates it (also for a StatefulSet, then without a "
            "volumeClaimTemplate) and the other services sharing the volume mount it.",
            pattern=DNS_SUBDOMAIN_PATTERN,
        ),
    ] = None


HostMountSource = Literal["none", "emptyDir", "persistentVolumeClaim", "hostPath"]
HostPathType = Literal[
    "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"
]


@dataclass(frozen=True)
class HostPathVolume:
    path: Annotated[
        str | None,
        Meta(
            "Path on the node (required with source hostPath). Preset to the compose source "
            "when compose named an absolute path; empty for `~` and relative sources, which "
            "name a folder of the machine compose ran on.",
            pattern=ABS_PATH_PATTERN,
        ),
    ] = None
    type: Annotated[
        HostPathType | None, Meta("What must exist at the path; unchecked when absent.")
    ] = None


@dataclass(frozen=True)
class HostMount:
    """A compose bind mount of a host path outside the repository: kubealign read none of it;
    where the pod's folder comes from is chosen here."""

    mount_path: Annotated[str, Meta("Absolute mount path.", pattern=ABS_PATH_PATTERN)]
    source: Annotated[
        HostMountSource | None,
        Meta(
            "Where the mount comes from: `none` (no mount: the image's own files at the path "
            "stay), `emptyDir` (an empty writable folder, which hides what the image has "
            "there), `persistentVolumeClaim` (`claimName`, or a claim `<service>-host-<name>` "
            "the chart creates) or `hostPath` (the node's own `hostPath.path`; Pod Security "
            "baseline refuses it). kubealign writes `none` for a read-only mount and for a "
            "target that is not a data folder, `emptyDir` for a writable data folder.",
            default="emptyDir",
        ),
    ] = None
    read_only: Annotated[bool | None, Meta("Mount read-only.", default=False)] = None
    host_path: Annotated[HostPathVolume | None, Meta("The node path (source hostPath).")] = None
    claim_name: Annotated[
        str | None,
        Meta(
            "An existing claim to mount (source persistentVolumeClaim); absent, the chart "
            "creates `<service>-host-<name>`.",
            pattern=DNS_SUBDOMAIN_PATTERN,
        ),
    ] = None
    size: Annotated[
        str | None,
        Meta("Size of the claim the chart creates.", default="1Gi", pattern=QUANTITY_PATTERN),
    ] = None
    storage_class: Annotated[
        str | None,
        Meta("StorageClass of the claim the chart creates; cluster default when absent."),
    ] = None


@dataclass(frozen=True)
class TmpfsMount:
    mount_path: Annotated[str, Meta("Absolute mount path.", pattern=ABS_PATH_PATTERN)]
    size_limit: Annotated[
        str | None, Meta("Size limit (counts against the memory limit).", pattern=QUANTITY_PATTERN)
    ] = None


@dataclass(frozen=True)
class WritablePath:
    mount_path: Annotated[
        str, Meta("Path the container writes to under a read-only root.", pattern=ABS_PATH_PATTERN)
    ]
    size_limit: Annotated[str | None, Meta("Size limit.", pattern=QUANTITY_PATTERN)] = None


# --- misc pod settings ----------------------------------------------------------------------


@dataclass(frozen=True)
class HostAlias:
    ip: Annotated[str, Meta("IP address (compose `extra_hosts`).")]
    hostnames: Annotated[tuple[str, ...], Meta("Host names.", min_items=1)]


@dataclass(frozen=True)
class DnsOption:
    name: Annotated[str, Meta("Option name.")]
    value: Annotated[str | None, Meta("Option value.")] = None


@dataclass(frozen=True)
class DnsConfig:
    nameservers: Annotated[tuple[str, ...] | None, Meta("Name servers (compose `dns`).")] = None
    searches: Annotated[tuple[str, ...] | None, Meta("Search domains (compose `dns_search`).")] = (
        None
    )
    options: Annotated[
        tuple[DnsOption, ...] | None, Meta("Resolver options (compose `dns_opt`).")
    ] = None


@dataclass(frozen=True)
class Autoscaling:
    max_replicas: Annotated[int, Meta("Maximum replicas.", minimum=1)]
    enabled: Annotated[bool | None, Meta("Render a HorizontalPodAutoscaler.", default=False)] = None
    min_replicas: Annotated[int | None, Meta("Minimum replicas.", default=1, minimum=1)] = None
    target_cpu_utilization: Annotated[
        int | None, Meta("Target average CPU utilisation (%).", minimum=1, maximum=1000)
    ] = None
    target_memory_utilization: Annotated[
        int | None, Meta("Target average memory utilisation (%).", minimum=1, maximum=1000)
    ] = None


@dataclass(frozen=True)
class DisruptionBudget:
    AT_MOST_ONE: ClassVar[tuple[str, ...]] = ("minAvailable", "maxUnavailable")

    enabled: Annotated[bool | None, Meta("Render a PodDisruptionBudget.", default=False)] = None
    min_available: Annotated[
        IntOrPercent | None,
        Meta("minAvailable (exclusive with maxUnavailable).", pattern=r"^[0-9]+%$", minimum=0),
    ] = None
    max_unavailable: Annotated[
        IntOrPercent | None, Meta("maxUnavailable.", default=1, pattern=r"^[0-9]+%$", minimum=0)
    ] = None


@dataclass(frozen=True)
class NetworkPolicySpec:
    """Who may talk to this service (compose networks, made explicit)."""

    enabled: Annotated[
        bool | None, Meta("Render the NetworkPolicy.", default="global.networkPolicy.enabled")
    ] = None
    ingress_from: Annotated[
        tuple[str, ...] | None,
        Meta(
            "Services (keys of `services`) allowed to connect (those sharing a compose network).",
            item_pattern=SERVICE_NAME_PATTERN,
        ),
    ] = None
    from_ingress_controller: Annotated[
        bool | None, Meta("Allow the ingress controller's namespace.", default="`ingress.enabled`")
    ] = None
    restrict_egress: Annotated[
        bool | None,
        Meta(
            "Allow egress only to `egressTo` and DNS (compose `internal: true` networks).",
            default=False,
        ),
    ] = None
    egress_to: Annotated[
        tuple[str, ...] | None,
        Meta(
            "Services this one may reach when egress is restricted.",
            item_pattern=SERVICE_NAME_PATTERN,
        ),
    ] = None
    networks: Annotated[
        tuple[str, ...] | None,
        Meta(
            "Compose networks the service joins. Its pods carry the label "
            "`network.kubealign.io/<name>: \"true\"`; pods sharing one of these networks may "
            "connect, and when egress is restricted it may reach exactly them (and DNS). One "
            "label per network keeps policies linear in the number of services.",
            item_pattern=r"^[a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?$",
        ),
    ] = None


@dataclass(frozen=True)
class JobSpec:
    backoff_limit: Annotated[
        int | None, Meta("Retries (compose `restart_policy.max_attempts`).", default=6, minimum=0)
    ] = None
    restart_policy: Annotated[
        Literal["OnFailure", "Never"] | None, Meta("Pod restart policy.", default="OnFailure")
    ] = None
    active_deadline_seconds: Annotated[int | None, Meta("Deadline.", minimum=1)] = None
    ttl_seconds_after_finished: Annotated[
        int | None, Meta("Delete the Job this long after it ends.", minimum=0)
    ] = None
    completions: Annotated[int | None, Meta("Completions.", minimum=1)] = None
    parallelism: Annotated[int | None, Meta("Parallelism.", minimum=0)] = None


@dataclass(frozen=True)
class Dependency:
    """Wait for another service before this one's containers start (compose `depends_on`).

    Rendered as init containers, and only while the dependency is enabled: `completed` waits
    for the dependency's Job to succeed (`kubectl wait`, with a token mounted into the wait
    containers only), `started` and `healthy` wait until the dependency's Service accepts TCP
    connections on its port (a Service routes only to ready pods, so for a dependency with a
    readiness probe that means healthy)."""

    condition: Annotated[
        Literal["started", "healthy", "completed"],
        Meta(
            "What to wait for: compose `service_started`, `service_healthy` or "
            "`service_completed_successfully`."
        ),
    ]
    enabled: Annotated[bool | None, Meta("Wait for this dependency.", default=True)] = None
    port: Annotated[
        int | None,
        Meta(
            "Service port to wait for (`started`/`healthy`).",
            default="the dependency's first exposed port",
            minimum=1,
            maximum=65535,
        ),
    ] = None


@dataclass(frozen=True)
class ServiceAccountSpec:
    annotations: Annotated[
        dict[str, str] | None, Meta("Annotations (e.g. cloud workload identity).")
    ] = None
    automount_token: Annotated[
        bool | None, Meta("Mount the API token into pods.", default=False)
    ] = None


@dataclass(frozen=True)
class ServiceValues:
    """One compose service: its workload and everything around it."""

    image: Annotated[Image, Meta("Container image.")]
    enabled: Annotated[bool | None, Meta("Render anything for this service.", default=True)] = None
    kind: Annotated[
        WorkloadKind | None,
        Meta(
            "Workload kind: StatefulSet for services whose named volumes hold state, DaemonSet "
            "for Swarm `mode: global`, Job for one-shot services.",
            default="Deployment",
        ),
    ] = None
    component: Annotated[
        str | None,
        Meta(
            "`app.kubernetes.io/component` label.",
            default="the service key",
            pattern=LABEL_VALUE_PATTERN,
        ),
    ] = None
    replicas: Annotated[
        int | None,
        Meta("Replicas (ignored for DaemonSet, and when autoscaling).", default=1, minimum=0),
    ] = None
    command: Annotated[
        tuple[str, ...] | None, Meta("Container command (compose `entrypoint`).")
    ] = None
    args: Annotated[tuple[str, ...] | None, Meta("Container args (compose `command`).")] = None
    working_dir: Annotated[str | None, Meta("Working directory.", pattern=ABS_PATH_PATTERN)] = None
    tty: Annotated[bool | None, Meta("Allocate a TTY.", default=False)] = None
    stdin: Annotated[bool | None, Meta("Keep stdin open.", default=False)] = None
    env: Annotated[
        dict[str, str] | None,
        Meta(
            "Plain environment values (strings; a literal `$(` must be written `$$(`).",
            key_pattern=ENV_NAME_PATTERN,
        ),
    ] = None
    field_env: Annotated[
        dict[str, str] | None,
        Meta(
            "Variables read from the pod's own fields (downward API `fieldRef.fieldPath`, e.g. "
            "`metadata.name`, `spec.nodeName`), for Swarm's task templates "
            "(`{{.Task.Name}}` -> `$(KUBEALIGN_POD_NAME)`); rendered first.",
            key_pattern=ENV_NAME_PATTERN,
        ),
    ] = None
    secret_env: Annotated[
        dict[str, SecretKeyRef] | None,
        Meta(
            "Environment variables read from Secrets; rendered before `env`.",
            key_pattern=ENV_NAME_PATTERN,
        ),
    ] = None
    composed_env: Annotated[
        dict[str, str] | None,
        Meta(
            "Variables built from others with `$(VAR)` (e.g. a URL holding a secret password); "
            "rendered last so every reference resolves.",
            key_pattern=ENV_NAME_PATTERN,
        ),
    ] = None
    ports: Annotated[tuple[Port, ...] | None, Meta("Container ports.")] = None
    service: Annotated[ServiceSpec | None, Meta("The Service.")] = None
    ingress: Annotated[IngressSpec | None, Meta("The Ingress.")] = None
    probes: Annotated[Probes | None, Meta("Probes.")] = None
    resources: Annotated[Resources | None, Meta("CPU/memory requests and limits.")] = None
    gpu: Annotated[GpuRequest | None, Meta("GPUs.")] = None
    node_selector: Annotated[
        dict[str, str] | None, Meta("Extra node selector labels.", key_pattern=LABEL_KEY_PATTERN)
    ] = None
    node_affinity: Annotated[NodeAffinity | None, Meta("Node affinity (translated placement).")] = (
        None
    )
    topology_spread: Annotated[
        tuple[TopologySpread, ...] | None, Meta("Topology spread constraints.")
    ] = None
    anti_affinity: Annotated[
        Literal["required", "preferred"] | None,
        Meta(
            "Pod anti-affinity on the node hostname: `required` for at most one replica per node "
            "(compose `max_replicas_per_node: 1`), `preferred` to spread when possible."
        ),
    ] = None
    tolerations: Annotated[tuple[Toleration, ...] | None, Meta("Extra tolerations.")] = None
    priority_class_name: Annotated[str | None, Meta("PriorityClass.")] = None
    runtime_class_name: Annotated[str | None, Meta("RuntimeClass (non-GPU; GPUs use `gpu`).")] = (
        None
    )
    strategy: Annotated[Strategy | None, Meta("Deployment/DaemonSet update strategy.")] = None
    termination_grace_period_seconds: Annotated[
        int | None,
        Meta("Grace period (compose `stop_grace_period`; compose defaults to 10 s).", minimum=0),
    ] = None
    hostname: Annotated[str | None, Meta("Pod hostname.", pattern=DNS_LABEL_PATTERN)] = None
    host_aliases: Annotated[
        tuple[HostAlias, ...] | None, Meta("/etc/hosts entries (`extra_hosts`).")
    ] = None
    dns_config: Annotated[DnsConfig | None, Meta("DNS settings.")] = None
    sysctls: Annotated[
        dict[str, str] | None,
        Meta(
            "Namespaced sysctls (only the safe set runs without kubelet configuration).",
            key_pattern=r"^[a-z0-9_.]+$",
        ),
    ] = None
    security_context: Annotated[SecurityContext | None, Meta("Security relaxations/additions.")] = (
        None
    )
    config_files: Annotated[
        dict[str, ConfigFile] | None,
        Meta(
            "Files in the ConfigMap `<service>-config`, keyed by ConfigMap key.",
            key_pattern=DATA_KEY_PATTERN,
        ),
    ] = None
    secret_files: Annotated[
        dict[str, SecretFile] | None,
        Meta("Secret files, keyed by compose secret name.", key_pattern=DATA_KEY_PATTERN),
    ] = None
    persistence: Annotated[
        dict[str, PersistentVolume] | None,
        Meta(
            "Named volumes, keyed by volume name.",
            key_pattern=r"^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$",
        ),
    ] = None
    host_mounts: Annotated[
        dict[str, HostMount] | None,
        Meta(
            "Bind mounts of host paths outside the repository, keyed by name: never read, "
            "mounted from the source chosen here (`none` drops the mount; no source: emptyDir).",
            key_pattern=r"^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$",
        ),
    ] = None
    tmpfs: Annotated[
        tuple[TmpfsMount, ...] | None, Meta("Memory-backed emptyDirs (compose `tmpfs`).")
    ] = None
    shm_size: Annotated[
        str | None,
        Meta(
            "Size of a memory emptyDir at /dev/shm (compose `shm_size`).", pattern=QUANTITY_PATTERN
        ),
    ] = None
    writable_paths: Annotated[
        tuple[WritablePath, ...] | None,
        Meta("Disk emptyDirs where a read-only-root container writes."),
    ] = None
    autoscaling: Annotated[Autoscaling | None, Meta("HorizontalPodAutoscaler.")] = None
    pod_disruption_budget: Annotated[DisruptionBudget | None, Meta("PodDisruptionBudget.")] = None
    network_policy: Annotated[NetworkPolicySpec | None, Meta("NetworkPolicy.")] = None
    job: Annotated[JobSpec | None, Meta("Job settings (kind Job).")] = None
    service_account: Annotated[
        ServiceAccountSpec | None, Meta("The ServiceAccount `<service>`.")
    ] = None
    labels: Annotated[
        dict[str, str] | None,
        Meta(
            "Extra labels on the workload and pods.",
            key_pattern=LABEL_KEY_PATTERN,
            value_pattern=LABEL_VALUE_PATTERN,
        ),
    ] = None
    annotations: Annotated[dict[str, str] | None, Meta("Annotations on the workload.")] = None
    pod_annotations: Annotated[dict[str, str] | None, Meta("Annotations on the pods.")] = None
    depends_on: Annotated[
        dict[str, Dependency] | None,
        Meta(
            "Services to wait for before starting (compose `depends_on`), keyed by service key; "
            "a dependency that is disabled or absent is not waited for.",
            key_pattern=SERVICE_NAME_PATTERN,
        ),
    ] = None


# --- External Secrets -----------------------------------------------------------------------


@dataclass(frozen=True)
class StoreRef:
    name: Annotated[str, Meta("Store name.", pattern=DNS_SUBDOMAIN_PATTERN)]
    kind: Annotated[StoreKind | None, Meta("Store kind.", default="ClusterSecretStore")] = None


@dataclass(frozen=True)
class RemoteRef:
    key: Annotated[
        str,
        Meta(
            "Key in the provider (Pulumi ESC: path syntax, e.g. `app.db.password`).", min_length=1
        ),
    ]
    property: Annotated[str | None, Meta("Property within the key.")] = None
    version: Annotated[str | None, Meta("Version.")] = None


@dataclass(frozen=True)
class ExternalSecretData:
    secret_key: Annotated[str, Meta("Key in the produced Secret.", pattern=DATA_KEY_PATTERN)]
    remote_ref: Annotated[RemoteRef, Meta("Where the value lives.")]


@dataclass(frozen=True)
class ExternalSecretExtract:
    extract: Annotated[RemoteRef, Meta("Fetch every property of one remote key.")]


@dataclass(frozen=True)
class ExternalSecretSpec:
    """An `external-secrets.io/v1` ExternalSecret producing the Secret `targetName`."""

    secret_store_ref: Annotated[
        StoreRef | None, Meta("Store.", default="global.externalSecrets.secretStoreRef")
    ] = None
    refresh_interval: Annotated[
        str | None,
        Meta(
            "Refresh interval (Go duration).",
            default="global.externalSecrets.refreshInterval",
            pattern=DURATION_PATTERN,
        ),
    ] = None
    target_name: Annotated[
        str | None,
        Meta("Secret to create.", default="the entry key", pattern=DNS_SUBDOMAIN_PATTERN),
    ] = None
    target_type: Annotated[
        str | None, Meta("Secret type (e.g. `kubernetes.io/dockerconfigjson`).")
    ] = None
    creation_policy: Annotated[
        Literal["Owner", "Orphan", "Merge", "None"] | None,
        Meta("Creation policy.", default="Owner"),
    ] = None
    data: Annotated[tuple[ExternalSecretData, ...] | None, Meta("Individual keys.")] = None
    data_from: Annotated[
        tuple[ExternalSecretExtract, ...] | None, Meta("Whole remote objects.")
    ] = None


@dataclass(frozen=True)
class SecretStoreSpec:
    provider: Annotated[
        dict[str, Any],
        Meta(
            "The `spec.provider` block, passed through (default provider: `pulumi` with "
            "organization, project, environment and auth).",
            free_form=True,
        ),
    ]
    kind: Annotated[StoreKind | None, Meta("Kind.", default="ClusterSecretStore")] = None


# --- globals --------------------------------------------------------------------------------


@dataclass(frozen=True)
class GlobalIngress:
    class_name: Annotated[
        str | None, Meta("Default IngressClass; cluster default when empty.", default="")
    ] = None
    cluster_issuer: Annotated[
        str | None, Meta("Default cert-manager ClusterIssuer for TLS Ingresses.", default="")
    ] = None
    annotations: Annotated[dict[str, str] | None, Meta("Annotations on every Ingress.")] = None


@dataclass(frozen=True)
class GlobalNetworkPolicy:
    enabled: Annotated[bool | None, Meta("Render NetworkPolicies.", default=True)] = None
    ingress_controller_namespace: Annotated[
        str | None,
        Meta(
            "Namespace of the ingress controller allowed to reach exposed services.",
            default="ingress-nginx",
            pattern=DNS_LABEL_PATTERN,
        ),
    ] = None
    dns_namespace: Annotated[
        str | None,
        Meta(
            "Namespace of the cluster DNS (always allowed egress).",
            default="kube-system",
            pattern=DNS_LABEL_PATTERN,
        ),
    ] = None


@dataclass(frozen=True)
class GlobalPodSecurity:
    run_as_non_root: Annotated[bool | None, Meta("runAsNonRoot.", default=True)] = None
    read_only_root_filesystem: Annotated[
        bool | None, Meta("readOnlyRootFilesystem.", default=True)
    ] = None
    seccomp_profile: Annotated[
        Literal["RuntimeDefault", "Localhost", "Unconfined"] | None,
        Meta("Seccomp profile type.", default="RuntimeDefault"),
    ] = None
    run_as_user: Annotated[
        int | None, Meta("Default UID when a service gives none.", minimum=0)
    ] = None
    run_as_group: Annotated[int | None, Meta("Default GID.", minimum=0)] = None
    fs_group: Annotated[int | None, Meta("Default fsGroup.", minimum=0)] = None


@dataclass(frozen=True)
class GlobalGpu:
    resource_name: Annotated[str | None, Meta("GPU resource.", default="nvidia.com/gpu")] = None
    taint_key: Annotated[
        str | None, Meta("Taint key tolerated by GPU pods.", default="nvidia.com/gpu")
    ] = None
    taint_effect: Annotated[
        Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None,
        Meta("Taint effect.", default="NoSchedule"),
    ] = None
    node_selector_key: Annotated[
        str | None,
        Meta(
            "Node label naming the pool.",
            default="nvidia.com/gpu.product",
            pattern=LABEL_KEY_PATTERN,
        ),
    ] = None
    runtime_class_name: Annotated[
        str | None, Meta("RuntimeClass for GPU pods; empty for none.", default="")
    ] = None


@dataclass(frozen=True)
class GlobalExternalSecrets:
    secret_store_ref: Annotated[
        StoreRef | None,
        Meta("Default store.", default={"name": "pulumi-esc", "kind": "ClusterSecretStore"}),
    ] = None
    refresh_interval: Annotated[
        str | None, Meta("Default refresh interval.", default="1h", pattern=DURATION_PATTERN)
    ] = None


@dataclass(frozen=True)
class GlobalDependencyWait:
    """How `services.<n>.dependsOn` waits are rendered (init containers)."""

    enabled: Annotated[
        bool | None, Meta("Render the wait init containers at all.", default=True)
    ] = None
    image: Annotated[
        Image | None,
        Meta(
            "Image with `sh` and `nc` for the port waits.",
            default={"repository": "busybox", "tag": "1.36.1"},
        ),
    ] = None
    kubectl_image: Annotated[
        Image | None,
        Meta(
            "kubectl image (1.31 or later: `wait --for=create`) for the Job waits.",
            default={"registry": "registry.k8s.io", "repository": "kubectl", "tag": "v1.31.4"},
        ),
    ] = None
    timeout: Annotated[
        str | None,
        Meta(
            "How long one Job wait lasts before its init container fails and the kubelet "
            "retries it (Go duration).",
            default="10m",
            pattern=DURATION_PATTERN,
        ),
    ] = None
    run_as_user: Annotated[
        int | None, Meta("UID of the wait containers (never root).", default=65534, minimum=1)
    ] = None
    resources: Annotated[
        Resources | None,
        Meta(
            "Requests and limits of each wait container.",
            default={"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"memory": "64Mi"}},
        ),
    ] = None


@dataclass(frozen=True)
class GlobalValues:
    image_registry: Annotated[
        str | None, Meta("Registry prefixed to every image without its own.", default="")
    ] = None
    image_pull_policy: Annotated[
        Literal["Always", "IfNotPresent", "Never"] | None,
        Meta("Default pull policy.", default="IfNotPresent"),
    ] = None
    image_pull_secrets: Annotated[
        tuple[str, ...] | None,
        Meta("Pull secret names for every pod.", item_pattern=DNS_SUBDOMAIN_PATTERN),
    ] = None
    part_of: Annotated[
        str | None,
        Meta(
            "`app.kubernetes.io/part-of`.", default="the release name", pattern=LABEL_VALUE_PATTERN
        ),
    ] = None
    common_labels: Annotated[
        dict[str, str] | None,
        Meta(
            "Labels on every object.",
            key_pattern=LABEL_KEY_PATTERN,
            value_pattern=LABEL_VALUE_PATTERN,
        ),
    ] = None
    ingress: Annotated[GlobalIngress | None, Meta("Ingress defaults.")] = None
    network_policy: Annotated[GlobalNetworkPolicy | None, Meta("NetworkPolicy defaults.")] = None
    pod_security: Annotated[GlobalPodSecurity | None, Meta("Restricted Pod Security defaults.")] = (
        None
    )
    gpu: Annotated[GlobalGpu | None, Meta("GPU defaults.")] = None
    external_secrets: Annotated[GlobalExternalSecrets | None, Meta("ExternalSecret defaults.")] = (
        None
    )
    dependency_wait: Annotated[
        GlobalDependencyWait | None, Meta("Init containers that wait for `dependsOn`.")
    ] = None


@dataclass(frozen=True)
class ChartValues:
    """The whole of `values.yaml`."""

    global_: Annotated[GlobalValues | None, Meta("Defaults for every service.", key="global")] = (
        None
    )
    services: Annotated[
        dict[str, ServiceValues] | None,
        Meta(
            "Services keyed by compose service name (DNS-1035 label, <= 50 chars).",
            key_pattern=SERVICE_NAME_PATTERN,
        ),
    ] = None
    external_secrets: Annotated[
        dict[str, ExternalSecretSpec] | None,
        Meta("ExternalSecrets keyed by name.", key_pattern=DNS_SUBDOMAIN_PATTERN),
    ] = None
    secret_stores: Annotated[
        dict[str, SecretStoreSpec] | None,
        Meta("SecretStores/ClusterSecretStores keyed by name.", key_pattern=DNS_SUBDOMAIN_PATTERN),
    ] = None


# --- plain values ---------------------------------------------------------------------------

_CAMEL = re.compile(r"_([a-z0-9])")


@dataclass(frozen=True)
class FieldSpec:
    """One key of a values object: its key, type (``Annotated`` removed) and meaning."""

    name: str
    key: str
    hint: Any
    meta: Meta
    required: bool


@cache
def field_specs(cls: type) -> tuple[FieldSpec, ...]:
    """The keys of a values dataclass, in declaration order."""
    hints = get_type_hints(cls, include_extras=True)
    specs = []
    for f in fields(cls):
        hint = hints[f.name]
        if get_origin(hint) is not Annotated:
            raise TypeError(f"{cls.__name__}.{f.name} lacks its Meta annotation")
        base, meta = get_args(hint)[0], get_args(hint)[1]
        explicit = meta.get("key")
        key = str(explicit) if explicit else _CAMEL.sub(lambda m: m.group(1).upper(), f.name)
        required = f.default is MISSING and f.default_factory is MISSING
        specs.append(FieldSpec(f.name, key, base, meta, required))
    return tuple(specs)


def to_values(obj: Any) -> Any:
    """Plain YAML-ready data from model instances: camelCase keys, ``None`` left out."""
    if is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for spec in field_specs(type(obj)):
            value = getattr(obj, spec.name)
            if value is None:
                continue
            out[spec.key] = to_values(value)
        return out
    if isinstance(obj, dict):
        return {str(k): to_values(v) for k, v in sorted(obj.items())}
    if isinstance(obj, tuple | list):
        return [to_values(v) for v in obj]
    return obj
