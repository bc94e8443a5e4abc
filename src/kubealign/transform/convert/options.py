"""Settings of a conversion (flags and plan values), separate from the compose input."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kubealign.transform.secrets.providers import SecretsSettings


def read_text_file(path: str) -> str | None:
    """Read a small UTF-8 host file, or None when it is missing, a directory or binary."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def read_bytes_file(path: str) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except OSError:
        return None


@dataclass(frozen=True, slots=True)
class ConversionOptions:
    release: str = "app"
    ingress_class: str = ""
    cluster_issuer: str = ""
    default_volume_size: str = "1Gi"
    storage_class: str | None = None
    gpu_count_for_all: int = 1
    """What ``count: all`` / ``gpus: all`` becomes: Kubernetes needs a number."""
    gpu_pool: str | None = None
    """Node pool label value for GPU services (from the plan), e.g. ``NVIDIA-GH200-480GB``."""
    gpu_node_selector_key: str | None = None
    enable_replaced: bool = False
    """Deploy edge routers, updaters and Docker UIs anyway (normally Kubernetes replaces them)."""
    network_policies: bool = True
    max_config_bytes: int = 512 * 1024
    """Bind-mounted files larger than this are not embedded in a ConfigMap (1 MiB object limit)."""
    secrets: SecretsSettings = field(default_factory=SecretsSettings)
    """Provider of this environment's secrets (plan ``secrets:``; ``--secrets-provider``)."""
    read_file: Callable[[str], str | None] = field(default=read_text_file, compare=False)
    read_bytes: Callable[[str], bytes | None] = field(default=read_bytes_file, compare=False)
