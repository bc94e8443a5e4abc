"""Workload kind, replicas, rollout, scheduling, grace period and security of one service."""

from __future__ import annotations

import re
from typing import Any

from kubealign.model.compose import Service, gpu_claim
from kubealign.model.findings import Severity
from kubealign.model.source import relative_to
from kubealign.transform import values_model as vm
from kubealign.transform.convert.annotations import as_annotations
from kubealign.transform.convert.context import ProjectContext
from kubealign.transform.convert.image_user import ImageUser, built_image_user
from kubealign.transform.convert.recorder import Recorder
from kubealign.transform.image_facts import ImageFacts, image_facts
from kubealign.transform.placement import translate_placement
from kubealign.transform.quantities import seconds_to_int

# Images whose named volumes hold state that must follow the pod: StatefulSet by default.
STATEFUL_IMAGES = (
    "postgres", "mysql", "mariadb", "mongo", "redis", "valkey", "rabbitmq", "kafka",
    "zookeeper", "elasticsearch", "opensearch", "qdrant", "weaviate", "milvus", "minio",
    "cassandra", "etcd", "nats", "clickhouse", "influxdb", "neo4j", "couchdb", "memcached",
    "cockroach", "timescale", "pgvector", "chroma", "bitnami/postgresql", "bitnami/redis",
)
_SAFE_CAPABILITY = "NET_BIND_SERVICE"
_SAFE_SYSCTLS = re.compile(
    r"^(kernel\.shm_rmid_forced|net\.ipv4\.ip_local_port_range|net\.ipv4\.ip_unprivileged_port_"
    r"start|net\.ipv4\.tcp_syncookies|net\.ipv4\.ping_group_range|net\.ipv4\.ip_local_reserved_"
    r"ports|net\.ipv4\.tcp_keepalive_time|net\.ipv4\.tcp_fin_timeout|net\.ipv4\.tcp_keepalive_"
    r"intvl|net\.ipv4\.tcp_keepalive_probes)$"
)


def is_stateful_image(image: str | None) -> bool:
    if not image:
        return False
    name = image.split("@", 1)[0].rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else \
        image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return any(name.endswith(s) or last.startswith(s.rsplit("/", 1)[-1]) for s in STATEFUL_IMAGES)


def one_shot(service: Service, ctx: ProjectContext) -> str | None:
    """Why ``service`` runs to completion (a Job), or None for a long-running service."""
    if service.deploy is not None and service.deploy.mode in ("replicated-job", "global-job"):
        return f"deploy.mode {service.deploy.mode}"
    policy = service.deploy.restart_policy if service.deploy is not None else None
    if policy is not None and policy.condition == "none":
        return "restart_policy condition none"
    if service.restart == "no" and service.origin("restart") is not None:
        return 'restart: "no" written explicitly'
    waiter = ctx.awaited_to_complete.get(service.name)
    if waiter is not None:
        return f"{waiter} waits for it to complete successfully"
    on_failure = service.restart == "on-failure" or (
        policy is not None and policy.condition == "on-failure")
    task = _task_word(service)
    if on_failure and task is not None:
        return f"restarts on failure only, and {task!r} names a task that exits"
    return None


# Words naming work that finishes (schema migrations, setup, model downloads). Only trusted
# together with a restart policy that lets a container stop: on their own they also name
# long-running services ("init-api"). Command arguments are held to fewer words, since flags
# such as --init-file or --bootstrap-server belong to servers, and scripts are not read.
_NAME_TASK_WORDS = frozenset({"migrate", "migrations", "migration", "setup", "init", "initdb",
                              "seed", "bootstrap", "provision", "download", "downloader"})
_COMMAND_TASK_WORDS = frozenset({"migrate", "migrations", "download"})


def _task_word(service: Service) -> str | None:
    for word in re.split(r"[^a-z0-9]+", service.name.lower()):
        if word in _NAME_TASK_WORDS:
            return word
    for command in (service.entrypoint, service.command):
        argv = command.argv if command is not None else ()
        if any(any(ch.isspace() for ch in arg) for arg in argv):
            continue  # a script ("migrate && gunicorn ...") may go on to serve
        for arg in argv:
            if arg.startswith("-"):
                continue
            for word in re.split(r"[^a-z0-9]+", arg.lower()):
                if word in _COMMAND_TASK_WORDS:
                    return word
    return None


def convert_workload(service: Service, ctx: ProjectContext, rec: Recorder,
                     path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    deploy = service.deploy
    mode = deploy.mode if deploy is not None else None
    job_reason = one_shot(service, ctx)
    has_named_volume = any(m.type == "volume" and m.source and not m.read_only
                           for m in service.volumes)
    replicas = deploy.replicas if deploy is not None else None
    scale = service.other.get("scale")
    if replicas is None and isinstance(scale, int):
        replicas = scale
        rec.converted("scale", f"{path}.replicas")

    if job_reason is not None:
        out["kind"] = "Job"
        attempts = deploy.restart_policy.max_attempts if deploy and deploy.restart_policy \
            else None
        out["job"] = vm.JobSpec(backoff_limit=attempts,
                                restart_policy="OnFailure" if attempts != 0 else "Never")
        rec.converted("restart" if service.restart else "deploy", f"{path}.kind",
                      f"one-shot service ({job_reason}) -> Job")
    elif mode == "global":
        out["kind"] = "DaemonSet"
        rec.converted("deploy.mode", f"{path}.kind", "global -> DaemonSet (one pod per node)")
    elif has_named_volume and is_stateful_image(service.image):
        out["kind"] = "StatefulSet"
        rec.converted("volumes", f"{path}.kind", "named volume holding state -> StatefulSet "
                                                 "(override with kind: Deployment)")
    elif mode == "replicated":
        rec.converted("deploy.mode", f"{path}.kind", "replicated -> Deployment")
    if service.restart is not None and job_reason is None:
        if service.restart in ("always", "unless-stopped"):
            rec.converted("restart", f"{path}.kind", "pods always restart")
        elif service.restart == "no":
            rec.converted("restart", f"{path}.kind", "default value; long-running service")
        else:
            rec.approximated("restart", f"{path}.kind", f"{service.restart}: a Deployment "
                             "restarts its pods always, not only on failure")
    policy = deploy.restart_policy if deploy is not None else None
    if policy is not None and job_reason is None:
        if policy.condition in (None, "any") and policy.max_attempts is None:
            rec.converted("deploy.restart_policy", f"{path}.kind", "pods always restart, with "
                          "back-off")
        else:
            rec.approximated("deploy.restart_policy", f"{path}.kind", "Deployments restart "
                             "pods always, with back-off; on-failure and max_attempts do not "
                             "apply to long-running services")

    if replicas is not None and out.get("kind") != "DaemonSet":
        out["replicas"] = replicas
        rec.converted("deploy.replicas", f"{path}.replicas")
        if replicas > 1 and out.get("kind") != "Job":
            out["pod_disruption_budget"] = vm.DisruptionBudget(enabled=True, max_unavailable=1)
    if deploy is not None and deploy.endpoint_mode is not None:
        if deploy.endpoint_mode == "dnsrr":
            out["service"] = vm.ServiceSpec(headless=True)
        rec.converted("deploy.endpoint_mode", f"{path}.service.headless")
    if deploy is not None and deploy.labels:
        workload = as_annotations({k: v for k, v in deploy.labels.items()
                                   if not k.lower().startswith(("traefik.", "keel.sh/"))})
        out["annotations"] = workload.values or None
        note = "service labels -> workload annotations; traefik.* labels drive the Ingress"
        if workload.note():
            rec.approximated("deploy.labels", f"{path}.annotations",
                             f"{note}; {workload.note()}")
        else:
            rec.converted("deploy.labels", f"{path}.annotations", note)
    strategy = _strategy(service, out.get("kind"), rec, path)
    if strategy is not None:
        out["strategy"] = strategy
    out.update(_placement(service, rec, path))
    if service.stop_grace_period is not None:
        out["termination_grace_period_seconds"] = seconds_to_int(service.stop_grace_period)
        rec.converted("stop_grace_period", f"{path}.terminationGracePeriodSeconds")
    security = _security(service, ctx, rec, path)
    if security is not None:
        out["security_context"] = security
    if service.sysctls:
        out["sysctls"] = dict(service.sysctls.items())
        unsafe = sorted(k for k in service.sysctls if not _SAFE_SYSCTLS.match(k))
        if unsafe:
            rec.approximated("sysctls", f"{path}.sysctls", f"{', '.join(unsafe)} are not in the "
                             "Pod Security safe set: the kubelet must allow them")
        else:
            rec.converted("sysctls", f"{path}.sysctls")
    if service.ulimits:
        rec.not_convertible("ulimits", "no Pod field for ulimits: configure the container "
                            "runtime on the nodes or raise them in the entrypoint")
    if service.network_mode is not None:
        _network_mode(service, rec)
    if service.ipc is not None:
        rec.not_convertible("ipc", f"ipc {service.ipc!r}: share memory through one pod or an "
                                   "emptyDir; hostIPC is forbidden by Pod Security")
    if service.pid is not None:
        rec.not_convertible("pid", f"pid {service.pid!r}: hostPID is forbidden by Pod Security")
    return out


def _strategy(service: Service, kind: str | None, rec: Recorder, path: str) -> vm.Strategy | None:
    deploy = service.deploy
    if deploy is not None and deploy.rollback_config is not None:
        rec.approximated("deploy.rollback_config", "", "rollbacks are done by "
                         "`kubealign deploy` (helm --rollback-on-failure), not by the workload")
    has_rwo_volume = any(m.type == "volume" and m.source for m in service.volumes)
    if kind is None and has_rwo_volume:
        # Two pods cannot mount one ReadWriteOnce claim on different nodes during a rollout.
        return vm.Strategy(type="Recreate")
    claim = gpu_claim(service, 1)
    if kind is None and claim is not None and claim.count > 0 and (
            deploy is None or deploy.update_config is None):
        # Compose replaces a container stop-first. A surge pod would need GPUs the old pod
        # still holds: on a pool sized for the service the rollout (and a rollback) never
        # progresses. Stop-first: the old pod goes, then the new one gets its GPUs.
        return vm.Strategy(type="RollingUpdate", max_surge=0, max_unavailable=1)
    if deploy is None or deploy.update_config is None or kind in ("Job", "StatefulSet"):
        return None
    update = deploy.update_config
    step: int | str = update.parallelism if update.parallelism else 1
    if update.parallelism == 0:
        step = "100%"
    notes = []
    if update.order == "start-first":
        strategy = vm.Strategy(type="RollingUpdate", max_surge=step, max_unavailable=0)
    else:
        strategy = vm.Strategy(type="RollingUpdate", max_surge=0, max_unavailable=step)
    if update.delay:
        notes.append("delay between batches has no equivalent (use minReadySeconds)")
    if update.failure_action == "rollback":
        notes.append("failure_action rollback -> helm --rollback-on-failure at deploy")
    if update.monitor or update.max_failure_ratio:
        notes.append("monitor/max_failure_ratio have no equivalent (progressDeadlineSeconds)")
    if notes:
        rec.approximated("deploy.update_config", f"{path}.strategy", "; ".join(notes))
    else:
        rec.converted("deploy.update_config", f"{path}.strategy")
    return strategy


def _placement(service: Service, rec: Recorder, path: str) -> dict[str, Any]:
    deploy = service.deploy
    if deploy is None or deploy.placement is None:
        return {}
    placement = deploy.placement
    result = translate_placement(
        tuple(str(c) for c in placement.constraints),
        tuple(p.spread for p in placement.preferences),
    )
    out: dict[str, Any] = {}
    if result.requirements:
        out["node_affinity"] = vm.NodeAffinity(required=tuple(
            vm.NodeRequirement(key=r.key, operator=r.operator, values=r.values)
            for r in result.requirements))
    if result.spread_keys:
        out["topology_spread"] = tuple(vm.TopologySpread(topology_key=k)
                                       for k in result.spread_keys)
    if placement.constraints:
        note = "; ".join(result.notes)
        if result.notes:
            rec.approximated("deploy.placement.constraints", f"{path}.nodeAffinity", note)
        else:
            rec.converted("deploy.placement.constraints", f"{path}.nodeAffinity")
    if placement.preferences:
        rec.converted("deploy.placement.preferences", f"{path}.topologySpread")
    if placement.max_replicas_per_node is not None:
        if placement.max_replicas_per_node == 1:
            out["anti_affinity"] = "required"
            rec.converted("deploy.placement.max_replicas_per_node", f"{path}.antiAffinity",
                          "at most one pod per node (required anti-affinity)")
        else:
            out["anti_affinity"] = "preferred"
            rec.approximated("deploy.placement.max_replicas_per_node", f"{path}.antiAffinity",
                             f"{placement.max_replicas_per_node} per node is not expressible; "
                             "pods are spread across nodes when possible")
    return out


def _security(service: Service, ctx: ProjectContext, rec: Recorder,
              path: str) -> vm.SecurityContext | None:
    """Pod Security "restricted" where the image is known to run that way, Docker's defaults
    where nothing is known, so the chart runs first and hardens second.

    The chart renders the restricted profile by default (non-root, no privilege escalation,
    ALL capabilities dropped, RuntimeDefault seccomp, read-only root). Known images get what
    makes that default work (UID/GID/fsGroup, the capabilities a root-only image needs); a
    built image runs as its Dockerfile's ``USER``; any other image keeps what Docker gave it
    (``defaults: docker``), with a finding offering the hardening. Every relaxation is
    written explicitly in values and reported, never applied silently.
    """
    fields: dict[str, Any] = {}
    built = built_image_user(service, ctx.options.read_file)
    if built is not None:
        facts = image_facts(built.base_image) if built.user is None else None
    else:
        facts = image_facts(service.image)
    if service.user is None:
        _image_defaults(service, facts, built, ctx, fields, rec, path)
    if service.user is not None:
        user, _, group = service.user.partition(":")
        if user.isdigit():
            fields["run_as_user"] = int(user)
            if int(user) == 0:
                fields["run_as_non_root"] = False
                fields["defaults"] = "docker"  # root keeps Docker's capabilities (chown...)
                rec.finding("CNV300", Severity.MEDIUM, "runs as root (user 0): the restricted "
                            "Pod Security profile is relaxed for it", "user",
                            f"run it as a non-root UID and remove {path}.securityContext."
                            "runAsNonRoot")
            elif facts is None:
                # Docker gave it a writable root filesystem; compose read_only decides below.
                fields["read_only_root_filesystem"] = False
            if group.isdigit():
                fields["run_as_group"] = int(group)
                if _has_volumes(service):
                    fields["fs_group"] = int(group)
            rec.converted("user", f"{path}.securityContext.runAsUser")
        elif user == "root":
            fields["run_as_non_root"] = False
            fields["run_as_user"] = 0
            fields["defaults"] = "docker"
            rec.approximated("user", f"{path}.securityContext", "runs as root: the restricted "
                             "profile is relaxed for this service (reported)")
        else:
            # The kubelet refuses runAsNonRoot with a user name it cannot check: the image's
            # /etc/passwd resolves the name, as under Docker.
            fields["run_as_non_root"] = False
            fields["defaults"] = "docker"
            rec.approximated("user", f"{path}.securityContext.runAsNonRoot", f"user name "
                             f"{user!r} cannot be verified as non-root (runAsNonRoot: false, "
                             "the name is resolved in the image): set its numeric UID as "
                             "runAsUser to harden")
    if service.read_only is not None:
        fields["read_only_root_filesystem"] = bool(service.read_only)
        rec.converted("read_only", f"{path}.securityContext.readOnlyRootFilesystem")
    if service.privileged:
        fields["privileged"] = True
        fields["allow_privilege_escalation"] = True
        rec.approximated("privileged", f"{path}.securityContext.privileged", "privileged "
                         "containers violate Pod Security baseline; the namespace must allow it")
    elif service.privileged is not None:
        rec.converted("privileged", f"{path}.securityContext.privileged")
    if service.cap_add or service.cap_drop:
        docker = fields.get("defaults") == "docker"
        extra = fields.get("capabilities")
        base = extra.add if isinstance(extra, vm.Capabilities) and extra.add else ()
        add = tuple(sorted({*base, *(c.upper().removeprefix("CAP_") for c in service.cap_add)}))
        dropped = {c.upper().removeprefix("CAP_") for c in service.cap_drop}
        # Docker's defaults keep the runtime's capability set: drop only what compose drops.
        drop = tuple(sorted(dropped if docker else {"ALL", *dropped}))
        fields["capabilities"] = vm.Capabilities(add=add or None, drop=drop or None)
        unsafe = [c for c in add if c != _SAFE_CAPABILITY]
        if service.cap_add:
            if unsafe:
                rec.approximated("cap_add", f"{path}.securityContext.capabilities.add",
                                 f"{', '.join(unsafe)} relax the restricted profile")
            else:
                rec.converted("cap_add", f"{path}.securityContext.capabilities.add")
        if service.cap_drop:
            rec.converted("cap_drop", f"{path}.securityContext.capabilities.drop",
                          "the runtime's defaults minus these" if docker
                          else "ALL is always dropped")
    for option in service.security_opt:
        if option in ("no-new-privileges", "no-new-privileges:true", "no-new-privileges=true"):
            rec.converted("security_opt", f"{path}.securityContext", "no-new-privileges -> "
                          "allowPrivilegeEscalation false (the default)")
        elif option.startswith("seccomp") and option.endswith("unconfined"):
            fields["seccomp_profile"] = "Unconfined"
            rec.approximated("security_opt", f"{path}.securityContext.seccompProfile",
                             "seccomp unconfined violates the restricted profile")
        else:
            rec.not_convertible("security_opt", f"{option!r} has no portable equivalent")
    return vm.SecurityContext(**fields) if fields else None


def _has_volumes(service: Service) -> bool:
    return any(m.type == "volume" for m in service.volumes)


def _image_defaults(service: Service, facts: ImageFacts | None, built: ImageUser | None,
                    ctx: ProjectContext, fields: dict[str, Any], rec: Recorder,
                    path: str) -> None:
    """UID/GID of a known image or of a built image's Dockerfile ``USER``, the explicit
    relaxation of a root-only image, or Docker's defaults with the hardening offered."""
    if facts is None:
        where = relative_to(built.where, ctx.project.project_directory) if built else ""
        if built is not None and built.uid is not None and not built.is_root:
            fields["run_as_user"] = built.uid
            if built.gid is not None:
                fields["run_as_group"] = built.gid
                if _has_volumes(service):
                    fields["fs_group"] = built.gid
            fields["read_only_root_filesystem"] = False
            rec.finding("HRD004", Severity.INFO, f"built image runs as UID {built.uid} "
                        f"(USER {built.user} at {where}): non-root kept, ALL capabilities "
                        "dropped; its root filesystem stays writable as under Docker",
                        "build", f"set {path}.securityContext.readOnlyRootFilesystem: true "
                        "once it writes only to volumes and /tmp")
            return
        fields["defaults"] = "docker"
        if built is None:
            reason = f"image {service.image or '(built)'} is not in kubealign's image facts"
        elif built.user is None:
            reason = (f"its Dockerfile {where} sets no USER: it runs as its base image "
                      f"{built.base_image or '(unknown)'} does, root unless that sets a user")
        elif built.is_root:
            reason = f"its Dockerfile runs it as root (USER {built.user} at {where})"
        else:
            reason = (f"its Dockerfile's USER {built.user} ({where}) is a name without a "
                      "UID kubealign can read")
        rec.finding("HRD001", Severity.LOW, f"{reason}: it keeps Docker's defaults (the "
                    "image's own user, root allowed, the runtime's default capabilities, a "
                    "writable root filesystem) so it starts as under compose", "image",
                    f"harden it with {path}.securityContext.defaults: restricted (and "
                    "runAsUser: <its non-root UID>) once it runs as non-root")
        return
    if facts.needs_root:
        fields["run_as_non_root"] = False
        fields["run_as_user"] = 0
        fields["capabilities"] = vm.Capabilities(add=facts.capabilities, drop=("ALL",))
        if not facts.read_only_root:
            fields["read_only_root_filesystem"] = False
        advice = f"; use {facts.alternative} to meet it" if facts.alternative else ""
        rec.finding("HRD002", Severity.MEDIUM, f"image {facts.image} runs as root "
                    f"({facts.root_reason}): Pod Security restricted is relaxed explicitly "
                    f"(runAsNonRoot: false, capabilities {', '.join(facts.capabilities)})"
                    f"{advice}", "image",
                    f"remove {path}.securityContext once the image runs as non-root")
        return
    if facts.uid is not None:
        fields["run_as_user"] = facts.uid
    if facts.gid is not None:
        fields["run_as_group"] = facts.gid
        if _has_volumes(service):
            fields["fs_group"] = facts.gid
    if not facts.read_only_root:
        fields["read_only_root_filesystem"] = False
    if facts.note or not facts.read_only_root:
        rec.finding("HRD003", Severity.INFO, f"image {facts.image} runs as UID {facts.uid}"
                    + (" with a writable root filesystem" if not facts.read_only_root else "")
                    + (f": {facts.note}" if facts.note else ""), "image")


def writable_paths(service: Service, existing: tuple[vm.WritablePath, ...] = ()
                   ) -> tuple[vm.WritablePath, ...]:
    """emptyDirs for the paths the image writes that no volume, tmpfs or file covers."""
    facts = image_facts(service.image)
    wanted = facts.writable if facts is not None else ("/tmp",)
    covered = {m.target for m in service.volumes}
    covered.update(entry.partition(":")[0] for entry in service.tmpfs)
    covered.update(w.mount_path for w in existing)
    extra = tuple(vm.WritablePath(mount_path=p) for p in wanted if p not in covered)
    return existing + extra


def _network_mode(service: Service, rec: Recorder) -> None:
    mode = service.network_mode or ""
    if mode in ("bridge", "default"):
        rec.ignored("network_mode", "every pod has its own network namespace")
    elif mode == "host":
        rec.not_convertible("network_mode", "host networking (hostNetwork) is forbidden by Pod "
                            "Security baseline; expose ports through a Service instead",
                            severity=Severity.HIGH)
    elif mode.startswith(("service:", "container:")):
        rec.not_convertible("network_mode", f"{mode}: sharing a network namespace means one "
                            "pod: make it a sidecar container of that service")
    else:
        rec.not_convertible("network_mode", f"network_mode {mode!r} has no equivalent")
