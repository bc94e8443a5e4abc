"""Shell scripts through tree-sitter-bash: commands, strict mode, deploy actions, literals.

tree-sitter recovers from syntax errors instead of failing, so a broken line costs that
line only (recorded in ``error_lines``) and never the whole file. Every literal the parser
isolates is scanned for hard-coded hosts and credentials; the words kept in the result are
already masked, so no secret value survives into any output.

Nested shell text is parsed again as shell: ``ssh host "cmd"``, ``bash -c "cmd"``,
``eval "cmd"``, ``$( cmd )`` and here-documents fed to a shell (``ssh host bash -s <<EOF``).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import tree_sitter_bash
from tree_sitter import Language, Node, Parser

from kubealign.errors import LoadError
from kubealign.load.deploy_commands import (
    COMPOSE_VARIABLES,
    SHELLS,
    LiteralScan,
    classify,
    scan_assignment,
    scan_literal,
    script_call,
    split_ssh,
    strip_wrappers,
)
from kubealign.load.host_positions import (
    command_uses,
    evidence,
    is_message_command,
    setting_evidence,
    setting_refs,
    variables_in,
    with_role,
    word_refs,
)
from kubealign.load.hosts import host_refs, merge_hosts
from kubealign.model.artifacts import (
    DeployCommand,
    DeployKind,
    FunctionDef,
    HostRef,
    HostRole,
    ScriptCall,
    ScriptInfo,
    ShellCommand,
    StrictMode,
    TokenFinding,
)

_MAX_NESTING = 8  # ssh "bash -c \"eval ...\"" deeper than this is not worth following
_LITERAL_LEAVES = frozenset({"word", "string_content", "number"})
_EXPANSIONS = frozenset(
    {"simple_expansion", "expansion", "command_substitution", "arithmetic_expansion"}
)
_SCOPES_LEAVING_TOP_LEVEL = frozenset(
    {"subshell", "command_substitution", "process_substitution", "function_definition"}
)


@functools.lru_cache(maxsize=1)
def _language() -> Language:
    return Language(tree_sitter_bash.language())


def _parse_tree(text: str) -> Node:
    return Parser(_language()).parse(text.encode("utf-8")).root_node


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


@dataclass(frozen=True, slots=True)
class _Context:
    line_offset: int = 0  # added to tree-sitter's 0-based rows (+1 gives the line)
    function: str | None = None
    in_heredoc: bool = False
    remote_host: str | None = None
    top_level: bool = True
    scan_literals: bool = True  # False when re-parsing text whose literals were scanned
    depth: int = 0
    message: bool = False  # inside the words of echo/printf/log_info: text for a human

    def line_of(self, node: Node) -> int:
        return self.line_offset + node.start_point.row + 1


@dataclass(frozen=True, slots=True)
class ShellFacts:
    """Everything found in one piece of shell text (a script, a recipe, a ``run:`` block)."""

    commands: tuple[ShellCommand, ...]
    deploy_commands: tuple[DeployCommand, ...]
    calls: tuple[ScriptCall, ...]
    hosts: tuple[HostRef, ...]
    tokens: tuple[TokenFinding, ...]
    functions: tuple[FunctionDef, ...]
    strict: StrictMode
    error_lines: tuple[int, ...]


@dataclass(slots=True)
class _StrictState:
    errexit: bool = False
    nounset: bool = False
    pipefail: bool = False
    line: int | None = None

    def apply(self, option: str, enable: bool, line: int) -> None:
        name = {"e": "errexit", "u": "nounset"}.get(option, option)
        if name not in {"errexit", "nounset", "pipefail"}:
            return
        setattr(self, name, enable)
        if enable and self.line is None:
            self.line = line

    def apply_set(self, args: Sequence[str], line: int) -> None:
        """``set -euo pipefail``, ``set -e -u``, ``set -o errexit``, ``set +e``."""
        pending_long = 0
        pending_enable = True
        for arg in args:
            if pending_long:
                pending_long -= 1
                self.apply(arg, pending_enable, line)
                continue
            if not arg or arg[0] not in "-+" or arg in {"-", "--"}:
                continue
            pending_enable = arg[0] == "-"
            for letter in arg[1:]:
                if letter == "o":
                    pending_long += 1
                else:
                    self.apply(letter, pending_enable, line)

    def frozen(self) -> StrictMode:
        return StrictMode(self.errexit, self.nounset, self.pipefail, self.line)


@dataclass(slots=True)
class _Collector:
    commands: list[ShellCommand] = field(default_factory=list)
    deploys: list[DeployCommand] = field(default_factory=list)
    calls: list[ScriptCall] = field(default_factory=list)
    hosts: list[HostRef] = field(default_factory=list)
    tokens: list[TokenFinding] = field(default_factory=list)
    functions: list[FunctionDef] = field(default_factory=list)
    strict: _StrictState = field(default_factory=_StrictState)
    error_lines: set[int] = field(default_factory=set)
    compose_env: dict[str, str] = field(default_factory=dict)
    """``COMPOSE_FILE``/``COMPOSE_PROFILES``/... assigned so far: compose reads them."""
    uses: list[HostRef] = field(default_factory=list)
    """Hosts in a position that reaches them (ssh target, ``*_HOST=``, curl URL), recorded
    in nested text too (``ssh h "curl …"``), where literals are not scanned again."""
    assigned: list[tuple[str, HostRef]] = field(default_factory=list)
    remote_variables: set[str] = field(default_factory=set)
    """Variables an ssh/scp target is made of: ``HOST=…`` then ``ssh "$USER@$HOST"``."""
    derived: dict[str, set[str]] = field(default_factory=dict)
    """The variables each variable is assigned from (``TARGET="ubuntu@${HOST}"``)."""

    # ------------------------------------------------------------------ literals

    def record(self, scan: LiteralScan, ctx: _Context) -> str:
        if ctx.scan_literals:
            self.tokens.extend(scan.tokens)
            self.hosts.extend(
                with_role(scan.hosts, HostRole.MESSAGE) if ctx.message else scan.hosts
            )
        return scan.masked

    def literal(self, text: str, node: Node, ctx: _Context) -> str:
        return self.record(scan_literal(text, ctx.line_of(node), node.start_point.column + 1), ctx)

    # ------------------------------------------------------------------ traversal

    def visit(self, node: Node, ctx: _Context) -> None:
        kind = node.type
        if node.is_error or node.is_missing:
            self.error_lines.add(ctx.line_of(node))
        if kind == "comment":
            return
        if kind == "function_definition":
            self.function(node, ctx)
        elif kind == "command":
            self.command(node, ctx)
        elif kind == "variable_assignment":
            self.assignment(node, ctx)
        elif kind == "redirected_statement":
            self.redirected(node, ctx)
        elif kind == "heredoc_body":
            self.literal(_text(node), node, ctx)
            self.visit_children(node, replace(ctx, scan_literals=False))
        elif kind in _LITERAL_LEAVES or kind == "raw_string":
            self.word(node, ctx)
        else:
            inner = replace(ctx, top_level=False) if kind in _SCOPES_LEAVING_TOP_LEVEL else ctx
            self.visit_children(node, inner)

    def visit_children(self, node: Node, ctx: _Context) -> None:
        for child in node.children:
            self.visit(child, ctx)

    def function(self, node: Node, ctx: _Context) -> None:
        name_node = node.child_by_field_name("name")
        name = _text(name_node) if name_node is not None else "?"
        self.functions.append(
            FunctionDef(name, ctx.line_of(node), ctx.line_offset + node.end_point.row + 1)
        )
        body = node.child_by_field_name("body")
        if body is not None:
            self.visit(body, replace(ctx, function=name, top_level=False))

    def assignment(self, node: Node, ctx: _Context, prefix: dict[str, str] | None = None
                   ) -> None:
        """``NAME=value`` (``prefix``: written before a command, so only for that command)."""
        name_node = node.child_by_field_name("name")
        value_node = node.child_by_field_name("value")
        if value_node is None:
            return
        if name_node is not None and _text(name_node) in COMPOSE_VARIABLES and \
                value_node.type in {"word", "string", "raw_string"}:
            target = self.compose_env if prefix is None else prefix
            target[_text(name_node)] = _unquote(value_node)
        if name_node is not None and value_node.type in {"word", "string", "raw_string", "number"} \
                and not _expands(value_node):
            value = _unquote(value_node)
            scan = scan_assignment(
                _text(name_node), value, ctx.line_of(value_node), value_node.start_point.column + 1
            )
            if scan.tokens:
                self.record(scan, ctx)
                return
        masked = self.word(value_node, ctx)
        if name_node is not None:
            self.setting(_text(name_node), masked, value_node, ctx)

    def setting(self, name: str, value: str, node: Node, ctx: _Context) -> None:
        """A host assigned to a host-named variable (``SSH_HOST=…``), and every assigned
        host, kept until the end in case the variable turns out to be an ssh target."""
        line, column = ctx.line_of(node), node.start_point.column + 1
        self.uses.extend(setting_refs(name, value, line, column))
        self.derived.setdefault(name, set()).update(variables_in(value))
        for ref in host_refs(value, line, column, mailboxes=True):
            shown = setting_evidence(name, value, line, ref.line)
            self.assigned.append((name, replace(ref, name=name, evidence=shown)))

    def word(self, node: Node, ctx: _Context) -> str:
        """The word as the shell would pass it (quotes joined, ``$VAR`` kept), masked."""
        kind = node.type
        if kind in _LITERAL_LEAVES:
            return self.literal(
                _unescape(_text(node)) if kind == "word" else _text(node), node, ctx
            )
        if kind == "raw_string":
            return self.literal(_text(node)[1:-1], node, ctx)
        if kind == "ansi_c_string":
            return self.literal(_text(node)[2:-1], node, ctx)
        if kind == "string":
            return self.double_quoted(node, ctx)
        if kind == "concatenation":
            return "".join(self.word(child, ctx) for child in node.children if child.type != '"')
        # Expansions and substitutions stay as written (masked); commands inside them run.
        inner = replace(ctx, top_level=False)
        for child in node.children:
            self.visit(child, inner)
        return scan_literal(_text(node), 1).masked

    def double_quoted(self, node: Node, ctx: _Context) -> str:
        """A double-quoted string's value. Inside double quotes a backslash escapes only
        ``$ ` " \\`` and the newline: the text ``bash -c "ssh h \\"cmd\\""`` runs is ``ssh h
        "cmd"``, parsed again as shell. The grammar leaves newlines and some characters
        between its children, so the text between them is kept from the node's own bytes."""
        raw = node.text or b""
        base = node.start_byte
        pieces: list[str] = []
        position = 1  # after the opening quote
        for child in node.children:
            start, end = child.start_byte - base, child.end_byte - base
            if start > position:
                gap = raw[position:start].decode("utf-8", errors="replace")
                pieces.append(self.literal(_unescape_double_quoted(gap), child, ctx))
            if child.type == "string_content":
                pieces.append(self.literal(_unescape_double_quoted(_text(child)), child, ctx))
            elif child.type != '"':
                pieces.append(self.word(child, ctx))
            position = max(position, end)
        return "".join(pieces)

    def command(self, node: Node, ctx: _Context) -> tuple[str, ...]:
        words: list[str] = []
        word_nodes: list[Node] = []
        prefix: dict[str, str] = {}
        mark = len(self.hosts)
        arguments = ctx
        for index, child in enumerate(node.children):
            field_name = node.field_name_for_child(index)
            if child.type == "variable_assignment":
                self.assignment(child, ctx, prefix)
            elif child.type == "command_name":
                target = child.children[0] if child.children else child
                words.append(self.word(target, ctx))
                word_nodes.append(target)
                if is_message_command(words[-1]):
                    arguments = replace(ctx, message=True)
            elif field_name == "argument":
                words.append(self.word(child, arguments))
                word_nodes.append(child)
            else:
                self.visit(child, ctx)
        if words:
            self.simple_command(tuple(words), word_nodes, node, ctx, prefix)
            shown = evidence(" ".join(words))
            self.hosts[mark:] = [h if h.evidence else replace(h, evidence=shown)
                                 for h in self.hosts[mark:]]
        return tuple(words)

    def simple_command(
        self, words: tuple[str, ...], word_nodes: Sequence[Node], node: Node, ctx: _Context,
        prefix: Mapping[str, str] | None = None,
    ) -> None:
        line = ctx.line_of(node)
        self.commands.append(
            ShellCommand(words, line, ctx.function, ctx.in_heredoc, ctx.remote_host)
        )
        if ctx.top_level and words[0] == "set":
            self.strict.apply_set(words[1:], line)
        deploy = classify(
            words,
            line,
            function=ctx.function,
            in_heredoc=ctx.in_heredoc,
            remote_host=ctx.remote_host,
            compose_env={**self.compose_env, **(prefix or {})},
        )
        if deploy is not None:
            self.deploys.append(deploy)
        call = script_call(words, line)
        if call is not None:
            self.calls.append(call)
        self.host_uses(words, word_nodes, line, ctx)
        self.nested_shell(words, word_nodes, line, ctx)

    def host_uses(
        self, words: tuple[str, ...], word_nodes: Sequence[Node], line: int, ctx: _Context
    ) -> None:
        shown = evidence(" ".join(words))
        for use in command_uses(words):
            node = word_nodes[use.index] if use.index < len(word_nodes) else None
            at_line = ctx.line_of(node) if node is not None else line
            column = node.start_point.column + 1 if node is not None else 1
            self.uses.extend(word_refs(words[use.index], use, at_line, column, shown))
            if use.role is HostRole.REMOTE:
                self.remote_variables.update(variables_in(words[use.index]))

    def all_hosts(self) -> tuple[HostRef, ...]:
        """Every reference, one per line and host in its strongest role."""
        remote = set(self.remote_variables)
        pending = list(remote)
        while pending:  # TARGET="ubuntu@${HOST}"; ssh "$TARGET": HOST is a target too
            for source in self.derived.get(pending.pop(), ()):
                if source not in remote:
                    remote.add(source)
                    pending.append(source)
        flowed = [replace(ref, role=HostRole.REMOTE) for name, ref in self.assigned
                  if name in remote]
        return merge_hosts([*self.hosts, *self.uses, *flowed])

    def nested_shell(
        self, words: tuple[str, ...], word_nodes: Sequence[Node], line: int, ctx: _Context
    ) -> None:
        """Parse ``ssh host CMD``, ``bash -c CMD`` and ``eval CMD`` text as shell."""
        stripped = strip_wrappers(words)
        if not stripped or ctx.depth >= _MAX_NESTING:
            return
        nested = _nested_text(stripped)
        if nested is None:
            return
        start, text, remote = nested
        anchor = len(words) - len(stripped) + start
        anchor_line = ctx.line_of(word_nodes[anchor]) if anchor < len(word_nodes) else line
        self.parse_nested(
            text,
            anchor_line,
            ctx,
            remote_host=remote if remote is not None else ctx.remote_host,
            in_heredoc=ctx.in_heredoc,
        )

    def parse_nested(
        self,
        text: str,
        first_line: int,
        ctx: _Context,
        *,
        remote_host: str | None,
        in_heredoc: bool,
    ) -> None:
        nested = _Context(
            line_offset=first_line - 1,
            function=ctx.function,
            in_heredoc=in_heredoc,
            remote_host=remote_host,
            top_level=False,
            scan_literals=False,
            depth=ctx.depth + 1,
        )
        root = _parse_tree(text)
        errors_before = set(self.error_lines)
        self.visit(root, nested)
        # Remote text with a syntax error is the remote shell's problem, not this file's.
        self.error_lines = errors_before

    def redirected(self, node: Node, ctx: _Context) -> None:
        body = node.child_by_field_name("body")
        body_words: tuple[str, ...] = ()
        if body is not None and body.type == "command":
            body_words = self.command(body, ctx)
        elif body is not None:
            self.visit(body, ctx)
        for child in node.children:
            if (body is not None and child == body) or child.type == "comment":
                continue
            if child.type == "heredoc_redirect":
                shown = _prints_heredoc(node, child, body_words)
                self.heredoc(child, body_words, replace(ctx, message=True) if shown else ctx)
            else:
                self.visit(child, ctx)

    def heredoc(self, node: Node, consumer: tuple[str, ...], ctx: _Context) -> None:
        runner = _heredoc_runner(consumer)
        for child in node.children:
            if child.type != "heredoc_body":
                self.visit(child, ctx)
                continue
            self.literal(_text(child), child, ctx)
            ctx = replace(ctx, message=False)  # what the body runs is no message
            if runner is None or ctx.depth >= _MAX_NESTING:
                self.visit_children(child, replace(ctx, scan_literals=False, top_level=False))
                continue
            remote = runner if runner else ctx.remote_host
            self.parse_nested(
                _text(child), ctx.line_of(child), ctx, remote_host=remote, in_heredoc=True
            )


def _basename(word: str) -> str:
    return word.rsplit("/", 1)[-1]


def _prints_heredoc(statement: Node, redirect: Node, consumer: Sequence[str]) -> bool:
    """``cat <<EOF`` shows its text to whoever runs the script: a message. Written to a file
    (``> f``), piped (``| kubectl apply -f -``) or read by any other command, it is data."""
    if not consumer or _basename(consumer[0]) != "cat" or len(consumer) > 1:
        return False
    if any(c.type == "file_redirect" for c in statement.children):
        return False
    if any(c.type in {"file_redirect", "pipeline"} for c in redirect.children):
        return False
    parent = statement.parent
    return parent is None or parent.type not in {"pipeline", "command_substitution"}


def _unescape(text: str) -> str:
    """Backslash escapes in an unquoted word (``a\\ b`` -> ``a b``); line joins removed."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            nxt = text[index + 1]
            if nxt != "\n":
                out.append(nxt)
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


_DOUBLE_QUOTE_ESCAPES = frozenset('$`"\\\n')


def _unescape_double_quoted(text: str) -> str:
    """The characters a double-quoted string holds: ``\\"`` -> ``"``, ``\\$`` -> ``$``,
    backslash-newline removed; any other backslash stays (``"a\\b"`` is ``a\\b``)."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in _DOUBLE_QUOTE_ESCAPES:
            if text[index + 1] != "\n":
                out.append(text[index + 1])
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _expands(node: Node) -> bool:
    """Whether the shell builds this value from expansions (``"https://host/$ORG/$x"``):
    its literal pieces are only part of the value the variable holds, never a whole
    credential, so each piece is scanned as a literal instead."""
    return any(child.type in _EXPANSIONS for child in node.children)


def _unquote(node: Node) -> str:
    """An assignment's value as the shell stores it: single quotes keep every character,
    double quotes drop the backslash of an escape (``"a\\"b"`` is ``a"b``)."""
    text = _text(node)
    if node.type == "raw_string":
        return text[1:-1]
    if node.type == "string" and len(text) >= 2:
        return _unescape_double_quoted(text[1:-1])
    return _unescape(text)


def _dash_c_index(words: Sequence[str]) -> int | None:
    """Index of the script text in ``bash -c TEXT`` (anywhere: ``docker exec x sh -c``)."""
    for index, word in enumerate(words[:-1]):
        if _basename(word) in SHELLS and words[index + 1] in {"-c", "-lc", "-ec", "-xc"}:
            return index + 2 if index + 2 < len(words) else None
    return None


def _nested_text(stripped: Sequence[str]) -> tuple[int, str, str | None] | None:
    """(index of the first word, shell text, remote host) of a command that runs shell text."""
    if _basename(stripped[0]) == "ssh":
        invocation = split_ssh(stripped)
        if not invocation.remote_words or _shell_reading_stdin(invocation.remote_words):
            return None
        # ssh sends its remaining words joined by spaces for the remote shell to parse.
        start = len(stripped) - len(invocation.remote_words)
        return start, " ".join(invocation.remote_words), invocation.target
    if stripped[0] == "eval" and len(stripped) > 1:
        return 1, " ".join(stripped[1:]), None
    index = _dash_c_index(stripped)
    if index is not None:
        return index, stripped[index], None
    return None


def _shell_reading_stdin(words: Sequence[str]) -> bool:
    return bool(words) and _basename(words[0]) in SHELLS and _dash_c_index(words) is None


def _heredoc_runner(consumer: tuple[str, ...]) -> str | None:
    """Who runs a here-document as shell: ``""`` for a local shell, the host for ssh."""
    stripped = strip_wrappers(consumer)
    if not stripped:
        return None
    if _basename(stripped[0]) == "ssh":
        invocation = split_ssh(stripped)
        if not invocation.remote_words or _shell_reading_stdin(invocation.remote_words):
            return invocation.target or ""
        return None
    if any(_basename(word) in SHELLS for word in stripped) and _dash_c_index(stripped) is None:
        return ""
    return None


def _shebang(text: str) -> str | None:
    first = text.split("\n", 1)[0].rstrip("\r")
    return first[2:].strip() if first.startswith("#!") else None


def _language_of(shebang: str | None, path: str) -> str:
    if shebang:
        words = shebang.split()
        program = _basename(words[0]) if words else ""
        if program == "env":
            program = next((w for w in words[1:] if not w.startswith("-")), "")
        if program in SHELLS:
            return program
    return "bash" if path.endswith(".bash") else "sh"


def _shebang_strictness(shebang: str | None, state: _StrictState) -> None:
    if not shebang:
        return
    words = shebang.split()
    if words and _basename(words[0]) == "env":
        words = [w for w in words[1:] if w != "-S"]
    state.apply_set(words[1:], 1)


@functools.lru_cache(maxsize=2048)
def scan_shell(
    text: str, *, first_line: int = 1, remote_host: str | None = None, function: str | None = None
) -> ShellFacts:
    """Parse shell ``text`` whose first line is line ``first_line`` of its file.

    Cached (the facts are immutable): the inventory classifies a script, the audit's rules
    and the plan's invocation scan read it again, and a large repository's migrate spent
    a fifth of its time parsing the same scripts three times."""
    collector = _Collector()
    ctx = _Context(line_offset=first_line - 1, remote_host=remote_host, function=function)
    collector.visit(_parse_tree(text), ctx)
    return ShellFacts(
        commands=tuple(collector.commands),
        deploy_commands=tuple(collector.deploys),
        calls=tuple(collector.calls),
        hosts=collector.all_hosts(),
        tokens=tuple(sorted(set(collector.tokens))),
        functions=tuple(collector.functions),
        strict=collector.strict.frozen(),
        error_lines=tuple(sorted(collector.error_lines)),
    )


def parse_shell(text: str, path: str) -> ScriptInfo:
    """Facts about the shell script ``text`` read from ``path`` (used in messages only)."""
    shebang = _shebang(text)
    facts = scan_shell(text)
    state = _StrictState()
    _shebang_strictness(shebang, state)
    strict = facts.strict
    if state.errexit or state.nounset or state.pipefail:
        strict = StrictMode(
            strict.errexit or state.errexit,
            strict.nounset or state.nounset,
            strict.pipefail or state.pipefail,
            1,
        )
    return ScriptInfo(
        path=path,
        language=_language_of(shebang, path),
        shebang=scan_literal(shebang, 1).masked if shebang else None,
        strict=strict,
        functions=facts.functions,
        commands=facts.commands,
        deploy_commands=facts.deploy_commands,
        calls=facts.calls,
        hosts=facts.hosts,
        tokens=facts.tokens,
        fingerprint=fingerprint(c.words for c in facts.commands),
        error_lines=facts.error_lines,
    )


def read_text(path: Path) -> str:
    """A script's text (undecodable bytes replaced), or LoadError naming the file."""
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}", path=path) from None


def load_shell_script(path: Path, display_path: str | None = None) -> ScriptInfo:
    """Read and parse a shell script; ``display_path`` is how findings name it."""
    return parse_shell(read_text(path), display_path or str(path))


# --------------------------------------------------------------------------- fingerprint

_KEPT_WORD_MAX = 24


def _abstract(word: str, position: int) -> str:
    """A word with its specifics removed, so copies with other hosts or paths match."""
    if position == 0:
        return _basename(word)
    if word.startswith("-"):
        return word.split("=", 1)[0]
    if "$" in word:
        return "<var>"
    if "@" in word or scan_literal(word, 1).hosts:
        return "<host>"
    if "/" in word or "." in word:
        return "<path>"
    if word.replace("-", "").isalpha() and word.islower() and len(word) <= _KEPT_WORD_MAX:
        return word
    return "<lit>"


_MESSAGE_COMMANDS = frozenset({"echo", "printf", "logger", "log", "info", "warn", "error"})


def _shape(words: Sequence[str]) -> str:
    head = _abstract(words[0], 0)
    if head in _MESSAGE_COMMANDS:
        return head  # the wording of a message is not what a script does
    return " ".join(_abstract(word, i) for i, word in enumerate(words[:8]))


def fingerprint(commands: Iterable[Sequence[str]]) -> frozenset[str]:
    """Shingles of abstracted commands (each command, and each pair of neighbours)."""
    shapes = [_shape(words) for words in commands if words]
    shingles = set(shapes)
    shingles.update(f"{a} >> {b}" for a, b in itertools.pairwise(shapes))
    return frozenset(shingles)


def similarity(a: ScriptInfo | frozenset[str], b: ScriptInfo | frozenset[str]) -> float:
    """Jaccard similarity of two fingerprints (1.0 for two scripts with no commands)."""
    left = a.fingerprint if isinstance(a, ScriptInfo) else a
    right = b.fingerprint if isinstance(b, ScriptInfo) else b
    if not left and not right:
        return 1.0
    return len(left & right) / len(left | right)


def deploy_kinds(info: ScriptInfo) -> frozenset[DeployKind]:
    """The kinds of deployment actions a script performs (for grouping and strategies)."""
    return frozenset(command.kind for command in info.deploy_commands)
