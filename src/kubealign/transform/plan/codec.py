"""The plan as YAML data: model -> plain data (for the writer) and plain data -> model with
every mistake reported as ``file:line: what was expected`` (for the reader)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from kubealign.errors import PlanError
from kubealign.load.yaml_safe import load_yaml_text
from kubealign.model.plan import (
    PLAN_VERSION,
    Ambiguity,
    Component,
    Environment,
    EnvironmentKind,
    EnvironmentStatus,
    GitOps,
    NodePool,
    Plan,
    PlanSource,
    SeparateProject,
    ServiceMatch,
)
from kubealign.model.source import SourceMap, pointer

T = TypeVar("T")
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$")
_RELEASE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$")  # Helm: at most 53
# Keys of `services:` are compose service names (the compose-spec pattern).
_SERVICE_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]*$")
_LABEL_KEY = re.compile(r"^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}"
                        r"[A-Za-z0-9])?$")
_TAINT = re.compile(r"^[A-Za-z0-9./_-]+(=[A-Za-z0-9._-]*)?:"
                    r"(NoSchedule|PreferNoSchedule|NoExecute)$")


def plan_to_data(plan: Plan) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": plan.version,
        **({"root": plan.root} if plan.root != "." else {}),
        "release": plan.release,
        "namespace": plan.namespace,
        "base": plan.base,
        "migrationOrder": list(plan.migration_order),
        "gpu": {"nodeSelectorKey": plan.node_selector_key},
        "gitops": _drop_none({
            "repoURL": plan.gitops.repo_url, "targetRevision": plan.gitops.target_revision,
            "chartPath": plan.gitops.chart_path, "project": plan.gitops.project,
            "argocdNamespace": plan.gitops.argocd_namespace, "server": plan.gitops.server}),
        "environments": {env.name: _environment_data(env) for env in plan.environments},
        "nodePools": {pool.name: _pool_data(pool) for pool in plan.node_pools},
        "services": {m.name: _drop_none({"names": dict(m.names),
                                         "evidence": m.evidence or None})
                     for m in plan.services},
        "components": [_drop_none({"file": c.file, "projectDirectory": c.project_directory,
                                   "environments": list(c.environments) or None,
                                   "reason": c.reason}) for c in plan.components],
        "separateReleases": [{"file": s.file, "reason": s.reason}
                             for s in plan.separate_releases],
        "ambiguous": [{"file": a.file, "reason": a.reason} for a in plan.ambiguous],
    }
    return data


def _drop_none(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def _environment_data(env: Environment) -> dict[str, Any]:
    return _drop_none({
        "kind": env.kind.value,
        "files": list(env.files),
        "projectDirectory": env.project_directory,
        "envFiles": list(env.env_files),
        "profiles": list(env.profiles),
        "namespace": env.namespace,
        "nodePool": env.node_pool,
        "gpusForAll": env.gpus_for_all,
        "servicePools": dict(env.service_pools) or None,
        "status": env.status.value,
        "invokedBy": list(env.invoked_by) or None,
    })


def _pool_data(pool: NodePool) -> dict[str, Any]:
    return _drop_none({
        "gpu": pool.gpu,
        "gpusPerNode": pool.gpus_per_node,
        "label": pool.label,
        "product": pool.product,
        "taint": pool.taint or "",
        "labels": dict(pool.labels) or None,
        "nodes": list(pool.nodes) or None,
        "architecture": pool.architecture,
        "timeSlicing": pool.time_slicing,
    })


# --------------------------------------------------------------------------- reading


class _Reader:
    def __init__(self, path: str, sources: SourceMap) -> None:
        self.path = path
        self.sources = sources

    def fail(self, ptr: str, message: str) -> PlanError:
        span = self.sources.nearest(ptr)
        where = ptr.strip("/").replace("/", ".") or "plan"
        return PlanError(f"{where}: {message}", path=self.path, line=span.line if span else None,
                         column=span.column if span else None)

    def mapping(self, value: Any, ptr: str, allowed: tuple[str, ...] | None = None
                ) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(ptr, "expected a mapping")
        if allowed is not None:
            for key in value:
                if key not in allowed:
                    raise self.fail(pointer(*_tokens(ptr), key), f"unknown key (expected one "
                                    f"of {', '.join(allowed)})")
        return value

    def text(self, value: Any, ptr: str, *, required: bool = False,
             pattern: re.Pattern[str] | None = None, what: str = "a string") -> str | None:
        if value is None:
            if required:
                raise self.fail(ptr, f"expected {what}, got nothing")
            return None
        if not isinstance(value, str) or not value:
            raise self.fail(ptr, f"expected {what}, got {value!r}")
        if pattern is not None and not pattern.match(value):
            raise self.fail(ptr, f"expected {what}, got {value!r}")
        return value

    def integer(self, value: Any, ptr: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(ptr, f"expected a positive integer, got {value!r}")
        return value

    def strings(self, value: Any, ptr: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(ptr, "expected a list of strings")
        out = []
        for index, item in enumerate(value):
            text = self.text(item, f"{ptr}/{index}", required=True)
            assert text is not None
            out.append(text)
        return tuple(out)

    def string_map(self, value: Any, ptr: str) -> tuple[tuple[str, str], ...]:
        data = self.mapping(value, ptr)
        out = []
        for key, item in data.items():
            text = self.text(item, pointer(*_tokens(ptr), key), required=True)
            assert text is not None
            out.append((str(key), text))
        return tuple(sorted(out))

    def entries(self, value: Any, ptr: str, build: Callable[[str, Any, str], T],
                pattern: re.Pattern[str] = _NAME,
                what: str = "a lowercase name (letters, digits, '-')") -> tuple[T, ...]:
        data = self.mapping(value, ptr)
        out = []
        for key, item in data.items():
            if not isinstance(key, str) or not pattern.match(key):
                raise self.fail(pointer(*_tokens(ptr), str(key)), f"expected {what}")
            out.append(build(key, item, pointer(*_tokens(ptr), key)))
        return tuple(out)


def _tokens(ptr: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in ptr.split("/")[1:]]


_TOP = ("version", "root", "release", "namespace", "base", "migrationOrder", "gpu", "gitops",
        "environments", "nodePools", "services", "components", "separateReleases", "ambiguous")


def read_plan_text(text: str, path: str) -> PlanSource:
    """Parse and validate a plan; :class:`PlanError` names the file and line of a mistake."""
    loaded = load_yaml_text(text, path)
    r = _Reader(path, loaded.sources)
    data = r.mapping(loaded.data, "", _TOP)
    version = data.get("version", PLAN_VERSION)
    if version != PLAN_VERSION:
        raise r.fail("/version", f"expected {PLAN_VERSION}, got {version!r}")
    root = r.text(data.get("root"), "/root", what="a folder path") or "."
    release = r.text(data.get("release"), "/release", required=True, pattern=_RELEASE,
                     what="a release name (lowercase letters, digits, '-')")
    namespace = r.text(data.get("namespace"), "/namespace", required=True, pattern=_NAME,
                       what="a namespace (lowercase letters, digits, '-')")
    environments = r.entries(data.get("environments"), "/environments",
                             lambda n, v, p: _environment(r, n, v, p))
    if not environments:
        raise r.fail("/environments", "expected at least one environment")
    names = [e.name for e in environments]
    base = r.text(data.get("base"), "/base", required=True)
    if base not in names:
        raise r.fail("/base", f"expected one of the environments ({', '.join(names)}), "
                     f"got {base!r}")
    order = r.strings(data.get("migrationOrder"), "/migrationOrder")
    for index, name in enumerate(order):
        if name not in names:
            raise r.fail(f"/migrationOrder/{index}", f"unknown environment {name!r}")
    gpu = r.mapping(data.get("gpu"), "/gpu", ("nodeSelectorKey",))
    key = r.text(gpu.get("nodeSelectorKey"), "/gpu/nodeSelectorKey", pattern=_LABEL_KEY,
                 what="a label key") or "gpu-type"
    pools = r.entries(data.get("nodePools"), "/nodePools", lambda n, v, p: _pool(r, n, v, p))
    pool_names = {p.name for p in pools}
    for env in environments:
        ptr = f"/environments/{env.name}"
        if env.node_pool is not None and env.node_pool not in pool_names:
            raise r.fail(f"{ptr}/nodePool", f"unknown node pool {env.node_pool!r}")
        for service, pool in env.service_pools:
            if pool not in pool_names:
                raise r.fail(pointer("environments", env.name, "servicePools", service),
                             f"unknown node pool {pool!r}")
    services = r.entries(data.get("services"), "/services",
                         lambda n, v, p: _service(r, n, v, p, names), pattern=_SERVICE_NAME,
                         what="a compose service name (letters, digits, '_', '.', '-')")
    plan = Plan(
        release=release or "", namespace=namespace or "", base=base or "",
        environments=environments, migration_order=order or tuple(names),
        node_selector_key=key, node_pools=pools, services=services,
        components=_components(r, data.get("components"), names),
        separate_releases=tuple(SeparateProject(*_file_reason(r, item, f"/separateReleases/{i}"))
                                for i, item in enumerate(_list(r, data.get("separateReleases"),
                                                               "/separateReleases"))),
        ambiguous=tuple(Ambiguity(*_file_reason(r, item, f"/ambiguous/{i}"))
                        for i, item in enumerate(_list(r, data.get("ambiguous"), "/ambiguous"))),
        gitops=_gitops(r, data.get("gitops")),
        root=root,
    )
    spans = dict(loaded.sources.items())
    return PlanSource(plan, path, spans)


def read_plan_file(path: Path, display: str | None = None) -> PlanSource:
    from kubealign.load.yaml_safe import read_text_file

    shown = display or str(path)
    return read_plan_text(read_text_file(path, display=shown), shown)


_ENV_KEYS = ("kind", "files", "projectDirectory", "envFiles", "profiles", "namespace",
             "nodePool", "gpusForAll", "servicePools", "status", "invokedBy")


def _environment(r: _Reader, name: str, value: Any, ptr: str) -> Environment:
    data = r.mapping(value, ptr, _ENV_KEYS)
    files = r.strings(data.get("files"), f"{ptr}/files")
    if not files:
        raise r.fail(f"{ptr}/files", "expected at least one compose file")
    kind_text = r.text(data.get("kind"), f"{ptr}/kind") or EnvironmentKind.COMPOSE.value
    kinds = [k.value for k in EnvironmentKind]
    if kind_text not in kinds:
        raise r.fail(f"{ptr}/kind", f"expected one of {', '.join(kinds)}, got {kind_text!r}")
    status_text = r.text(data.get("status"), f"{ptr}/status") or EnvironmentStatus.DEPLOYED.value
    statuses = [k.value for k in EnvironmentStatus]
    if status_text not in statuses:
        raise r.fail(f"{ptr}/status", f"expected one of {', '.join(statuses)}, got "
                     f"{status_text!r}")
    return Environment(
        status=EnvironmentStatus(status_text),
        invoked_by=r.strings(data.get("invokedBy"), f"{ptr}/invokedBy"),
        name=name, files=files,
        project_directory=r.text(data.get("projectDirectory"), f"{ptr}/projectDirectory") or ".",
        env_files=r.strings(data.get("envFiles"), f"{ptr}/envFiles"),
        profiles=r.strings(data.get("profiles"), f"{ptr}/profiles"),
        kind=EnvironmentKind(kind_text),
        namespace=r.text(data.get("namespace"), f"{ptr}/namespace", pattern=_NAME,
                         what="a namespace"),
        node_pool=r.text(data.get("nodePool"), f"{ptr}/nodePool"),
        service_pools=r.string_map(data.get("servicePools"), f"{ptr}/servicePools"),
        gpus_for_all=r.integer(data.get("gpusForAll"), f"{ptr}/gpusForAll"),
    )


_POOL_KEYS = ("gpu", "gpusPerNode", "label", "product", "taint", "labels", "nodes",
              "architecture", "timeSlicing")


def _pool(r: _Reader, name: str, value: Any, ptr: str) -> NodePool:
    data = r.mapping(value, ptr, _POOL_KEYS)
    taint = data.get("taint")
    if taint not in (None, ""):
        r.text(taint, f"{ptr}/taint", pattern=_TAINT, what="a taint `key[=value]:Effect`")
    labels = r.string_map(data.get("labels"), f"{ptr}/labels")
    for key, _ in labels:
        if not _LABEL_KEY.match(key):
            raise r.fail(pointer(*_tokens(ptr), "labels", key), "expected a label key")
    return NodePool(
        name=name, gpu=r.text(data.get("gpu"), f"{ptr}/gpu"),
        gpus_per_node=r.integer(data.get("gpusPerNode"), f"{ptr}/gpusPerNode"),
        label=r.text(data.get("label"), f"{ptr}/label"),
        product=r.text(data.get("product"), f"{ptr}/product"),
        taint=str(taint) if taint else None, labels=labels,
        nodes=r.strings(data.get("nodes"), f"{ptr}/nodes"),
        architecture=r.text(data.get("architecture"), f"{ptr}/architecture"),
        time_slicing=r.integer(data.get("timeSlicing"), f"{ptr}/timeSlicing"),
    )


def _service(r: _Reader, name: str, value: Any, ptr: str, envs: list[str]) -> ServiceMatch:
    data = r.mapping(value, ptr, ("names", "evidence"))
    names = r.string_map(data.get("names"), f"{ptr}/names")
    for env, _ in names:
        if env not in envs:
            raise r.fail(pointer(*_tokens(ptr), "names", env), f"unknown environment {env!r}")
    return ServiceMatch(name, names, r.text(data.get("evidence"), f"{ptr}/evidence") or "")


def _list(r: _Reader, value: Any, ptr: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise r.fail(ptr, "expected a list")
    return value


def _file_reason(r: _Reader, item: Any, ptr: str) -> tuple[str, str]:
    data = r.mapping(item, ptr, ("file", "reason"))
    return (r.text(data.get("file"), f"{ptr}/file", required=True) or "",
            r.text(data.get("reason"), f"{ptr}/reason") or "")


def _components(r: _Reader, value: Any, names: list[str]) -> tuple[Component, ...]:
    out = []
    for index, item in enumerate(_list(r, value, "/components")):
        ptr = f"/components/{index}"
        data = r.mapping(item, ptr, ("file", "projectDirectory", "environments", "reason"))
        environments = r.strings(data.get("environments"), f"{ptr}/environments")
        for number, name in enumerate(environments):
            if name not in names:
                raise r.fail(f"{ptr}/environments/{number}", f"unknown environment {name!r}")
        out.append(Component(
            file=r.text(data.get("file"), f"{ptr}/file", required=True) or "",
            project_directory=r.text(data.get("projectDirectory"), f"{ptr}/projectDirectory")
            or ".",
            reason=r.text(data.get("reason"), f"{ptr}/reason") or "",
            environments=environments))
    return tuple(out)


def _gitops(r: _Reader, value: Any) -> GitOps:
    data = r.mapping(value, "/gitops", ("repoURL", "targetRevision", "chartPath", "project",
                                        "argocdNamespace", "server"))
    default = GitOps()
    return GitOps(
        repo_url=r.text(data.get("repoURL"), "/gitops/repoURL"),
        target_revision=r.text(data.get("targetRevision"), "/gitops/targetRevision")
        or default.target_revision,
        chart_path=r.text(data.get("chartPath"), "/gitops/chartPath"),
        project=r.text(data.get("project"), "/gitops/project") or default.project,
        argocd_namespace=r.text(data.get("argocdNamespace"), "/gitops/argocdNamespace")
        or default.argocd_namespace,
        server=r.text(data.get("server"), "/gitops/server") or default.server,
    )


def check_plan_files(source: PlanSource, root: Path) -> None:
    """Every file and folder the plan names exists under ``root`` (else file:line)."""
    def missing(rel: str, ptr: str, folder: bool = False) -> None:
        target = root / rel
        ok = target.is_dir() if folder else target.is_file()
        if not ok:
            span = source.where(ptr)
            what = "folder" if folder else "file"
            raise PlanError(f"{ptr.strip('/').replace('/', '.')}: {what} {rel!r} does not exist "
                            f"(relative to {root})", path=source.path,
                            line=span.line if span else None)

    for env in source.plan.environments:
        base = f"/environments/{env.name}"
        missing(env.project_directory, f"{base}/projectDirectory", folder=True)
        for index, rel in enumerate(env.files):
            missing(rel, f"{base}/files/{index}")
        for index, rel in enumerate(env.env_files):
            missing(rel, f"{base}/envFiles/{index}")
    for index, component in enumerate(source.plan.components):
        missing(component.file, f"/components/{index}/file")

