"""The Typer application and the state shared by every command module."""

from __future__ import annotations

from dataclasses import dataclass

import typer
from rich.console import Console

from kubealign.cli.lazy import LazyCommandGroup

app = typer.Typer(
    name="kubealign",
    cls=LazyCommandGroup,
    help=(
        "Audit a repository whose deployment sprawled across Compose variants, Swarm stacks, "
        "Kubernetes manifests and scripts, and converge it into one Helm chart with a values "
        "file per environment, GitOps and External Secrets."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Results go to stdout; progress, warnings and errors to stderr, so output can be piped.
out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


@dataclass
class GlobalOptions:
    debug: bool = False


options = GlobalOptions()
