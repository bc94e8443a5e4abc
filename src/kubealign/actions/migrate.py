"""Use case: the one-shot main job, ``kubealign migrate PATH --out DIR``.

inventory -> plan (the repository's ``kubealign.yaml``, else a detected one) -> audit ->
convert (every environment of the plan: one chart, a base and an overlay per environment,
GitOps) -> validate every environment (Kubernetes and CRD schemas, POL rules). Each step
says what it did and which artifacts it wrote, so the CLI can print a short summary.

Each step's artifacts are committed into ``DIR`` as soon as it finishes (staged beside ``DIR``
and renamed into place, ``emit.atomic.OutputSession``), so a failed step keeps what the
earlier ones produced; the summary says which steps failed and why. ``DIR`` is replaced only
if kubealign wrote it before.

The repository is left as it was: the plan (the repository's own, else a detected one) is
kept as ``DIR/kubealign.yaml`` with a ``root`` pointing back at the repository, which is the
plan convert reads and the one ``kubealign deploy``/``cluster``/``convert --plan`` accept as
is. ``keep_plan`` also writes a detected plan into the repository (to edit and commit).
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from kubealign.actions.audit import RENDERERS as AUDIT_RENDERERS
from kubealign.actions.audit import audit
from kubealign.actions.convert import summarize_kinds
from kubealign.actions.convert_plan import (
    PlanConvertOutcome,
    PlanConvertRequest,
    convert_plan,
    is_policy,
)
from kubealign.actions.inventory import build_inventory, inventory_to_json
from kubealign.actions.plan import no_environment_reason, plan_root, root_from
from kubealign.actions.plan import plan as detect_and_write_plan
from kubealign.emit.atomic import OutputSession, output_session
from kubealign.emit.audit_formats import LINKED_RENDERERS, link_prefix
from kubealign.emit.audit_formats import RENDERERS as AUDIT_FORMATS
from kubealign.emit.plan_document import set_root
from kubealign.emit.plan_yaml import render_plan
from kubealign.errors import KubealignError, UsageError
from kubealign.load.yaml_safe import read_text_file
from kubealign.model.inventory import Inventory
from kubealign.model.plan import PLAN_FILE_NAME, EnvironmentStatus, Plan
from kubealign.transform.plan.codec import read_plan_text
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
    status: str  # "done" | "failed" | "skipped" (a step it needs failed)
    summary: str
    artifacts: tuple[Path, ...] = ()


@dataclass(frozen=True, slots=True)
class MigrateOutcome:
    request: MigrateRequest
    steps: tuple[StepResult, ...]
    convert: PlanConvertOutcome | None
    """None when the convert step failed or was skipped."""
    report: ValidationReport | None
    """None when nothing was validated."""

    @property
    def invalid(self) -> tuple[ObjectResult, ...]:
        """Objects with schema or CRD violations (POL findings are reported, not fatal)."""
        results = self.report.results if self.report is not None else ()
        return tuple(r for r in results if schema_violations(r))

    @property
    def policy(self) -> tuple[tuple[ObjectResult, Violation], ...]:
        results = self.report.results if self.report is not None else ()
        return tuple((r, v) for r in results for v in r.violations if is_policy(v))

    @property
    def environments(self) -> tuple[str, ...]:
        if self.convert is None:
            return ()
        return tuple(env.name for env in self.convert.plan.environments)

    @property
    def failed(self) -> tuple[StepResult, ...]:
        return tuple(step for step in self.steps if step.status == "failed")

    @property
    def ok(self) -> bool:
        return not any(step.status == "failed" for step in self.steps)


def schema_violations(result: ObjectResult) -> list[Violation]:
    return [v for v in result.violations if not is_policy(v)]


@dataclass
class _Shared:
    """What one step computes and later steps reuse (the walk of a large repository is
    seconds; it is done once)."""

    inventory: Inventory | None = None
    plan: Plan | None = None
    """The plan the plan step kept: the audit names environments and services as it does."""


def _inventory_step(request: MigrateRequest, session: OutputSession,
                    shared: _Shared) -> StepResult:
    inventory = shared.inventory = build_inventory(request.path)
    session.write("inventory.json", inventory_to_json(inventory))
    counts = ", ".join(
        f"{count} {kind.value}" for kind, count in inventory.counts().items() if count
    )
    return StepResult(
        "inventory",
        "done",
        f"{len(inventory.artifacts)} files: {counts or 'nothing recognised'}",
        (request.out / "inventory.json",),
    )


def _plan_step(request: MigrateRequest, session: OutputSession, shared: _Shared,
               previous: str | None = None) -> StepResult:
    """The repository's plan, else a detected one, kept as ``DIR/kubealign.yaml``.

    The kept copy's ``root`` points back at the repository, so convert, cluster and deploy
    read it as is from the output folder, from any working directory."""
    existing = request.path / PLAN_FILE_NAME
    kept = request.out / PLAN_FILE_NAME
    if existing.is_file():
        text = read_text_file(existing, display=str(existing))
        source = read_plan_text(text, str(existing))  # a broken plan fails this step, here
        own_root = plan_root(existing, source.plan)
        session.write(PLAN_FILE_NAME, set_root(text, root_from(request.out, own_root),
                                               str(existing)))
        shared.plan = source.plan
        return StepResult("plan", "done", f"using the repository's plan {existing}", (kept,))
    detected = detect_and_write_plan(request.path, out=kept, write=False, previous=previous,
                                     inventory=shared.inventory)
    plan = detected.plan
    if not plan.environments:
        # A plan without environments is one kubealign itself refuses: none is written; the
        # step says why, from the files that could not be loaded.
        return StepResult("plan", "failed", no_environment_reason(plan))
    session.write(PLAN_FILE_NAME, detected.text)
    shared.plan = plan
    artifacts = [kept]
    if request.keep_plan:
        in_repository = dataclasses.replace(detected.plan, root=".")
        _create(existing, render_plan(in_repository, detected.detected.notes))
        artifacts.append(existing)
    ambiguous = f", {len(plan.ambiguous)} ambiguous file(s) listed in it" if plan.ambiguous else ""
    merge = detected.merge
    if merge is not None:  # DIR/kubealign.yaml of an earlier run, perhaps edited: merged
        changes = [*merge.added, *merge.marked]
        ambiguous += (f"; merged with the plan kept in {kept} (your edits kept"
                      + (f"; {'; '.join(changes)}" if changes else "") + ")")
    return StepResult(
        "plan",
        "done",
        f"detected {len(plan.environments)} environments "
        f"({', '.join(e.name for e in plan.environments)}; {_statuses(plan)}), base {plan.base}, "
        f"{len(plan.node_pools)} GPU node pool(s){ambiguous}",
        tuple(artifacts),
    )


def _kept_plan(out: Path) -> str | None:
    kept = out / PLAN_FILE_NAME
    if not kept.is_file() or kept.is_symlink():
        return None
    try:
        return read_text_file(kept, display=str(kept))
    except KubealignError:  # not text kubealign can read: detected afresh
        return None


def _statuses(plan: Plan) -> str:
    """``3 deployed, 1 documented, 2 dead``: what the repository really runs."""
    counts = Counter(env.status for env in plan.environments)
    return ", ".join(f"{counts[status]} {status.value}" for status in EnvironmentStatus
                     if counts[status])


def _create(target: Path, text: str) -> None:
    """Write a new file into the repository (``--keep-plan``), never replacing one."""
    try:
        with target.open("x", encoding="utf-8") as stream:
            stream.write(text)
    except FileExistsError:
        raise UsageError(f"{target} appeared while migrate was running") from None
    except OSError as exc:
        raise UsageError(f"cannot write the detected plan: {exc.strerror}", path=target) from None


def _audit_step(request: MigrateRequest, session: OutputSession, shared: _Shared) -> StepResult:
    report = audit(request.path, inventory=shared.inventory, plan=shared.plan)
    renderers = {**AUDIT_RENDERERS, **AUDIT_FORMATS}
    # The reports sit in --out; their file links must reach the repository from there.
    prefix = link_prefix(request.path, request.out)
    session.write_files({
        name: linked(report, prefix) if (linked := LINKED_RENDERERS.get(fmt))
        else renderers[fmt](report)
        for name, fmt in _AUDIT_FILES.items()
    })
    severities = ", ".join(f"{n} {s}" for s, n in report.summary.by_severity if n)
    return StepResult(
        "audit",
        "done",
        f"{report.summary.findings_total} findings ({severities or 'none'}); live strategies: "
        f"{', '.join(report.summary.live_strategies) or 'none'}; deploy scripts "
        f"{report.script_reduction_percent:.0f}% fewer after consolidation",
        tuple(request.out / name for name in _AUDIT_FILES),
    )


def _convert_step(outcome: PlanConvertOutcome, out: Path) -> StepResult:
    overlays = [out / "chart" / f"values-{env.name}.yaml" for env in outcome.plan.environments]
    artifacts = [out / "chart", out / "chart" / "values.yaml", *overlays]
    artifacts += [
        out / name
        for name in ("environments.md", "conversion", "cluster", "gitops", "mesh")
        if (out / name).exists()
    ]
    services = len({name for env in outcome.environments
                    for name in env.variant.get("services") or {}})
    not_convertible = sum(len(e.conversion.ledger.not_convertible) for e in outcome.environments)
    proven = sum(1 for e in outcome.environments if e.proof == ())
    problems = [
        f"{env.name}: base + overlay differs from the variant"
        for env in outcome.environments
        if env.proof
    ]
    problems += list(outcome.extra_problems)
    problems += [f"{env.name}: Helm refused it (see validate)" for env in outcome.refused]
    summary = (
        f"release {outcome.plan.release}: {services} services, values.yaml (the base "
        f"environment {outcome.consolidation.base_environment}) + {len(overlays)} overlays; "
        f"{proven}/{len(outcome.environments)} environments render "
        f"exactly as their compose variant; {not_convertible} key(s) not convertible "
        "(see conversion/)"
    )
    if problems:
        summary += "; " + "; ".join(problems)
    return StepResult("convert", "failed" if problems else "done", summary, tuple(artifacts))


def _validate_step(outcome: PlanConvertOutcome, kube_version: str
                   ) -> tuple[StepResult, ValidationReport]:
    """Convert rendered every environment from the staged chart (what ``DIR`` now holds) and
    checked it with the strict schemas and the POL rules; rendering it a third time here
    would only cost time. An environment Helm refused is a failure of this step."""
    results = tuple(r for env in outcome.environments for r in env.schema_results)
    report = ValidationReport(kube_version, True, results)
    kinds = summarize_kinds([{"kind": r.ref.kind} for r in report.results])
    listed = ", ".join(f"{n} {k}" for k, n in kinds.items())
    invalid = sum(1 for r in report.results if schema_violations(r))
    policy = sum(1 for r in report.results for v in r.violations if is_policy(v))
    refused = outcome.refused
    summary = (f"{len(report.results)} objects rendered with Helm for "
               f"{len(outcome.environments) - len(refused)} environment(s) ({listed}); "
               f"{invalid} invalid (Kubernetes {kube_version} schemas, strict, and API "
               "server rules); "
               f"{policy} POL finding(s)")
    summary += "".join(f"; {env.name}: Helm refused it: {env.render_error}" for env in refused)
    status = "failed" if invalid or refused else "done"
    return StepResult("validate", status, summary), report


def _failed(name: str, exc: KubealignError, written: Sequence[Path] = ()) -> StepResult:
    return StepResult(name, "failed", str(exc), tuple(p for p in written if p.exists()))


def _skipped(name: str, needs: str) -> StepResult:
    return StepResult(name, "skipped", f"needs the {needs} step, which failed")


def _partial(out: Path) -> tuple[Path, ...]:
    """What a failed convert still committed (each environment's conversion report)."""
    folder = out / "conversion"
    return tuple(sorted(folder.iterdir())) if folder.is_dir() else ()


def migrate(request: MigrateRequest, *, progress: Progress = lambda _: None) -> MigrateOutcome:
    """Run the whole pipeline, keeping what each step produced.

    Each step's artifacts are committed into ``DIR`` as soon as the step finishes, so a later
    failure leaves them (the audit and the plan to edit, at least). A step failing on what the
    repository holds (any :class:`KubealignError`) is reported with its reason and the steps
    that need it are skipped; only what the user typed (``PATH``, ``--out``) raises.
    """
    if not request.path.is_dir():
        raise UsageError(f"{request.path}: not a directory")
    # Locked and checked before any work: --out may be replaced only if kubealign wrote it,
    # never the repository or a folder holding it.
    with output_session(request.out, protect=[request.path]) as session:
        steps: list[StepResult] = []
        # The plan an earlier run kept (and the user may have edited) is read before the
        # first commit replaces DIR: re-planning merges with it.
        previous = _kept_plan(request.out)
        shared = _Shared()
        independent = (("inventory", _inventory_step),
                       ("plan", functools.partial(_plan_step, previous=previous)),
                       ("audit", _audit_step))
        for name, step in independent:
            progress(name)
            try:
                steps.append(step(request, session, shared))
            except KubealignError as exc:
                session.discard()  # half a step is not kept
                steps.append(_failed(name, exc))
                if name == "plan" and previous is not None:
                    # The user's edited plan failed to merge or read: keep it, to fix.
                    session.write(PLAN_FILE_NAME, previous)
                    session.commit()
                continue
            session.commit()
        outcome: PlanConvertOutcome | None = None
        if steps[1].status != "done":
            steps.append(_skipped("convert", "plan"))
        else:
            progress("convert")
            environ = dict(os.environ) if request.environ is None else dict(request.environ)
            try:
                outcome = convert_plan(
                    PlanConvertRequest(out=request.out, plan=request.out / PLAN_FILE_NAME,
                                       environ=environ, kube_version=request.kube_version,
                                       allow_paths=request.allow_paths, policies=True,
                                       inventory=shared.inventory),
                    session=session, checkpoint=session.commit)
            except KubealignError as exc:
                session.discard()
                steps.append(_failed("convert", exc, _partial(request.out)))
            else:
                session.commit()
                steps.append(_convert_step(outcome, request.out))
    report: ValidationReport | None = None
    if outcome is None:
        steps.append(_skipped("validate", "convert"))
    else:
        progress("validate")
        validated, report = _validate_step(outcome, resolve_version(request.kube_version))
        steps.append(validated)
    return MigrateOutcome(request, tuple(steps), outcome, report)
