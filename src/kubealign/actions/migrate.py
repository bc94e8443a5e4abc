"""Use case: the one-shot main job, ``kubealign migrate PATH --out DIR``.

inventory -> plan (the repository's ``kubealign.yaml``, else a detected one) -> audit ->
convert (every environment of the plan: one chart, a base and an overlay per environment,
GitOps) -> validate every environment (Kubernetes and CRD schemas, POL rules). Each step
says what it did and which artifacts it wrote, so the CLI can print a short summary.

The repository is left as it was: a detected plan is written into it only for the duration
of the conversion (plan paths are relative to the plan's folder) unless ``keep_plan`` asks
to keep it there, and a copy always lands in ``DIR/kubealign.yaml``, where ``kubealign
deploy`` finds it. Every artifact is staged beside ``DIR`` (``emit.atomic.OutputSession``) and
committed once convert succeeded; ``DIR`` is replaced only if kubealign wrote it before.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kubealign.actions.audit import RENDERERS as AUDIT_RENDERERS
from kubealign.actions.audit import audit
from kubealign.actions.convert import summarize_kinds
from kubealign.actions.convert_plan import PlanConvertOutcome, PlanConvertRequest, convert_plan
from kubealign.actions.inventory import build_inventory, inventory_to_json
from kubealign.actions.plan import plan as detect_and_write_plan
from kubealign.actions.validate import validate_chart_output
from kubealign.emit.atomic import output_session
from kubealign.emit.audit_formats import RENDERERS as AUDIT_FORMATS
from kubealign.errors import UsageError
from kubealign.model.plan import PLAN_FILE_NAME
from kubealign.validate.checks import default_checks
from kubealign.validate.policies import policy_checks
from kubealign.validate.results import ObjectResult, ValidationReport, Violation
from kubealign.validate.schemas import DEFAULT_KUBE_VERSION, resolve_version

Progress = Callable[[str], None]
_AUDIT_FILES = {"audit.md": "markdown", "audit.json": "json", "audit.html": "html"}


@dataclass(frozen=True, slots=True)
class MigrateRequest:
    path: Path
    out: Path
    kube_version: str = DEFAULT_KUBE_VERSION
    environ: Mapping[str, str] | None = None  # None: the process environment
    keep_plan: bool = False
    """Keep a detected plan in ``PATH/kubealign.yaml`` (to edit and commit)."""
    allow_paths: tuple[Path, ...] = ()
    """``--allow-path``: host paths outside the repository the user lets kubealign read."""


@dataclass(frozen=True, slots=True)
class StepResult:
    name: str
    status: str  # "done" | "failed"
    summary: str
    artifacts: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class MigrateOutcome:
    request: MigrateRequest
    steps: tuple[StepResult, ...]
    convert: PlanConvertOutcome
    report: ValidationReport

    @property
    def invalid(self) -> tuple[ObjectResult, ...]:
        """Objects with schema or CRD violations (POL findings are reported, not fatal)."""
        return tuple(r for r in self.report.results if schema_violations(r))

    @property
    def policy(self) -> tuple[tuple[ObjectResult, Violation], ...]:
        return tuple(
            (r, v) for r in self.report.results for v in r.violations if is_policy(v)
        )

    @property
    def environments(self) -> tuple[str, ...]:
        return tuple(env.name for env in self.convert.plan.environments)

    @property
    def ok(self) -> bool:
        return not any(step.status == "failed" for step in self.steps)


def is_policy(violation: Violation) -> bool:
    return violation.check.startswith("POL")


def schema_violations(result: ObjectResult) -> list[Violation]:
    return [v for v in result.violations if not is_policy(v)]


@dataclass
class _Pending:
    """Artifacts computed before convert, written once convert has created ``DIR``."""

    files: dict[str, str] = field(default_factory=dict)


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


def _plan_step(request: MigrateRequest, pending: _Pending) -> tuple[StepResult, str | None]:
    """The repository's plan, else a detected one (its text, written around convert)."""
    existing = request.path / PLAN_FILE_NAME
    if existing.is_file():
        pending.files[PLAN_FILE_NAME] = existing.read_text(encoding="utf-8")
        return (
            StepResult("plan", "done", f"using the repository's plan {existing}",
                       (request.out / PLAN_FILE_NAME,)),
            None,
        )
    detected = detect_and_write_plan(request.path, write=False)
    pending.files[PLAN_FILE_NAME] = detected.text
    plan = detected.plan
    ambiguous = f", {len(plan.ambiguous)} ambiguous file(s) listed in it" if plan.ambiguous else ""
    kept = existing if request.keep_plan else request.out / PLAN_FILE_NAME
    return (
        StepResult(
            "plan",
            "done",
            f"detected {len(plan.environments)} environments "
            f"({', '.join(e.name for e in plan.environments)}), base {plan.base}, "
            f"{len(plan.node_pools)} GPU node pool(s){ambiguous}",
            (kept,) if kept == existing else (request.out / PLAN_FILE_NAME,),
        ),
        detected.text,
    )


def _audit_step(request: MigrateRequest, pending: _Pending) -> StepResult:
    report = audit(request.path)
    renderers = {**AUDIT_RENDERERS, **AUDIT_FORMATS}
    for name, fmt in _AUDIT_FILES.items():
        pending.files[name] = renderers[fmt](report)
    severities = ", ".join(f"{n} {s}" for s, n in report.summary.by_severity if n)
    return StepResult(
        "audit",
        "done",
        f"{report.summary.findings_total} findings ({severities or 'none'}); live strategies: "
        f"{', '.join(report.summary.live_strategies) or 'none'}; deploy scripts "
        f"{report.script_reduction_percent:.0f}% fewer after consolidation",
        tuple(request.out / name for name in _AUDIT_FILES),
    )


@contextmanager
def _plan_in_repository(request: MigrateRequest, text: str | None) -> Iterator[Path]:
    """The plan file convert reads; a detected plan exists in the repository only meanwhile."""
    target = request.path / PLAN_FILE_NAME
    if text is None:
        yield target
        return
    try:
        with target.open("x", encoding="utf-8") as stream:
            stream.write(text)
    except FileExistsError:
        raise UsageError(f"{target} appeared while migrate was running") from None
    except OSError as exc:
        raise UsageError(f"cannot write the detected plan: {exc.strerror}", path=target) from None
    try:
        yield target
    finally:
        if not request.keep_plan:
            target.unlink(missing_ok=True)


def _convert_step(outcome: PlanConvertOutcome, out: Path) -> StepResult:
    overlays = [out / "chart" / f"values-{env.name}.yaml" for env in outcome.plan.environments]
    artifacts = [out / "chart", out / "chart" / "values.yaml", *overlays]
    artifacts += [
        out / name
        for name in ("environments.md", "conversion", "cluster", "gitops", "mesh")
        if (out / name).exists()
    ]
    services = len(outcome.consolidation.base.get("services") or {})
    not_convertible = sum(len(e.conversion.ledger.not_convertible) for e in outcome.environments)
    proven = sum(1 for e in outcome.environments if e.proof == ())
    problems = [
        f"{env.name}: base + overlay differs from the variant"
        for env in outcome.environments
        if env.proof
    ]
    problems += list(outcome.extra_problems)
    summary = (
        f"release {outcome.plan.release}: {services} services, values.yaml + "
        f"{len(overlays)} overlays; {proven}/{len(outcome.environments)} environments render "
        f"exactly as their compose variant; {not_convertible} key(s) not convertible "
        "(see conversion/)"
    )
    if problems:
        summary += "; " + "; ".join(problems)
    return StepResult("convert", "failed" if problems else "done", summary, tuple(artifacts))


def _validate_step(report: ValidationReport, environments: int) -> StepResult:
    kinds = summarize_kinds([{"kind": r.ref.kind} for r in report.results])
    listed = ", ".join(f"{n} {k}" for k, n in kinds.items())
    invalid = sum(1 for r in report.results if schema_violations(r))
    policy = sum(1 for r in report.results for v in r.violations if is_policy(v))
    return StepResult(
        "validate",
        "failed" if invalid else "done",
        f"{len(report.results)} objects rendered with Helm for {environments} environment(s) "
        f"({listed}); {invalid} invalid (Kubernetes {report.kube_version} schemas, strict); "
        f"{policy} POL finding(s)",
    )


def migrate(request: MigrateRequest, *, progress: Progress = lambda _: None) -> MigrateOutcome:
    """Run the whole pipeline; KubealignError stops it, a failed step makes it not ``ok``."""
    if not request.path.is_dir():
        raise UsageError(f"{request.path}: not a directory")
    # Locked and checked before any work: --out may be replaced only if kubealign wrote it,
    # never the repository or a folder holding it. Everything is staged and committed once
    # convert succeeded, so a failed migrate leaves the previous output as it was.
    with output_session(request.out, protect=[request.path]) as session:
        pending = _Pending()
        steps: list[StepResult] = []
        progress("inventory")
        steps.append(_inventory_step(request, pending))
        progress("plan")
        plan_step, detected = _plan_step(request, pending)
        steps.append(plan_step)
        progress("audit")  # before the plan file exists in the repository
        steps.append(_audit_step(request, pending))
        progress("convert")
        environ = dict(os.environ) if request.environ is None else dict(request.environ)
        with _plan_in_repository(request, detected) as plan_file:
            outcome = convert_plan(
                PlanConvertRequest(out=request.out, plan=plan_file, environ=environ,
                                   kube_version=request.kube_version,
                                   allow_paths=request.allow_paths),
                session=session,
            )
        session.write_files(pending.files)
        session.commit()
    steps.append(_convert_step(outcome, request.out))
    progress("validate")
    version = resolve_version(request.kube_version)
    report = validate_chart_output(
        request.out, kube_version=version, checks=[*default_checks(version), *policy_checks()]
    )
    steps.append(_validate_step(report, len(outcome.environments)))
    return MigrateOutcome(request, tuple(steps), outcome, report)
