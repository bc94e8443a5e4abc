"""The conversion matrix: how each Compose and Swarm key is treated.

This table is the single source of the converter's per-key policy: the ledger entries the
converter writes use its wording, and ``docs/conversion-matrix.md`` is generated from it
(``python -m kubealign.transform.matrix --write``). A catalogue test fails when a key of the
model has no row.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Status = Literal["converted", "approximated", "not-convertible", "ignored", "depends"]


@dataclass(frozen=True, slots=True)
class KeyTreatment:
    key: str
    status: Status
    becomes: str
    note: str = ""


def _t(key: str, status: Status, becomes: str, note: str = "") -> KeyTreatment:
    return KeyTreatment(key, status, becomes, note)


SERVICE_TREATMENTS: tuple[KeyTreatment, ...] = (
    _t("annotations", "converted", "pod annotations"),
    _t("attach", "ignored", "-", "log attachment of `docker compose up`"),
    _t("blkio_config", "not-convertible", "-", "no block-IO weights in Kubernetes"),
    _t("build", "ignored", "-", "images are built by CI; the audit reports which Dockerfile"),
    _t("cap_add", "depends", "securityContext.capabilities.add",
       "only NET_BIND_SERVICE is allowed by the restricted profile; others relax it, reported"),
    _t("cap_drop", "converted", "securityContext.capabilities.drop (ALL by default)"),
    _t("cgroup", "not-convertible", "-"),
    _t("cgroup_parent", "not-convertible", "-"),
    _t("command", "converted", "container args"),
    _t("configs", "converted", "ConfigMap mounted at the same path and mode"),
    _t("container_name", "depends", "an extra Service name (`service.aliases`)",
       "hard-coded references keep working; a Swarm template (`{{.Task.Slot}}`) names tasks "
       "and gives none; a name another service also claims goes to none (CNV206)"),
    _t("cpu_count", "approximated", "resources.limits.cpu"),
    _t("cpu_percent", "not-convertible", "-"),
    _t("cpu_period", "not-convertible", "-"),
    _t("cpu_quota", "not-convertible", "-"),
    _t("cpu_rt_period", "not-convertible", "-"),
    _t("cpu_rt_runtime", "not-convertible", "-"),
    _t("cpu_shares", "approximated", "resources.requests.cpu", "relative weight, 1024 = 1 CPU"),
    _t("cpus", "converted", "resources.limits.cpu"),
    _t("cpuset", "not-convertible", "-", "use the CPU manager static policy on the nodes"),
    _t("credential_spec", "not-convertible", "-", "Windows gMSA"),
    _t("depends_on", "converted", "services.<name>.dependsOn (wait init containers)",
       "completed: waits for the dependency's Job; healthy/started: waits for its Service "
       "port; only while the dependency is enabled (docs/dependencies.md)"),
    _t("deploy", "converted", "see the deploy.* rows"),
    _t("develop", "ignored", "-", "`docker compose watch` only"),
    _t("device_cgroup_rules", "not-convertible", "-"),
    _t("devices", "not-convertible", "-", "host devices need a device plugin; GPUs excepted"),
    _t("dns", "converted", "dnsConfig.nameservers (dnsPolicy None)"),
    _t("dns_opt", "converted", "dnsConfig.options"),
    _t("dns_search", "converted", "dnsConfig.searches"),
    _t("domainname", "converted", "subdomain"),
    _t("entrypoint", "converted", "container command"),
    _t("env_file", "converted", "environment (merged by the loader)"),
    _t("environment", "converted", "env; secret-looking values become secret references",
       "Swarm task templates (`{{.Task.Slot}}`, `{{.Node.Hostname}}`) read the pod's own "
       "fields (`fieldEnv`, downward API)"),
    _t("expose", "converted", "Service ports"),
    _t("extends", "converted", "merged by the loader"),
    _t("external_links", "not-convertible", "-", "use the target's Service DNS name"),
    _t("extra_hosts", "converted", "hostAliases"),
    _t("gpus", "converted", "resources.limits nvidia.com/gpu + toleration + node selector",
       "`all` becomes the GPUs per node of the service's pool (plan), else 1; reported "
       "(CNV500)"),
    _t("group_add", "converted", "securityContext.supplementalGroups (numeric only)"),
    _t("healthcheck", "converted", "readiness, liveness and startup probes"),
    _t("hostname", "depends", "an extra Service name (`service.aliases`)",
       "the pod keeps its own name; a Swarm template (`{{.Service.Name}}.{{.Task.Slot}}`) "
       "names tasks and gives none; a name another service also claims goes to none (CNV206)"),
    _t("image", "converted", "image.repository and image.tag"),
    _t("init", "not-convertible", "-", "add tini to the image or shareProcessNamespace"),
    _t("ipc", "not-convertible", "-", "hostIPC is forbidden by Pod Security baseline"),
    _t("isolation", "not-convertible", "-", "Windows only"),
    _t("label_file", "converted", "labels (merged by the loader)"),
    _t("labels", "converted", "pod labels; traefik.* labels become an Ingress"),
    _t("links", "ignored", "-", "every Service is reachable by its name"),
    _t("logging", "ignored", "-", "cluster log collection replaces logging drivers"),
    _t("mac_address", "not-convertible", "-"),
    _t("mem_limit", "converted", "resources.limits.memory"),
    _t("mem_reservation", "converted", "resources.requests.memory"),
    _t("mem_swappiness", "not-convertible", "-"),
    _t("memswap_limit", "not-convertible", "-", "Kubernetes swap is configured per node"),
    _t("models", "not-convertible", "-", "Docker Model Runner"),
    _t("network_mode", "depends", "hostNetwork / sidecar",
       "host -> not convertible under restricted; bridge/default ignored"),
    _t("networks", "converted", "NetworkPolicy (who may talk to whom); aliases -> Services"),
    _t("oom_kill_disable", "not-convertible", "-"),
    _t("oom_score_adj", "not-convertible", "-", "Kubernetes derives it from QoS class"),
    _t("pid", "not-convertible", "-", "hostPID is forbidden by Pod Security baseline"),
    _t("pids_limit", "not-convertible", "-", "set per node (podPidsLimit)"),
    _t("platform", "converted", "nodeSelector kubernetes.io/arch and os"),
    _t("ports", "converted", "container ports + Service ports", "published ports -> Ingress/"
       "LoadBalancer decisions; ranges expanded"),
    _t("post_start", "converted", "lifecycle.postStart"),
    _t("pre_start", "not-convertible", "-", "use an init container"),
    _t("pre_stop", "converted", "lifecycle.preStop"),
    _t("privileged", "depends", "securityContext.privileged",
       "true relaxes Pod Security; reported as a finding"),
    _t("profiles", "converted", "services.<name>.enabled",
       "every service stays in values; those of profiles not active have enabled: false, so "
       "`--profile x` is one flag per environment"),
    _t("provider", "not-convertible", "-"),
    _t("pull_policy", "converted", "image.pullPolicy"),
    _t("pull_refresh_after", "ignored", "-"),
    _t("read_only", "converted", "securityContext.readOnlyRootFilesystem"),
    _t("restart", "converted", "Deployment (always) or Job (no, on-failure)"),
    _t("runtime", "depends", "runtimeClassName; nvidia -> GPU request"),
    _t("scale", "converted", "replicas"),
    _t("secrets", "converted", "Secret (from External Secrets) mounted at /run/secrets/<name>"),
    _t("security_opt", "approximated", "seccompProfile / appArmorProfile / "
       "allowPrivilegeEscalation"),
    _t("shm_size", "converted", "memory emptyDir at /dev/shm with sizeLimit"),
    _t("stdin_open", "converted", "stdin"),
    _t("stop_grace_period", "converted", "terminationGracePeriodSeconds"),
    _t("stop_signal", "not-convertible", "-", "set STOPSIGNAL in the image"),
    _t("storage_opt", "not-convertible", "-"),
    _t("sysctls", "depends", "securityContext.sysctls",
       "only the Pod Security safe set works without kubelet changes"),
    _t("tmpfs", "converted", "memory emptyDir"),
    _t("tty", "converted", "tty"),
    _t("ulimits", "not-convertible", "-", "no Pod field; set on the nodes or in an entrypoint"),
    _t("umask", "not-convertible", "-"),
    _t("use_api_socket", "not-convertible", "-"),
    _t("user", "converted", "securityContext.runAsUser/runAsGroup (numeric)",
       "user names need a numeric UID for runAsNonRoot"),
    _t("userns_mode", "not-convertible", "-", "hostUsers is a cluster feature gate"),
    _t("uts", "not-convertible", "-"),
    _t("volumes", "converted", "PVC (named; one shared claim per shared volume), ConfigMap "
       "(bind-mounted config files and folders), PVC (writable data folders), emptyDir (tmpfs)",
       "host paths outside the repository are never read: `hostMounts.<name>` keeps the "
       "mount: dropped (`source: none`, the image's files stay) or, for a writable data "
       "folder, an emptyDir, until `source` says persistentVolumeClaim or hostPath (CNV205)"),
    _t("volumes_from", "not-convertible", "-", "put the containers in one pod"),
    _t("working_dir", "converted", "workingDir"),
)

DEPLOY_TREATMENTS: tuple[KeyTreatment, ...] = (
    _t("deploy.mode", "converted", "Deployment (replicated), DaemonSet (global), Job (*-job)"),
    _t("deploy.replicas", "converted", "replicas (+ PodDisruptionBudget when > 1)"),
    _t("deploy.endpoint_mode", "converted", "dnsrr -> headless Service"),
    _t("deploy.labels", "converted", "workload labels; traefik.* labels become an Ingress"),
    _t("deploy.resources.limits.cpus", "converted", "resources.limits.cpu"),
    _t("deploy.resources.limits.memory", "converted", "resources.limits.memory (binary units)"),
    _t("deploy.resources.limits.pids", "not-convertible", "-", "set per node (podPidsLimit)"),
    _t("deploy.resources.reservations.cpus", "converted", "resources.requests.cpu"),
    _t("deploy.resources.reservations.memory", "converted", "resources.requests.memory"),
    _t("deploy.resources.reservations.devices", "depends", "nvidia.com/gpu limits for GPUs",
       "non-GPU devices are not convertible; device_ids pin via node labels"),
    _t("deploy.resources.reservations.generic_resources", "converted",
       "nvidia.com/gpu limits for *GPU kinds"),
    _t("deploy.placement.constraints", "converted", "required node affinity",
       "node.role and engine labels are not portable"),
    _t("deploy.placement.preferences", "converted", "topologySpreadConstraints"),
    _t("deploy.placement.max_replicas_per_node", "approximated",
       "topologySpreadConstraints on kubernetes.io/hostname (maxSkew 1)"),
    _t("deploy.restart_policy", "approximated", "Deployment restarts always; Job backoffLimit"),
    _t("deploy.update_config", "converted", "RollingUpdate maxSurge/maxUnavailable"),
    _t("deploy.rollback_config", "approximated", "helm --rollback-on-failure"),
)

TOP_LEVEL_TREATMENTS: tuple[KeyTreatment, ...] = (
    _t("name", "converted", "release name"),
    _t("version", "ignored", "-", "deprecated by the Compose specification"),
    _t("services", "converted", "services.<name>"),
    _t("networks", "converted", "NetworkPolicies; internal -> no egress outside the network"),
    _t("volumes", "converted", "PersistentVolumeClaims (size and storage class are values)"),
    _t("secrets", "converted", "ExternalSecrets (never a Secret with data)"),
    _t("configs", "converted", "ConfigMaps with the file content"),
    _t("include", "converted", "merged by the loader"),
    _t("models", "not-convertible", "-"),
    _t("x-*", "ignored", "-", "extension fields"),
)


def treatment(key: str) -> KeyTreatment | None:
    for row in (*SERVICE_TREATMENTS, *DEPLOY_TREATMENTS):
        if row.key == key:
            return row
    return None


def render_markdown() -> str:
    lines = [
        "# Conversion matrix",
        "",
        "Generated from `kubealign.transform.matrix` "
        "(`python -m kubealign.transform.matrix --write`); do not edit by hand.",
        "",
        "Status: **converted** (same meaning on Kubernetes), **approximated** (close, the "
        "ledger says what differs), **not-convertible** (reported with what to do), "
        "**ignored** (no meaning on Kubernetes, by design), **depends** (on the value).",
    ]
    for title, rows in (
        ("Service keys", SERVICE_TREATMENTS),
        ("Swarm `deploy` keys", DEPLOY_TREATMENTS),
        ("Top-level keys", TOP_LEVEL_TREATMENTS),
    ):
        lines += ["", f"## {title}", "", "| key | status | becomes | note |", "|---|---|---|---|"]
        for row in rows:
            lines.append(f"| `{row.key}` | {row.status} | {row.becomes} | {row.note} |")
    lines += ["", *HOST_PATHS]
    return "\n".join(lines) + "\n"


HOST_PATHS = (
    "## Host paths outside the repository",
    "",
    "A bind mount whose source lies outside the repository (`/var/log:/host-logs:ro`, "
    "`/etc/passwd:/etc/pw`, `~/.ssh:/root/.ssh`, `../../x:/y`) is never read: no byte of it "
    "reaches the chart (docs/security.md). The mount is kept in "
    "`services.<service>.hostMounts.<name>` with the source the user chooses:",
    "",
    "| `source` | the pod gets | use it when |",
    "|---|---|---|",
    "| `none` (written for a read-only mount or a target that is not a data folder) | no "
    "mount: the image's own files at the path stay | the program reads configuration, "
    "certificates or models the image already ships |",
    "| `emptyDir` (written for a writable data folder: data, logs, cache, uploads, ...; also "
    "the chart's default when `source` is absent) | an empty writable folder, which hides "
    "what the image has at the path | the program only writes there, as into a fresh compose "
    "volume |",
    "| `persistentVolumeClaim` | `claimName`, or a claim `<service>-host-<name>` the chart "
    "creates (`size`, `storageClass`) | the data must outlive the pod, or a volume you "
    "provision holds it |",
    "| `hostPath` | the node's `hostPath.path` (`type` optional) | node-level agents (log "
    "shippers, exporters); Pod Security baseline refuses it and POL005 flags it |",
    "",
    "`hostPath.path` is preset to the compose source when compose named an absolute path "
    "elsewhere than the home folder or beside the checkout; for `~` and `../` sources it is "
    "left for you to set (they name folders of the machine compose ran on). Finding CNV205 "
    "names the `volumes` item's file:line and the values key to switch; `--allow-path` "
    "instead reads the path into a ConfigMap like a file of the repository.",
)


DOC_PATH = Path("docs/conversion-matrix.md")


def main(argv: list[str]) -> int:
    if argv[1:] == ["--write"]:
        DOC_PATH.write_text(render_markdown(), encoding="utf-8")
        return 0
    sys.stdout.write(render_markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
