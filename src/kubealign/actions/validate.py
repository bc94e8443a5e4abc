"""Use-case: validate a converted output folder (render each environment) or plain manifests."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kubealign.deploy.server_check import Rejection, server_check
from kubealign.errors import UsageError
from kubealign.validate.checks import ObjectCheck, SourcedObject, default_checks, run_checks
from kubealign.validate.helm import render_chart
from kubealign.validate.manifests import collect_manifests
from kubealign.validate.results import ObjectRef, ObjectResult, ValidationReport, Violation
from kubealign.validate.schemas import DEFAULT_KUBE_VERSION, resolve_version

_ENV_VALUES = re.compile(r"^values-(?P<env>[A-Za-z0-9][A-Za-z0-9_.-]*)\.ya?ml$")
BASE_ENVIRONMENT = "base"


def find_chart(directory: Path) -> Path:
    """``DIR/chart`` of a converted output, or ``DIR`` itself when it is a chart."""
    for candidate in (directory / "chart", directory):
        if (candidate / "Chart.yaml").is_file():
            return candidate
    raise UsageError(f"{directory}: no chart found (expected chart/Chart.yaml)")


def chart_environments(chart: Path) -> dict[str, Path]:
    """Environment name -> its ``values-<env>.yaml``, sorted by name."""
    found = {}
    for path in sorted(chart.iterdir()):
        match = _ENV_VALUES.match(path.name)
        if match and path.is_file():
            found[match.group("env")] = path
    return found


def _base_values(chart: Path) -> list[Path]:
    return [p for p in (chart / "values.yaml", chart / "values.yml") if p.is_file()][:1]


def validate_chart_output(
    directory: Path,
    *,
    environments: Sequence[str] = (),
    kube_version: str = DEFAULT_KUBE_VERSION,
    strict: bool = True,
    checks: Sequence[ObjectCheck] | None = None,
    server: bool | None = False,
    kube_context: str | None = None,
) -> ValidationReport:
    """Render the chart once per environment (all when none named) and check every object.

    ``server``: also send every object to the cluster of the kubeconfig as a server-side
    dry run (refusals become ``server`` violations); ``None`` does so when a kubeconfig
    exists, ``False`` never. Helm failures (a values file violating ``values.schema.json``…)
    raise ``HelmError``.
    """
    version = resolve_version(kube_version)
    chart = find_chart(directory)
    available = chart_environments(chart)
    unknown = [env for env in environments if env not in available]
    if unknown:
        names = ", ".join(available) or "none"
        raise UsageError(f"unknown environment {unknown[0]!r} in {chart}; available: {names}")
    chosen = list(environments) or list(available)
    runs = {env: [*_base_values(chart), available[env]] for env in chosen}
    notes: list[str] = []
    if not runs:
        runs = {BASE_ENVIRONMENT: _base_values(chart)}
        notes.append(f"{chart}: no values-<env>.yaml files; validated values.yaml alone")
    active = list(checks) if checks is not None else default_checks(version, strict=strict)
    results: list[ObjectResult] = []
    for env, value_files in runs.items():
        rendered = render_chart(
            chart, value_files, release=chart.name, namespace=env, kube_version=version
        )
        objects = [
            SourcedObject(obj, origin, document, env)
            for obj, origin, document in zip(
                rendered.objects, rendered.origins, rendered.documents, strict=True
            )
        ]
        found = run_checks(objects, active, rendered.texts)
        if server or (server is None and kubeconfig_present()):
            found, said = _server_side(found, rendered.objects, env, kube_context)
            notes.append(said)
        results.extend(found)
    return ValidationReport(version, strict, tuple(results), tuple(notes))


def kubeconfig_present() -> bool:
    """A kubeconfig the server-side check would read (KUBECONFIG, else ~/.kube/config)."""
    listed = [p for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    return any(Path(p).is_file() for p in listed or [str(Path.home() / ".kube" / "config")])


def _field_path(field: str) -> tuple[str | int, ...]:
    """``spec.containers[0].image`` -> ``("spec", "containers", 0, "image")``."""
    path: list[str | int] = []
    for part in field.split("."):
        name, *indexes = part.split("[")
        if name:
            path.append(name)
        path += [int(i.rstrip("]")) if i.rstrip("]").isdigit() else i.rstrip("]")
                 for i in indexes]
    return tuple(path)


def _server_side(
    results: list[ObjectResult], objects: Sequence[Mapping[str, Any]], env: str,
    kube_context: str | None,
) -> tuple[list[ObjectResult], str]:
    """``results`` with the API server's refusals added; and what was done, as a note."""
    check = server_check(objects, env, kube_context=kube_context)
    if check.skipped is not None:
        return results, f"{env}: server-side dry run skipped: {check.skipped}"
    refused: dict[tuple[str, str], list[Rejection]] = {}
    for rejection in check.rejections:
        refused.setdefault((rejection.kind, rejection.name), []).append(rejection)
    out = []
    for result in results:
        extra = tuple(Violation("server", _field_path(r.field) if r.field else (), r.message)
                      for r in refused.pop((result.ref.kind, result.ref.name), []))
        out.append(ObjectResult(result.ref, result.violations + extra, result.skipped)
                   if extra else result)
    said = (f"{env}: server-side dry run on {check.server}: {check.accepted} accepted, "
            f"{len(check.rejections)} refusal(s)")
    return out, "; ".join([said, *check.notes])


def validate_manifests(
    directory: Path,
    *,
    kube_version: str = DEFAULT_KUBE_VERSION,
    strict: bool = True,
    checks: Sequence[ObjectCheck] | None = None,
) -> ValidationReport:
    """Check every object in the manifest files under ``directory``."""
    version = resolve_version(kube_version)
    found = collect_manifests(directory)
    active = list(checks) if checks is not None else default_checks(version, strict=strict)
    results = run_checks(found.objects, active, found.texts)
    for relative, error in found.broken:
        ref = ObjectRef(relative, 0, "", "", "")
        results.append(ObjectResult(ref, (Violation("yaml", (), error.message, error.line),)))
    results.sort(key=lambda r: (r.ref.source, r.ref.document))
    return ValidationReport(version, strict, tuple(results), tuple(found.notes))
