"""`kubealign rules list|explain ID`: the audit rule catalogue."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from kubealign.cli.base import app, out
from kubealign.errors import UsageError
from kubealign.rules.registry import all_rules, get_rule

rules_app = typer.Typer(
    name="rules", help="List and explain the audit rules.", no_args_is_help=True
)
app.add_typer(rules_app)


@rules_app.command(name="list")
def list_rules() -> None:
    """Every rule: id, name, severity, category and summary."""
    table = Table(title="kubealign audit rules", title_justify="left")
    for column in ("id", "name", "severity", "category", "summary"):
        table.add_column(column, overflow="fold")
    for rule in all_rules():
        table.add_row(rule.id, rule.name, str(rule.severity), rule.category, rule.summary())
    out.print(table)


@rules_app.command(name="explain")
def explain(rule_id: Annotated[str, typer.Argument(help="Rule id, e.g. CMP201.")]) -> None:
    """A rule's full documentation (why it matters and how to fix it)."""
    rule = get_rule(rule_id)
    if rule is None:
        raise UsageError(f"unknown rule {rule_id!r}; `kubealign rules list` shows them all")
    out.print(f"{rule.id} {rule.name} ({rule.severity}, {rule.category})", markup=False)
    out.print(rule.documentation(), markup=False)
