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


def one_line(message: str) -> str:
    """``message`` with its control characters escaped, so it stays one line.

    Messages quote what the repository wrote (a key, a value, a path), and a repository may
    hold a key with a newline in it: the error must still be the one line scripts read.
    """
    return "".join(ch if ch.isprintable() or ch == " " else ascii(ch)[1:-1] for ch in message)
