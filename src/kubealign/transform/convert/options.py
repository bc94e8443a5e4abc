"""Settings of a conversion (flags and plan values), separate from the compose input."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from kubealign.load.boundary import ReadBoundary
from kubealign.transform.secrets.providers import SecretsSettings


def unbound_text(path: str) -> str | None:
    """Placeholder reader: :func:`bind_readers` replaces it before anything is read."""
    raise AssertionError(f"read of {path} with no read boundary")  # pragma: no cover


def unbound_bytes(path: str) -> bytes | None:
    """Placeholder reader: :func:`bind_readers` replaces it before anything is read."""
    raise AssertionError(f"read of {path} with no read boundary")  # pragma: no cover


def unbound_refusal(path: str) -> str | None:
    """Placeholder boundary: :func:`bind_readers` replaces it before anything is asked."""
    raise AssertionError(f"boundary of {path} asked with no read boundary")  # pragma: no cover


@dataclass(frozen=True, slots=True)
class ConversionOptions:
    release: str = "app"
    ingress_class: str = ""
    cluster_issuer: str = ""
    default_volume_size: str = "1Gi"
    storage_class: str | None = None
    gpu_count_for_all: int = 1
    """What ``count: all`` / ``gpus: all`` becomes when nothing better is known (reported):
    Kubernetes needs a number."""
    gpus_for_all: tuple[tuple[str, int], ...] = ()
    """(compose service, GPUs per node of its pool): what ``count: all`` means for it."""
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
    # How the converter reads the files a compose file names (bind mounts, configs/secrets
    # `file:`, Dockerfiles). Actions pass the readers of their read boundary
    # (``actions.convert.with_boundary``); left unset, :func:`bind_readers` gives the
    # project's own boundary, so no conversion ever reads a path outside the repository.
    read_file: Callable[[str], str | None] = field(default=unbound_text, compare=False)
    read_bytes: Callable[[str], bytes | None] = field(default=unbound_bytes, compare=False)
    read_refusal: Callable[[str], str | None] = field(default=unbound_refusal, compare=False)
    """Why a host path may not be read (the read boundary's reason), None when it may: a
    folder is listed only when its path may be read, and a refused path says why."""


def bind_readers(options: ConversionOptions, project_directory: str | None) -> ConversionOptions:
    """``options`` whose readers stay inside the read boundary of the project's repository."""
    if (options.read_file is not unbound_text and options.read_bytes is not unbound_bytes
            and options.read_refusal is not unbound_refusal):
        return options
    boundary = ReadBoundary.for_project(Path(project_directory or "."))
    return replace(
        options,
        read_file=boundary.text_or_none if options.read_file is unbound_text
        else options.read_file,
        read_bytes=boundary.bytes_or_none if options.read_bytes is unbound_bytes
        else options.read_bytes,
        read_refusal=boundary.refusal if options.read_refusal is unbound_refusal
        else options.read_refusal)
