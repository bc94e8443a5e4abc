"""Which files of the whole work tree still use a file the cleanup would remove.

The audit's liveness graph covers the audited folder only and follows the commands it
understands. Before a ``git rm`` that is not enough: a monorepo's root Makefile or workflow
calls into the audited folder, a live script runs ``"$(dirname "$0")/x.py"``, a Makefile
lists ``$(wildcard deploy/*.yml)``. So every file that can run something (scripts,
Makefiles, CI workflows, compose files, Dockerfiles, kustomizations, package manifests) in
the enclosing git work tree is searched for the path, its path relative to the referring
file, its name next to a same-folder file, or a glob that matches it. A file is kept when any
file that stays refers to it; a wrong deletion costs more than a kept file.
"""

from __future__ import annotations

import os
import posixpath
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

_MAX_BYTES = 1024 * 1024
_GIT_TIMEOUT_SECONDS = 60
_SCRIPT_SUFFIXES = frozenset({".sh", ".bash", ".zsh", ".ksh", ".py", ".ps1"})
_MAKE_NAMES = frozenset({"makefile", "gnumakefile", "justfile"})
_CI_NAMES = frozenset({"jenkinsfile", ".gitlab-ci.yml", ".gitlab-ci.yaml", "azure-pipelines.yml",
                       "bitbucket-pipelines.yml", ".pre-commit-config.yaml", "package.json",
                       "taskfile.yml", "taskfile.yaml", "procfile", "tiltfile"})
_PRUNED = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".tox"})
#: A word holding a glob: ``deploy/*.yml``, ``$(wildcard k8s/*.yaml)``, ``scripts/deploy_*``.
_GLOB_WORD = re.compile(r"[\w.${}()/@+-]*[*?][\w.${}()/*?@+-]*")
#: A leading ``$(dirname "$0")/``, ``${DIR}/``, ``$ROOT/``, ``$(CURDIR)/`` names the folder a
#: script or Makefile is in, or a root: dropped before matching.
_PREFIX = re.compile(r"^(?:\$\((?:[^()]|\([^()]*\))*\)|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*)/")
_CD = re.compile(r"\b(?:cd|pushd|-C|--directory[= ])\s*([\w./'\"-]+)")
_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
_RECURSIVE = re.compile(r"(?:^|\s)(?:-R|--recursive(?:=true)?)(?=$|\s)")
_WILDCARD = re.compile(r"\$\(wildcard\s+([^)]*)\)")


@dataclass(frozen=True, slots=True)
class Reference:
    """``source`` (a work-tree path) refers to the file at ``line``."""

    source: str
    line: int

    def __str__(self) -> str:
        return f"{self.source}:{self.line}"


@dataclass(slots=True)
class WorkTreeText:
    """The text of every file in the work tree that can run something, by work-tree path."""

    top: Path
    texts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Each file's whole text, for a fast first test before reading it line by line.
    joined: dict[str, str] = field(default_factory=dict)
    #: (source, line number, glob word) for every glob written in those files.
    globs: list[tuple[str, int, str]] = field(default_factory=list)

    def add(self, source: str, lines: tuple[str, ...]) -> None:
        if runner_kind(source) == "ci" and source.endswith((".yml", ".yaml")):
            lines = _without_path_filters(lines)
        self.texts[source] = lines
        self.joined[source] = "\n".join(lines)
        for number, line in enumerate(lines, start=1):
            if "*" not in line and "?" not in line:
                continue
            words = [w for group in _WILDCARD.findall(line) for w in group.split()]
            words += _GLOB_WORD.findall(line)
            self.globs.extend((source, number, w) for w in words if _specific(w))


def runner_kind(path: str) -> str | None:
    """``make``, ``ci``, ``compose``, ``dockerfile``, ``kustomize`` or ``script`` for a file
    that runs or builds something; None for documentation, data and tool settings (an
    editor's or linter's list of paths uses none of them)."""
    pure = PurePosixPath(path.lower())
    name, suffix = pure.name, pure.suffix
    yaml = suffix in {".yml", ".yaml"}
    if name in _MAKE_NAMES or suffix == ".mk" or name.startswith("makefile"):
        return "make"
    if name in _CI_NAMES or (yaml and pure.parts[:2] in {(".github", "workflows"),
                                                        (".circleci", name)}):
        return "ci"
    if yaml and ("compose" in name or name.startswith("stack")):
        return "compose"
    if name.startswith("dockerfile") or suffix == ".dockerfile":
        return "dockerfile"
    if yaml and name.startswith("kustomization"):
        return "kustomize"
    if suffix in _SCRIPT_SUFFIXES or "." not in name:
        return "script"
    return None


def _tracked(top: Path) -> list[str] | None:
    try:
        done = subprocess.run(["git", "ls-files", "-z"], cwd=top, capture_output=True,
                              text=True, check=False, timeout=_GIT_TIMEOUT_SECONDS)
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return [n for n in done.stdout.split("\0") if n]


def _walked(top: Path) -> list[str]:
    found: list[str] = []
    for folder, directories, files in os.walk(top):
        directories[:] = sorted(d for d in directories if d not in _PRUNED)
        relative = Path(folder).relative_to(top).as_posix()
        for name in sorted(files):
            found.append(name if relative == "." else f"{relative}/{name}")
    return found


def _read_lines(path: Path) -> tuple[str, ...] | None:
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > _MAX_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:4096]:
        return None  # binary
    return tuple(data.decode("utf-8", errors="replace").splitlines())


def load_work_tree(top: Path, *, use_git: bool) -> WorkTreeText:
    """Texts of the files under ``top`` that can run something (tracked ones under git)."""
    names = (_tracked(top) if use_git else None) or _walked(top)
    tree = WorkTreeText(top)
    for name in names:
        if runner_kind(name) is None:
            continue
        lines = _read_lines(top / name)
        if lines is not None:
            tree.add(name, lines)
    return tree


_FILTER_KEY = re.compile(r"^(\s*)(?:-\s+)?(?:paths|paths-ignore|files|files-ignore)\s*:\s*(.*)$")


def _without_path_filters(lines: tuple[str, ...]) -> tuple[str, ...]:
    """A workflow's ``on: push: paths:`` lists say when it runs, not what it uses: blanked."""
    kept: list[str] = []
    block: int | None = None  # indentation of the filter key while inside its list
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if block is not None:
            if not line.strip() or (indent > block) or (
                    indent == block and line.lstrip().startswith("- ")):
                kept.append("")
                continue
            block = None
        match = _FILTER_KEY.match(line)
        if match:
            block = len(match.group(1))
            kept.append("")
            continue
        kept.append(line)
    return tuple(kept)


def _specific(word: str) -> bool:
    """A glob naming something (``deploy/*.yml``, ``compose-*.yml``), not every file of a
    type (``*.yml``) or a whole tree (``infra/**``), which path filters and linters write."""
    if "**" in word:
        return False
    literal = re.sub(r"\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*|[*?]", "", word)
    literal = re.sub(r"\.[A-Za-z0-9]+$", "", literal.strip("'\"`"))
    return len(re.sub(r"[^A-Za-z0-9]", "", literal)) >= 3


def _mentions(text: str, needle: str) -> bool:
    """``needle`` appears as a whole path: not inside a longer name or path."""
    start = 0
    while True:
        index = text.find(needle, start)
        if index < 0:
            return False
        before = text[index - 1] if index else " "
        end = index + len(needle)
        after = text[end] if end < len(text) else " "
        inside_name = before.isalnum() or before in "_-." or after.isalnum() or after in "_-"
        # ``x.sh.bak`` is another file; ``x.sh.`` ends a sentence.
        longer = after == "." and text[end + 1:end + 2].isalnum()
        if not inside_name and not longer:
            return True
        start = index + 1


def _glob_matches(word: str, folder: str, target: str) -> bool:
    word = word.strip("'\"`")
    while _PREFIX.match(word):
        word = _PREFIX.sub("", word, count=1)
    if "$" in word:
        word = re.sub(r"\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*", "*", word)
    if not word or word.startswith("/") or word.strip("*/.") == "":
        return False
    candidates = {posixpath.normpath(posixpath.join(folder, word)) if folder else word, word}
    return any(_shell_glob(c).fullmatch(target) is not None for c in candidates)


def _shell_glob(pattern: str) -> re.Pattern[str]:
    """A shell or make glob: ``*`` and ``?`` stay inside one path segment, ``[...]`` is a
    class of characters."""
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        close = pattern.find("]", index + 2) if char == "[" else -1
        if char == "*":
            parts.append("[^/]*")
        elif char == "?":
            parts.append("[^/]")
        elif close > 0:
            body = pattern[index + 1:close].replace("\\", "\\\\")
            parts.append("[^" + body[1:] + "]" if body.startswith("!") else "[" + body + "]")
            index = close
        else:
            parts.append(re.escape(char))
        index += 1
    return re.compile("".join(parts))


def _refers(source: str, line: str, target: str) -> bool:
    folder = posixpath.dirname(source)
    if _mentions(line, target):
        return True
    relative = posixpath.relpath(target, folder or ".")
    if relative != target and "/" in relative and _mentions(line, relative):
        return True
    name = PurePosixPath(target).name
    if posixpath.dirname(target) == folder and _mentions(line, name):
        return True  # ./x.sh, "$(dirname "$0")/x.py", python x.py next to it
    for moved in _CD.findall(line):  # cd app && ./ship.sh
        into = posixpath.normpath(posixpath.join(folder, moved.strip("'\"")))
        if into == posixpath.dirname(target) and _mentions(line.split(moved, 1)[1], name):
            return True
    return False


def _folders(target: str) -> list[str]:
    parts = PurePosixPath(target).parts[:-1]
    return ["/".join(parts[:depth]) for depth in range(len(parts), 0, -1)]


def references(tree: WorkTreeText, target: str, ignore: Iterable[str] = ()) -> list[Reference]:
    """Where files of ``tree`` (except ``target`` itself and ``ignore``) refer to ``target``
    (a work-tree path)."""
    skipped = {target, *ignore}
    found: dict[str, Reference] = {}
    name = PurePosixPath(target).name
    for source in sorted(tree.texts):
        if source in skipped or name not in tree.joined[source]:
            continue
        for number, line in enumerate(tree.texts[source], start=1):
            if name in line and _refers(source, line, target):
                found[source] = Reference(source, number)
                break
    for depth, folder in enumerate(_folders(target)):
        # A folder is used whole by ``kubectl apply -f dir``, ``-k dir`` or ``COPY dir``; a
        # path filter or a working directory names it without reading every file in it.
        # ``kubectl -f dir`` reads dir's own files, its subfolders only with ``-R``.
        flags = "-f|-k|--filename|--kustomize|COPY|ADD" if depth == 0 else "COPY|ADD|-f|--filename"
        uses = re.compile(
            rf"(?:{flags})[\s=]+(?:--\S+\s+)*[\"']?(?:\./)?"
            rf"{re.escape(folder)}/?(?=$|[\s\"');&|])"
        )
        for source in sorted(tree.texts):
            if source in skipped or source in found or folder not in tree.joined[source]:
                continue
            for number, line in enumerate(tree.texts[source], start=1):
                match = uses.search(line) if folder in line else None
                if match is None:
                    continue
                copied = match.group(0).startswith(("COPY", "ADD"))
                if copied or (target.endswith(_MANIFEST_SUFFIXES) and (
                        depth == 0 or _RECURSIVE.search(line))):
                    found[source] = Reference(source, number)
                    break
    for source, number, word in tree.globs:
        if (source not in skipped and source not in found
                and _glob_matches(word, posixpath.dirname(source), target)):
            found[source] = Reference(source, number)
    return [found[s] for s in sorted(found)]
