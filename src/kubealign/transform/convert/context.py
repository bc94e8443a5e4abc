"""Project-wide facts a single service's conversion needs."""

from __future__ import annotations

from dataclasses import dataclass, field

from kubealign.model.compose import Project, SecretDefinition, Volume
from kubealign.transform.convert.options import ConversionOptions
from kubealign.transform.naming import dns_label, service_key


@dataclass(frozen=True, slots=True)
class SecretTarget:
    """Where a compose secret (or a secret env value) lives on Kubernetes."""

    secret_name: str  # the Kubernetes Secret produced by External Secrets
    key: str  # key inside that Secret
    remote_key: str  # key in the provider


@dataclass
class ProjectContext:
    project: Project
    options: ConversionOptions
    keys: dict[str, str] = field(default_factory=dict)  # compose service -> values key
    volume_owner: dict[str, str] = field(default_factory=dict)  # named volume -> owning service
    volume_users: dict[str, list[str]] = field(default_factory=dict)
    secret_targets: dict[str, SecretTarget] = field(default_factory=dict)
    env_secrets: dict[tuple[str, str], SecretTarget] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.keys = {s.name: service_key(s.name) for s in self.project.services}
        for service in self.project.services:
            for mount in service.volumes:
                if mount.type == "volume" and mount.source:
                    users = self.volume_users.setdefault(mount.source, [])
                    if service.name not in users:
                        users.append(service.name)
        for volume, users in self.volume_users.items():
            self.volume_owner[volume] = sorted(users)[0]
        for secret in self.project.secrets:
            name = dns_label(secret.name)
            self.secret_targets[secret.name] = SecretTarget(
                secret_name=name, key=_data_key(secret.name), remote_key=_remote_key(secret)
            )

    def key_of(self, service: str) -> str:
        return self.keys.get(service, service_key(service))

    def volume(self, name: str) -> Volume | None:
        return next((v for v in self.project.volumes if v.name == name), None)

    def secret(self, name: str) -> SecretDefinition | None:
        return next((s for s in self.project.secrets if s.name == name), None)

    def config(self, name: str) -> SecretDefinition | None:
        return next((c for c in self.project.configs if c.name == name), None)

    def env_secret(self, service: str, variable: str) -> SecretTarget:
        """A secret environment value moves to the Secret ``<service>-env``."""
        key = (service, variable)
        if key not in self.env_secrets:
            self.env_secrets[key] = SecretTarget(
                secret_name=f"{self.key_of(service)}-env",
                key=_data_key(variable),
                remote_key=f"{self.key_of(service)}.{variable.lower()}",
            )
        return self.env_secrets[key]


def _data_key(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-._" else "_" for c in name) or "value"


def _remote_key(secret: SecretDefinition) -> str:
    """Provider key: the external name when Swarm named one, else the compose name."""
    return secret.external_name or secret.name
