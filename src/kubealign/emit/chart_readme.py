"""``chart/README.md``: the generated chart, for the platform engineer who installs it.

Written from the run itself, so it says what this release needs and not what kubealign is:
what the cluster must have before the first install (the External Secrets Operator and the
store's settings, the Secrets only a person can create, the GPU nodes' labels and taints),
the command that deploys each environment (kubealign's and plain Helm's), and how the values
files layer. Names and keys only: no secret value ever reaches a values file, so none can
reach this file either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kubealign.emit.markdown_table import table_cell
from kubealign.model.plan import NodePool
from kubealign.transform.secrets.inventory import SecretRequirement, requirement_order
from kubealign.transform.secrets.providers import (
    ESO_INSTALL,
    SecretsSettings,
    bootstrap_secrets,
    check_settings,
    provider_info,
    store_name,
)

# Secret rows shown in full; the rest is in ../secrets.md, which lists every one.
_SECRET_ROWS = 25


@dataclass(frozen=True, slots=True)
class ChartEnvironment:
    """One environment as the README lists it."""

    name: str
    namespace: str
    status: str
    """The plan's status (deployed, documented, referenced, dead); empty without a plan."""
    overlay: bool = True
    """Whether it has a ``values-<name>.yaml`` (``kubealign convert`` alone writes none)."""


def _secret_section(settings: SecretsSettings, requirements: Sequence[SecretRequirement],
                    namespaces: Sequence[str]) -> list[str]:
    # One row per Secret key: several sources of one value (an env var and a compose secret
    # of the same name) are one key to create.
    readers: dict[tuple[str, str], set[str]] = {}
    for req in sorted(set(requirements), key=requirement_order):
        readers.setdefault((req.secret_name, req.key), set()).update(req.services)
    if not readers:
        return []
    where = namespaces[0] if len(set(namespaces)) == 1 else "<namespace>"
    lines = ["### Secrets", ""]
    if settings.provider == "none":
        lines += [f"No ExternalSecret is rendered (provider `none`): create these Secrets in "
                  f"the release namespace yourself before the first install, e.g. `kubectl "
                  f"create secret generic <Secret> -n {where} --from-file=<key>=<path>`:", ""]
    else:
        info = provider_info(settings.provider, settings.origin)
        check = check_settings(settings)
        lines += [f"The chart's ExternalSecrets fill the Secrets the pods read, from "
                  f"{info.title}. The External Secrets Operator and its CRDs must be installed "
                  f"first (`kubealign deploy` stops and says so when they are missing):", "",
                  "```sh", ESO_INSTALL.replace(" && ", "\n"), "```", ""]
        if settings.store_name:
            lines += [f"The store `{settings.store_name}` ({settings.store_kind}) is managed "
                      "outside this chart: it must exist before the first sync.", ""]
        elif check.complete:
            lines += [f"The chart renders its {settings.store_kind} `{store_name(settings)}`"
                      + (f" (settings read from `{settings.detected_from}`)"
                         if settings.detected_from else "") + ".", ""]
        else:
            lines += [f"**Not connected yet:** {check.message()}. The store is not rendered "
                      "until they are set: add them under `secrets:` in `kubealign.yaml` (or "
                      "`--secrets-setting KEY=VALUE`) and convert again.", ""]
        for secret, key, why in bootstrap_secrets(settings):
            lines += [f"Create by hand, once per namespace, the Secret the store itself reads "
                      f"({why[0].lower()}{why[1:]}): `kubectl create secret generic {secret} "
                      f"-n {where} --from-file={key}=<file holding it>`.", ""]
        lines += ["The provider keys that must exist, and which Secret and key each becomes:",
                  ""]
    lines += ["| Kubernetes Secret | key | read by |", "|---|---|---|"]
    rows = sorted(readers.items())
    for (secret, key), services in rows[:_SECRET_ROWS]:
        lines.append(f"| `{table_cell(secret)}` | `{table_cell(key)}` | "
                     f"{table_cell(', '.join(sorted(services)))} |")
    if len(rows) > _SECRET_ROWS:
        lines.append(f"| ... | {len(rows) - _SECRET_ROWS} more | |")
    lines += ["", "[../secrets.md](../secrets.md) lists every one with its provider key and the "
              "file and line it came from.", ""]
    return lines


def _gpu_section(pools: Sequence[NodePool], selector_key: str,
                 time_slicing: Mapping[str, int]) -> list[str]:
    if not pools:
        return []
    lines = ["### GPU nodes", "",
             "GPU services are scheduled by node label and tolerate their pool's taint. Each "
             "pool's nodes need the NVIDIA device plugin (or GPU Operator) so they advertise "
             "`nvidia.com/gpu`, and the label and taint below; "
             "[../cluster/prepare-nodes.sh](../cluster/prepare-nodes.sh) sets them on the "
             "nodes the repository names (`kubectl` context of the target cluster).", "",
             f"| pool | GPU | per node | label `{selector_key}` | taint | pods per GPU |",
             "|---|---|---|---|---|---|"]
    for pool in pools:
        lines.append(f"| `{pool.name}` | {pool.gpu or '?'} | {pool.gpus_per_node or '?'} | "
                     f"`{pool.selector_value}` | {f'`{pool.taint}`' if pool.taint else '-'} | "
                     f"{time_slicing.get(pool.name, 1)} |")
    if time_slicing:
        lines += ["", "A pool serving more than one pod per GPU uses the device plugin's "
                  "time-slicing: apply [../cluster/gpu-sharing.yaml](../cluster/gpu-sharing.yaml) "
                  "and point the GPU operator at it (the file says how); "
                  "[../cluster/node-pools.yaml](../cluster/node-pools.yaml) says why."]
    return [*lines, ""]


def chart_readme(release: str, environments: Sequence[ChartEnvironment], *,
                 base: str | None, settings: SecretsSettings,
                 requirements: Sequence[SecretRequirement],
                 node_pools: Sequence[NodePool] = (), selector_key: str = "gpu-type",
                 gitops: bool = False, time_slicing: Mapping[str, int] | None = None) -> str:
    """Markdown for ``chart/README.md``; links are relative to the chart folder."""
    lines = [f"# {release}", "",
             "One Helm chart for every environment of the repository. `values.yaml` holds "
             + (f"the base environment (`{base}`)" if base else "what the environments share")
             + "; each `values-<env>.yaml` holds only what that environment changes. Helm "
             "merges them in that order (the last file wins), so an environment is always "
             "`-f values.yaml -f values-<env>.yaml`. `values.schema.json` makes Helm refuse a "
             "value the templates do not understand, naming the key. The templates are fixed: "
             "change the values, not the templates.", ""]
    namespaces = [env.namespace for env in environments]
    before = [*_secret_section(settings, requirements, namespaces),
              *_gpu_section(node_pools, selector_key, time_slicing or {})]
    if before:
        lines += ["## Before the first install", "", *before]
    lines += ["## Install", "",
              "From the folder that holds `chart/` (kubealign checks the chart against the "
              "cluster with a server-side dry run first, then runs `helm upgrade --install`):",
              "", "| environment | status | namespace | kubealign | Helm |",
              "|---|---|---|---|---|"]
    for env in environments:
        overlay = f" -f chart/values-{env.name}.yaml" if env.overlay else ""
        helm = (f"`helm upgrade --install {release} chart -n {env.namespace} "
                f"--create-namespace -f chart/values.yaml{overlay}`")
        ours = f"`kubealign deploy --env {env.name}`" if env.overlay else "-"
        lines.append(f"| `{env.name}` | {env.status or '-'} | `{env.namespace}` | {ours} | "
                     f"{helm} |")
    lines += ["", "`kubealign deploy --env <env> --dry-run` shows what would change; "
              "`kubealign status` and `kubealign rollback` work on the same release. After an "
              "install Helm prints where each service is reachable (`templates/NOTES.txt`; "
              f"`helm status {release} -n <namespace>` shows it again).", ""]
    if gitops:
        lines += ["## With Argo CD", "",
                  "[../gitops/README.md](../gitops/README.md): the Applications (or the "
                  "ApplicationSet), what Argo CD needs first, and the exact `kubectl apply`.", ""]
    lines += ["## More", "",
              "- [../environments.md](../environments.md): what differs between environments, "
              "service by service.",
              "- [../secrets.md](../secrets.md): every secret, its provider key and its source.",
              "- [../conversion/](../conversion/): every compose key of every environment and "
              "what it became (or why it could not), with file and line.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
