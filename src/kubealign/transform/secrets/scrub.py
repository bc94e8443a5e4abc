"""The zero-leak guarantee: every value known to be secret is removed from what kubealign
writes, whatever path it took to get there.

Converting moves secrets to External Secrets by design; this is the independent net under
that design. :class:`SecretValues` gathers every value read from a secret source (secret
files, secret env values, values recovered from interpolated secrets, the project's ``.env``
entries that are secret by name or content) and the scrubbers replace each occurrence in the
chart values, ledger notes, findings and comments. Values shorter than
:data:`MIN_SECRET_LENGTH` or that are placeholders are not scrubbed: replacing ``admin`` or
``changeme`` everywhere would corrupt unrelated text and protect nothing.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubealign.errors import KubealignError
from kubealign.load.compose.envfile import read_env_file
from kubealign.model.compose import Project
from kubealign.model.findings import Finding
from kubealign.model.ledger import LedgerEntry
from kubealign.transform.secret_detect import is_placeholder, is_secret_value

MIN_SECRET_LENGTH = 6
REDACTED = "[secret removed by kubealign]"


@dataclass
class SecretValues:
    """Secret strings (in memory only) and, when known, the env variable each one is in."""

    values: set[str] = field(default_factory=set)
    public: set[str] = field(default_factory=set)
    """Names the project itself makes public (project, services, images, volumes...)."""
    weak: set[str] = field(default_factory=set)
    """Secrets equal to or inside a public name: not scrubbable, reported as weak instead."""
    variables: dict[str, set[str]] = field(default_factory=dict)
    """Secret value -> env variable names that carry it in a pod (for ``$(VAR)`` rewrites)."""

    def add(self, value: str | None, variable: str | None = None) -> None:
        if value is None:
            return
        for candidate in {value, value.strip()}:
            if len(candidate) < MIN_SECRET_LENGTH or is_placeholder(candidate):
                continue
            if any(candidate in name for name in self.public):
                self.weak.add(candidate)
                continue
            self.values.add(candidate)
            if variable:
                self.variables.setdefault(candidate, set()).add(variable)

    def found_in(self, text: str) -> list[str]:
        """Secrets occurring in ``text``, longest first (so overlapping ones replace cleanly)."""
        return sorted((v for v in self.values if v in text), key=lambda v: (-len(v), v))

    def scrub(self, text: str, replacement: str = REDACTED) -> str:
        for value in self.found_in(text):
            text = text.replace(value, replacement)
        return text

    def __bool__(self) -> bool:
        return bool(self.values)


def project_secret_values(project: Project, read_bytes: Any) -> SecretValues:
    """Every secret value the project's own sources hold (env, secret files, ``.env``)."""
    found = SecretValues(public=public_names(project))
    for service in project.services:
        for name, value in service.environment.items():
            if value is not None and is_secret_value(name, value):
                found.add(value, name)
    for secret in project.secrets:
        if secret.file:
            data = read_bytes(secret.file)
            if data is not None:
                found.add(data.decode("utf-8", errors="replace"))
    if project.project_directory:
        for name, value in _dotenv(Path(project.project_directory) / ".env").items():
            if is_secret_value(name, value):
                found.add(value, name)
    for secret in project.secrets:
        if secret.environment:
            for service in project.services:
                found.add(service.environment.get(secret.environment))
    return found


def public_names(project: Project) -> set[str]:
    """Text the project publishes anyway: a secret equal to one of these hides nothing."""
    names = {project.name}
    for service in project.services:
        names.update(n for n in (service.name, service.image, service.container_name,
                                 service.hostname) if n)
    for group in (project.volumes, project.networks, project.secrets, project.configs):
        names.update(item.name for item in group)
    return names


def _dotenv(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        return read_env_file(path, lambda _name: None)
    except KubealignError:
        return {}  # the loader already reported a malformed .env when it mattered


@dataclass
class ScrubReport:
    """Where secrets were found (values paths, never values)."""

    paths: list[str] = field(default_factory=list)


def scrub_tree(obj: Any, secrets: SecretValues, path: str, report: ScrubReport,
               rewrite: Mapping[str, str] | None = None) -> Any:
    """A copy of a values dataclass tree without secret values.

    In ``command``/``args`` a secret carried by an env variable of the pod becomes
    ``$(VAR)`` (Kubernetes expands it there); elsewhere it becomes :data:`REDACTED`.
    ``rewrite`` maps a secret to the variable name to use under ``path``.
    """
    if isinstance(obj, str):
        if not secrets.found_in(obj):
            return obj
        report.paths.append(path)
        if rewrite and (path.rsplit(".", 1)[-1].startswith(("args[", "command["))):
            for value in secrets.found_in(obj):
                variable = rewrite.get(value)
                obj = obj.replace(value, f"$({variable})" if variable else REDACTED)
            return obj
        if path.endswith(".contentBase64"):
            return base64.b64encode(REDACTED.encode()).decode("ascii")
        return secrets.scrub(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {}
        for item in dataclasses.fields(obj):
            current = getattr(obj, item.name)
            if item.name == "content_base64" and isinstance(current, str):
                decoded = base64.b64decode(current).decode("utf-8", errors="replace")
                if secrets.found_in(decoded):
                    report.paths.append(f"{path}.contentBase64")
                    changes[item.name] = base64.b64encode(
                        secrets.scrub(decoded).encode("utf-8")).decode("ascii")
                continue
            cleaned = scrub_tree(current, secrets, f"{path}.{_camel(item.name)}", report,
                                 rewrite)
            if cleaned is not current:
                changes[item.name] = cleaned
        return dataclasses.replace(obj, **changes) if changes else obj
    if isinstance(obj, tuple):
        items = tuple(scrub_tree(v, secrets, f"{path}[{i}]", report, rewrite)
                      for i, v in enumerate(obj))
        return obj if all(a is b for a, b in zip(items, obj, strict=True)) else items
    if isinstance(obj, dict):
        out = {secrets.scrub(str(k)) if isinstance(k, str) else k:
               scrub_tree(v, secrets, f"{path}.{k}", report, rewrite) for k, v in obj.items()}
        same = all(out.get(k) is v for k, v in obj.items())
        return obj if same else out
    return obj


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.capitalize() for p in rest)


def scrub_entries(entries: Iterable[LedgerEntry], secrets: SecretValues) -> tuple[LedgerEntry,
                                                                                   ...]:
    return tuple(dataclasses.replace(e, note=secrets.scrub(e.note), target=secrets.scrub(
        e.target)) for e in entries)


def scrub_findings(findings: Iterable[Finding], secrets: SecretValues) -> tuple[Finding, ...]:
    return tuple(dataclasses.replace(f, message=secrets.scrub(f.message),
                                     fix=secrets.scrub(f.fix) if f.fix else f.fix)
                 for f in findings)
