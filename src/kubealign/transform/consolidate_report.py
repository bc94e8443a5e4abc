"""``environments.md``: what differs between environments (service x environment), and the
differences that are probably mistakes (one service on several tags, hard-coded addresses)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kubealign.transform.consolidate import Consolidation

_IPV4 = re.compile(r"(?<![0-9.])(\d{1,3}(?:\.\d{1,3}){3})(?![0-9.])")
ABSENT = "·"
OFF = "off"


def _service(values: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    svc = (values.get("services") or {}).get(key)
    return svc if isinstance(svc, Mapping) else None


def _tag(svc: Mapping[str, Any]) -> str:
    image = svc.get("image") or {}
    return str(image.get("tag") or image.get("digest") or "(none)")


def _replicas(svc: Mapping[str, Any]) -> str:
    if svc.get("kind") == "DaemonSet":
        return "per node"
    return str(svc.get("replicas", 1))


def _gpus(svc: Mapping[str, Any]) -> str:
    gpu = svc.get("gpu") or {}
    if not gpu.get("count"):
        return "-"
    return f"{gpu['count']}" + (f" @{gpu['pool']}" if gpu.get("pool") else "")


def _memory(svc: Mapping[str, Any]) -> str:
    limits = (svc.get("resources") or {}).get("limits") or {}
    return str(limits.get("memory", "-"))


def _hosts(svc: Mapping[str, Any]) -> str:
    ingress = svc.get("ingress") or {}
    if not ingress.get("enabled"):
        return "-"
    # A rule without a host (a Traefik router with no Host() rule) matches any host.
    hosts = {str(h.get("host") or "any host") for h in ingress.get("hosts") or []}
    return ", ".join(sorted(hosts)) or "-"


COLUMNS: tuple[tuple[str, Callable[[Mapping[str, Any]], str]], ...] = (
    ("Image tag", _tag), ("Replicas", _replicas), ("GPUs (count @pool)", _gpus),
    ("Memory limit", _memory), ("Ingress hosts", _hosts),
)


def _cell(values: Mapping[str, Any], key: str, attribute: Callable[[Mapping[str, Any]], str]
          ) -> str:
    svc = _service(values, key)
    if svc is None:
        return ABSENT
    if svc.get("enabled", True) is False:
        return OFF
    return attribute(svc).replace("|", "\\|")


def _table(title: str, envs: Sequence[str], keys: Sequence[str],
           variants: Mapping[str, Mapping[str, Any]],
           attribute: Callable[[Mapping[str, Any]], str]) -> list[str]:
    lines = [f"### {title}", "", "| service | " + " | ".join(envs) + " |",
             "|---|" + "---|" * len(envs)]
    for key in keys:
        cells = [_cell(variants[env], key, attribute) for env in envs]
        running = {c for c in cells if c not in (ABSENT, OFF)}
        if len(running) <= 1 and title != "Image tag":
            continue
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    if len(lines) == 4:
        lines.append("| (no difference) |" + " |" * len(envs))
    return [*lines, ""]


def _suspicious(envs: Sequence[str], keys: Sequence[str],
                variants: Mapping[str, Mapping[str, Any]]) -> list[str]:
    notes: list[str] = []
    for key in keys:
        tags: dict[str, list[str]] = {}
        for env in envs:
            svc = _service(variants[env], key)
            if svc is not None and svc.get("enabled", True) is not False:
                tags.setdefault(_tag(svc), []).append(env)
        if len(tags) > 1:
            spread = "; ".join(f"`{t}` in {', '.join(e)}" for t, e in sorted(tags.items()))
            notes.append(f"- **{key}** runs {len(tags)} different tags: {spread}")
        for tag, where in sorted(tags.items()):
            if tag in ("latest", "(none)"):
                notes.append(f"- **{key}** is not pinned (`{tag}`) in {', '.join(where)}")
    for env in envs:
        addresses: dict[tuple[str, str], list[str]] = {}
        for key in keys:
            svc = _service(variants[env], key)
            if svc is None:
                continue
            for name, value in sorted((svc.get("env") or {}).items()):
                for address in _IPV4.findall(str(value)):
                    if _routable(address):
                        addresses.setdefault((name, address), []).append(key)
            for alias in svc.get("hostAliases") or []:
                if _routable(str(alias.get("ip", ""))):
                    notes.append(f"- **{key}** in {env}: /etc/hosts pins "
                                 f"{', '.join(alias.get('hostnames') or [])} to {alias['ip']}")
        for (name, address), users in sorted(addresses.items()):
            notes.append(f"- `{name}` hard-codes {address} in {env} ({', '.join(users)}): a pod "
                         "should reach a Service by name")
    return notes


def _routable(text: str) -> bool:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return not (address.is_loopback or address.is_unspecified)


def environments_markdown(release: str, variants: Mapping[str, Mapping[str, Any]],
                          result: Consolidation, order: Sequence[str], base: str) -> str:
    envs = [e for e in order if e in variants] + [e for e in variants if e not in order]
    keys = sorted({k for v in variants.values() for k in (v.get("services") or {})})
    lines = [f"# Environments of {release}", "",
             f"{len(envs)} environments, {len(keys)} services. `values.yaml` is the base "
             f"environment {result.base_environment or base} (installing it alone installs "
             "that environment); each `values-<env>.yaml` holds only what its environment "
             "does differently: a base service it does not run is switched off "
             "(`enabled: false`), a key it does not set is `null` (Helm removes it); a service "
             "the base lacks is in `values.yaml` once, switched off, and switched on in the "
             f"overlays of its environments. `{ABSENT}` = not in that environment, `{OFF}` "
             "= present but disabled (e.g. replaced by a Kubernetes feature).", "",
             "## Overlay sizes", "", "| environment | keys in overlay | services enabled |",
             "|---|---|---|"]
    for env in envs:
        enabled = sum(1 for svc in (variants[env].get("services") or {}).values()
                      if isinstance(svc, Mapping) and svc.get("enabled", True) is not False)
        lines.append(f"| {env} | {_count_leaves(result.overlays.get(env, {}))} | {enabled} |")
    lines += ["", "## What differs", ""]
    for title, attribute in COLUMNS:
        lines += _table(title, envs, keys, variants, attribute)
    notes = _suspicious(envs, keys, variants)
    lines += ["## Probably unintended", ""]
    lines += notes or ["Nothing found."]
    return "\n".join(lines).rstrip() + "\n"


def _count_leaves(data: Any) -> int:
    if isinstance(data, Mapping):
        return sum(_count_leaves(v) for v in data.values())
    return 1
