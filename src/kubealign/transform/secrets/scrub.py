"""The zero-leak guarantee: every value known to be secret is kept out of what kubealign
writes, whatever path it took to get there.

Converting moves secrets to External Secrets by design; this is the independent net under
that design. :class:`SecretValues` gathers every value read from a secret source (secret
files, secret env values, values recovered from interpolated secrets, interpolation defaults
of secret variables, the project's ``.env`` entries that are secret by name or content).

Configuration is never rewritten with placeholder text: :mod:`.references` turns a secret
found in a field into a *reference* (``$(VAR)``, a Secret-backed file, ``$VAR`` read by a
probe's shell). Only prose (ledger notes, findings, comments) is scrubbed here, with
:data:`REDACTED`.

Recognising a secret by its value alone is reserved for *distinctive* values
(:func:`distinctive`): a short value, a dictionary word or a well-known default (``disabled``,
``postgres``, ``changeme``) is a secret under its key, but matching it by value elsewhere would
corrupt unrelated text and protect nothing. Matches are whole tokens only: a secret never
matches inside a longer word.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from kubealign.errors import KubealignError
from kubealign.load.compose.envfile import read_env_file
from kubealign.model.compose import Project
from kubealign.model.findings import Finding
from kubealign.model.ledger import LedgerEntry
from kubealign.model.secret_names import is_secret_name
from kubealign.transform.secret_detect import distinctive, is_secret_value
from kubealign.transform.secrets import literals

REDACTED = "[secret removed by kubealign]"
"""Used in prose only (ledger notes, findings, comments), never in configuration."""

_BOUNDARY_CHARS = "A-Za-z0-9"
# A secret-looking interpolation default: ``${REDIS_PASSWORD:-value}`` (also ``-``).
_DEFAULT = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*):?-([^${}\s\"']+)\}")


def token_pattern(values: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern matching any of ``values`` as a whole token (longest first)."""
    ordered = sorted(set(values), key=lambda v: (-len(v), v))
    if not ordered:
        return None
    body = "|".join(re.escape(v) for v in ordered)
    return re.compile(f"(?<![{_BOUNDARY_CHARS}])(?:{body})(?![{_BOUNDARY_CHARS}])")


@dataclass
class SecretValues:
    """Secret strings (in memory only) and, when known, the env variables each one is in."""

    public: set[str] = field(default_factory=set)
    """Names the project itself makes public (project, services, images, volumes...)."""
    weak: set[str] = field(default_factory=set)
    """Distinctive secrets equal to or inside a public name: reported as weak, not matched."""
    variables: dict[str, set[str]] = field(default_factory=dict)
    """Every known secret value (distinctive or not) -> env variables that carry it."""
    files: dict[str, str] = field(default_factory=dict)
    """Variable name standing for a compose secret file's value -> the compose secret."""
    literal: dict[str, str] = field(default_factory=dict)
    """Secret written literally in a service's command, probe or files -> that service (its
    provider key is the service's own, ``<service>.<var>``)."""

    def add_literal(self, value: str, variable: str, service: str) -> None:
        if value.strip() and value not in self.variables:
            self.literal.setdefault(value, service)
        self.add(value, variable)

    def add(self, value: str | None, variable: str | None = None) -> None:
        if value is None:
            return
        for candidate in {value, value.strip()}:
            if not candidate:
                continue  # placeholders stay: a default like `changeme` is a credential
            known = self.variables.setdefault(candidate, set())
            if variable:
                known.add(variable)
            self.__dict__.pop("_pattern", None)
            self.__dict__.pop("_all_pattern", None)
        if value.strip() and distinctive(value) and any(value.strip() in n for n in self.public):
            self.weak.add(value.strip())

    @property
    def values(self) -> set[str]:
        """The secrets recognisable by value alone."""
        return {v for v in self.variables if distinctive(v) and v.strip() not in self.weak}

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        return token_pattern(self.values)

    @cached_property
    def _all_pattern(self) -> re.Pattern[str] | None:
        return token_pattern(v for v in self.variables if v.strip())

    def matches(self, text: str) -> list[re.Match[str]]:
        """Whole-token occurrences of distinctive secrets in ``text``."""
        pattern = self._pattern
        return list(pattern.finditer(text)) if pattern is not None and text else []

    def any_matches(self, text: str) -> list[re.Match[str]]:
        """Whole-token occurrences of any known secret (for contexts that say "secret")."""
        pattern = self._all_pattern
        return list(pattern.finditer(text)) if pattern is not None and text else []

    def found_in(self, text: str) -> list[str]:
        """Distinctive secrets occurring in ``text`` as whole tokens, longest first."""
        return sorted({m.group(0) for m in self.matches(text)}, key=lambda v: (-len(v), v))

    def found_in_bytes(self, data: bytes) -> bool:
        """Whether raw bytes (a file, possibly binary) hold a distinctive secret."""
        return any(v.encode("utf-8") in data for v in self.values)

    def scrub(self, text: str, replacement: str = REDACTED) -> str:
        """Prose without secrets (never use it on configuration: see ``references``)."""
        pattern = self._pattern
        if pattern is None or not text:
            return text
        text = pattern.sub(replacement, text)
        return _scrub_basic_auth(text, self, replacement)

    def __bool__(self) -> bool:
        return bool(self.variables)


_BASIC = re.compile(r"(?i)\bbasic\s+([A-Za-z0-9+/]{8,}={0,2})")


def basic_auth_secret(text: str, secrets: SecretValues) -> bool:
    """``Basic <base64>`` whose decoded ``user:password`` holds a known secret."""
    for match in _BASIC.finditer(text):
        decoded = _b64(match.group(1))
        if decoded is not None and ":" in decoded:
            password = decoded.split(":", 1)[1]
            if password in secrets.variables and len(password) >= 4:
                return True
    return False


def _scrub_basic_auth(text: str, secrets: SecretValues, replacement: str) -> str:
    def sub(match: re.Match[str]) -> str:
        return replacement if basic_auth_secret(match.group(0), secrets) else match.group(0)

    return _BASIC.sub(sub, text)


def _b64(text: str) -> str | None:
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def project_secret_values(project: Project,
                          read_bytes: Callable[[str], bytes | None]) -> SecretValues:
    """Every secret value the project's own sources hold (env, secret files, ``.env``,
    interpolation defaults of secret variables)."""
    found = SecretValues(public=public_names(project))
    for service in project.services:
        for name, value in service.environment.items():
            if value is not None and is_secret_value(name, value):
                found.add(value, name)
    for secret in project.secrets:
        if secret.file:
            data = read_bytes(secret.file)
            if data is not None:
                text = data.decode("utf-8", errors="replace")
                variable = secret_file_variable(secret.name)
                found.files.setdefault(variable, secret.name)
                found.add(text, variable)
    if project.project_directory:
        for name, value in _dotenv(Path(project.project_directory) / ".env").items():
            if is_secret_value(name, value):
                found.add(value, name)
    for secret in project.secrets:
        if secret.environment:
            for service in project.services:
                found.add(service.environment.get(secret.environment), secret.environment)
    _literals(project, found)
    for path in project.source_files:
        data = read_bytes(path)
        if data is None:
            continue
        for name, default in _DEFAULT.findall(data.decode("utf-8", errors="replace")):
            if is_secret_name(name) and is_secret_value(name, default):
                found.add(default, name)
    return found


def _literals(project: Project, found: SecretValues) -> None:
    """Secrets written literally in commands, probes, build args, labels, inline configs."""
    for service in project.services:
        words = [*(service.entrypoint.argv if service.entrypoint else ()),
                 *(service.command.argv if service.command else ()),
                 *(service.healthcheck.args if service.healthcheck else ())]
        for variable, value in literals.in_words(tuple(words)):
            found.add_literal(value, variable, service.name)
        for name, arg in (service.build.args.items() if service.build else ()):
            if arg is not None and literals.under_key(name, arg):
                found.add(arg, name)
        for name, label in service.labels.items():
            if literals.under_key(name, str(label)):
                found.add_literal(str(label), literals.variable_name(name), service.name)
    for config in (*project.configs, *project.secrets):
        for variable, value in literals.in_file(config.content or ""):
            found.add(value, variable)


def secret_file_variable(secret: str) -> str:
    """The env variable a pod reads a compose secret file's value from, when a field needs
    it by reference (``$(VAR)``)."""
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", secret).upper()
    return cleaned if cleaned[:1].isalpha() else f"SECRET_{cleaned}"


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


def scrub_entries(entries: Iterable[LedgerEntry], secrets: SecretValues) -> tuple[LedgerEntry,
                                                                                   ...]:
    return tuple(dataclasses.replace(e, note=secrets.scrub(e.note), target=secrets.scrub(
        e.target)) for e in entries)


def scrub_findings(findings: Iterable[Finding], secrets: SecretValues) -> tuple[Finding, ...]:
    return tuple(dataclasses.replace(f, message=secrets.scrub(f.message),
                                     fix=secrets.scrub(f.fix) if f.fix else f.fix)
                 for f in findings)
