"""The audit report as one self-contained HTML page.

Everything is inline (CSS and JS from ``emit/assets``, the report data as JSON) and a
Content-Security-Policy forbids any network access: the page is safe to attach to a CI run
and open offline. Every piece of user text is escaped with :func:`html.escape`; the JSON block
escapes ``<``, ``>`` and ``&`` so no string can close the ``<script>`` element. The page reads
fine without JavaScript; the script only adds sorting and filtering. The CSP allows exactly
the inline script and style shipped here (by hash), so even an escaping mistake could not run
injected code.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Sequence
from html import escape
from importlib import resources

from kubealign.emit.audit_markdown import SCRIPT_KINDS, differing_aspects, git_command
from kubealign.model.audit import (
    CATEGORIES,
    AuditReport,
    DockerfileGroup,
    MatrixCell,
    TechDebtItem,
)
from kubealign.model.findings import Finding, Severity

_SEVERITY_ORDER = tuple(sorted(Severity, reverse=True))
_INCONSISTENCY_TITLES = {
    "orchestration-confusion": "Orchestration confusion",
    "secret-management": "Secret management",
    "service-discovery": "Service discovery",
    "resource-management": "Resource management",
    "networking": "Network configuration",
}
_MATRIX_ASPECTS = (("tag", "tag"), ("replicas", "replicas"), ("gpus", "GPUs"),
                   ("memory", "memory"), ("cpus", "CPUs"), ("host", "host"))
_SECTIONS = (("summary", "Summary"), ("findings", "Findings"), ("matrix", "Matrix"),
             ("inventory", "Inventory"), ("dockerfiles", "Dockerfiles"), ("scripts", "Scripts"),
             ("kubernetes", "Kubernetes"), ("debt", "Tech debt"), ("plan", "Action plan"))


def _asset(name: str) -> str:
    return resources.files("kubealign.emit").joinpath("assets", name).read_text("utf-8")


def _csp_hash(content: str) -> str:
    digest = hashlib.sha256(content.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def json_for_script(data: object) -> str:
    """JSON that is inert inside ``<script type="application/json">``.

    ``<``, ``>`` and ``&`` become ``\\u003c``… (still the same JSON values), so neither
    ``</script>`` nor ``<!--`` can appear; U+2028/2029 are escaped for old JS parsers.
    """
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text


_NUMERIC = ' class="num"'
_INLINE_FILES = 4


def e(value: object) -> str:
    return escape(str(value), quote=True)


# --------------------------------------------------------------------------- small builders


def _badge(severity: str) -> str:
    return f'<span class="badge sev-{e(severity)}">{e(severity)}</span>'


def _state(live: bool) -> str:
    word = "live" if live else "dead"
    return f'<span class="badge {word}">{word}</span>'


def _loc(path: str | None, line: int | None = None) -> str:
    if not path:
        return '<span class="muted">repository</span>'
    where = f"{path}:{line}" if line is not None else path
    return f'<span class="loc">{_breakable(where)}</span>'


def _breakable(path: str) -> str:
    """Escaped, with line-break opportunities after each ``/`` (long paths in narrow cells)."""
    return e(path).replace("/", "/<wbr>")


def _locs(items: Iterable[str], empty: str = "—") -> str:
    shown = "<br>".join(f'<span class="loc">{_breakable(item)}</span>' for item in items)
    return shown or f'<span class="muted">{e(empty)}</span>'


def _codes(items: Iterable[str]) -> str:
    return " ".join(f"<code>{e(item)}</code>" for item in items) or "—"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _table(table_id: str | None, caption: str, header: Sequence[str],
           rows: Iterable[str], *, sortable: bool = True, numeric: Sequence[int] = (),
           classes: str = "") -> str:
    """``rows`` are complete ``<tr>`` elements built with escaped content."""
    body = "\n".join(rows)
    if not body:
        return ""
    names = " ".join(filter(None, ["sortable" if sortable else "", classes]))
    attributes = (f' id="{e(table_id)}"' if table_id else "") + (
        f' class="{names}"' if names else "")
    head = "".join(
        f'<th scope="col"{_NUMERIC if i in numeric else ""}>{e(h)}</th>'
        for i, h in enumerate(header)
    )
    return (f'<div class="table-wrap"><table{attributes}><caption>{e(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table></div>")


def _row(*cells: str, attributes: str = "") -> str:
    return f"<tr{attributes}>" + "".join(cells) + "</tr>"


def _td(content: str, *, sort: object | None = None, css: str = "") -> str:
    attributes = f' data-sort="{e(sort)}"' if sort is not None else ""
    attributes += f' class="{css}"' if css else ""
    return f"<td{attributes}>{content}</td>"


# --------------------------------------------------------------------------- sections


def _summary(report: AuditReport) -> str:
    s = report.summary
    severities = "".join(
        f'<span class="badge sev-{e(name)}">{count} {e(name)}</span>'
        for name, count in s.by_severity if count
    )
    live = ", ".join(s.live_strategies) or "none"
    scripts = next((b for b in report.before_after if b.kind in SCRIPT_KINDS), None)
    reduction = (f"{scripts.before} → {scripts.after} deploy scripts" if scripts
                 else "no deploy scripts counted")
    cards = [
        ("alert" if s.findings_total else "good", "Findings", str(s.findings_total),
         f'<div class="sevbar">{severities}</div>' if severities else "none"),
        ("alert" if len(s.strategies_in_use) > 1 else "good", "Deployment strategies",
         str(len(s.strategies_in_use)), f"live: {e(live)}"),
        ("", "Script reduction", f"{report.script_reduction_percent:.1f}%", e(reduction)),
        ("", "Files to clean up", str(len(report.tech_debt)),
         f"{sum(1 for t in report.tech_debt if t.referenced_by_live)} still used by a live path"),
        ("", "Files scanned", str(report.generated_from.files_scanned),
         f"{report.generated_from.rules_run} rules run"),
        ("", "Suppressed", str(s.suppressed_total), "findings with a reason"),
    ]
    html = ['<div class="cards">']
    for css, title, value, detail in cards:
        html.append(f'<div class="card {css}"><div class="label">{e(title)}</div>'
                    f'<div class="value">{e(value)}</div><div class="detail">{detail}</div></div>')
    html.append("</div>")
    html.append('<h3>The five inconsistencies</h3><ul class="inconsistencies">')
    for name, count in s.inconsistencies:
        html.append(f'<li class="{"hit" if count else ""}">'
                    f"<span>{e(_INCONSISTENCY_TITLES.get(name, name))}</span>"
                    f'<span class="count">{count}</span></li>')
    html.append("</ul>")
    if report.strategies:
        html.append('<h3>Deployment strategies</h3><ul class="strategies">')
        for strategy in report.strategies:
            evidence = "; ".join(strategy.evidence)
            html.append(
                f'<li><span class="name">{e(strategy.name)}</span>{_state(strategy.live)} '
                f'<span class="muted">{_plural(len(strategy.files), "file")}</span>'
                + (f"<br><span class=\"muted\">{e(evidence)}</span>" if evidence else "")
                + "</li>"
            )
        html.append("</ul>")
    return "\n".join(html)


def _finding_row(finding: Finding) -> str:
    severity = str(finding.severity)
    rank = _SEVERITY_ORDER.index(finding.severity)
    location_sort = f"{finding.path or ''} {finding.line or 0:09d}"
    return _row(
        _td(_badge(severity), sort=rank),
        _td(f'<code class="rule">{e(finding.rule)}</code>'),
        _td(e(finding.category or "uncategorised")),
        _td(_loc(finding.path, finding.line), sort=location_sort),
        _td(e(finding.message)),
        _td(f'<span class="fix">{e(finding.fix)}</span>' if finding.fix else "—"),
        attributes=(f' data-severity="{e(severity)}" data-category="{e(finding.category)}"'
                    f' data-rule="{e(finding.rule)}"'),
    )


def _findings(report: AuditReport) -> str:
    controls = (
        '<div class="controls" id="findings-controls" hidden role="search" '
        'aria-label="Filter findings">'
        '<label for="filter-severity">Severity<select id="filter-severity">'
        '<option value="">all severities</option></select></label>'
        '<label for="filter-category">Category<select id="filter-category">'
        '<option value="">all categories</option></select></label>'
        '<label for="filter-text">Search (press /)<input type="search" id="filter-text" '
        'placeholder="rule, file, message…" autocomplete="off"></label>'
        '<button type="button" id="filter-reset">Reset</button>'
        '<span class="status" id="findings-status" role="status" aria-live="polite"></span>'
        "</div>"
    )
    rows = [_finding_row(f) for f in report.findings]
    if not rows:
        return '<p class="lead">No findings.</p>'
    table = _table("findings-table", f"{len(rows)} findings, highest severity first",
                   ["Severity", "Rule", "Category", "Location", "Message", "Fix"], rows)
    empty = '<p id="findings-empty" class="muted" hidden>No finding matches the filters.</p>'
    html = [controls, table, empty]
    if report.suppressed:
        html.append("<h3>Suppressed findings</h3>")
        html.append(_table(
            "suppressed-table", "Findings silenced by a suppression comment with its reason",
            ["Severity", "Rule", "Location", "Message", "Reason", "Suppressed at"],
            [_row(_td(_badge(str(s.finding.severity)),
                      sort=_SEVERITY_ORDER.index(s.finding.severity)),
                  _td(f'<code class="rule">{e(s.finding.rule)}</code>'),
                  _td(_loc(s.finding.path, s.finding.line)), _td(e(s.finding.message)),
                  _td(e(s.reason)), _td(_loc(s.suppressed_at)))
             for s in report.suppressed],
        ))
    return "\n".join(html)


def _image(cell: MatrixCell) -> str:
    """``image:tag``, without doubling a tag the image reference already carries."""
    if cell.tag is None or cell.image.endswith(f":{cell.tag}"):
        return cell.image
    return f"{cell.image}:{cell.tag}"


def _matrix_cell(cell: MatrixCell | None, differing: set[str]) -> str:
    if cell is None:
        return '<td class="absent" data-sort="">—<span class="sr-only"> not deployed</span></td>'
    parts = []
    for attribute, title in _MATRIX_ASPECTS:
        value = getattr(cell, attribute)
        if value is None:
            continue
        css = "aspect differs" if attribute in differing else "aspect"
        shown = _image(cell) if attribute == "tag" else f"{title} {value}"
        parts.append(f'<span class="{css}" data-aspect="{attribute}">{e(shown)}</span>')
    if cell.tag is None:
        parts.insert(0, f'<span class="aspect" data-aspect="image">{e(cell.image)}</span>')
    parts.append(f'<span class="aspect loc muted">{_breakable(cell.file)}'
                 f'{":" + str(cell.line) if cell.line is not None else ""}</span>')
    css = "cell-differs" if differing else ""
    return _td("".join(parts), css=css)


def _matrix(report: AuditReport) -> str:
    m = report.matrix
    if not m.services:
        return '<p class="lead">No compose services were found.</p>'
    cells = {(c.service, c.environment): c for c in m.cells}
    differing = differing_aspects(m)
    rows = []
    for service in m.services:
        changed = differing.get(service, set())
        rows.append(_row(
            f'<th scope="row">{e(service)}</th>',
            *(_matrix_cell(cells.get((service, env)), changed if (service, env) in cells
                           else set()) for env in m.environments),
            attributes=' class="differs"' if changed else "",
        ))
    legend = ('<p class="legend"><span class="swatch"></span>highlighted cells: the service is '
              "configured differently across environments (≠ marks the differing settings); "
              "— means not deployed there.</p>")
    html = [legend, _table("matrix-table",
                           f"{len(m.services)} services × {len(m.environments)} environments",
                           ["Service", *m.environments], rows, classes="matrix")]
    if report.compose.differences:
        html.append("<h3>Settings that differ between compose files</h3>")
        html.append(_table(
            "differences-table", "One row per service setting that is not the same everywhere",
            ["Service", "Setting", "Values"],
            [_row(_td(e(d.service)), _td(e(d.aspect)),
                  _td("<br>".join(f"<code>{e(v.value)}</code> in {_loc(v.file, v.line)}"
                                  for v in d.values)))
             for d in report.compose.differences],
        ))
    return "\n".join(html)


def _inventory(report: AuditReport) -> str:
    html = [_table("kinds-table", f"{report.inventory.total_files} files by kind",
                   ["Kind", "Files"],
                   [_row(_td(e(kind)), _td(str(count), css="num"))
                    for kind, count in report.inventory.by_kind], numeric=(1,))]
    if report.strategies:
        html.append("<h3>Deployment strategies</h3>")
        html.append(_table(
            "strategies-table", "Which strategies are reached from CI, a Makefile or a live "
            "script", ["Strategy", "State", "Files", "Evidence"],
            [_row(_td(e(s.name)), _td(_state(s.live), sort=int(not s.live)),
                  _td(_locs(s.files)), _td(e("; ".join(s.evidence)) or "—"))
             for s in report.strategies],
        ))
    variants = report.compose.variants
    if variants:
        html.append(f"<h3>Compose files ({len(variants)})</h3>")
        html.append(_table(
            "compose-table", "Every compose file, loaded on its own",
            ["File", "Role", "Environment", "Services", "Swarm", "State", "Lines", "Variant of"],
            [_row(_td(_loc(v.file)), _td(e(v.role)), _td(e(v.environment)),
                  _td(str(len(v.services)), css="num"), _td(_yes(v.swarm)),
                  _td(_state(v.live), sort=int(not v.live)), _td(str(v.lines), css="num"),
                  _td(_locs(v.variant_of)
                      + (f'<br><span class="badge sev-high">load error</span> {e(v.load_error)}'
                         if v.load_error else "")))
             for v in variants],
            numeric=(3, 6),
        ))
    if report.compose.similarity:
        html.append("<h3>How alike the compose files are</h3>")
        html.append(_table(
            "similarity-table", "Pairs of compose files sharing a service or an image",
            ["File", "File", "Shared services", "Services alike", "Settings alike",
             "Values only"],
            [_row(_td(_loc(s.left)), _td(_loc(s.right)),
                  _td(str(len(s.shared_services)), css="num"),
                  _td(f"{s.service_similarity:.1f}%", css="num"),
                  _td(f"{s.settings_similarity:.1f}%", css="num"), _td(_yes(s.values_only)))
             for s in report.compose.similarity],
            numeric=(2, 3, 4),
        ))
    return "\n".join(html)


def _dockerfile_group(group: DockerfileGroup) -> str:
    html = [f"<h3>{e(group.service)} <span class=\"muted\">({len(group.variants)} variants)"
            "</span></h3>"]
    html.append(_table(
        None, f"Keep {group.recommended}: {group.recommendation}",
        ["Dockerfile", "Bases", "Stages", "User", "Healthcheck", "GPU", "Built by"],
        [_row(_td(_loc(v.path) + (' <span class="badge live">keep</span>'
                                  if v.path == group.recommended else "")),
              _td(_codes(v.bases)), _td(str(v.stages), css="num"), _td(e(v.user)),
              _td(_yes(v.healthcheck)), _td(_yes(v.gpu)), _td(_locs(v.built_by, "nothing")))
         for v in group.variants],
        numeric=(2,),
    ))
    if group.differences:
        html.append(_table(
            None, "What differs", ["Between", "And", "Aspect", "Left", "Right"],
            [_row(_td(_loc(d.left)), _td(_loc(d.right)), _td(e(d.aspect)),
                  _td(f"<code>{e(d.left_value)}</code>"),
                  _td(f"<code>{e(d.right_value)}</code>")) for d in group.differences],
        ))
    return "\n".join(html)


def _dockerfiles(report: AuditReport) -> str:
    if not report.dockerfiles:
        return '<p class="lead">No Dockerfiles were found.</p>'
    return "\n".join(_dockerfile_group(group) for group in report.dockerfiles)


def _scripts(report: AuditReport) -> str:
    if not report.scripts:
        return '<p class="lead">No deployment scripts were found.</p>'
    live = sum(1 for s in report.scripts if s.live)
    html = [f'<p class="lead">{len(report.scripts)} scripts: {live} live, '
            f"{len(report.scripts) - live} dead.</p>"]
    html.append(_table(
        "scripts-table", "Deployment scripts and what runs them",
        ["Script", "Language", "State", "Deploy commands", "Strict mode", "Hosts", "Run by",
         "Duplicate group"],
        [_row(_td(_loc(s.path)), _td(e(s.language)), _td(_state(s.live), sort=int(not s.live)),
              _td(e(", ".join(f"{kind} ×{n}" for kind, n in s.commands)) or "—"),
              _td(_yes(s.strict_mode)), _td(_codes(s.hosts)),
              _td(_locs(s.referenced_by, "nothing")),
              _td("—" if s.duplicate_group is None else str(s.duplicate_group),
                  sort="" if s.duplicate_group is None else s.duplicate_group))
         for s in report.scripts],
    ))
    if report.duplicate_groups:
        html.append("<h3>Scripts that do the same thing</h3>")
        html.append(_table(
            "duplicates-table", "Near-duplicate groups (lowest pairwise similarity)",
            ["Group", "Scripts", "Similarity"],
            [_row(_td(str(g.id), css="num"), _td(_locs(g.scripts)),
                  _td(f"{g.similarity:.1f}%", css="num")) for g in report.duplicate_groups],
            numeric=(0, 2),
        ))
    return "\n".join(html)


def _kubernetes(report: AuditReport) -> str:
    k = report.kubernetes
    html: list[str] = []
    if k.namespaces:
        html.append(f"<h3>Namespaces ({len(k.namespaces)})</h3>")
        html.append(_table("namespaces-table", "Namespaces and where they are used",
                           ["Namespace", "Used by"],
                           [_row(_td(f"<code>{e(n.name)}</code>"), _td(_locs(n.files)))
                            for n in k.namespaces]))
    if k.manifests:
        unapplied = sum(1 for m in k.manifests if not m.applied)
        html.append(f"<h3>Manifests ({unapplied} of {len(k.manifests)} never applied)</h3>")
        html.append(_table(
            "manifests-table", "Manifests and what applies them",
            ["Manifest", "Objects", "Namespaces", "Applied by"],
            [_row(_td(_loc(m.path)), _td("<br>".join(e(o) for o in m.objects) or "—"),
                  _td(_codes(m.namespaces)),
                  _td(_locs(m.applied_by, "nothing"), sort=int(m.applied)))
             for m in k.manifests],
        ))
    if k.drift:
        html.append("<h3>Drift between compose and Kubernetes</h3>")
        html.append(_table(
            "drift-table", "Same service, different settings",
            ["Service", "Setting", "Compose", "Kubernetes"],
            [_row(_td(e(d.service)), _td(e(d.aspect)),
                  _td(f"<code>{e(d.compose_value)}</code> {_loc(d.compose_file, d.compose_line)}"),
                  _td(f"<code>{e(d.manifest_value)}</code> "
                      f"{_loc(d.manifest_file, d.manifest_line)}")) for d in k.drift],
        ))
    if k.keel:
        html.append("<h3>Keel annotations</h3>")
        html.append(_table("keel-table", "Automatic image updates", ["Workload", "Policy", "Where"],
                           [_row(_td(e(a.workload)), _td(f"<code>{e(a.policy)}</code>"),
                                 _td(_loc(a.path, a.line))) for a in k.keel]))
    if k.charts:
        html.append("<h3>Helm charts</h3>")
        html.append(_table("charts-table", "Charts in the repository",
                           ["Chart", "Directory", "Installed by"],
                           [_row(_td(e(c.name or "?")), _td(_loc(c.directory)),
                                 _td(_locs(c.installed_by, "never installed")))
                            for c in k.charts]))
    return "\n".join(html) or '<p class="lead">No Kubernetes manifests were found.</p>'


def _debt_row(item: TechDebtItem) -> str:
    action = f"move to {item.destination}" if item.action == "move" and item.destination \
        else item.action
    status = ('<span class="badge held">held: used by a live path</span>'
              if item.referenced_by_live else '<span class="badge live">ready</span>')
    return _row(_td(_loc(item.path)), _td(e(action)), _td(e(item.reason)),
                _td(status, sort=int(item.referenced_by_live)),
                _td(_locs(item.referenced_by)))


def _debt(report: AuditReport) -> str:
    html: list[str] = []
    if report.tech_debt:
        html.append(_table("debt-table", "Files the consolidation makes redundant",
                           ["File", "Action", "Reason", "Status", "Referenced by"],
                           [_debt_row(item) for item in report.tech_debt]))
        ready = [git_command(item) for item in report.tech_debt if not item.referenced_by_live]
        if ready:
            html.append("<h3>Commands (<code>kubealign cleanup --plan</code>)</h3>")
            html.append("<pre><code>" + e("\n".join(ready)) + "</code></pre>")
    else:
        html.append('<p class="lead">Nothing to remove.</p>')
    if report.before_after:
        html.append("<h3>Before and after</h3>")
        rows = []
        for b in report.before_after:
            meter = (f'<meter min="0" max="{max(b.before, 1)}" value="{b.after}" '
                     f'aria-label="{e(b.kind)} after">{b.after}</meter>')
            rows.append(_row(_td(e(b.kind)), _td(str(b.before), css="num"),
                             _td(str(b.after), css="num"), _td(meter, sort=b.after)))
        html.append(_table("before-after-table",
                           f"Deploy scripts: {report.script_reduction_percent:.1f}% fewer",
                           ["Files", "Today", "After", "Remaining"], rows, numeric=(1, 2)))
    return "\n".join(html)


def _file_list(paths: Sequence[str]) -> str:
    """A few files inline; a long list folds into a <details> (no JS needed to open it)."""
    shown = ", ".join(f'<span class="loc">{_breakable(p)}</span>' for p in paths)
    if len(paths) <= _INLINE_FILES:
        return f'<span class="refs">files {shown}</span>'
    return (f'<details class="refs"><summary>{len(paths)} files</summary>{shown}</details>')


def _plan(report: AuditReport) -> str:
    if not report.action_plan:
        return '<p class="lead">No actions.</p>'
    html = ['<div class="phases">']
    for phase in report.action_plan:
        html.append(f'<div class="phase"><h3>{e(phase.name)} '
                    f'<span class="horizon">{e(phase.horizon)}</span></h3><ol>')
        for item in phase.items:
            refs = ""
            if item.rules:
                refs += '<span class="refs">rules ' + ", ".join(e(r) for r in item.rules)
                refs += "</span>"
            if item.paths:
                refs += _file_list(item.paths)
            html.append(f"<li><strong>{e(item.title)}</strong>: {e(item.detail)}{refs}</li>")
        html.append("</ol></div>")
    html.append("</div>")
    return "\n".join(html)


def _section(section_id: str, title: str, body: str, lead: str = "") -> str:
    lead_html = f'<p class="lead">{e(lead)}</p>' if lead else ""
    return (f'<section class="panel" id="{section_id}" aria-labelledby="{section_id}-title">'
            f'<h2 id="{section_id}-title">{e(title)}</h2>{lead_html}\n{body}\n</section>')


def render_html(report: AuditReport) -> str:
    css = _asset("audit_report.css")
    script = _asset("audit_report.js")
    csp = (f"default-src 'none'; style-src {_csp_hash(css)}; script-src {_csp_hash(script)}; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    gen = report.generated_from
    categories = [c for c in CATEGORIES if report.findings_in(c)]
    nav = "".join(f'<li><a href="#{sid}">{e(title)}</a></li>' for sid, title in _SECTIONS)
    sections = [
        _section("summary", "Summary", _summary(report)),
        _section("findings", "Findings", _findings(report),
                 f"{len(report.findings)} findings in {len(categories)} categories. "
                 "Sort by any column; filter by severity, category or text."),
        _section("matrix", "Services × environments", _matrix(report)),
        _section("inventory", "Inventory", _inventory(report)),
        _section("dockerfiles", "Dockerfiles", _dockerfiles(report)),
        _section("scripts", "Deployment scripts", _scripts(report)),
        _section("kubernetes", "Kubernetes", _kubernetes(report)),
        _section("debt", "Technical debt to remove", _debt(report)),
        _section("plan", "Action plan", _plan(report)),
    ]
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{e(csp)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>Deployment alignment audit: {e(report.root)}</title>",
        f"<style>{css}</style>",
        "</head>",
        "<body>",
        '<a class="skip-link" href="#findings">Skip to the findings</a>',
        '<header class="masthead">',
        f'<h1>Deployment alignment audit: <span class="repo">{e(report.root)}</span></h1>',
        f'<p class="subtitle">{e(gen.tool)} {e(gen.version)} · {gen.files_scanned} files '
        f"scanned · {gen.rules_run} rules · paths relative to the repository root</p>",
        "</header>",
        f'<nav class="toc" aria-label="Sections"><ul>{nav}</ul></nav>',
        '<main id="main">',
        *sections,
        "</main>",
        f"<footer>Generated by {e(gen.tool)} {e(gen.version)}. This page makes no network "
        "requests.</footer>",
        '<script type="application/json" id="report-data">'
        + json_for_script(report.to_json_dict()) + "</script>",
        f"<script>{script}</script>",
        "</body>",
        "</html>",
        "",
    ])
