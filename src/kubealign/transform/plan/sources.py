"""What plan detection reads: per compose file facts (raw YAML, no interpolation) and the
text lines that name GPUs (compose header comments, env files, docs)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kubealign.errors import KubealignError
from kubealign.model.inventory import ArtifactKind, Inventory
from kubealign.transform.naming import parse_image

_VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}")


@dataclass(frozen=True, slots=True)
class ServiceFacts:
    name: str
    repository: str | None
    tag: str | None
    command: tuple[str, ...]
    has_image: bool
    """``image`` or ``build`` written: the service can run from this file alone."""


@dataclass(frozen=True, slots=True)
class ComposeFacts:
    path: str
    services: tuple[ServiceFacts, ...]
    header: tuple[tuple[int, str], ...]
    """Leading comment lines (line number, text without ``#``)."""
    swarm: bool
    deployed_by: tuple[str, ...]
    """Scripts or workflows that deploy this file."""
    networks: tuple[str, ...]
    external_networks: tuple[str, ...]
    env_file_refs: tuple[str, ...]
    """``env_file`` paths (relative to the repository root)."""
    interpolates: bool
    name: str | None
    """The top-level ``name:``."""
    text: str

    @property
    def directory(self) -> str:
        return posixpath.dirname(self.path)

    @property
    def stem(self) -> str:
        return posixpath.basename(self.path)

    @property
    def partial(self) -> bool:
        """A file whose services lack an image of their own only extends another file."""
        return bool(self.services) and not any(s.has_image for s in self.services)

    def service(self, name: str) -> ServiceFacts | None:
        return next((s for s in self.services if s.name == name), None)


@dataclass(frozen=True, slots=True)
class TextLine:
    """A line of prose (comment, doc, env file) with where it was written."""

    path: str
    line: int
    text: str

    def where(self) -> str:
        return f"{self.path}:{self.line}"


def default_value(text: str) -> str:
    """``text`` with ``${VAR:-default}`` replaced by its default (empty when none)."""
    def repl(match: re.Match[str]) -> str:
        op = match.group("op") or ""
        return match.group("arg") or "" if op in (":-", "-") else ""
    return _VARIABLE.sub(repl, text)


def _command(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return ()


def _service_facts(name: str, body: Any) -> ServiceFacts:
    data: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    image = data.get("image")
    repository = tag = None
    if isinstance(image, str) and image.strip():
        ref = parse_image(default_value(image).strip())
        repository, tag = ref.repository, ref.tag
    has_image = isinstance(image, str) or "build" in data or "extends" in data
    return ServiceFacts(name, repository, tag, _command(data.get("command")), has_image)


_PREAMBLE = re.compile(r"^(version|name)\s*:")


def header_comments(text: str) -> tuple[tuple[int, str], ...]:
    """Leading comment lines; a ``version:`` or ``name:`` line above them does not end the
    header (``version: '3.8'`` then ``# Production instance (RTX6000)`` is common)."""
    lines: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            lines.append((number, stripped.lstrip("#").strip()))
        elif stripped and not _PREAMBLE.match(line):
            break
    return tuple(lines)


def _env_file_refs(directory: str, services: Mapping[str, Any]) -> tuple[str, ...]:
    refs: list[str] = []
    for body in services.values():
        if not isinstance(body, Mapping):
            continue
        value = body.get("env_file")
        items = value if isinstance(value, list) else [value] if value is not None else []
        for item in items:
            path = item.get("path") if isinstance(item, Mapping) else item
            if isinstance(path, str):
                refs.append(posixpath.normpath(posixpath.join(directory, path)))
    return tuple(sorted(set(refs)))


def compose_facts(path: str, text: str, data: Any, *, swarm: bool,
                  deployed_by: tuple[str, ...]) -> ComposeFacts:
    root: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
    services_data = root.get("services")
    services: Mapping[str, Any] = services_data if isinstance(services_data, Mapping) else {}
    networks_data = root.get("networks")
    networks: Mapping[str, Any] = networks_data if isinstance(networks_data, Mapping) else {}
    external = tuple(sorted(
        str((body.get("name") if isinstance(body, Mapping) else None) or name)
        for name, body in networks.items()
        if isinstance(body, Mapping) and body.get("external")
    ))
    name = root.get("name")
    return ComposeFacts(
        path=path,
        services=tuple(_service_facts(str(n), b) for n, b in sorted(services.items())),
        header=header_comments(text),
        swarm=swarm,
        deployed_by=deployed_by,
        networks=tuple(sorted(str(n) for n in networks)),
        external_networks=external,
        env_file_refs=_env_file_refs(posixpath.dirname(path), services),
        interpolates="${" in text or re.search(r"\$[A-Za-z_]", text) is not None,
        name=name if isinstance(name, str) else None,
        text=text,
    )


YamlReader = Callable[[str], tuple[str, Any]]
"""Relative path -> (text, parsed data of the first document); raises on unreadable files."""


def gather_compose(inventory: Inventory, read: YamlReader) -> tuple[list[ComposeFacts],
                                                                    list[tuple[str, str]]]:
    """Facts of every compose file, and (path, problem) for those that cannot be read."""
    facts: list[ComposeFacts] = []
    problems: list[tuple[str, str]] = []
    for artifact in inventory.by_kind(ArtifactKind.COMPOSE):
        deployed = tuple(sorted({
            ev.reason.rsplit(" by ", 1)[1] for ev in artifact.evidence
            if " by " in ev.reason and ev.reason.startswith(("passed to", "deployed with"))
        }))
        try:
            text, data = read(artifact.path)
        except KubealignError as exc:  # an unreadable file is reported, not fatal
            problems.append((artifact.path, str(exc)))
            continue
        facts.append(compose_facts(artifact.path, text, data,
                                   swarm=artifact.has(ArtifactKind.SWARM_STACK),
                                   deployed_by=deployed))
    return facts, problems


def prose_lines(inventory: Inventory, read_text: Callable[[str], str | None]) -> list[TextLine]:
    """Lines of docs and env files, where people write which box has which GPU."""
    lines: list[TextLine] = []
    for artifact in inventory.artifacts:
        if not (artifact.has(ArtifactKind.DOCS) or artifact.has(ArtifactKind.ENV_FILE)):
            continue
        text = read_text(artifact.path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                lines.append(TextLine(artifact.path, number, line.strip()))
    return lines
