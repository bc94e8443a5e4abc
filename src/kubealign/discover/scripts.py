"""Deploy scripts, Makefiles and CI text: a token scan, not a shell parser.

Discovery only needs to know which tools a script calls and which repository files it
names (``docker stack deploy -c FILE`` in particular). The real shell and Python parsing
belongs to the script loaders.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from kubealign.model.inventory import MakeTarget

_SHEBANG = re.compile(r"^#!\s*(\S+)(?:\s+(\S+))?")
_SHELLS = frozenset({"sh", "bash", "zsh", "ksh", "dash", "ash"})
_TOOLS = (
    "docker-compose", "docker", "podman", "kubectl", "helm", "kustomize", "argocd",
    "ssh", "scp", "rsync", "ansible-playbook", "terraform", "skaffold", "systemctl",
)  # fmt: skip
# A tool word stands alone: not part of a longer word, a path or a file name.
# ("-docker" at the start of a Makefile recipe line counts; "my-docker" does not).
_TOOL_WORD = re.compile(
    r"(?<![\w./])(?<!\w-)(" + "|".join(map(re.escape, _TOOLS)) + r")(?![\w./-])"
)
_PYTHON_RUNNERS = re.compile(
    r"\b(?:import|from)\s+(?:subprocess|paramiko|fabric|invoke|plumbum|sh|docker|kubernetes)\b"
    r"|\bos\.(?:system|popen)\b"
)
_TOKEN = re.compile(r"[^\s'\"`;|&()<>=,\[\]{}]+")
_VARIABLE_PREFIX = re.compile(r"^\$(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)/")
_STACK_DEPLOY = re.compile(r"\bdocker\s+stack\s+(?:deploy|up)\b([^\n;|&]*)")
_COMPOSE_CALL = re.compile(r"\bdocker(?:-compose|\s+compose)\b([^\n;|&]*)")
_FILE_FLAG = re.compile(r"(?:^|\s)(?:-c|--compose-file|-f|--file)(?:\s+|=)(\S+)")
_MAKE_TARGET = re.compile(r"^([^\s:=#][^:=#]*?)\s*::?(?![=])")


def interpreter(text: str) -> str | None:
    """The program named by the shebang line (``bash`` for ``#!/usr/bin/env bash``)."""
    match = _SHEBANG.match(text)
    if match is None:
        return None
    program = posixpath.basename(match.group(1))
    if program == "env" and match.group(2):
        program = posixpath.basename(match.group(2))
    return program


def shell_of(program: str | None) -> str | None:
    return program if program in _SHELLS else None


def is_python_program(program: str | None) -> bool:
    return program is not None and re.fullmatch(r"python[0-9.]*", program) is not None


def tools_in(text: str) -> tuple[str, ...]:
    return tuple(sorted(set(_TOOL_WORD.findall(text))))


def python_runs_commands(text: str) -> bool:
    return _PYTHON_RUNNERS.search(text) is not None


@dataclass(frozen=True, slots=True)
class CommandScan:
    tools: tuple[str, ...]
    references: tuple[str, ...]
    stack_deploys: tuple[str, ...]
    compose_files: tuple[str, ...]


def _candidates(token: str, base_dir: str) -> list[str]:
    token = _VARIABLE_PREFIX.sub("", token).rstrip(":.")
    if not token or "$" in token or token.startswith(("/", "~", "-")) or "://" in token:
        return []
    paths = [posixpath.normpath(posixpath.join(base_dir, token))] if base_dir else []
    paths.append(posixpath.normpath(token))
    return [path for path in paths if path != "." and not path.startswith("..")]


def _resolve(token: str, base_dir: str, known: frozenset[str]) -> str | None:
    for candidate in _candidates(token, base_dir):
        if candidate in known:
            return candidate
    return None


def _flag_files(
    pattern: re.Pattern[str], text: str, base_dir: str, known: frozenset[str]
) -> set[str]:
    found: set[str] = set()
    for call in pattern.finditer(text):
        for flag in _FILE_FLAG.finditer(call.group(1)):
            token = flag.group(1).strip("'\"")
            resolved = _resolve(token, base_dir, known)
            if resolved is not None:
                found.add(resolved)
            elif "$" not in token:
                found.add(posixpath.normpath(token))  # named but absent: worth reporting
    return found


def scan_commands(text: str, path: str, known: frozenset[str]) -> CommandScan:
    """Tools used and repository paths named by the script at ``path``.

    ``known`` holds every walked file and directory. Paths are tried relative to the
    script's directory, then to the repository root (CI jobs run from the root).
    """
    base_dir = posixpath.dirname(path)
    joined = text.replace("\\\n", " ")
    references = {
        resolved
        for token in _TOKEN.findall(joined)
        if ("/" in token or "." in token)
        and (resolved := _resolve(token, base_dir, known)) is not None
        and resolved != path
    }
    return CommandScan(
        tools=tools_in(joined),
        references=tuple(sorted(references)),
        stack_deploys=tuple(sorted(_flag_files(_STACK_DEPLOY, joined, base_dir, known))),
        compose_files=tuple(sorted(_flag_files(_COMPOSE_CALL, joined, base_dir, known))),
    )


def _recipe_command(line: str) -> str | None:
    body = line.strip().lstrip("@-+").strip()
    if not body or body.startswith("#"):
        return None
    return body.split()[0]


def make_targets(text: str) -> tuple[MakeTarget, ...]:
    """Targets with the first word of each recipe line; special ``.TARGETS`` are left out."""
    targets: list[MakeTarget] = []
    current: list[tuple[str, int]] = []
    commands: list[str] = []

    def flush() -> None:
        targets.extend(MakeTarget(name, line, tuple(commands)) for name, line in current)

    continued = False
    for number, line in enumerate(text.splitlines(), start=1):
        was_continued, continued = continued, line.endswith("\\")
        if was_continued:
            continue  # the rest of a previous line (prerequisites or a recipe command)
        if line.startswith("\t"):
            command = _recipe_command(line) if current else None
            if command is not None:
                commands.append(command)
            continue
        match = _MAKE_TARGET.match(line)
        if match is None or line.lstrip().startswith(("export ", "override ", "define ")):
            if line.strip() and not line.lstrip().startswith("#"):
                flush()
                current, commands = [], []
            continue
        flush()
        names = [n for n in match.group(1).split() if not (n.startswith(".") and n[1:].isupper())]
        current, commands = [(name, number) for name in names if "%" not in name], []
    flush()
    return tuple(targets)
