"""The audit report as one self-contained HTML page, rendered from Jinja2 templates.

The templates are package data (``emit/templates/audit``), CSS and JS come from
``emit/assets`` and the report data is embedded as JSON; a Content-Security-Policy forbids any
network access, so the page is safe to attach to a CI run and open offline. Jinja2 escapes
every value (autoescape); the JSON block escapes ``<``, ``>`` and ``&`` so no string can close
the ``<script>`` element. The CSP allows exactly the inline script and style shipped here (by
hash), so even an escaping mistake could not run injected code.

The first screen is what a lead reads in a minute: the strategies, the first ten actions,
before/after and findings by category. Pictures are inline SVG (``audit_charts``); tables
longer than :data:`COLLAPSE_ROWS` fold into ``<details>``; the page reads fine without
JavaScript, which only adds sorting and filtering. File references are links relative to
where the report is written (``link_prefix``: the repository root as seen from there).
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from importlib import resources
from urllib.parse import quote

import jinja2
from markupsafe import Markup, escape

from kubealign.emit.audit_charts import (
    SEVERITIES,
    before_after_chart,
    findings_chart,
    heatmap,
    topology,
)
from kubealign.emit.audit_first import FirstAction, counts_text, first_actions, short_message
from kubealign.emit.audit_markdown import (
    SCRIPT_KINDS,
    differing_aspects,
    git_command,
    not_loaded_text,
    plan_place,
)
from kubealign.emit.audit_text import places_text
from kubealign.model.audit import AuditReport, MatrixCell, strategy_state
from kubealign.model.findings import Severity

#: A table with more rows than this is folded into <details> (its summary says how many).
COLLAPSE_ROWS = 8
#: Actions on the first screen.
TOP_ACTIONS = 10

_INCONSISTENCY_TITLES = {
    "orchestration-confusion": "Orchestration confusion",
    "secret-management": "Secret management",
    "service-discovery": "Service discovery",
    "resource-management": "Resource management",
    "networking": "Network configuration",
}
_MATRIX_ASPECTS = (("tag", "tag"), ("replicas", "replicas"), ("gpus", "GPUs"),
                   ("memory", "memory"), ("cpus", "CPUs"), ("host", "host"))
_SECTIONS = (("overview", "Overview"), ("topology", "Topology"), ("matrix", "Matrix"),
             ("findings", "Findings"), ("inventory", "Inventory"), ("dockerfiles", "Dockerfiles"),
             ("scripts", "Scripts"), ("kubernetes", "Kubernetes"), ("debt", "Tech debt"),
             ("plan", "Action plan"))
_INLINE_FILES = 4
#: Items of a list in a table cell shown before the rest folds into <details>.
_INLINE_ITEMS = 3


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


def breakable(path: str) -> Markup:
    """Escaped, with line-break opportunities after each ``/`` (long paths in narrow cells)."""
    return Markup(str(escape(path)).replace("/", "/<wbr>"))


def split_location(location: str) -> tuple[str, int | None]:
    """``path:12`` -> (``path``, 12); anything else is a path without a line."""
    path, _, line = location.rpartition(":")
    if path and line.isdigit():
        return path, int(line)
    return location, None


def file_href(prefix: str, path: str, line: int | None = None) -> str:
    """A link to a repository file from where the report is written (``#L12`` for a line,
    the anchor code hosts and most viewers understand)."""
    target = prefix + quote(path, safe="/-._~")
    return f"{target}#L{line}" if line is not None else target


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("kubealign.emit", "templates/audit"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["breakable"] = breakable
    environment.filters["split_location"] = split_location
    return environment


def top_actions(report: AuditReport, limit: int = TOP_ACTIONS) -> list[FirstAction]:
    """The first actions of the plan, in the plan's order (its phases are already ranked:
    immediate first), each with its evidence: the same list audit.md and the terminal open
    with."""
    return first_actions(report, limit)


def _image(cell: MatrixCell) -> str:
    """``image:tag``, without doubling a tag the image reference already carries."""
    if cell.tag is None or cell.image.endswith(f":{cell.tag}"):
        return cell.image
    return f"{cell.image}:{cell.tag}"


def _severity_rank(severity: Severity) -> int:
    return SEVERITIES.index(str(severity))


def render_html(report: AuditReport, *, link_prefix: str = "") -> str:
    """The whole page. ``link_prefix`` is prepended to file links (``../`` when the report
    is written in a subfolder of the audited repository)."""
    css = _asset("audit_report.css")
    script = _asset("audit_report.js")
    csp = (f"default-src 'none'; style-src {_csp_hash(css)}; script-src {_csp_hash(script)}; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    differing = differing_aspects(report.matrix)
    scripts = next((b for b in report.before_after if b.kind in SCRIPT_KINDS), None)
    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        csp=csp,
        css=Markup(css),
        script=Markup(script),
        data_json=Markup(json_for_script(report.to_json_dict())),
        sections=_SECTIONS,
        href=lambda path, line=None: file_href(link_prefix, path, line),
        collapse_rows=COLLAPSE_ROWS,
        inline_files=_INLINE_FILES,
        inline_items=_INLINE_ITEMS,
        top_actions=top_actions(report),
        short_message=short_message,
        counts_text=counts_text,
        places_text=places_text,
        action_count=sum(len(phase.items) for phase in report.action_plan),
        scripts_before_after=scripts,
        held=sum(1 for t in report.tech_debt if t.referenced_by_live),
        inconsistency_titles=_INCONSISTENCY_TITLES,
        category_count=len({f.category for f in report.findings}),
        before_after=before_after_chart(report),
        findings_chart=findings_chart(report),
        topology=topology(report),
        heat=heatmap(report, differing),
        differing=differing,
        cells={(c.service, c.environment): c for c in report.matrix.cells},
        matrix_aspects=_MATRIX_ASPECTS,
        image_of=_image,
        plan_place=plan_place,
        not_loaded_text=not_loaded_text,
        severity_rank=_severity_rank,
        cleanup_commands=[git_command(t) for t in report.tech_debt if not t.referenced_by_live],
        strategy_states={
            strategy.name: strategy_state(strategy, report.strategies)
            for strategy in report.strategies
        },
    )
