"""Render and lint a chart with the real Helm engine: the ``helm`` binary or the embedded SDK.

Both backends return the same :class:`RenderedChart` and the same :class:`LintMessage` list
for the same chart, so validation, conversion and tests never care which one ran. The binary
wins when it is on ``PATH`` (it is what users run); ``KUBEALIGN_HELM=sdk|binary`` forces one.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kubealign.errors import HelmError
from kubealign.transform.consolidate import deep_merge
from kubealign.validate.helm_support import (
    choose_backend,
    load_value_files,
    normalize_kube_version,
    one_line,
    split_manifest_stream,
)
from kubealign.validate.yamldocs import load_documents

Backend = Literal["binary", "sdk"]

_HELM_TIMEOUT_SECONDS = 120
_SDK_LINT_SEVERITY = {0: "unknown", 1: "info", 2: "warning", 3: "error"}


@dataclass(frozen=True, slots=True)
class RenderedChart:
    """What a chart renders to, ordered by template path then document."""

    objects: list[dict[str, Any]]
    texts: dict[str, str]
    # origins[i] is the template path objects[i] came from; documents[i] its index there.
    origins: list[str] = field(default_factory=list)
    documents: list[int] = field(default_factory=list)
    backend: Backend = "sdk"


@dataclass(frozen=True, slots=True, order=True)
class LintMessage:
    severity: str  # "error" | "warning" | "info" | "unknown"
    path: str
    message: str


def helm_backend() -> Backend:
    """Which backend to use: ``KUBEALIGN_HELM`` when set, else the binary if on PATH, else
    the embedded SDK when installed (see :func:`choose_backend`)."""
    return "binary" if choose_backend() == "binary" else "sdk"


def _is_rendered_manifest(path: str, text: str) -> bool:
    return not path.endswith("NOTES.txt") and bool(text.strip())


def _parse(texts: Mapping[str, str], backend: Backend) -> RenderedChart:
    kept = {path: texts[path] for path in sorted(texts) if _is_rendered_manifest(path, texts[path])}
    objects: list[dict[str, Any]] = []
    origins: list[str] = []
    documents: list[int] = []
    for path, text in kept.items():
        for index, doc in enumerate(load_documents(text, source=path, trusted=True)):
            if doc is None:
                continue
            if not isinstance(doc, dict):
                raise HelmError(
                    f"rendered document {index} is a {type(doc).__name__}, not an object",
                    path=path,
                )
            objects.append(doc)
            origins.append(path)
            documents.append(index)
    return RenderedChart(objects, kept, origins, documents, backend)


def binary_template_command(
    chart_dir: Path,
    value_files: Sequence[Path],
    *,
    release: str,
    namespace: str,
    kube_version: str | None,
    extra_values_file: Path | None = None,
) -> list[str]:
    """The exact ``helm template`` command line the binary backend runs."""
    command = ["helm", "template", release, str(chart_dir), "--namespace", namespace]
    for path in value_files:
        command += ["--values", str(path)]
    if extra_values_file is not None:
        command += ["--values", str(extra_values_file)]
    if kube_version is not None:
        command += ["--kube-version", normalize_kube_version(kube_version)]
    return command


def _run_helm(command: list[str], chart_dir: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            command, capture_output=True, text=True, timeout=_HELM_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        raise HelmError(
            f"helm did not finish within {_HELM_TIMEOUT_SECONDS}s", path=chart_dir
        ) from None
    except OSError as exc:
        raise HelmError(f"cannot run helm: {exc.strerror}", path=chart_dir) from None


def _render_binary(
    chart_dir: Path,
    value_files: Sequence[Path],
    *,
    values: Mapping[str, Any] | None,
    release: str,
    namespace: str,
    kube_version: str | None,
) -> dict[str, str]:
    with tempfile.TemporaryDirectory(prefix="kubealign-values-") as tmp:
        extra: Path | None = None
        if values:
            # JSON is YAML: hand the mapping to helm as one more values file, applied last.
            extra = Path(tmp) / "values.json"
            extra.write_text(json.dumps(values), encoding="utf-8")
        command = binary_template_command(
            chart_dir,
            value_files,
            release=release,
            namespace=namespace,
            kube_version=kube_version,
            extra_values_file=extra,
        )
        done = _run_helm(command, chart_dir)
    if done.returncode != 0:
        raise HelmError(one_line(done.stderr or done.stdout), path=chart_dir)
    return split_manifest_stream(done.stdout)


def _render_sdk(
    chart_dir: Path,
    value_files: Sequence[Path],
    *,
    values: Mapping[str, Any] | None,
    release: str,
    namespace: str,
    kube_version: str | None,
) -> dict[str, str]:
    import helm_python
    from helm_python import _native

    merged = load_value_files(tuple(value_files))
    if values:
        merged = deep_merge(merged, values)
    options: dict[str, Any] = {"name": release, "namespace": namespace, "is_install": True}
    if kube_version is not None:
        options["kube_version"] = normalize_kube_version(kube_version)
    try:
        with helm_python.Chart.load(chart_dir) as chart:
            # Chart.render() has no kube_version parameter, but the C ABI's render options
            # accept it (the wrapper pins helm-python-sdk 0.2.2, whose ABI is append-only).
            payload = _native.call_string(
                "helm_render", chart._raw(), json.dumps(merged), json.dumps(options)
            )
    except helm_python.HelmError as exc:
        raise HelmError(one_line(str(exc)), path=chart_dir) from None
    rendered: dict[str, str] = json.loads(payload)
    return rendered


def render_chart(
    chart_dir: Path,
    value_files: Sequence[Path] = (),
    *,
    values: Mapping[str, Any] | None = None,
    release: str = "release",
    namespace: str = "default",
    kube_version: str | None = None,
    backend: Backend | None = None,
) -> RenderedChart:
    """Render ``chart_dir`` with ``value_files`` (in order) then ``values`` on top.

    Raises :class:`HelmError` with Helm's own message, e.g. the ``values.schema.json``
    violation naming the key.
    """
    chosen = backend or helm_backend()
    render = _render_binary if chosen == "binary" else _render_sdk
    texts = render(
        chart_dir,
        value_files,
        values=values,
        release=release,
        namespace=namespace,
        kube_version=kube_version,
    )
    return _parse(texts, chosen)


def render_notes(
    chart_dir: Path,
    value_files: Sequence[Path] = (),
    *,
    release: str = "release",
    namespace: str = "default",
    backend: Backend | None = None,
) -> str:
    """What Helm prints after installing ``chart_dir`` with ``value_files``: its
    ``templates/NOTES.txt`` rendered by the real engine (empty when the chart has none).
    ``helm template`` leaves the notes out, so the binary runs a client-side dry-run install,
    which needs no cluster."""
    if (backend or helm_backend()) == "binary":
        command = ["helm", "install", release, str(chart_dir), "--dry-run=client",
                   "--namespace", namespace]
        for path in value_files:
            command += ["--values", str(path)]
        done = _run_helm(command, chart_dir)
        if done.returncode != 0:
            raise HelmError(one_line(done.stderr or done.stdout), path=chart_dir)
        _, found, notes = done.stdout.partition("\nNOTES:\n")
        return notes if found else ""
    texts = _render_sdk(chart_dir, value_files, values=None, release=release,
                        namespace=namespace, kube_version=None)
    return next((text for path, text in sorted(texts.items())
                 if path.endswith("/templates/NOTES.txt")), "")


def binary_lint_command(chart_dir: Path, value_files: Sequence[Path], *, strict: bool) -> list[str]:
    """The exact ``helm lint`` command line the binary backend runs."""
    command = ["helm", "lint", str(chart_dir)]
    if strict:
        command.append("--strict")
    for path in value_files:
        command += ["--values", str(path)]
    return command


def parse_binary_lint(output: str) -> list[LintMessage]:
    """``[ERROR] templates/: message`` lines (continuations appended) to messages."""
    messages: list[LintMessage] = []
    current: list[str] | None = None

    def flush() -> None:
        if current is not None:
            level, _, rest = current[0].partition("] ")
            path, _, text = rest.partition(": ")
            detail = "\n".join([text, *current[1:]])
            messages.append(LintMessage(level.lstrip("[").lower(), path, one_line(detail)))

    for line in output.splitlines():
        if line.startswith("[") and "] " in line:
            flush()
            current = [line]
        elif current is not None and line.strip() and not line.startswith(("==>", "Error:")):
            current.append(line)
        elif not line.strip() or line.startswith(("==>", "Error:")):
            flush()
            current = None
    flush()
    return messages


def _lint_binary(chart_dir: Path, value_files: Sequence[Path], strict: bool) -> list[LintMessage]:
    done = _run_helm(binary_lint_command(chart_dir, value_files, strict=strict), chart_dir)
    messages = parse_binary_lint(done.stdout)
    if done.returncode != 0 and not any(m.severity == "error" for m in messages):
        raise HelmError(one_line(done.stderr or done.stdout), path=chart_dir)
    return messages


def _lint_sdk(chart_dir: Path, value_files: Sequence[Path], strict: bool) -> list[LintMessage]:
    import helm_python

    merged = load_value_files(tuple(value_files))
    try:
        report = helm_python.lint(chart_dir, merged or None, strict=strict)
    except helm_python.HelmError as exc:
        raise HelmError(one_line(str(exc)), path=chart_dir) from None
    return [
        LintMessage(
            _SDK_LINT_SEVERITY.get(int(item.get("severity", 0)), "unknown"),
            str(item.get("path", "")),
            one_line(str(item.get("error", ""))),
        )
        for item in report.get("messages", [])
    ]


def lint_chart(
    chart_dir: Path,
    value_files: Sequence[Path] = (),
    *,
    strict: bool = True,
    backend: Backend | None = None,
) -> list[LintMessage]:
    """``helm lint [--strict]``: every message as data, in Helm's order.

    Raises :class:`HelmError` only when Helm cannot lint at all (missing chart, unreadable
    values); findings, including errors, are returned.
    """
    chosen = backend or helm_backend()
    if chosen == "binary":
        return _lint_binary(chart_dir, value_files, strict)
    return _lint_sdk(chart_dir, value_files, strict)
