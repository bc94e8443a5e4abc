"""Use case: the one-shot main job, ``kubealign migrate PATH --out DIR``.

inventory -> plan (when the repository has none and ``kubealign plan`` is installed) ->
audit (when installed) -> convert -> validate every environment. Each step says what it did
and which artifacts it wrote, so the CLI can print a short summary with their paths.

Convert replaces ``DIR`` atomically with exactly its own files, so the artifacts of the
steps before it are computed first and written into ``DIR`` after it.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from kubealign.actions.convert import ConvertOutcome, ConvertRequest, convert, summarize_kinds
from kubealign.actions.deploy import PLAN_FILE
from kubealign.actions.inventory import build_inventory, inventory_to_json
from kubealign.actions.validate import validate_chart_output
from kubealign.emit.atomic import write_text_atomic
from kubealign.errors import UsageError
from kubealign.validate.checks import default_checks
from kubealign.validate.policies import policy_checks
from kubealign.validate.results import ObjectResult, ValidationReport, Violation
from kubealign.validate.schemas import DEFAULT_KUBE_VERSION, resolve_version

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class MigrateRequest:
    path: Path
    out: Path
    kube_version: str = DEFAULT_KUBE_VERSION
    environ: Mapping[str, str] | None = None  # None: the process environment


@dataclass(frozen=True, slots=True)
class StepResult:
    name: str
    status: str  # "done" | "skipped" | "failed"
    summary: str
    artifacts: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class MigrateOutcome:
    request: MigrateRequest
    steps: tuple[StepResult, ...]
    convert: ConvertOutcome
    report: ValidationReport

    @property
    def invalid(self) -> tuple[ObjectResult, ...]:
        """Objects with schema or CRD violations (POL findings are reported, not fatal)."""
        return tuple(r for r in self.report.results if _schema_violations(r))

    @property
    def policy(self) -> tuple[tuple[ObjectResult, Violation], ...]:
        return tuple(
            (r, v) for r in self.report.results for v in r.violations if _is_policy(v)
        )

    @property
    def ok(self) -> bool:
        return not self.invalid and not any(step.status == "failed" for step in self.steps)


def _is_policy(violation: Violation) -> bool:
    return violation.check.startswith("POL")


def _schema_violations(result: ObjectResult) -> list[Violation]:
    return [v for v in result.violations if not _is_policy(v)]


@dataclass
class _Pending:
    """Artifacts computed before convert, written once convert has created ``DIR``."""

    files: dict[str, str] = field(default_factory=dict)


def _optional(module: str) -> ModuleType | None:
    """An action module another part of kubealign provides, when it is installed."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def _inventory_step(request: MigrateRequest, pending: _Pending) -> StepResult:
    inventory = build_inventory(request.path)
    pending.files["inventory.json"] = inventory_to_json(inventory)
    counts = ", ".join(
        f"{count} {kind.value}" for kind, count in inventory.counts().items() if count
    )
    return StepResult(
        "inventory",
        "done",
        f"{len(inventory.artifacts)} files: {counts or 'nothing recognised'}",
        (request.out / "inventory.json",),
    )


def _plan_step(request: MigrateRequest) -> tuple[StepResult, Path | None]:
    existing = request.path / PLAN_FILE
    if existing.is_file():
        return StepResult("plan", "done", f"using the repository's plan {existing}"), existing
    if _optional("kubealign.actions.plan") is None:
        return (
            StepResult("plan", "skipped", "kubealign plan is not available; one environment "
                       "from the default compose files"),
            None,
        )
    return (
        StepResult("plan", "skipped", "no plan in the repository; one environment from the "
                   "default compose files"),
        None,
    )


def _audit_step(request: MigrateRequest, pending: _Pending) -> StepResult:
    if _optional("kubealign.actions.audit") is None:
        return StepResult("audit", "skipped", "kubealign audit is not available")
    return StepResult("audit", "skipped", "audit not wired yet")


def _convert_request(request: MigrateRequest, plan: Path | None) -> ConvertRequest:
    environ = dict(os.environ) if request.environ is None else dict(request.environ)
    arguments: dict[str, Any] = {
        "out": request.out,
        "project_directory": request.path,
        "environ": environ,
        "render": False,  # the validate step renders every environment
        "kube_version": request.kube_version,
    }
    names = {f.name for f in dataclasses.fields(ConvertRequest)}
    if plan is not None and "plan" in names:
        arguments["plan"] = plan
    return ConvertRequest(**arguments)


def _convert_step(outcome: ConvertOutcome, out: Path) -> StepResult:
    ledger = outcome.ledger
    services = len(outcome.conversion.service_keys)
    chart = out / "chart"
    overlays = sorted(chart.glob("values-*.yaml"))
    artifacts = [chart, chart / "values.yaml", *overlays]
    artifacts += [out / name for name in ("conversion.md", "conversion.json")]
    if (out / "gitops").is_dir():
        artifacts.append(out / "gitops")
    not_convertible = len(ledger.not_convertible)
    return StepResult(
        "convert",
        "done",
        f"release {outcome.release}: {services} services, {len(overlays)} environment "
        f"overlay(s), {not_convertible} key(s) not convertible (see conversion.md)",
        tuple(artifacts),
    )


def _validate_step(report: ValidationReport, environments: int) -> StepResult:
    kinds = summarize_kinds([{"kind": r.ref.kind} for r in report.results])
    listed = ", ".join(f"{n} {k}" for k, n in kinds.items())
    invalid = sum(1 for r in report.results if _schema_violations(r))
    policy = sum(1 for r in report.results for v in r.violations if _is_policy(v))
    scope = f"{environments} environment(s)" if environments else "values.yaml"
    return StepResult(
        "validate",
        "failed" if invalid else "done",
        f"{len(report.results)} objects rendered with Helm for {scope} ({listed}); "
        f"{invalid} invalid (Kubernetes {report.kube_version} schemas, strict); "
        f"{policy} POL finding(s)",
    )


def migrate(request: MigrateRequest, *, progress: Progress = lambda _: None) -> MigrateOutcome:
    """Run the whole pipeline; KubealignError stops it, invalid objects make it not ``ok``."""
    if not request.path.is_dir():
        raise UsageError(f"{request.path}: not a directory")
    if request.out.resolve() == request.path.resolve():
        raise UsageError(f"--out {request.out} would replace the repository itself")
    pending = _Pending()
    steps: list[StepResult] = []
    progress("inventory")
    steps.append(_inventory_step(request, pending))
    progress("plan")
    plan_step, plan = _plan_step(request)
    steps.append(plan_step)
    progress("audit")
    steps.append(_audit_step(request, pending))
    progress("convert")
    outcome = convert(_convert_request(request, plan))
    steps.append(_convert_step(outcome, request.out))
    for name, text in sorted(pending.files.items()):
        write_text_atomic(request.out / name, text)
    progress("validate")
    version = resolve_version(request.kube_version)
    report = validate_chart_output(
        request.out,
        kube_version=version,
        checks=[*default_checks(version), *policy_checks()],
    )
    environments = len(sorted((request.out / "chart").glob("values-*.yaml")))
    steps.append(_validate_step(report, environments))
    return MigrateOutcome(request, tuple(steps), outcome, report)
