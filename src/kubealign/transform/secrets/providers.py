"""Secret providers behind the External Secrets Operator, and their store blocks.

One provider per environment (chosen in the plan, or ``--secrets-provider``): Pulumi ESC by
default (reference §5.2), HashiCorp Vault, AWS Secrets Manager, GCP Secret Manager, or
``none`` (bring your own Secret: no ExternalSecret, the Secrets are listed in secrets.md).
The store block names where credentials live, never a credential.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from kubealign.errors import PlanError

StoreKind = Literal["SecretStore", "ClusterSecretStore"]


# How the External Secrets Operator and its CRDs are installed (its own Helm chart): named by
# deploy when the cluster lacks them and by the generated chart's README.
ESO_INSTALL = ("helm repo add external-secrets https://charts.external-secrets.io && "
               "helm install external-secrets external-secrets/external-secrets "
               "-n external-secrets --create-namespace")

@dataclass(frozen=True, slots=True)
class ProviderInfo:
    name: str
    title: str
    store_name: str
    required: tuple[str, ...]
    optional: dict[str, str]
    """Optional setting -> default ("" means: left out when not given)."""


PROVIDERS: dict[str, ProviderInfo] = {
    "pulumi": ProviderInfo(
        "pulumi", "Pulumi ESC", "pulumi-esc",
        ("organization", "project", "environment"),
        {"token_secret": "pulumi-access-token", "token_key": "token", "api_url": "",
         "token_namespace": ""},
    ),
    "vault": ProviderInfo(
        "vault", "HashiCorp Vault", "vault", ("server", "role"),
        {"path": "secret", "version": "v2", "auth_mount": "kubernetes",
         "service_account": ""},
    ),
    "aws": ProviderInfo(
        "aws", "AWS Secrets Manager", "aws-secrets-manager", ("region",),
        {"service_account": "", "role": ""},
    ),
    "gcp": ProviderInfo(
        "gcp", "GCP Secret Manager", "gcp-secret-manager", ("project_id",),
        {"cluster_location": "", "cluster_name": "", "service_account": ""},
    ),
    "none": ProviderInfo("none", "bring your own Secret", "", (), {}),
}
DEFAULT_PROVIDER = "pulumi"


@dataclass(frozen=True, slots=True)
class SecretsSettings:
    """Where one environment's secrets come from (plan ``secrets:`` or CLI flags)."""

    provider: str = DEFAULT_PROVIDER
    settings: Mapping[str, str] = field(default_factory=dict)
    store_kind: StoreKind = "SecretStore"
    store_name: str | None = None
    """An existing store to reference instead of rendering one (platform-managed)."""
    refresh_interval: str = "1h"
    key_prefix: str = ""
    """Prefix of every remote key (e.g. the project), empty by default."""
    key_overrides: Mapping[str, str] = field(default_factory=dict)
    """Compose secret name -> remote key, for secrets that already exist in the provider."""
    origin: str = "--secrets-provider"
    """Where the settings were written (plan file:line, or the flag), for messages."""
    detected_from: str = ""
    """``path:line`` of the repository file settings nobody gave were read from."""


@dataclass(frozen=True, slots=True)
class ProviderCheck:
    info: ProviderInfo
    missing: tuple[str, ...]
    unknown: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing

    def message(self) -> str:
        parts = []
        if self.missing:
            parts.append(f"{self.info.title} needs {', '.join(self.missing)}")
        if self.unknown:
            known = ", ".join((*self.info.required, *self.info.optional)) or "none"
            parts.append(f"unknown setting(s) {', '.join(self.unknown)} (known: {known})")
        return "; ".join(parts)


def provider_info(name: str, origin: str = "--secrets-provider") -> ProviderInfo:
    info = PROVIDERS.get(name)
    if info is None:
        raise PlanError(f"secrets provider {name!r} is not supported; expected one of "
                        f"{', '.join(sorted(PROVIDERS))}", path=origin)
    return info


def check_settings(settings: SecretsSettings) -> ProviderCheck:
    info = provider_info(settings.provider, settings.origin)
    given = {k for k, v in settings.settings.items() if str(v).strip()}
    missing = tuple(k for k in info.required if k not in given)
    unknown = tuple(sorted(k for k in settings.settings
                           if k not in info.required and k not in info.optional))
    return ProviderCheck(info, missing, unknown)


def require_complete(settings: SecretsSettings) -> None:
    """For callers that must refuse incomplete settings (the plan loader): a one-line error."""
    check = check_settings(settings)
    if not check.complete or check.unknown:
        raise PlanError(f"secrets provider {settings.provider}: {check.message()}",
                        path=settings.origin)


def store_name(settings: SecretsSettings) -> str:
    return settings.store_name or provider_info(settings.provider, settings.origin).store_name


def _get(settings: SecretsSettings, key: str) -> str:
    info = provider_info(settings.provider, settings.origin)
    value = str(settings.settings.get(key, "") or "").strip()
    return value or info.optional.get(key, "")


def _secret_ref(name: str, key: str, settings: SecretsSettings,
                namespace_key: str) -> dict[str, str]:
    ref = {"name": name, "key": key}
    namespace = _get(settings, namespace_key) if namespace_key else ""
    if settings.store_kind == "ClusterSecretStore":
        # A ClusterSecretStore has no namespace of its own: the reference must name one.
        ref["namespace"] = namespace or "external-secrets"
    elif namespace:
        ref["namespace"] = namespace
    return ref


def _service_account(settings: SecretsSettings) -> dict[str, str] | None:
    name = _get(settings, "service_account")
    return {"name": name} if name else None


def provider_block(settings: SecretsSettings) -> dict[str, Any] | None:
    """The ``spec.provider`` of the store, or None for ``none`` and incomplete settings."""
    if settings.provider == "none" or not check_settings(settings).complete:
        return None

    def get(key: str) -> str:
        return _get(settings, key)

    if settings.provider == "pulumi":
        block: dict[str, Any] = {
            "organization": get("organization"),
            "project": get("project"),
            "environment": get("environment"),
            # The root `accessToken` is what every release serving external-secrets.io/v1
            # accepts (v0.16 on); `auth.accessToken`, its successor, only exists from v2.5.0
            # and an older operator's API server refuses it (field not declared), so the
            # store would never be created.
            "accessToken": {"secretRef": _secret_ref(
                get("token_secret"), get("token_key"), settings, "token_namespace")},
        }
        if get("api_url"):
            block["apiUrl"] = get("api_url")
        return {"pulumi": block}
    if settings.provider == "vault":
        kubernetes: dict[str, Any] = {"mountPath": get("auth_mount"), "role": get("role")}
        account = _service_account(settings)
        if account:
            kubernetes["serviceAccountRef"] = account
        return {"vault": {"server": get("server"), "path": get("path"),
                          "version": get("version"), "auth": {"kubernetes": kubernetes}}}
    if settings.provider == "aws":
        aws: dict[str, Any] = {"service": "SecretsManager", "region": get("region")}
        account = _service_account(settings)
        if account:
            aws["auth"] = {"jwt": {"serviceAccountRef": account}}
        if get("role"):
            aws["role"] = get("role")
        return {"aws": aws}
    gcp: dict[str, Any] = {"projectID": get("project_id")}
    account = _service_account(settings)
    if account and get("cluster_location") and get("cluster_name"):
        gcp["auth"] = {"workloadIdentity": {"clusterLocation": get("cluster_location"),
                                            "clusterName": get("cluster_name"),
                                            "serviceAccountRef": account}}
    return {"gcpsm": gcp}


def bootstrap_secrets(settings: SecretsSettings) -> list[tuple[str, str, str]]:
    """Secrets the store itself reads (name, key, why): created by hand, once per cluster."""
    if settings.provider == "pulumi" and settings.store_name is None:
        return [(_get(settings, "token_secret"), _get(settings, "token_key"),
                 "Pulumi access token the store authenticates with")]
    return []
