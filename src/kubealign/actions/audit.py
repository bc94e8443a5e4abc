"""Use case: audit a repository and build the :class:`AuditReport` (see docs/audit-json.md).

Renderers turn a report into text; ``RENDERERS`` maps a ``--format`` name to one. Add a
format by adding an entry (``RENDERERS["markdown"] = render_markdown``) from the module that
defines it, imported below.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from kubealign import __version__
from kubealign.actions.inventory import build_inventory
from kubealign.actions.plan import detect
from kubealign.emit import audit_text
from kubealign.emit.audit_formats import RENDERERS as EMIT_RENDERERS
from kubealign.errors import KubealignError, UsageError
from kubealign.model.audit import (
    AUDIT_SCHEMA_VERSION,
    CATEGORIES,
    INCONSISTENCY_CATEGORIES,
    AuditReport,
    GeneratedFrom,
    InventorySummary,
    RuleMeta,
    ScriptEntry,
    Summary,
)
from kubealign.model.findings import Finding, Severity
from kubealign.model.inventory import Inventory
from kubealign.model.plan import PLAN_FILE_NAME, Plan
from kubealign.rules.base import Rule
from kubealign.rules.context import AuditContext, build_context
from kubealign.rules.debt import (
    action_plan,
    before_after,
    deploy_script_replacements,
    kept_files,
    script_replacements,
    tech_debt,
)
from kubealign.rules.dockerfile_rules import dockerfile_groups
from kubealign.rules.grouping import group_findings
from kubealign.rules.hosts import hosts_by_path
from kubealign.rules.kubernetes_rules import kubernetes_section
from kubealign.rules.liveness import liveness
from kubealign.rules.registry import all_rules
from kubealign.rules.script_rules import duplicate_groups
from kubealign.rules.strategies import competing_strategies, compute_strategies
from kubealign.rules.suppress import apply_suppressions
from kubealign.rules.variants import analyse_compose, service_matrix
from kubealign.transform.plan.codec import read_plan_file
from kubealign.transform.plan.vocabulary import vocabulary


def _finding_order(finding: Finding) -> tuple[int, str, int, str, str]:
    return (
        -int(finding.severity),
        finding.path or "",
        finding.line or 0,
        finding.rule,
        finding.message,
    )


def run_rules(ctx: AuditContext, rules: Iterable[type[Rule]] | None = None) -> list[Finding]:
    """Every place ``rules`` (default: all) report, unsuppressed and not yet grouped by root
    cause, sorted, de-duplicated."""
    found: set[Finding] = set()
    for rule_class in rules if rules is not None else all_rules():
        found.update(rule_class().check(ctx))
    return sorted(found, key=_finding_order)


def _scripts(ctx: AuditContext) -> tuple[ScriptEntry, ...]:
    live = liveness(ctx)
    group_of = {p: g.id for g in duplicate_groups(ctx) for p in g.scripts}
    hosts_of = hosts_by_path(ctx)
    entries = []
    for path in sorted(ctx.scripts):
        info = ctx.scripts[path]
        counts = Counter(c.kind.value for c in info.deploy_commands)
        entries.append(
            ScriptEntry(
                path=path,
                language=info.language,
                commands=tuple(sorted(counts.items())),
                strict_mode=info.strict.complete if info.language != "python" else True,
                hosts=hosts_of.get(path, ()),
                live=live.is_live(path),
                referenced_by=tuple(
                    sorted(
                        {
                            f"{e.source}:{e.line}" if e.line else e.source
                            for e in live.referenced_by(path)
                        }
                    )
                ),
                duplicate_group=group_of.get(path),
            )
        )
    return tuple(entries)


def group_by_root_cause(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per rule and root cause, with its occurrences, most severe first."""
    return sorted(group_findings(findings), key=_finding_order)


def _summary(findings: list[Finding], suppressed: int, ctx: AuditContext) -> Summary:
    """Counts are of findings, i.e. root causes; ``occurrences_total`` says how many places."""
    strategies = compute_strategies(ctx)
    competing = competing_strategies(ctx)
    by_severity = Counter(str(f.severity) for f in findings)
    by_category = Counter(f.category for f in findings)
    return Summary(
        findings_total=len(findings),
        occurrences_total=sum(len(f.places()) for f in findings),
        suppressed_total=suppressed,
        by_severity=tuple((str(s), by_severity[str(s)]) for s in sorted(Severity, reverse=True)),
        by_category=tuple((c, by_category[c]) for c in CATEGORIES),
        inconsistencies=tuple(
            (name, sum(by_category[c] for c in cats)) for name, cats in INCONSISTENCY_CATEGORIES
        ),
        strategies_in_use=tuple(s.name for s in competing),
        live_strategies=tuple(s.name for s in competing if s.live),
        dead_strategies=tuple(s.name for s in competing if not s.live),
        carriers=tuple(s.name for s in strategies if s not in competing),
    )


def _rule_meta(rule_ids: set[str]) -> tuple[RuleMeta, ...]:
    return tuple(
        RuleMeta(r.id, r.name, str(r.severity), r.category, r.summary(), f"docs/rules/{r.id}.md")
        for r in all_rules()
        if r.id in rule_ids
    )


def build_report(ctx: AuditContext, *, root_name: str) -> AuditReport:
    rules = all_rules()
    # Suppressions match places; what is left is grouped into one finding per root cause.
    places, suppressed = apply_suppressions(ctx, run_rules(ctx, rules))
    kept = group_by_root_cause(places)
    counts, reduction = before_after(ctx)
    fired = {f.rule for f in kept} | {s.finding.rule for s in suppressed}
    return AuditReport(
        schema_version=AUDIT_SCHEMA_VERSION,
        root=root_name,
        generated_from=GeneratedFrom(
            "kubealign", __version__, len(ctx.inventory.artifacts), len(rules)
        ),
        summary=_summary(kept, len(suppressed), ctx),
        inventory=InventorySummary(
            total_files=len(ctx.inventory.artifacts),
            by_kind=tuple((k.value, n) for k, n in ctx.inventory.counts().items() if n),
        ),
        strategies=compute_strategies(ctx),
        compose=analyse_compose(ctx),
        matrix=service_matrix(ctx),
        dockerfiles=dockerfile_groups(ctx),
        scripts=_scripts(ctx),
        duplicate_groups=duplicate_groups(ctx),
        kubernetes=kubernetes_section(ctx),
        findings=tuple(kept),
        suppressed=tuple(sorted(suppressed, key=lambda s: _finding_order(s.finding))),
        rules=_rule_meta(fired),
        tech_debt=tech_debt(ctx),
        before_after=counts,
        script_reduction_percent=reduction,
        script_replacements=script_replacements(deploy_script_replacements(ctx)),
        action_plan=action_plan(kept),
        kept=kept_files(ctx),
    )


def audit(root: Path, progress: Callable[[str], None] | None = None, *,
          inventory: Inventory | None = None, plan: Plan | None = None) -> AuditReport:
    """Audit the repository at ``root``. Raises UsageError when it is not a directory.
    ``progress`` is told each stage as it starts (the CLI shows it on stderr); ``inventory``
    is the repository's inventory when the caller already walked it; ``plan`` the plan whose
    names the report uses (default: the repository's ``kubealign.yaml``, else detected)."""
    step = progress or (lambda _stage: None)
    if not root.is_dir():
        raise UsageError("expected a repository directory", path=root)
    name = root.resolve().name
    step("reading the repository")
    inventory = (build_inventory(root, display_root=name) if inventory is None
                 else dataclasses.replace(inventory, root=name))
    step(f"loading {len(inventory.artifacts)} files")
    ctx = audit_context(root, inventory, plan=plan, progress=step)
    step("running the rules")
    return build_report(ctx, root_name=name)


def audit_context(root: Path, inventory: Inventory, *, plan: Plan | None = None,
                  progress: Callable[[str], None] | None = None) -> AuditContext:
    """Every file loaded once, with the plan's names for environments and services: the
    audit says ``local`` and ``sophia-backend`` where ``kubealign.yaml`` and the chart do."""
    ctx = build_context(root, inventory)
    source = "kubealign.yaml"
    if plan is None:
        plan = _repository_plan(root)
    if plan is None:
        if progress is not None:
            progress("detecting the environments")
        plan, source = detect(root, inventory=inventory).plan, "detected"
    services = {path: doc.project.service_names for path, doc in sorted(ctx.compose.items())
                if doc.project is not None}
    ctx.vocabulary = vocabulary(plan, services, source=source)
    return ctx


def _repository_plan(root: Path) -> Plan | None:
    """The repository's own ``kubealign.yaml`` when it reads and describes this repository
    (its names are the ones the chart uses); None otherwise (the audit detects one)."""
    path = root / PLAN_FILE_NAME
    if not path.is_file():
        return None
    try:
        source = read_plan_file(path, display=PLAN_FILE_NAME)
    except KubealignError:  # a broken plan is convert's error to report; the audit detects
        return None
    if (root / source.plan.root).resolve() != root.resolve():
        return None
    return source.plan


# --------------------------------------------------------------------------- renderers


def render_json(report: AuditReport) -> str:
    return json.dumps(report.to_json_dict(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def render_text(report: AuditReport) -> str:
    """Plain text wrapped to 80 columns (the CLI colours the same lines on a terminal)."""
    return audit_text.render_text(report)


#: ``--format`` name -> renderer: text and json here, markdown, html and sarif from emit.
RENDERERS: dict[str, Callable[[AuditReport], str]] = {
    "text": render_text,
    "json": render_json,
    **EMIT_RENDERERS,
}
