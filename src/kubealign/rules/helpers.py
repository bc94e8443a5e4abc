"""Small readers shared by rules: raw compose services with lines, manifest containers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from kubealign.load.dockerfile import parse_image_ref
from kubealign.load.yaml_safe import LoadedYaml
from kubealign.model.source import pointer
from kubealign.rules.context import AuditContext, ComposeDoc

WORKLOAD_KINDS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet", "Pod"}
)


def image_repository_name(image: str) -> str:
    """``registry/org/app:1.2`` -> ``app``: how services are matched across files."""
    return PurePosixPath(parse_image_ref(image).repository).name


def line_of(raw: LoadedYaml | None, *tokens: str | int) -> int | None:
    if raw is None:
        return None
    span = raw.sources.nearest(pointer(*tokens))
    return span.line if span else None


@dataclass(frozen=True, slots=True)
class RawService:
    doc: ComposeDoc
    name: str
    data: Mapping[str, Any]

    def line(self, *tokens: str | int) -> int | None:
        return line_of(self.doc.raw, "services", self.name, *tokens)

    def environment(self) -> dict[str, Any]:
        env = self.data.get("environment")
        if isinstance(env, Mapping):
            return {str(k): v for k, v in env.items()}
        if isinstance(env, list):
            result: dict[str, Any] = {}
            for item in env:
                key, _, value = str(item).partition("=")
                result[key] = value if "=" in str(item) else None
            return result
        return {}

    def env_line(self, key: str) -> int | None:
        env = self.data.get("environment")
        if isinstance(env, list):
            for index, item in enumerate(env):
                if str(item).split("=", 1)[0] == key:
                    return self.line("environment", index)
        return self.line("environment", key)

    def extra_hosts(self) -> list[tuple[str, int | None]]:
        """``extra_hosts`` entries as ``name:address`` with their lines (list or mapping)."""
        extra = self.data.get("extra_hosts")
        if isinstance(extra, Mapping):
            return [(f"{k}:{v}", self.line("extra_hosts", str(k))) for k, v in extra.items()]
        if isinstance(extra, list):
            return [(str(e), self.line("extra_hosts", i)) for i, e in enumerate(extra)]
        return []

    def labels(self, *where: str) -> list[tuple[str, str, int | None]]:
        """``(key, value, line)`` of ``labels`` under ``where`` (``()`` or ``("deploy",)``)."""
        node: Any = self.data
        for key in where:
            node = node.get(key) if isinstance(node, Mapping) else None
        labels = node.get("labels") if isinstance(node, Mapping) else None
        found: list[tuple[str, str, int | None]] = []
        if isinstance(labels, Mapping):
            for key, value in labels.items():
                found.append((str(key), str(value), self.line(*where, "labels", str(key))))
        elif isinstance(labels, list):
            for index, item in enumerate(labels):
                key, _, value = str(item).partition("=")
                found.append((key, value, self.line(*where, "labels", index)))
        return found


def raw_services(ctx: AuditContext) -> Iterator[RawService]:
    for path in sorted(ctx.compose):
        doc = ctx.compose[path]
        data = doc.raw.data if doc.raw else None
        services = data.get("services") if isinstance(data, Mapping) else None
        if not isinstance(services, Mapping):
            continue
        for name in sorted(services, key=str):
            body = services[name]
            if isinstance(body, Mapping):
                yield RawService(doc, str(name), body)


@dataclass(frozen=True, slots=True)
class ManifestObject:
    path: str
    index: int
    doc: LoadedYaml
    kind: str
    name: str
    namespace: str | None

    @property
    def data(self) -> Mapping[str, Any]:
        data = self.doc.data
        return data if isinstance(data, Mapping) else {}

    def line(self, *tokens: str | int) -> int | None:
        return line_of(self.doc, *tokens)

    def pod_spec_pointer(self) -> tuple[str | int, ...] | None:
        if self.kind == "Pod":
            return ("spec",)
        if self.kind == "CronJob":
            return ("spec", "jobTemplate", "spec", "template", "spec")
        if self.kind in WORKLOAD_KINDS:
            return ("spec", "template", "spec")
        return None

    def containers(self) -> list[tuple[tuple[str | int, ...], Mapping[str, Any]]]:
        tokens = self.pod_spec_pointer()
        if tokens is None:
            return []
        node: Any = self.data
        for token in tokens:
            node = node.get(token) if isinstance(node, Mapping) else None
        result: list[tuple[tuple[str | int, ...], Mapping[str, Any]]] = []
        if isinstance(node, Mapping):
            for index, container in enumerate(node.get("containers") or []):
                if isinstance(container, Mapping):
                    result.append(((*tokens, "containers", index), container))
        return result


def manifest_objects(ctx: AuditContext) -> Iterator[ManifestObject]:
    for path in sorted(ctx.manifests):
        for index, doc in enumerate(ctx.manifests[path].documents):
            data = doc.data
            if not isinstance(data, Mapping) or "kind" not in data:
                continue
            metadata = data.get("metadata")
            metadata = metadata if isinstance(metadata, Mapping) else {}
            namespace = metadata.get("namespace")
            yield ManifestObject(
                path=path,
                index=index,
                doc=doc,
                kind=str(data.get("kind")),
                name=str(metadata.get("name") or ""),
                namespace=str(namespace) if namespace else None,
            )
