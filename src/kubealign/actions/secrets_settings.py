"""Secrets provider settings nobody gave, read from the repository (issue 14).

The plan or ``--secrets-setting`` wins; what neither gives (Pulumi ESC organization, project,
environment) is read from the repository's scripts, workflows and Makefiles
(``transform/secrets/repository.py``), so the SecretStore renders as the repository uses it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from kubealign.discover.walk import walk_repository
from kubealign.transform.convert.options import ConversionOptions
from kubealign.transform.secrets.providers import check_settings
from kubealign.transform.secrets.repository import (
    detect_esc_environment,
    scanned,
    with_repository_settings,
)

_MAX_BYTES = 256 * 1024  # scripts and workflows; larger files are data, not invocations


def with_repository_secrets(options: ConversionOptions, root: Path) -> ConversionOptions:
    """``options`` with the provider settings the repository states filled in."""
    settings = options.secrets
    if settings.provider != "pulumi" or check_settings(settings).complete or not root.is_dir():
        return options
    texts = []
    for walked in walk_repository(root).files:
        if not scanned(walked.path) or walked.size > _MAX_BYTES:
            continue
        try:
            texts.append((walked.path, walked.location.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError):
            continue  # unreadable or binary: it invokes nothing
    filled = with_repository_settings(settings, detect_esc_environment(texts))
    return options if filled is settings else dataclasses.replace(options, secrets=filled)
