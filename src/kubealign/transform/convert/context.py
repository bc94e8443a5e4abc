"""Project-wide facts a single service's conversion needs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from kubealign.model.compose import Project, SecretDefinition, Volume
from kubealign.transform.convert.implicit_ports import PortReferences
from kubealign.transform.convert.options import ConversionOptions
from kubealign.transform.convert.volume_keys import named_volume_keys
from kubealign.transform.naming import dns_label, service_key
from kubealign.transform.secrets.providers import bootstrap_secrets
from kubealign.transform.secrets.remote_keys import (
    RemotePath,
    compose_secret_path,
    env_secret_path,
    shared_variable_path,
)


@dataclass(frozen=True, slots=True)
class SecretTarget:
    """Where a compose secret (or a secret env value) lives on Kubernetes."""

    secret_name: str  # the Kubernetes Secret produced by External Secrets
    key: str  # key inside that Secret
    remote_key: RemotePath  # logical key in the provider (spelled per provider later)


@dataclass
class ProjectContext:
    project: Project
    options: ConversionOptions
    keys: dict[str, str] = field(default_factory=dict)  # compose service -> values key
    volume_owner: dict[str, str] = field(default_factory=dict)  # named volume -> owning service
    volume_users: dict[str, list[str]] = field(default_factory=dict)
    volume_keys: dict[str, dict[str, str]] = field(default_factory=dict)
    """Service -> named volume -> its persistence key (volume_keys.py)."""
    secret_targets: dict[str, SecretTarget] = field(default_factory=dict)
    env_secrets: dict[tuple[str, str], SecretTarget] = field(default_factory=dict)
    secret_values: dict[str, str] = field(default_factory=dict)
    """Secret value -> the env variable carrying it (in memory only, for the scrubber)."""
    composed: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    """(service, variable, secret variables it is composed from), for the report."""
    file_secrets: dict[tuple[str, str], SecretTarget] = field(default_factory=dict)
    """(service, mount path) -> the Secret delivering a mounted file that holds a secret."""
    secret_users: dict[str, set[str]] = field(default_factory=dict)
    """Compose secret -> services reading its value through an env variable (references)."""

    def __post_init__(self) -> None:
        self.keys = {s.name: service_key(s.name) for s in self.project.services}
        self.volume_keys = {s.name: named_volume_keys(s) for s in self.project.services}
        for service in self.project.services:
            for mount in service.volumes:
                if mount.type == "volume" and mount.source:
                    users = self.volume_users.setdefault(mount.source, [])
                    if service.name not in users:
                        users.append(service.name)
        active = {s.name for s in self.project.services if self.project.is_active(s)}
        writers: set[tuple[str, str]] = {
            (m.source, s.name) for s in self.project.services for m in s.volumes
            if m.type == "volume" and m.source and not m.read_only}
        for volume, users in self.volume_users.items():
            # The owner's claim is what the others mount: an enabled service owns it (one of
            # a profile that is not active renders nothing), then one writing it (a database,
            # not the backup job reading it), then the first by name: deterministic.
            self.volume_owner[volume] = min(users, key=lambda u: (
                u not in active, (volume, u) not in writers, u))
        # The Secret the store authenticates with is created by hand: no ExternalSecret may
        # write it, so a compose secret of the same name gets its own.
        reserved = {name for name, _key, _why in bootstrap_secrets(self.options.secrets)}
        for secret in self.project.secrets:
            name = dns_label(secret.name)
            if name in reserved:
                name = f"{name}-app"
            self.secret_targets[secret.name] = SecretTarget(
                secret_name=name, key=_data_key(secret.name),
                remote_key=self._compose_secret_key(secret)
            )

    def key_of(self, service: str) -> str:
        key = self.keys.get(service)
        return key if key is not None else service_key(service)

    @cached_property
    def port_references(self) -> PortReferences:
        return PortReferences(self.project, self.options.read_file,
                              self.options.read_refusal)

    @cached_property
    def awaited_to_complete(self) -> dict[str, str]:
        """Service -> a service that waits for it to complete successfully (a one-shot)."""
        awaited: dict[str, str] = {}
        for other in self.project.services:
            for dep in other.depends_on:
                if dep.condition == "service_completed_successfully":
                    awaited.setdefault(dep.service, other.name)
        return awaited

    def volume(self, name: str) -> Volume | None:
        return next((v for v in self.project.volumes if v.name == name), None)

    def secret(self, name: str) -> SecretDefinition | None:
        return next((s for s in self.project.secrets if s.name == name), None)

    def config(self, name: str) -> SecretDefinition | None:
        return next((c for c in self.project.configs if c.name == name), None)

    def env_secret(self, service: str, variable: str, shared_from: str | None = None,
                   remote: RemotePath | None = None) -> SecretTarget:
        """A secret environment value moves to the Secret ``<service>-env``.

        ``shared_from`` names the interpolated variable it came from (``${VAR}`` alone, or
        composed into another value): every service reading that variable then reads the
        one provider key ``shared.<var>``. ``remote`` reuses a provider key the project
        already has for the value.
        """
        key = (service, variable)
        if key not in self.env_secrets:
            known = self.options.secrets.key_overrides.get((shared_from or variable).lower())
            remote = remote or (_override_path(known) if known else
                                shared_variable_path(shared_from) if shared_from else
                                env_secret_path(self.key_of(service), variable))
            self.env_secrets[key] = SecretTarget(
                secret_name=f"{self.key_of(service)}-env",
                key=_data_key(variable),
                remote_key=remote,
            )
        return self.env_secrets[key]

    def file_secret(self, service: str, file_key: str, mount_path: str) -> SecretTarget:
        """A mounted file that holds a secret moves, whole, to the Secret
        ``<service>-files`` (provider key ``<service>.files.<file key>``)."""
        key = (service, mount_path)
        if key not in self.file_secrets:
            service_key = self.key_of(service)
            self.file_secrets[key] = SecretTarget(
                secret_name=f"{service_key}-files", key=_data_key(file_key),
                remote_key=RemotePath((service_key, "files", file_key)))
        return self.file_secrets[key]

    def _compose_secret_key(self, secret: SecretDefinition) -> RemotePath:
        overrides = self.options.secrets.key_overrides
        override = overrides.get(secret.name) or overrides.get(secret.name.lower())
        if override:
            return _override_path(override)
        return compose_secret_path(secret.name, secret.external_name)


def _override_path(key: str) -> RemotePath:
    """A provider key as written (``a.b.c`` is a path of three segments; anything else one
    segment, spelled as given)."""
    if re.fullmatch(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+", key):
        return RemotePath(tuple(key.split(".")))
    return RemotePath((key,))


def _data_key(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-._" else "_" for c in name) or "value"
