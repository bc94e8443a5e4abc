"""Recognise Dockerfiles by content and summarise their stages.

Stages come from BuildKit's own parser (the ``dockerfile`` package), so line
continuations, heredocs and ``--platform`` flags are handled as Docker handles them.
"""

from __future__ import annotations

import re

import dockerfile

from kubealign.model.inventory import DockerfileInfo, DockerStage

_DIRECTIVE = re.compile(r"^#\s*syntax\s*=\s*(\S+)", re.IGNORECASE)
# Docker accepts lower-case instructions, but content sniffing of unnamed files insists on
# upper case: "from x import y" must not make a Python file a Dockerfile.
_FIRST_INSTRUCTION = re.compile(r"^(FROM|ARG)\s+\S")
_PYTHON_IMPORT = re.compile(r"^FROM\s+\S+\s+import\b")


def _first_instruction(text: str) -> str | None:
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            return line
    return None


def looks_like_dockerfile(text: str) -> bool:
    """True when the first instruction (after comments and parser directives) is FROM/ARG."""
    first = _first_instruction(text)
    if first is None or _PYTHON_IMPORT.match(first):
        return False
    return _FIRST_INSTRUCTION.match(first) is not None and "\nFROM " in "\n" + text.upper()


def dockerfile_info(text: str) -> tuple[DockerfileInfo | None, str | None]:
    """(summary, None) or (None, parse error message)."""
    syntax = None
    for raw in text.splitlines():
        match = _DIRECTIVE.match(raw.strip())
        if match:
            syntax = match.group(1)
        if raw.strip() and not raw.lstrip().startswith("#"):
            break
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        return None, f"Dockerfile parse error: {str(exc).splitlines()[0]}"
    stages = []
    for command in commands:
        if command.cmd.upper() != "FROM" or not command.value:
            continue
        words = list(command.value)
        name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
        stages.append(DockerStage(base=words[0], name=name, line=command.start_line))
    return DockerfileInfo(stages=tuple(stages), syntax=syntax), None
