"""``secrets.md``: what must exist in the secret provider, per environment, with no values.

The table is built only from names and keys (:class:`SecretRequirement`); no secret value is
ever passed to this module, so none can be written by it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kubealign.emit.markdown_table import table_cell
from kubealign.model.source import relative_to
from kubealign.transform.secrets.inventory import SecretRequirement, requirement_order
from kubealign.transform.secrets.providers import (
    SecretsSettings,
    bootstrap_secrets,
    check_settings,
    provider_info,
    store_name,
)
from kubealign.transform.secrets.remote_keys import provider_ref


def _location(req: SecretRequirement, root: str | None) -> str:
    if req.source is None:
        return ""
    return f"{relative_to(req.source.path, root)}:{req.source.line}"


def _environment_section(name: str, settings: SecretsSettings,
                         requirements: Sequence[SecretRequirement], root: str | None) -> list[str]:
    info = provider_info(settings.provider, settings.origin)
    lines = [f"## Environment `{name}`: {info.title}", ""]
    if settings.provider == "none":
        lines += ["Bring your own Secret: no ExternalSecret is rendered. Create these Secrets "
                  "in the release namespace before deploying:", "",
                  "| Secret | key | read by | from | source |", "|---|---|---|---|---|"]
        for req in requirements:
            lines.append(f"| `{req.secret_name}` | `{req.key}` | {', '.join(req.services)} | "
                         f"{table_cell(req.origin)} | {_location(req, root)} |")
        return [*lines, ""]
    store = store_name(settings)
    check = check_settings(settings)
    rendered = "referenced (managed outside this chart)" if settings.store_name else (
        "rendered by the chart" if check.complete else
        f"NOT rendered: {check.message()}")
    lines += [f"Store: {settings.store_kind} `{store}`, {rendered}. Refresh interval: "
              f"`{settings.refresh_interval}`.", ""]
    for secret, key, why in bootstrap_secrets(settings):
        lines += [f"Before the first sync, create the Secret `{secret}` (key `{key}`): {why}.",
                  ""]
    lines += ["| provider key | property | Kubernetes Secret / key | read by | from | source |",
              "|---|---|---|---|---|---|"]
    for req in requirements:
        ref = provider_ref(settings.provider, req.remote, settings.key_prefix)
        lines.append(f"| `{table_cell(ref.key)}` | {f'`{ref.property}`' if ref.property else ''} | "
                     f"`{req.secret_name}` / `{req.key}` | {', '.join(req.services)} | "
                     f"{table_cell(req.origin)} | {_location(req, root)} |")
    return [*lines, ""]


def secrets_markdown(requirements: Sequence[SecretRequirement],
                     environments: Mapping[str, SecretsSettings], *, title: str,
                     root: str | None = None) -> str:
    """The report for every environment of the plan (``{"default": settings}`` without one)."""
    unique = sorted(set(requirements), key=requirement_order)
    lines = [f"# Secrets: {title}", "",
             "Every secret the services read, and the provider key that must hold it. Values "
             "are never copied: kubealign writes names and keys only. Mounted paths "
             "(`/run/secrets/<name>`) and variable names stay as the application expects.", ""]
    if not unique:
        lines += ["No service reads a secret.", ""]
    else:
        for name in sorted(environments):
            lines += _environment_section(name, environments[name], unique, root)
    return "\n".join(lines).rstrip("\n") + "\n"
