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
# No emoji codes: rich turns ``:warning:`` in any printed text into a pictogram, and the text
# quotes the repository (a value, a diff, a field name), which must arrive as written.
out = Console(soft_wrap=True, highlight=False, emoji=False)
err = Console(stderr=True, soft_wrap=True, highlight=False, emoji=False)


def write_document(text: str) -> None:
    """A whole document (JSON, YAML, SARIF, a script) to stdout byte for byte: no console
    rendering, which costs seconds on a large report and may rewrite what it prints."""
    out.file.write(text)
    out.file.flush()


def terminal_width() -> int:
    """The terminal's width on a terminal; 80 columns for files, pipes and CI logs."""
    from kubealign.emit.text_wrap import WIDTH  # not at import: `--help` loads no emit code

    return out.width if out.is_terminal else WIDTH


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


def diagnostic_lines(message: str) -> list[str]:
    """A warning for stderr: wrapped to the terminal for a person; one line in a pipe, a file
    or a CI log, where scripts read one message per line."""
    text = one_line(message)
    if not err.is_terminal:
        return [text]
    from kubealign.emit.text_wrap import wrap  # not at import: `--help` loads no emit code

    return wrap(text, err.width, subsequent="    ")
