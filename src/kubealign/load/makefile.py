"""Makefiles: targets, prerequisites and recipes, with each recipe line read as shell.

GNU make's own syntax (logical lines, assignments, rules, ``.PHONY``, conditionals,
``define`` blocks, ``include``) is read here; recipe text is expanded the way make would
hand it to the shell (``$$`` -> ``$``, ``$(MAKE)`` -> ``make``, simple variables
substituted, ``$(shell …)`` -> ``$(…)``, anything else -> ``$NAME``) and then parsed by
the shell loader, so deploy commands and script calls are classified like everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kubealign.load.deploy_commands import scan_assignment, scan_literal
from kubealign.load.host_positions import setting_refs
from kubealign.load.hosts import merge_hosts
from kubealign.load.shell_script import read_text, scan_shell
from kubealign.model.artifacts import (
    DeployCommand,
    HostRef,
    MakefileInfo,
    MakeTarget,
    RecipeLine,
    ScriptCall,
    ShellCommand,
    TokenFinding,
)

_CONDITIONALS = frozenset({"ifeq", "ifneq", "ifdef", "ifndef", "else", "endif"})
_INCLUDES = frozenset({"include", "-include", "sinclude"})
_ASSIGNMENT_OPERATORS = ("::=", ":::=", ":=", "?=", "+=", "!=", "=")
_MAX_EXPANSION_DEPTH = 8


@dataclass(frozen=True, slots=True)
class _LogicalLine:
    line: int  # first physical line
    text: str


def _logical_lines(text: str) -> list[_LogicalLine]:
    """Join backslash-continued lines, remembering where each logical line starts."""
    result: list[_LogicalLine] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if raw.endswith("\\") and not raw.endswith("\\\\"):
            pending.append(raw[:-1])
            continue
        pending.append(raw)
        # A recipe keeps its backslash-newlines (the shell joins them); make joins the rest.
        joiner = "\\\n" if pending[0][:1] == "\t" else " "
        result.append(_LogicalLine(start, joiner.join(pending)))
        pending = []
    if pending:
        result.append(_LogicalLine(start, " ".join(pending)))
    return result


def _strip_comment(text: str) -> str:
    index = 0
    while True:
        index = text.find("#", index)
        if index < 0:
            return text
        if index == 0 or text[index - 1] != "\\":
            return text[:index]
        index += 1


def _assignment(text: str) -> tuple[str, str] | None:
    """``NAME op value`` (with optional ``export``/``override``) or None."""
    body = text.strip()
    for prefix in ("export ", "override ", "private "):
        if body.startswith(prefix):
            body = body[len(prefix) :].lstrip()
    equals = body.find("=")
    if equals <= 0:
        return None
    colon = body.find(":")
    for operator in _ASSIGNMENT_OPERATORS:
        start = equals + 1 - len(operator)
        if start >= 0 and body[start : equals + 1] == operator:
            if 0 <= colon < start:
                return None  # "target: VAR = value" is a target-specific variable
            name = body[:start].strip()
            if not name or any(c.isspace() for c in name):
                return None
            return name, body[equals + 1 :].strip()
    return None


def _find_closing(text: str, start: int, opener: str) -> int:
    closer = ")" if opener == "(" else "}"
    depth = 0
    for index in range(start, len(text)):
        if text[index] == opener:
            depth += 1
        elif text[index] == closer:
            depth -= 1
            if depth == 0:
                return index
    return -1


@dataclass(slots=True)
class _Expander:
    """Make's expansion of recipe text, as far as it can be known without running make."""

    variables: dict[str, str]
    automatic: dict[str, str] = field(default_factory=dict)

    def expand(self, text: str, depth: int = 0) -> str:
        out: list[str] = []
        index = 0
        while index < len(text):
            char = text[index]
            if char != "$" or index + 1 >= len(text):
                out.append(char)
                index += 1
                continue
            nxt = text[index + 1]
            if nxt == "$":
                out.append("$")
                index += 2
            elif nxt in "({":
                end = _find_closing(text, index + 1, nxt)
                if end < 0:
                    out.append(text[index:])
                    break
                out.append(self.reference(text[index + 2 : end], depth))
                index = end + 1
            else:
                out.append(self.automatic.get(nxt, "$" + nxt))
                index += 2
        return "".join(out)

    def reference(self, inner: str, depth: int) -> str:
        name, _, argument = inner.partition(" ")
        if name == "shell" and argument:
            return "$(" + self.expand(argument, depth) + ")"
        if argument or "," in name or ":" in name:
            return "${" + name + "}"  # make functions and substitution references
        if name in {"MAKE", "MAKE_COMMAND"}:
            return "make"
        value = self.variables.get(name)
        if value is None or depth >= _MAX_EXPANSION_DEPTH:
            return "$" + name
        return self.expand(value, depth + 1)


def _strip_recipe_prefix(text: str) -> tuple[str, bool, bool]:
    """Remove make's ``@`` (silent), ``-`` (ignore errors) and ``+`` markers."""
    silent = ignore = False
    body = text.lstrip()
    while body[:1] in {"@", "-", "+"}:
        silent |= body[0] == "@"
        ignore |= body[0] == "-"
        body = body[1:].lstrip()
    return body, silent, ignore


@dataclass(slots=True)
class _RuleBuilder:
    names: list[str]
    line: int
    prerequisites: list[str]
    recipe: list[RecipeLine] = field(default_factory=list)


@dataclass(slots=True)
class _Reader:
    path: str
    variables: dict[str, str] = field(default_factory=dict)
    variable_lines: list[tuple[str, int]] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    rules: list[_RuleBuilder] = field(default_factory=list)
    phony: set[str] = field(default_factory=set)
    tokens: list[TokenFinding] = field(default_factory=list)
    hosts: list[HostRef] = field(default_factory=list)
    recipe_prefix: str = "\t"

    def read(self, text: str) -> None:
        current: _RuleBuilder | None = None
        in_define: str | None = None
        for logical in _logical_lines(text):
            raw = logical.text
            if in_define is not None:
                if raw.strip() == "endef":
                    in_define = None
                continue
            if current is not None and raw.startswith(self.recipe_prefix):
                self.recipe_line(current, raw[len(self.recipe_prefix) :], logical.line)
                continue
            stripped = _strip_comment(raw).strip()
            if not stripped:
                continue
            keyword = stripped.split(None, 1)[0]
            if keyword in _CONDITIONALS:
                continue
            if keyword == "define" or stripped.startswith(("export define", "override define")):
                in_define = stripped
                name = stripped.split()[-1]
                self.variable_lines.append((name, logical.line))
                current = None
                continue
            if keyword in _INCLUDES:
                self.includes.extend(stripped.split()[1:])
                continue
            assignment = _assignment(stripped)
            if assignment is not None:
                self.assign(*assignment, logical.line)
                continue
            current = self.rule(stripped, logical.line)

    def assign(self, name: str, value: str, line: int) -> None:
        scan = scan_assignment(name, value, line)
        self.tokens.extend(scan.tokens)
        self.hosts.extend(scan.hosts)
        if not scan.tokens:
            self.hosts.extend(setting_refs(name, scan.masked, line))
        self.variables.setdefault(name, scan.masked)  # ?= and first definitions win for us
        self.variable_lines.append((name, line))
        if name == ".RECIPEPREFIX" and value:
            self.recipe_prefix = value[0]

    def rule(self, text: str, line: int) -> _RuleBuilder | None:
        colon = text.find(":")
        if colon <= 0:
            return None
        targets_text = text[:colon]
        rest = text[colon + 1 :].lstrip(":")
        inline_recipe = None
        if ";" in rest:
            rest, inline_recipe = rest.split(";", 1)
        if "=" in rest:
            return None  # target-specific variable
        names = targets_text.split()
        prerequisites = rest.split(":")[-1].split()
        if names == [".PHONY"]:
            self.phony.update(prerequisites)
            return None
        if all(name.startswith(".") and name[1:].isupper() for name in names):
            return None
        builder = _RuleBuilder(names, line, prerequisites)
        self.rules.append(builder)
        if inline_recipe and inline_recipe.strip():
            self.recipe_line(builder, inline_recipe, line)
        return builder

    def recipe_line(self, rule: _RuleBuilder, text: str, line: int) -> None:
        body, silent, ignore = _strip_recipe_prefix(text)
        if body:
            rule.recipe.append(RecipeLine(line, body, silent, ignore))


def parse_makefile(text: str, path: str) -> MakefileInfo:
    """Facts about Makefile ``text``; ``path`` names it in findings."""
    reader = _Reader(path)
    reader.read(text)
    targets: list[MakeTarget] = []
    commands: list[ShellCommand] = []
    deploys: list[DeployCommand] = []
    calls: list[ScriptCall] = []
    tokens = list(reader.tokens)
    hosts = list(reader.hosts)
    for rule in reader.rules:
        for name in rule.names:
            expander = _Expander(
                reader.variables,
                {"@": name, "<": rule.prerequisites[0] if rule.prerequisites else "",
                 "^": " ".join(rule.prerequisites)},
            )  # fmt: skip
            recipe: list[RecipeLine] = []
            for step in rule.recipe:
                facts = scan_shell(expander.expand(step.text), first_line=step.line, function=name)
                commands.extend(facts.commands)
                deploys.extend(facts.deploy_commands)
                calls.extend(facts.calls)
                if name == rule.names[0]:
                    tokens.extend(facts.tokens)
                    hosts.extend(facts.hosts)
                masked = scan_literal(step.text, step.line).masked
                recipe.append(RecipeLine(step.line, masked, step.silent, step.ignore_errors))
            targets.append(
                MakeTarget(
                    name, rule.line, tuple(rule.prerequisites), tuple(recipe), name in reader.phony
                )
            )
    return MakefileInfo(
        path=path,
        targets=tuple(targets),
        variables=tuple(reader.variable_lines),
        includes=tuple(reader.includes),
        commands=tuple(commands),
        deploy_commands=tuple(deploys),
        calls=tuple(calls),
        hosts=merge_hosts(hosts),
        tokens=tuple(sorted(set(tokens))),
    )


def load_makefile(path: Path, display_path: str | None = None) -> MakefileInfo:
    """Read and parse a Makefile; ``display_path`` is how findings name it."""
    return parse_makefile(read_text(path), display_path or str(path))
