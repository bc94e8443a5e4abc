"""`kubealign rules list|explain ID`: the audit rule catalogue."""

from __future__ import annotations

from typing import Annotated

import typer

from kubealign.cli.base import app, out, terminal_width, write_document
from kubealign.emit.text_wrap import wrap
from kubealign.errors import UsageError
from kubealign.model.contracts import document, dumps
from kubealign.rules.registry import all_rules, get_rule

rules_app = typer.Typer(
    name="rules", help="List and explain the audit rules.", no_args_is_help=True
)
app.add_typer(rules_app)


@rules_app.command(name="list")
def list_rules(
    output_format: Annotated[
        str, typer.Option("--format", help="text, or json (docs/json-output.md).")
    ] = "text",
) -> None:
    """Every rule: id, name, severity, category and summary."""
    if output_format not in {"text", "json"}:
        raise UsageError(f"unknown format {output_format!r}; expected text or json")
    if output_format == "json":
        write_document(dumps(document("rules", {"rules": [
            {"id": rule.id, "name": rule.name, "severity": str(rule.severity),
             "category": rule.category, "summary": rule.summary(),
             "docs": f"docs/rules/{rule.id}.md"} for rule in all_rules()]})))
        return
    # One block per rule (a five-column table squeezed into 80 columns broke words apart).
    width = terminal_width()
    out.print("kubealign audit rules", markup=False)
    for rule in all_rules():
        out.print("", markup=False)
        for line in wrap(f"{rule.id}  {rule.name} [{rule.severity}, {rule.category}]", width,
                         subsequent="    "):
            out.print(line, markup=False)
        for line in wrap(rule.summary(), width, indent="    "):
            out.print(line, markup=False)


@rules_app.command(name="explain")
def explain(rule_id: Annotated[str, typer.Argument(help="Rule id, e.g. CMP201.")]) -> None:
    """A rule's full documentation (why it matters and how to fix it)."""
    rule = get_rule(rule_id)
    if rule is None:
        raise UsageError(f"unknown rule {rule_id!r}; `kubealign rules list` shows them all")
    out.print(f"{rule.id} {rule.name} ({rule.severity}, {rule.category})", markup=False)
    out.print(rule.documentation(), markup=False)
