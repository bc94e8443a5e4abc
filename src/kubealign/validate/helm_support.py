"""Small pieces both Helm backends share: messages, Kubernetes versions, values, manifests.

Helm's errors are multi-line (``values don't meet the specifications…:\\nchart:\\n- at
'/replicas': got string, want integer``); kubealign prints one line, so they are folded here
the same way whichever backend produced them.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from pathlib import Path
from typing import Any

from kubealign.errors import HelmError, UsageError
from kubealign.transform.consolidate import deep_merge

_KUBE_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?$")
_SOURCE_HEADER = "# Source: "


#: Shown when neither Helm engine is there: the SDK is an extra, the binary a separate install.
NO_HELM = ("no Helm to render with: install a helm binary on PATH (https://helm.sh/docs/intro/"
           "install/) or the embedded Helm SDK (pip install 'kubealign[helm-sdk]')")


def sdk_installed() -> bool:
    """Whether the embedded Helm SDK (``helm-python-sdk``, the ``helm-sdk`` extra) is there."""
    return importlib.util.find_spec("helm_python") is not None


def choose_backend() -> str:
    """``binary`` or ``sdk``: ``KUBEALIGN_HELM`` when set, else the binary when it is on PATH
    (it is what users run), else the SDK when installed; a UsageError naming both installs
    when neither is there."""
    forced = os.environ.get("KUBEALIGN_HELM", "").strip().lower()
    if forced not in ("", "binary", "sdk"):
        raise UsageError(f"KUBEALIGN_HELM={forced!r}: expected 'binary' or 'sdk'")
    if forced == "sdk" and not sdk_installed():
        raise UsageError("KUBEALIGN_HELM=sdk but the embedded Helm SDK is not installed "
                         "(pip install 'kubealign[helm-sdk]')")
    if forced == "binary" and shutil.which("helm") is None:
        raise UsageError("KUBEALIGN_HELM=binary but no helm executable is on PATH")
    if forced:
        return forced
    if shutil.which("helm") is not None:
        return "binary"
    if sdk_installed():
        return "sdk"
    raise UsageError(NO_HELM)


def one_line(message: str) -> str:
    """Fold Helm's multi-line message into one line, dropping ``Error:`` prefixes."""
    parts: list[str] = []
    for raw in message.strip().splitlines():
        line = raw.strip()
        if line.startswith("Error: "):
            line = line[len("Error: ") :]
        line = line.removeprefix("- ").strip()
        if line:
            parts.append(line)
    folded = ""
    for part in parts:
        if not folded:
            folded = part
        elif folded.endswith(":"):
            folded += " " + part
        else:
            folded += "; " + part
    return folded or "helm failed without a message"


def normalize_kube_version(version: str) -> str:
    """``1.31`` / ``v1.31`` / ``1.31.2`` -> ``v1.31.0`` / ``v1.31.2`` (what Helm prints)."""
    match = _KUBE_VERSION.match(version.strip())
    if match is None:
        raise UsageError(f"invalid Kubernetes version {version!r}; expected e.g. 1.31 or v1.31.2")
    major, minor, patch = match.groups()
    return f"v{major}.{minor}.{patch or 0}"


def load_value_files(value_files: tuple[Path, ...]) -> dict[str, Any]:
    """Parse values files with Helm's own YAML reader and merge them in order."""
    import helm_python

    merged: dict[str, Any] = {}
    for path in value_files:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise HelmError(f"cannot read values file: {exc.strerror}", path=path) from None
        if not text.strip():
            continue
        try:
            parsed = helm_python.values_from_yaml(text)
        except helm_python.HelmError as exc:
            raise HelmError(one_line(str(exc)), path=path) from None
        merged = deep_merge(merged, parsed or {})
    return merged


def split_manifest_stream(stream: str) -> dict[str, str]:
    """Group ``helm template``'s ``# Source:``-headed documents back by template path."""
    grouped: dict[str, list[str]] = {}
    for chunk in re.split(r"(?m)^---[ \t]*$", stream):
        body = chunk.strip("\n")
        if not body.startswith(_SOURCE_HEADER):
            continue
        header, _, rest = body.partition("\n")
        grouped.setdefault(header[len(_SOURCE_HEADER) :].strip(), []).append(rest)
    return {path: "\n---\n".join(docs) + "\n" for path, docs in grouped.items()}
