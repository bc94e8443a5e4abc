"""Python deploy scripts through ``ast``: the commands they run and the literals they hold.

Sinks: ``subprocess.run/call/check_call/check_output/Popen``, ``os.system``/``os.popen``,
paramiko's ``exec_command`` and ``sftp.put``, fabric's ``run``/``sudo``/``put``. Command
values are evaluated as far as literals allow (string and list constants, f-strings,
``+``, ``shlex.split``, ``" ".join``, ``str.split``); anything else becomes a ``${expr}``
placeholder. Deploy scripts usually wrap the sink in a helper (``def sh(*cmd)``,
``def run_remote(ip, command)``), so such helpers are recognised and their call sites
evaluated with the arguments bound. Every command is then read by the shell loader, so
classification and nested ``ssh`` commands work exactly as for shell scripts.
"""

from __future__ import annotations

import ast
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kubealign.errors import LoadError
from kubealign.load.deploy_commands import scan_assignment, scan_literal
from kubealign.load.host_positions import evidence, setting_refs, with_role
from kubealign.load.hosts import host_refs, merge_hosts
from kubealign.load.shell_script import fingerprint, read_text, scan_shell
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

Value = str | list[str] | None  # None: not known from literals
_SUBPROCESS_SINKS = frozenset({"run", "call", "check_call", "check_output", "Popen", "getoutput"})
_OS_SINKS = frozenset({"system", "popen"})
_FABRIC_SINKS = frozenset({"run", "sudo", "local"})
_PLACEHOLDER_MAX = 40


def _placeholder(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return f"${node.id}"
    text = ast.unparse(node).replace("'", "").replace('"', "")
    return "${" + text[:_PLACEHOLDER_MAX] + "}"


@dataclass(slots=True)
class _Evaluator:
    """Evaluates expressions to strings or string lists where literals allow."""

    env: dict[str, Value]

    def string(self, node: ast.expr) -> str:
        value = self.value(node)
        if isinstance(value, str):
            return value
        if isinstance(value, list):
            return " ".join(shlex.quote(v) for v in value)
        return _placeholder(node)

    def words(self, node: ast.expr) -> list[str]:
        value = self.value(node)
        if isinstance(value, list):
            return value
        return [value if isinstance(value, str) else _placeholder(node)]

    def value(self, node: ast.expr) -> Value:
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, ast.Name):
            return self.env.get(node.id)
        if isinstance(node, ast.JoinedStr):
            return "".join(
                part.value
                if isinstance(part, ast.Constant) and isinstance(part.value, str)
                else self.string(part.value)
                if isinstance(part, ast.FormattedValue)
                else ""
                for part in node.values
            )
        if isinstance(node, ast.List | ast.Tuple):
            items: list[str] = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    inner = self.value(element.value)
                    items.extend(
                        inner if isinstance(inner, list) else [_placeholder(element.value)]
                    )
                else:
                    items.append(self.string(element))
            return items
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.value(node.left), self.value(node.right)
            if isinstance(left, str) and isinstance(right, str):
                return left + right
            if isinstance(left, list) and isinstance(right, list):
                return left + right
            return None
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Subscript) and ast.unparse(node.value) in {"os.environ", "environ"}:
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                return "$" + key.value
        return None

    def call(self, node: ast.Call) -> Value:
        func = node.func
        environment = _environment_lookup(node)
        if environment is not None:
            return environment
        if not isinstance(func, ast.Attribute) or len(node.args) > 1:
            return None
        if func.attr == "split" and isinstance(func.value, ast.Name) and func.value.id == "shlex":
            text = self.value(node.args[0]) if node.args else None
            return _shlex_split(text) if isinstance(text, str) else None
        if func.attr == "split" and not node.args:
            text = self.value(func.value)
            return text.split() if isinstance(text, str) else None
        if func.attr == "join" and node.args:
            separator = self.value(func.value)
            items = self.value(node.args[0])
            if isinstance(separator, str) and isinstance(items, list):
                return separator.join(items)
        return None


def _environment_lookup(node: ast.Call) -> str | None:
    """``os.environ.get("X", "d")`` / ``os.getenv("X")`` as the shell would write them."""
    text = ast.unparse(node.func)
    if text not in {"os.environ.get", "os.getenv", "environ.get", "getenv"} or not node.args:
        return None
    name = node.args[0]
    if not isinstance(name, ast.Constant) or not isinstance(name.value, str):
        return None
    default = node.args[1] if len(node.args) > 1 else None
    if isinstance(default, ast.Constant) and isinstance(default.value, str):
        return "${" + name.value + ":-" + default.value + "}"
    return "${" + name.value + "}"


def _shlex_split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


@dataclass(frozen=True, slots=True)
class _Sink:
    kind: str  # "argv" | "shell" | "remote-shell" | "upload"
    args: tuple[ast.expr, ...]


@dataclass(slots=True)
class _Imports:
    subprocess: set[str] = field(default_factory=set)
    subprocess_functions: set[str] = field(default_factory=set)
    os: set[str] = field(default_factory=set)
    os_functions: set[str] = field(default_factory=set)
    fabric: bool = False

    def read(self, tree: ast.Module) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    bound = alias.asname or alias.name
                    if alias.name == "subprocess":
                        self.subprocess.add(bound)
                    elif alias.name == "os":
                        self.os.add(bound)
                    elif alias.name.split(".")[0] == "fabric":
                        self.fabric = True
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    bound = alias.asname or alias.name
                    if node.module == "subprocess" and alias.name in _SUBPROCESS_SINKS:
                        self.subprocess_functions.add(bound)
                    elif node.module == "os" and alias.name in _OS_SINKS:
                        self.os_functions.add(bound)
                if node.module.split(".")[0] == "fabric":
                    self.fabric = True

    def sink(self, call: ast.Call) -> _Sink | None:
        func = call.func
        first = _first_argument(call)
        if isinstance(func, ast.Name):
            if func.id in self.subprocess_functions and first is not None:
                return _Sink("shell" if _shell_true(call) else "argv", (first,))
            if func.id in self.os_functions and first is not None:
                return _Sink("shell", (first,))
            return None
        if not isinstance(func, ast.Attribute):
            return None
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        if owner in self.subprocess and func.attr in _SUBPROCESS_SINKS and first is not None:
            shell = _shell_true(call) or func.attr == "getoutput"
            return _Sink("shell" if shell else "argv", (first,))
        if owner in self.os and func.attr in _OS_SINKS and first is not None:
            return _Sink("shell", (first,))
        if func.attr == "exec_command" and first is not None:
            return _Sink("remote-shell", (first,))
        if self.fabric and func.attr in _FABRIC_SINKS and first is not None:
            return _Sink("shell" if func.attr == "local" else "remote-shell", (first,))
        if func.attr == "put" and len(call.args) >= 2 and (self.fabric or _is_sftp(func.value)):
            return _Sink("upload", (call.args[0], call.args[1]))
        return None


def _is_sftp(node: ast.expr) -> bool:
    return "sftp" in ast.unparse(node).lower()


def _first_argument(call: ast.Call) -> ast.expr | None:
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    for keyword in call.keywords:
        if keyword.arg in {"args", "command", "cmd"}:
            return keyword.value
    if call.args:
        return call.args[0]
    return None


def _shell_true(call: ast.Call) -> bool:
    return any(
        k.arg == "shell" and isinstance(k.value, ast.Constant) and k.value.value is True
        for k in call.keywords
    )


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


@dataclass(frozen=True, slots=True)
class _Wrapper:
    """A helper function that passes its parameters to a sink."""

    function: ast.FunctionDef | ast.AsyncFunctionDef
    sink: _Sink
    call: ast.Call


def _parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    arguments = function.args
    names = [a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]]
    if arguments.vararg is not None:
        names.append(arguments.vararg.arg)
    return names


def _parameter_dependent_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Parameters and the local names assigned from them (``cmd = [..., *args]``)."""
    dependent = set(_parameters(function))
    assignments = [
        (target.id, _names_in(node.value))
        for node in ast.walk(function)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    ]
    changed = True
    while changed:
        changed = False
        for name, sources in assignments:
            if name not in dependent and sources & dependent:
                dependent.add(name)
                changed = True
    return dependent


def _bind(
    function: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call, caller: _Evaluator
) -> dict[str, Value]:
    """Parameters of ``function`` bound to the evaluated arguments of ``call``."""
    arguments = function.args
    positional = [a.arg for a in [*arguments.posonlyargs, *arguments.args]]
    bound: dict[str, Value] = {}
    defaults = arguments.defaults
    for name, default in zip(positional[len(positional) - len(defaults) :], defaults, strict=True):
        bound[name] = caller.value(default)
    extra: list[str] = []
    for index, argument in enumerate(call.args):
        if isinstance(argument, ast.Starred):
            inner = caller.value(argument.value)
            extra.extend(inner if isinstance(inner, list) else [_placeholder(argument.value)])
        elif index < len(positional):
            bound[positional[index]] = caller.value(argument) or _placeholder(argument)
        else:
            extra.append(caller.string(argument))
    if arguments.vararg is not None:
        bound[arguments.vararg.arg] = extra
    for keyword in call.keywords:
        if keyword.arg is not None:
            bound[keyword.arg] = caller.value(keyword.value) or _placeholder(keyword.value)
    return bound


@dataclass(slots=True)
class _Analysis:
    tree: ast.Module
    imports: _Imports
    constants: dict[str, Value]
    remote_host: str | None
    commands: list[ShellCommand] = field(default_factory=list)
    deploys: list[DeployCommand] = field(default_factory=list)
    calls: list[ScriptCall] = field(default_factory=list)
    #: Hosts the commands reach (``subprocess.run(["ssh", f"ubuntu@{HOST}", …])``).
    hosts: list[HostRef] = field(default_factory=list)

    def emit(self, sink: _Sink, evaluator: _Evaluator, line: int, function: str | None) -> None:
        if sink.kind == "upload":
            source, destination = (evaluator.string(arg) for arg in sink.args)
            argv = ("put", _mask(source), _mask(destination))
            host = self.remote_host or "$host"
            self.deploys.append(
                DeployCommand(
                    DeployKind.SCP, argv, line, hosts=(host,), files=(argv[1],), function=function
                )
            )
            return
        if sink.kind == "argv":
            text = " ".join(shlex.quote(_mask(word)) for word in evaluator.words(sink.args[0]))
        else:
            text = _mask(evaluator.string(sink.args[0]))
        remote: str | None = None
        if sink.kind == "remote-shell":
            remote = self.remote_host or "$host"
        facts = scan_shell(text, first_line=line, remote_host=remote, function=function)
        self.commands.extend(facts.commands)
        self.deploys.extend(facts.deploy_commands)
        self.calls.extend(facts.calls)
        self.hosts.extend(h for h in facts.hosts if h.role.rank > HostRole.LITERAL.rank)


def _mask(text: str) -> str:
    return scan_literal(text, 1).masked


def _module_assignments(tree: ast.Module) -> Iterator[tuple[str, ast.expr]]:
    """``NAME = value`` and ``NAME: T = value`` at module level, in order."""
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        else:
            continue
        if isinstance(target, ast.Name):
            yield target.id, value


def _module_constants(tree: ast.Module) -> dict[str, Value]:
    constants: dict[str, Value] = {}
    evaluator = _Evaluator(constants)
    for name, value in _module_assignments(tree):
        constants[name] = evaluator.value(value)
    return constants


def _local_env(
    function: ast.FunctionDef | ast.AsyncFunctionDef,
    before_line: int,
    base: dict[str, Value],
    bound: dict[str, Value] | None = None,
    assignments: list[ast.Assign] | None = None,
    loop: dict[str, Value] | None = None,
) -> dict[str, Value]:
    """Module constants, bound parameters, then the function's assignments before a line;
    ``loop``: an iteration's loop variables, which no assignment replaces."""
    env = dict(base)
    for name in _parameters(function):
        env.pop(name, None)
    env.update(bound or {})
    env.update(loop or {})
    evaluator = _Evaluator(env)
    for node in assignments if assignments is not None else _simple_assignments(function):
        if node.lineno >= before_line:
            break
        target = node.targets[0]
        if isinstance(target, ast.Name) and target.id not in (loop or {}):
            env[target.id] = evaluator.value(node.value)
    return env


def _simple_assignments(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.Assign]:
    """The function's one-target assignments in line order."""
    return sorted(
        (
            node
            for node in ast.walk(function)
            if isinstance(node, ast.Assign) and len(node.targets) == 1
        ),
        key=lambda n: n.lineno,
    )


def _functions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _calls_in(
    node: ast.AST,
) -> Iterator[tuple[ast.Call, ast.FunctionDef | ast.AsyncFunctionDef | None]]:
    """Every call with its innermost enclosing function."""

    def walk(
        current: ast.AST, function: ast.FunctionDef | ast.AsyncFunctionDef | None
    ) -> Iterator[tuple[ast.Call, ast.FunctionDef | ast.AsyncFunctionDef | None]]:
        for child in ast.iter_child_nodes(current):
            inner = child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            if isinstance(child, ast.Call):
                yield child, function
            yield from walk(child, inner)

    return walk(node, None)


def _connect_host(tree: ast.Module, constants: dict[str, Value]) -> str | None:
    """The one host a paramiko/fabric script connects to, when it is a literal."""
    evaluator = _Evaluator(constants)
    hosts: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in {"connect", "Connection"}:
            continue
        argument = next((k.value for k in node.keywords if k.arg in {"hostname", "host"}), None)
        if argument is None and node.args:
            argument = node.args[0]
        if argument is not None:
            value = evaluator.value(argument)
            if isinstance(value, str):
                user = next(
                    (
                        evaluator.value(k.value)
                        for k in node.keywords
                        if k.arg in {"username", "user"}
                    ),
                    None,
                )
                hosts.add(f"{user}@{value}" if isinstance(user, str) else value)
    return hosts.pop() if len(hosts) == 1 else None


def _fstring_part_positions(tree: ast.Module, lines: list[str]) -> dict[int, tuple[int, int]]:
    """Line and 1-based column of each literal part of every f-string.

    Python 3.11 gives the parts of an f-string the position of the whole f-string, so a
    secret in the tenth line of a triple-quoted f-string was reported on its first line. A
    part is found in the f-string's own source, in order (braces doubled as written); a part
    whose text is not there as it is (escapes) keeps the f-string's position."""
    positions: dict[int, tuple[int, int]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.JoinedStr) or node.end_lineno is None:
            continue
        segment = "\n".join(lines[node.lineno - 1:node.end_lineno])
        cursor = node.col_offset
        for part in node.values:
            if not (isinstance(part, ast.Constant) and isinstance(part.value, str)):
                continue
            if (part.lineno, part.col_offset) != (node.lineno, node.col_offset):
                continue  # a Python that places parts itself
            written = part.value.replace("{", "{{").replace("}", "}}")
            found = segment.find(written, cursor) if written else -1
            if found < 0:
                continue
            newline = segment.rfind("\n", 0, found)
            line = node.lineno + segment.count("\n", 0, found)
            column = found + 1 if newline < 0 else found - newline
            positions[id(part)] = (line, column)
            cursor = found + len(written)
    return positions


def _docstring_nodes(tree: ast.Module) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


#: Calls whose arguments are text for a human (``print``, ``logger.info``, ``click.echo``).
_MESSAGE_CALLS = frozenset(
    {"print", "echo", "secho", "info", "warning", "warn", "error", "debug", "exception",
     "critical", "success", "log", "write", "status", "rule", "panel", "Panel", "notify"}
)  # fmt: skip
#: Calls that fetch the URL they are given (``requests.get``, ``httpx.post``, ``urlopen``).
_FETCH_CALLS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "request", "urlopen", "Request",
     "stream", "ws_connect", "connect_ws"}
)  # fmt: skip
#: paramiko/fabric: the host they connect to runs the commands.
_CONNECT_CALLS = frozenset({"connect", "Connection", "SSHClient"})


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _constants_below(nodes: Sequence[ast.AST]) -> Iterator[ast.Constant]:
    for node in nodes:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                yield inner


def _literal_roles(tree: ast.Module) -> tuple[dict[int, str], dict[int, HostRole]]:
    """Names a string constant is assigned to (a variable, a key, a keyword) and the role
    the call it is given to implies (a message, a fetched URL, a connected host)."""
    named: dict[int, str] = {}
    roles: dict[int, HostRole] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    named[id(node.value)] = target.id
                elif isinstance(target, ast.Attribute):
                    named[id(node.value)] = target.attr
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    named[id(value)] = key.value
        elif isinstance(node, ast.keyword) and node.arg:
            named[id(node.value)] = node.arg
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        arguments: list[ast.AST] = [*node.args, *(k.value for k in node.keywords)]
        if name in _MESSAGE_CALLS:
            for constant in _constants_below(arguments):
                roles[id(constant)] = HostRole.MESSAGE
        elif name in _FETCH_CALLS:
            for constant in _constants_below(arguments):
                if "://" in str(constant.value):
                    roles.setdefault(id(constant), HostRole.CALL)
        elif name in _CONNECT_CALLS:
            hosts = [k.value for k in node.keywords if k.arg in {"hostname", "host"}]
            for constant in _constants_below(hosts or node.args[:1]):
                roles.setdefault(id(constant), HostRole.REMOTE)
    return named, roles


def _literal_findings(
    tree: ast.Module, lines: list[str]
) -> tuple[list[HostRef], list[TokenFinding]]:
    """Hosts and tokens in string constants (docstrings excluded), secret-named values too.

    A host gets the role of its place: a host-named setting (``LAMBDA_HOST = "…"``,
    ``host="…"``), a URL a request fetches, a host paramiko connects to, a message
    (``print``/``logger.info``), or a plain literal."""
    hosts: list[HostRef] = []
    tokens: list[TokenFinding] = []
    docstrings = _docstring_nodes(tree)
    named, roles = _literal_roles(tree)
    parts = _fstring_part_positions(tree, lines)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if id(node) in docstrings:
            continue
        # Past the opening quote; an f-string's part where it really is.
        line, column = parts.get(id(node), (node.lineno, node.col_offset + 2))
        name = named.get(id(node))
        scan = (
            scan_assignment(name, node.value, line, column)
            if name
            else scan_literal(node.value, line, column)
        )
        tokens.extend(scan.tokens)
        if scan.tokens and not scan.hosts:
            continue
        role = roles.get(id(node))
        setting = setting_refs(name, scan.masked, line, column) if name else []
        if setting and role is not HostRole.MESSAGE:
            hosts.extend(setting)
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        shown = evidence(scan_literal(source, 1).masked)
        found = (
            host_refs(scan.masked, line, column, mailboxes=True)
            if role is HostRole.REMOTE  # Connection("deploy@host"): an ssh target
            else scan.hosts
        )
        hosts.extend(with_role(found, role or HostRole.LITERAL, shown=shown))
    return hosts, tokens


def _has_main_guard(tree: ast.Module) -> bool:
    for statement in tree.body:
        if isinstance(statement, ast.If) and isinstance(statement.test, ast.Compare):
            names = _names_in(statement.test)
            constants = {n.value for n in ast.walk(statement.test) if isinstance(n, ast.Constant)}
            if "__name__" in names and "__main__" in constants:
                return True
    return False


def _cli_flags(tree: ast.Module) -> tuple[str, ...]:
    flags: list[str] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add_argument"
        ):
            flags.extend(
                argument.value
                for argument in node.args
                if isinstance(argument, ast.Constant)
                and isinstance(argument.value, str)
                and argument.value.startswith("-")
            )
    return tuple(sorted(set(flags)))


def _parse(text: str, path: str) -> ast.Module:
    try:
        return ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise LoadError(
            f"Python syntax error: {exc.msg}", path=path, line=exc.lineno, column=exc.offset
        ) from None
    except ValueError as exc:  # null bytes
        raise LoadError(f"not Python source: {exc}", path=path, line=1) from None


def _analyse(tree: ast.Module) -> _Analysis:
    imports = _Imports()
    imports.read(tree)
    constants = _module_constants(tree)
    analysis = _Analysis(tree, imports, constants, _connect_host(tree, constants))
    # A function passing its parameters to a sink is a wrapper: its commands are read at
    # each call site with the arguments bound (or in place, with placeholders, if unused).
    candidates: list[tuple[ast.Call, _Sink, ast.FunctionDef | ast.AsyncFunctionDef | None]] = []
    wrapped: dict[str, list[_Wrapper]] = {}
    dependent: dict[int, set[str]] = {}
    all_calls = list(_calls_in(tree))
    for call, function in all_calls:
        sink = imports.sink(call)
        if sink is None:
            continue
        if function is not None:
            if id(function) not in dependent:
                dependent[id(function)] = _parameter_dependent_names(function)
            parameters = dependent[id(function)]
            if any(_names_in(arg) & parameters for arg in sink.args):
                wrapped.setdefault(function.name, []).append(_Wrapper(function, sink, call))
        candidates.append((call, sink, function))
    called = {
        call.func.id
        for call, function in all_calls
        if isinstance(call.func, ast.Name)
        and call.func.id in wrapped
        and (function is None or function.name != call.func.id)
    }
    wrappers = {name: found for name, found in wrapped.items() if name in called}
    direct: list[tuple[ast.Call, _Sink, ast.FunctionDef | ast.AsyncFunctionDef | None]] = [
        (call, sink, function)
        for call, sink, function in candidates
        if function is None
        or function.name not in wrappers
        or all(w.call is not call for w in wrappers[function.name])
    ]
    for call, function in all_calls:
        name = call.func.id if isinstance(call.func, ast.Name) else None
        for candidate in wrappers.get(name or "", []):
            if function is not candidate.function:
                direct.append((call, candidate.sink, function))
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    assignments_cache: dict[int, list[ast.Assign]] = {}

    def assignments_of(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.Assign]:
        if id(function) not in assignments_cache:
            assignments_cache[id(function)] = _simple_assignments(function)
        return assignments_cache[id(function)]

    tables = _module_tables(tree)
    for call, sink, function in sorted(
        direct, key=lambda item: (item[0].lineno, item[0].col_offset)
    ):
        base_env = (
            _local_env(function, call.lineno, constants, None, assignments_of(function))
            if function is not None
            else constants
        )
        wrapper = _wrapper_for(call, sink, wrappers) if imports.sink(call) is None else None
        for loop in _loop_bindings(call, parents, base_env, tables):
            # The loop body's own assignments (``cmd = f"ssh ubuntu@{ip}"``) are read again
            # with the iteration's values.
            env = base_env if not loop else (
                _local_env(function, call.lineno, constants, None, assignments_of(function),
                           loop)
                if function is not None else {**constants, **loop}
            )
            caller = _Evaluator(env)
            if wrapper is not None:
                bound = _bind(wrapper.function, call, caller)
                caller = _Evaluator(
                    _local_env(
                        wrapper.function,
                        wrapper.call.lineno,
                        constants,
                        bound,
                        assignments_of(wrapper.function),
                    )
                )
            analysis.emit(sink, caller, call.lineno, function.name if function else None)
    return analysis


_MAX_LOOP_EXPANSION = 64


def _wrapper_for(
    call: ast.Call, sink: _Sink, wrappers: dict[str, list[_Wrapper]]
) -> _Wrapper | None:
    name = call.func.id if isinstance(call.func, ast.Name) else ""
    return next((w for w in wrappers.get(name, []) if w.sink is sink), None)


#: A module-level table of strings (``INSTANCES = {"ai-core": "192.0.2.7", …}``) as its
#: (key, value) pairs; a value that is not a literal string is None.
Table = list[tuple[str, str | None]]


def _module_tables(tree: ast.Module) -> dict[str, Table]:
    tables: dict[str, Table] = {}
    evaluator = _Evaluator({})
    for name, value in _module_assignments(tree):
        if isinstance(value, ast.Dict):
            pairs: Table = []
            for key, item in zip(value.keys, value.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    text = evaluator.value(item)
                    pairs.append((key.value, text if isinstance(text, str) else None))
            tables[name] = pairs
    return tables


def _iterations(
    loop: ast.For, evaluator: _Evaluator, tables: dict[str, Table]
) -> list[dict[str, Value]] | None:
    """The loop variables' values per iteration, where literals say them: ``for d in
    DIRS``, and over a table ``for name, ip in T.items()``, ``for ip in T.values()``,
    ``for name in T`` / ``T.keys()``."""
    iterable: ast.expr = loop.iter
    method: str | None = None
    if isinstance(loop.iter, ast.Call) and not loop.iter.args and isinstance(
        loop.iter.func, ast.Attribute
    ):
        iterable, method = loop.iter.func.value, loop.iter.func.attr
    table = tables.get(iterable.id) if isinstance(iterable, ast.Name) else None
    target = loop.target
    if table is not None and method in {None, "keys", "values", "items"}:
        if method == "items" and isinstance(target, ast.Tuple) and len(target.elts) == 2 and all(
            isinstance(e, ast.Name) for e in target.elts
        ):
            key_name, value_name = (e.id for e in target.elts if isinstance(e, ast.Name))
            return [{key_name: key, value_name: value} for key, value in table]
        if isinstance(target, ast.Name):
            if method == "values":
                return [{target.id: value} for _, value in table]
            if method in {None, "keys"}:
                return [{target.id: key} for key, _ in table]
        return None
    if method is None and isinstance(target, ast.Name):
        values = evaluator.value(loop.iter)
        if isinstance(values, list) and values:
            return [{target.id: value} for value in values]
    return None


def _loop_bindings(
    call: ast.Call, parents: dict[int, ast.AST], env: dict[str, Value],
    tables: dict[str, Table],
) -> list[dict[str, Value]]:
    """The loop variables of each iteration of the loops around a call ([{}] outside any).

    ``for d in MANIFEST_DIRS: kubectl("apply", "-f", d)`` applies each directory, and
    ``for name, ip in INSTANCES.items(): ssh(f"ubuntu@{ip}")`` reaches each host: the audit
    needs every one of them, not ``$d`` or ``$ip``.
    """
    evaluator = _Evaluator(env)
    bindings: list[dict[str, Value]] = [{}]
    node: ast.AST | None = parents.get(id(call))
    while node is not None and not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        if isinstance(node, ast.For):
            iterations = _iterations(node, evaluator, tables)
            if iterations:
                expanded = [{**b, **i} for b in bindings for i in iterations]
                if len(expanded) <= _MAX_LOOP_EXPANSION:
                    bindings = expanded
        node = parents.get(id(node))
    return bindings


def parse_python_script(text: str, path: str) -> ScriptInfo:
    """Facts about a Python deploy script; LoadError (file:line) on a syntax error."""
    tree = _parse(text, path)
    analysis = _analyse(tree)
    hosts, tokens = _literal_findings(tree, text.splitlines())
    first = text.split("\n", 1)[0]
    return ScriptInfo(
        path=path,
        language="python",
        shebang=first[2:].strip() if first.startswith("#!") else None,
        strict=StrictMode(),
        functions=tuple(
            FunctionDef(f.name, f.lineno, f.end_lineno or f.lineno)
            for f in sorted(_functions(tree), key=lambda f: f.lineno)
        ),
        commands=tuple(analysis.commands),
        deploy_commands=tuple(analysis.deploys),
        calls=tuple(analysis.calls),
        hosts=merge_hosts([*hosts, *analysis.hosts]),
        tokens=tuple(sorted(set(tokens))),
        fingerprint=fingerprint(c.words for c in analysis.commands),
        has_main_guard=_has_main_guard(tree),
        cli_flags=_cli_flags(tree),
    )


def load_python_script(path: Path, display_path: str | None = None) -> ScriptInfo:
    """Read and parse a Python script; ``display_path`` is how findings name it."""
    return parse_python_script(read_text(path), display_path or str(path))
