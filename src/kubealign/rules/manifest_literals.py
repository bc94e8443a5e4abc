"""The literal settings a repository's Kubernetes files commit, with where each is written.

Compose environments, scripts and workflows are scanned for committed credentials by their
loaders; hand-written manifests and kustomizations carry the same settings in three places:
a container's ``env`` (``name``/``value``), a ConfigMap's ``data``, and a kustomization's
``configMapGenerator``/``secretGenerator`` ``literals`` (``KEY=value``). A Secret's own
``data`` is SEC002's (the whole object is the leak); everything here is read as text only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kubealign.discover.kubernetes import GENERATOR_SECTIONS
from kubealign.load.yaml_safe import opens_block_scalar
from kubealign.model.inventory import ArtifactKind
from kubealign.model.source import pointer
from kubealign.rules.context import AuditContext
from kubealign.rules.helpers import manifest_objects


@dataclass(frozen=True, slots=True)
class LiteralSetting:
    """``name`` set to ``value`` at ``line`` of ``path`` (the value's first line)."""

    path: str
    line: int
    name: str
    value: str
    #: Where it is set, for the finding's detail: ``ConfigMap 'app' data``.
    where: str


def manifest_literals(ctx: AuditContext) -> Iterator[LiteralSetting]:
    """Every literal setting of the repository's manifests and kustomizations, in order."""
    for obj in manifest_objects(ctx):
        if obj.kind == "ConfigMap":
            data = obj.data.get("data")
            if isinstance(data, Mapping):
                for key, value in data.items():
                    if isinstance(value, str):
                        line = _value_line(ctx, obj.path, obj.doc, ("data", str(key)))
                        yield LiteralSetting(obj.path, line, str(key), value,
                                             f"ConfigMap {obj.name!r} data")
        for tokens, container in obj.containers():
            for index, item in enumerate(container.get("env") or []):
                if isinstance(item, Mapping) and isinstance(item.get("value"), str):
                    line = _value_line(ctx, obj.path, obj.doc, (*tokens, "env", index, "value"))
                    yield LiteralSetting(
                        obj.path, line, str(item.get("name") or ""), str(item["value"]),
                        f"{obj.kind} {obj.name!r} container {container.get('name')!r} env",
                    )
    for artifact in ctx.inventory.by_kind(ArtifactKind.KUSTOMIZATION):
        loaded = ctx.manifests.get(artifact.path)
        for doc in loaded.documents if loaded is not None else ():
            if isinstance(doc.data, Mapping):
                yield from _generator_literals(artifact.path, doc.data, doc)


def _generator_literals(path: str, data: Mapping[str, Any], doc: Any) -> Iterator[
        LiteralSetting]:
    for section in GENERATOR_SECTIONS:
        generators = data.get(section)
        if not isinstance(generators, list):
            continue
        for index, generator in enumerate(generators):
            if not isinstance(generator, Mapping):
                continue
            literals = generator.get("literals")
            if not isinstance(literals, list):
                continue
            kind = "Secret" if section == "secretGenerator" else "ConfigMap"
            for position, literal in enumerate(literals):
                name, sign, value = str(literal).partition("=")
                if not sign:
                    continue
                span = doc.sources.nearest(pointer(section, index, "literals", position))
                yield LiteralSetting(
                    path, span.line if span else 1, name.strip(), value.strip().strip("'\""),
                    f"kustomize {section} {kind} {generator.get('name')!r}",
                )


def _value_line(ctx: AuditContext, path: str, doc: Any, tokens: tuple[str | int, ...]) -> int:
    """The first line of a value's text: after its key for a ``|``/``>`` block."""
    span = doc.sources.nearest(pointer(*tokens))
    line = span.line if span else 1
    lines = ctx.lines(path)
    if 0 < line <= len(lines) and opens_block_scalar(lines[line - 1]):
        return line + 1
    return line
