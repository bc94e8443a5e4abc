"""How the repository runs its compose files: every ``docker compose``/``docker-compose``/
``docker stack deploy`` invocation written in a script, a Makefile, a CI workflow or a doc,
with its ``-f`` chain (or ``COMPOSE_FILE``), ``--env-file``, ``--profile`` and project or stack
name, each file resolved to a compose file of the repository.

An invocation is the strongest evidence of an environment there is: the chain it runs is the
environment, whatever the files are called. Scripts, Makefiles and CI jobs that can run are
*live*; a command shown in a doc is evidence too, but only that someone documented it.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kubealign.errors import KubealignError
from kubealign.load.ci_workflow import parse_workflow_text
from kubealign.load.deploy_commands import classify, remote_host_of
from kubealign.load.makefile import parse_makefile
from kubealign.load.python_script import parse_python_script
from kubealign.load.shell_script import parse_shell
from kubealign.model.artifacts import DeployCommand, DeployKind, ShellCommand
from kubealign.model.inventory import ArtifactKind, Inventory

DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
OVERRIDE_FILES = ("compose.override.yaml", "compose.override.yml",
                  "docker-compose.override.yaml", "docker-compose.override.yml")
_COMPOSE_KINDS = frozenset({DeployKind.COMPOSE_UP, DeployKind.COMPOSE_DOWN,
                            DeployKind.COMPOSE_PULL, DeployKind.COMPOSE_BUILD,
                            DeployKind.COMPOSE_OTHER})
# Subcommands that bring an environment up. The others name a chain without deploying it:
# inspecting or tearing down (ps, logs, down), building or pulling images, and `run`, a
# one-off container (tests, migrations, a build in a toolbox image).
_RUNNING = frozenset({"up", "start", "restart", "create", "watch", "deploy"})
# A cheap filter before parsing: text that never mentions compose or a stack runs neither.
_MENTIONS = re.compile(r"compose|stack\s+(deploy|up)|COMPOSE_FILE")
_DOC_COMMAND = re.compile(
    r"^\s*(?:[$#>]\s+)?(?:sudo\s+)?((?:[A-Z_]+=\S+\s+)*(?:docker(?:-compose|\s+compose|\s+stack"
    r"\s+(?:deploy|up))|podman-compose)\b.*)$")
_DOC_SUFFIXES = (".md", ".markdown", ".rst", ".txt", ".adoc")
_VARIABLE = r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*"


@dataclass(frozen=True, slots=True)
class Invocation:
    """One command line that runs (or names) a compose chain."""

    source: str
    """Repository path of the script, Makefile, workflow or doc."""
    line: int
    swarm: bool
    """``docker stack deploy`` (else a compose command)."""
    files: tuple[str, ...]
    """Compose files in ``-f`` order, repository paths; the defaults compose would pick when
    the command names none."""
    env_files: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()
    project: str | None = None
    """``-p`` / ``COMPOSE_PROJECT_NAME``, or the stack name."""
    live: bool = True
    """Written in a script, Makefile or CI job that can run (a doc's command is not)."""
    runs: bool = True
    """``up``/``start``/``stack deploy``...; False for ``run``, ``build``, ``down``, ``ps``..."""
    command: str = ""
    pattern: bool = False
    """The file was named through a variable (``docker-compose-${name}.yml``): this is one of
    the files of that shape, weaker evidence than a file named as written."""

    def where(self) -> str:
        return f"{self.source}:{self.line}"

    @property
    def chain(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        return self.files, self.env_files, self.profiles


@dataclass
class InvocationScan:
    invocations: list[Invocation] = field(default_factory=list)
    unresolved: list[tuple[str, str]] = field(default_factory=list)
    """(where, why) of invocations whose files are not in the repository."""
    live_text: dict[str, str] = field(default_factory=dict)
    """Text of the live sources (scripts, Makefiles, workflows) that mention compose."""
    host_names: set[tuple[str, int, str]] = field(default_factory=set)
    """(source, line, file name) where a name is the host's name of a copied file (the
    ``docker-compose.yml`` of ``scp x.yml host:/opt/docker-compose.yml`` and of the remote
    command that runs it): no mention of the repository's file of that name."""


TextReader = Callable[[str], str | None]


class _Resolver:
    """A file word of a command -> the compose file of the repository it means."""

    def __init__(self, compose_paths: Iterable[str], all_paths: Iterable[str]) -> None:
        self.compose = set(compose_paths)
        self.paths = set(all_paths) | self.compose
        self.by_name: dict[str, list[str]] = {}
        for path in sorted(self.compose):
            self.by_name.setdefault(posixpath.basename(path), []).append(path)

    def file(self, word: str, cwd: str, *, remote: bool) -> str | None:
        cleaned = word.strip().strip("'\"")
        if not cleaned or "$" in cleaned or cleaned == "-":
            return None
        if not cleaned.startswith("/"):
            for base in ((cwd, "") if not remote else ()):
                candidate = posixpath.normpath(posixpath.join(base, cleaned))
                if candidate in self.paths and not candidate.startswith("../"):
                    return candidate
        # A remote command runs in a folder the files were copied to, and an absolute path
        # is the server's: the file of that name in the repository, when there is one only.
        matches = self.by_name.get(posixpath.basename(cleaned), [])
        if len(matches) == 1:
            return matches[0]
        tail = [m for m in matches if m.endswith("/" + cleaned.lstrip("./"))
                or m == cleaned.lstrip("./")]
        return tail[0] if len(tail) == 1 else None

    def pattern(self, word: str) -> list[str]:
        """The compose files a word with a variable can mean (``docker-compose-${name}.yml``
        in a loop over instances): every file of that shape, when the shape has a literal
        name of its own (``$COMPOSE_FILE`` or ``${file}`` alone says nothing)."""
        cleaned = word.strip().strip("'\"")
        name = posixpath.basename(cleaned)
        literal = re.sub(_VARIABLE, "", re.sub(r"\.ya?ml$", "", name))
        if len(literal.strip("-_.")) < 4:
            return []
        shape = re.compile("".join(
            "[^/]*" if re.fullmatch(_VARIABLE, piece) else re.escape(piece)
            for piece in re.split(f"({_VARIABLE})", name) if piece) + "$")
        return [path for path in sorted(self.compose)
                if shape.match(posixpath.basename(path))]

    def in_folder(self, word: str, cwd: str) -> list[str]:
        """The compose files directly in a literal folder whose file name is a variable
        (``deployment/$compose_file``): which one runs is chosen at run time."""
        folder = posixpath.dirname(word.strip().strip("'\""))
        if not folder or "$" in folder or folder.startswith("/"):
            return []
        for base in (cwd, ""):
            target = posixpath.normpath(posixpath.join(base, folder))
            found = sorted(p for p in self.compose if posixpath.dirname(p) == target)
            if found:
                return found
        return []

    def defaults(self, cwd: str) -> tuple[str, ...]:
        """What ``docker compose`` reads in ``cwd`` without ``-f``: the first default file
        and its override."""
        for name in DEFAULT_FILES:
            path = posixpath.normpath(posixpath.join(cwd, name))
            if path in self.compose:
                chain = [path]
                for override in OVERRIDE_FILES:
                    other = posixpath.normpath(posixpath.join(cwd, override))
                    if other in self.paths:
                        chain.append(other)
                        break
                return tuple(chain)
        return ()

    def other(self, word: str, cwd: str) -> str | None:
        """An env file: relative to the working directory, else to the root."""
        cleaned = word.strip().strip("'\"")
        if not cleaned or "$" in cleaned:
            return None
        for base in (cwd, ""):
            candidate = posixpath.normpath(posixpath.join(base, cleaned))
            if candidate in self.paths:
                return candidate
        return None


def _cwd_tracker(commands: Sequence[ShellCommand], start: str) -> Callable[[int], str]:
    """Working directory at a line: ``cd <relative literal>`` at the script's own level moves
    it (a ``cd`` on a remote host or into a variable does not)."""
    moves: list[tuple[int, str]] = []
    cwd = start
    for command in commands:
        if command.words[:1] != ("cd",) or command.remote_host or command.in_heredoc:
            continue
        target = command.words[1] if len(command.words) > 1 else ""
        if not target or "$" in target or target.startswith(("/", "~", "-")):
            continue
        cwd = posixpath.normpath(posixpath.join(cwd, target))
        moves.append((command.line, cwd))

    def at(line: int) -> str:
        current = start
        for moved, folder in moves:
            if moved < line:
                current = folder
        return "" if current == "." else current

    return at


@dataclass(frozen=True, slots=True)
class _RemoteCopy:
    """``scp``/``rsync`` of local files to a host: the name the copy has there."""

    remote_name: str
    local: str
    cwd: str
    line: int


def remote_copies(commands: Sequence[DeployCommand], cwd_at: Callable[[int], str]
                  ) -> list[_RemoteCopy]:
    """The files a source copies to a host, by the name they have there: ``scp
    deployment/x.yml host:/opt/app/docker-compose.yml`` is ``docker-compose.yml`` on the
    host; a copy into a folder (``host:~/deploy/``) keeps the file's own name."""
    copies: list[_RemoteCopy] = []
    for command in commands:
        if command.kind not in (DeployKind.SCP, DeployKind.RSYNC) or not command.hosts:
            continue
        destination = command.param("destination") or ""
        if remote_host_of(destination) is None:
            continue
        remote_path = destination.split(":", 1)[1]
        into_folder = remote_path.endswith("/") or not remote_path or \
            not re.search(r"\.ya?ml$", remote_path) or len(command.files) > 1
        for local in command.files:
            name = posixpath.basename(local.rstrip("/")) if into_folder else \
                posixpath.basename(remote_path)
            copies.append(_RemoteCopy(name, local, cwd_at(command.line), command.line))
    return copies


def _copied_files(word: str, copies: Sequence[_RemoteCopy], resolver: _Resolver
                  ) -> tuple[list[str], bool]:
    """(compose files, named through a variable) a remote command's file word was copied
    from; ([], False) when no copy of the source gives the host a file of that name."""
    name = posixpath.basename(word.strip().strip("'\""))
    found: list[str] = []
    pattern = False
    for copy in (c for c in copies if c.remote_name == name and "$" not in name):
        if "$" not in copy.local:
            local = resolver.file(copy.local, copy.cwd, remote=False)
            found.extend([local] if local else [])
            continue
        pattern = True
        found.extend(resolver.pattern(copy.local) or resolver.in_folder(copy.local, copy.cwd))
    return sorted(set(found)), pattern


def _invocation(command: DeployCommand, source: str, cwd: str, resolver: _Resolver,
                live: bool, scan: InvocationScan,
                copies: Sequence[_RemoteCopy] = ()) -> None:
    swarm = command.kind is DeployKind.STACK_DEPLOY
    if not swarm and command.kind not in _COMPOSE_KINDS:
        return
    remote = command.remote_host is not None
    words = command.files
    if len(words) == 1 and "$" in words[0] and resolver.pattern(words[0]):
        for path in resolver.pattern(words[0]):  # one invocation per file the loop can run
            _record(command, source, cwd, resolver, live, scan, [path], swarm, pattern=True)
        return
    files: list[str] = []
    for word in words:
        resolved = resolver.file(word, cwd, remote=remote)
        copied, through_variable = _copied_files(word, copies, resolver) if remote and \
            len(words) == 1 else ([], False)
        if copied and (resolved is None or resolved not in copied):
            # The host runs the file the script copied there, whatever the repository holds
            # under that name (Sophia: deployment/$compose_file -> docker-compose.yml).
            name = posixpath.basename(word.strip().strip("'\""))
            scan.host_names.add((source, command.line, name))
            scan.host_names.update((source, c.line, name) for c in copies
                                   if c.remote_name == name)
            for path in copied:
                _record(command, source, cwd, resolver, live, scan, [path], swarm,
                        pattern=through_variable or len(copied) > 1)
            return
        if resolved is None:
            why = (f"runs the compose file {word!r} chosen through a variable: which "
                   "environment it deploys cannot be read from the text" if "$" in word else
                   f"runs {word!r}, which is no compose file of the repository")
            scan.unresolved.append((f"{source}:{command.line}", why))
            return
        files.append(resolved)
    if not files:
        if swarm or remote:
            return  # a stack needs -c; a remote folder's defaults are not in the repository
        files = list(resolver.defaults(cwd))
        if not files:
            return
    _record(command, source, cwd, resolver, live, scan, files, swarm)


def _record(command: DeployCommand, source: str, cwd: str, resolver: _Resolver, live: bool,
            scan: InvocationScan, files: Sequence[str], swarm: bool, *,
            pattern: bool = False) -> None:
    env_files = tuple(f for f in (resolver.other(w, cwd)
                                  for w in command.param_values("env-file")) if f)
    subcommand = command.param("subcommand") or ""
    project = command.param("stack") if swarm else command.param("project")
    scan.invocations.append(Invocation(
        source=source, line=command.line, swarm=swarm, files=tuple(files),
        env_files=env_files, profiles=tuple(sorted(set(command.param_values("profile")))),
        project=project if project and "$" not in project else None, live=live,
        runs=swarm or subcommand in _RUNNING,
        command=" ".join(command.argv), pattern=pattern))


def _doc_commands(text: str) -> list[DeployCommand]:
    out: list[DeployCommand] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _DOC_COMMAND.match(line)
        if match is None:
            continue
        try:
            words = shlex.split(match.group(1).split(" #", 1)[0], comments=False)
        except ValueError:
            continue
        environ = {}
        while words and "=" in words[0] and words[0].split("=", 1)[0].isidentifier():
            name, value = words.pop(0).split("=", 1)
            environ[name] = value
        command = classify(words, number, compose_env=environ)
        if command is not None:
            out.append(command)
    return out


def _source_commands(kind: str, path: str, text: str) -> tuple[list[DeployCommand],
                                                                Sequence[ShellCommand]]:
    if kind == "make":
        makefile = parse_makefile(text, path)
        return list(makefile.deploy_commands), makefile.commands
    if kind == "ci":
        workflow = parse_workflow_text(text, path)
        return list(workflow.live_deploy_commands), ()
    if kind == "python":
        script = parse_python_script(text, path)
        return list(script.deploy_commands), script.commands
    script = parse_shell(text, path)
    return list(script.deploy_commands), script.commands


def _kind_of(path: str, kinds: set[ArtifactKind], language: str | None) -> str | None:
    name = posixpath.basename(path)
    if ArtifactKind.CI_WORKFLOW in kinds:
        return "ci"
    if name in ("Makefile", "makefile", "GNUmakefile") or language == "make" or \
            name.endswith(".mk"):
        return "make"
    if ArtifactKind.DEPLOY_SCRIPT in kinds or ArtifactKind.SCRIPT in kinds:
        if language == "python" or path.endswith(".py"):
            return "python"
        if language in (None, "bash", "sh", "zsh", "shell", "ksh", "dash") or \
                path.endswith((".sh", ".bash")):
            return "shell"
        return None
    if ArtifactKind.DOCS in kinds and path.lower().endswith(_DOC_SUFFIXES):
        return "docs"
    return None


def gather_invocations(inventory: Inventory, read_text: TextReader) -> InvocationScan:
    """Every compose invocation of the repository (a source that does not parse is skipped:
    its other evidence still counts)."""
    compose = [a.path for a in inventory.by_kind(ArtifactKind.COMPOSE)]
    resolver = _Resolver(compose, (a.path for a in inventory.artifacts))
    scan = InvocationScan()
    for artifact in sorted(inventory.artifacts, key=lambda a: a.path):
        language = artifact.script.language if artifact.script else None
        kind = _kind_of(artifact.path, set(artifact.kinds), language)
        if kind is None:
            continue
        text = read_text(artifact.path)
        if text is None or not _MENTIONS.search(text):
            continue
        folder = posixpath.dirname(artifact.path)
        if kind == "docs":
            for command in _doc_commands(text):
                _invocation(command, artifact.path, "", resolver, False, scan)
            continue
        try:
            commands, shell = _source_commands(kind, artifact.path, text)
        except KubealignError:
            continue
        scan.live_text[artifact.path] = text
        # CI jobs and Makefiles run from the repository root or their own folder.
        start = "" if kind == "ci" else folder
        cwd_at = _cwd_tracker(shell, start or ".")
        copies = remote_copies(commands, cwd_at)
        for command in commands:
            _invocation(command, artifact.path, cwd_at(command.line), resolver, True, scan,
                        copies)
    return scan


def live_references(scan: InvocationScan, compose_paths: Iterable[str]
                    ) -> dict[str, list[str]]:
    """Compose file -> live sources whose text names it (path or file name) without an
    invocation kubealign could read (``scp deployment/x.yml``, ``COMPOSE=x.yml``, ...)."""
    by_name: dict[str, list[str]] = {}
    for path in compose_paths:
        by_name.setdefault(posixpath.basename(path), []).append(path)
    if not by_name:
        return {}
    pattern = re.compile(r"(?<![\w.-])(" + "|".join(
        re.escape(name) for name in sorted(by_name, key=len, reverse=True)) + r")(?![\w-])")
    found: dict[str, set[str]] = {}
    for source, text in scan.live_text.items():
        for match in pattern.finditer(text):
            name = match.group(1)
            # Only repositories that copy compose files to hosts pay for the line count.
            if scan.host_names and \
                    (source, text.count("\n", 0, match.start()) + 1, name) in scan.host_names:
                continue
            candidates = by_name[name]
            start = max(0, match.start() - 200)
            before = text[start:match.start()]
            # A name several folders share counts only where the text spells the folder.
            chosen = [c for c in candidates if before.endswith(posixpath.dirname(c) + "/")] \
                if len(candidates) > 1 else candidates
            for path in chosen:
                found.setdefault(path, set()).add(source)
    return {path: sorted(sources) for path, sources in sorted(found.items())}


def group_by_chain(invocations: Sequence[Invocation]
                   ) -> dict[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]],
                             list[Invocation]]:
    """Invocations of one chain (files, env files, profiles), in source order."""
    chains: dict[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]],
                 list[Invocation]] = {}
    for invocation in invocations:
        chains.setdefault(invocation.chain, []).append(invocation)
    return chains


def override_only(invocations: Sequence[Invocation]) -> set[str]:
    """Files every invocation puts after the first of its chain: overrides, never
    environments of their own."""
    first = {i.files[0] for i in invocations if i.files}
    later = {f for i in invocations for f in i.files[1:]}
    return later - first


def describe(invocations: Sequence[Invocation], limit: int = 3) -> list[str]:
    """``file:line: command`` lines for the plan's comments (the first ``limit``)."""
    unique = list({i.where(): i for i in reversed(invocations)}.values())[::-1]
    shown = [(f"{i.where()}: {i.command}" if i.command else i.where())
             + (" (the file named through a variable; this file has that name's shape)"
                if i.pattern else "") for i in unique[:limit]]
    if len(unique) > limit:
        shown.append(f"... and {len(unique) - limit} more")
    return shown


def environment_word_of_env_file(path: str) -> str | None:
    """``env/staging.env`` -> ``staging``, ``.env.production`` -> ``production``."""
    name = posixpath.basename(path)
    for piece in (name.removesuffix(".env"), name.removeprefix(".env.").removeprefix(".env"),
                  name.removeprefix("env.")):
        word = re.sub(r"[^a-z0-9]+", "-", piece.lower()).strip("-")
        if word and word not in ("env", "example", "sample", "template", "local-example"):
            return word
    return None


def as_mapping(scan: InvocationScan) -> Mapping[str, list[Invocation]]:
    """Compose file -> the invocations naming it (any position of a chain)."""
    out: dict[str, list[Invocation]] = {}
    for invocation in scan.invocations:
        for path in invocation.files:
            out.setdefault(path, []).append(invocation)
    return out
