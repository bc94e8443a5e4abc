"""Where a host stands: which words of a command, and which settings, name a host to reach.

A DNS name or an address in a deploy script is a deployment target only by its position:
``ssh deploy@203.0.113.7`` runs there, ``DOCKER_HOST=tcp://…`` drives that daemon,
``API_URL=https://api.example.org`` and ``curl https://api.example.org/health`` reach that
service, while ``echo "docs: https://…"``, ``helm repo add … https://charts…`` or a file
named ``requirements.in`` reach nothing. The loaders give each reference its
:class:`HostRole` with these functions; the audit then asks whose host it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from kubealign.load.deploy_commands import remote_host_of, strip_wrappers
from kubealign.load.hosts import host_refs
from kubealign.model.artifacts import HostRef, HostRole

_EVIDENCE_MAX = 160

#: Commands whose words are text for a human.
_MESSAGE_COMMANDS = frozenset(
    {"echo", "printf", "logger", "read", "wall", "notify-send", "figlet", "cowsay",
     "whiptail", "dialog", "zenity", "gum"}
)  # fmt: skip
#: Helper functions scripts define to print (``log_info``, ``print_status``, ``success``).
_MESSAGE_FUNCTION = re.compile(
    r"_?(log|print|echo|say|msg|message|info|warn|warning|error|err|success|ok|fail|failure"
    r"|die|fatal|note|notice|step|header|banner|status|title|section|debug|show|report"
    r"|highlight|blue|green|red|yellow|cyan|bold)([_\-]|$)",
    re.IGNORECASE,
)
#: A setting that names a host: ``*_HOST``, ``SERVER``, ``*_IP``, ``*_URL``, ``DOMAIN``…
_HOST_SETTING = re.compile(
    r"(?:^|[_.\-])(?:hosts?|hostnames?|servers?|ips?|addr|address|urls?|uris?|endpoints?"
    r"|domains?|fqdn|remote|target|dest|destination|manager|instance|origin|upstream)"
    r"(?:$|[_.\-])|^server_name$",
    re.IGNORECASE,
)
#: Settings that say where commands run (the Docker daemon, the ssh target).
_REMOTE_SETTING = re.compile(r"^DOCKER_HOST$|SSH", re.IGNORECASE)
_SSH_VALUE_OPTIONS = frozenset(
    {"-B", "-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o",
     "-p", "-Q", "-R", "-S", "-W", "-w"}
)  # fmt: skip
_KEYSCAN_VALUE_OPTIONS = frozenset({"-f", "-p", "-T", "-t", "-i", "-o", "-O"})
_SSHPASS_VALUE_OPTIONS = frozenset({"-p", "-f", "-d", "-P"})
_COPIES = frozenset({"scp", "rsync", "sftp"})
_FETCHES = frozenset({"curl", "wget", "http", "https", "xh", "httpie", "grpcurl", "websocat",
                      "wscat", "hey", "ab", "k6"})
_PROBES = frozenset({"ping", "nc", "ncat", "netcat", "telnet", "traceroute", "nslookup", "dig",
                     "host", "mtr"})
_DOCKERS = frozenset({"docker", "docker-compose", "podman", "nerdctl"})
#: Options whose value is a host to reach (``--hostname`` names a container, not a target).
_HOST_OPTIONS = frozenset(
    {"--host", "--server", "--address", "--addr", "--endpoint", "--url", "--api-url",
     "--base-url", "--advertise-addr", "--master", "--remote", "--target", "--connect",
     "-connect", "--db-host", "--redis-host"}
)  # fmt: skip
_DATABASE_CLIENTS = frozenset(
    {"psql", "pg_dump", "pg_dumpall", "pg_restore", "pg_isready", "mysql", "mysqldump",
     "mysqladmin", "redis-cli", "mongo", "mongosh", "mongodump", "mongorestore",
     "clickhouse-client", "cqlsh"}
)  # fmt: skip
_CERT_DOMAIN_OPTIONS = frozenset({"-d", "--domain", "--domains"})
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_KEY_VALUE = re.compile(r"^([A-Za-z_][\w.\-]*)=(.*)$", re.DOTALL)
#: ``${HOST:-10.1.2.3}``: the default is the host (blanked, so columns stay right).
_DEFAULT_OPERATOR = re.compile(r"\$\{[A-Za-z_0-9]+:?[-=]")


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


@dataclass(frozen=True, slots=True)
class WordUse:
    """Word ``index`` of a command names a host in ``role`` (``name``: the option/setting)."""

    index: int
    role: HostRole
    name: str = ""
    value_offset: int = 0  # where the value starts in the word (after ``--host=``)


def _basename(word: str) -> str:
    return word.rsplit("/", 1)[-1]


def is_message_command(word: str) -> bool:
    name = _basename(word)
    return name in _MESSAGE_COMMANDS or bool(_MESSAGE_FUNCTION.match(name))


def is_host_setting(name: str) -> bool:
    return bool(_HOST_SETTING.search(name))


def setting_role(name: str) -> HostRole | None:
    """The role of a host assigned to ``name``: REMOTE for ``DOCKER_HOST``/``SSH_HOST``,
    SETTING for any other host-named setting, None for a name that names no host."""
    if not is_host_setting(name):
        return None
    return HostRole.REMOTE if _REMOTE_SETTING.search(name) else HostRole.SETTING


def evidence(text: str) -> str:
    """A command or assignment as a finding shows it: one line, at most 160 characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= _EVIDENCE_MAX else flat[: _EVIDENCE_MAX - 1] + "…"


def with_role(
    refs: Sequence[HostRef], role: HostRole, *, name: str = "", shown: str = ""
) -> list[HostRef]:
    return [replace(r, role=role, name=name or r.name, evidence=shown or r.evidence)
            for r in refs]


def setting_refs(name: str, value: str, line: int, column: int = 1) -> list[HostRef]:
    """The hosts a ``name=value`` setting names, when ``name`` is a host setting."""
    role = setting_role(name)
    if role is None or not value:
        return []
    refs = host_refs(_DEFAULT_OPERATOR.sub(_blank, value), line, column, mailboxes=True)
    return [replace(r, role=role, name=name, evidence=setting_evidence(name, value, line, r.line))
            for r in refs]


def setting_evidence(name: str, value: str, line: int, at_line: int) -> str:
    """``NAME=value``; for a value over several lines (an array), the line of the host."""
    lines = value.split("\n")
    if len(lines) == 1 or not 0 <= at_line - line < len(lines):
        return evidence(f"{name}={value}")
    if at_line == line:
        return evidence(f"{name}={lines[0]} …")
    return evidence(f"{name}=… {lines[at_line - line]}")


def _positionals(args: Sequence[str], with_value: frozenset[str]) -> list[int]:
    found: list[int] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg.startswith("-") and arg != "-":
            index += 2 if arg in with_value else 1
            continue
        found.append(index)
        index += 1
    return found


def _option_uses(words: Sequence[str], start: int, name: str) -> list[WordUse]:
    uses: list[WordUse] = []
    for index in range(start + 1, len(words)):
        word = words[index]
        option, equals, _ = word.partition("=")
        host_option = option in _HOST_OPTIONS or (
            name in _DATABASE_CLIENTS and option == "-h"
        ) or (name in _DOCKERS and option == "-H")
        if host_option:
            role = HostRole.REMOTE if name in _DOCKERS else HostRole.SETTING
            if equals:
                uses.append(WordUse(index, role, option, len(option) + 1))
            elif index + 1 < len(words):
                uses.append(WordUse(index + 1, role, option))
            continue
        if name == "certbot" and option in _CERT_DOMAIN_OPTIONS:
            if equals:
                uses.append(WordUse(index, HostRole.SETTING, "certbot domain", len(option) + 1))
            elif index + 1 < len(words):
                uses.append(WordUse(index + 1, HostRole.SETTING, "certbot domain"))
            continue
        if word.startswith("host=") and name in _DOCKERS:  # docker context create --docker
            uses.append(WordUse(index, HostRole.REMOTE, "docker host", len("host=")))
            continue
        match = _KEY_VALUE.match(word.lstrip("-"))
        if match and not word.startswith("-") and is_host_setting(match.group(1)):
            key = match.group(1)
            role = setting_role(key) or HostRole.SETTING
            uses.append(WordUse(index, role, key, len(key) + 1))
    return uses


def command_uses(words: Sequence[str]) -> list[WordUse]:
    """The words of a simple command that name a host to reach, and how."""
    stripped = list(strip_wrappers(words))
    offset = len(words) - len(stripped)
    if stripped and _basename(stripped[0]) == "sshpass":
        skip = 1
        while skip < len(stripped) and stripped[skip].startswith("-"):
            skip += 2 if stripped[skip] in _SSHPASS_VALUE_OPTIONS else 1
        stripped, offset = stripped[skip:], offset + skip
    if not stripped or is_message_command(stripped[0]):
        return []
    name = _basename(stripped[0])
    args = stripped[1:]
    base = offset + 1
    uses: list[WordUse] = []
    if name in {"ssh", "mosh", "autossh"}:
        positions = _positionals(args, _SSH_VALUE_OPTIONS)
        if positions:
            uses.append(WordUse(base + positions[0], HostRole.REMOTE, name))
    elif name in _COPIES:
        uses.extend(
            WordUse(base + i, HostRole.REMOTE, name)
            for i, word in enumerate(args)
            if not word.startswith("-") and (remote_host_of(word) or name == "sftp")
        )
    elif name in {"ssh-keyscan", "ssh-copy-id"}:
        uses.extend(WordUse(base + i, HostRole.REMOTE, name)
                    for i in _positionals(args, _KEYSCAN_VALUE_OPTIONS))
    elif name.startswith("ansible"):
        uses.extend(WordUse(base + i + 1, HostRole.REMOTE, "ansible inventory")
                    for i, word in enumerate(args[:-1]) if word in {"-i", "--inventory"})
    elif name in _FETCHES:
        uses.extend(WordUse(base + i, HostRole.CALL, name)
                    for i, word in enumerate(args) if "://" in word)
    elif name in _PROBES:
        positions = _positionals(args, frozenset({"-c", "-p", "-w", "-W", "-t", "-i", "-q"}))
        uses.extend(WordUse(base + i, HostRole.CALL, name) for i in positions[:1])
    uses.extend(_option_uses(words, offset, name))
    if name in {"kubectl", "oc"} and "--" in stripped:  # kubectl exec pod -- pg_isready -h …
        start = offset + stripped.index("--") + 1
        uses.extend(replace(use, index=start + use.index) for use in command_uses(words[start:]))
    return uses


def word_refs(word: str, use: WordUse, line: int, column: int, shown: str) -> list[HostRef]:
    """The hosts of one used word, in the use's role, with the command as evidence."""
    value = word[use.value_offset :]
    if "$(" in value or "`" in value:
        return []  # a command substitution: its own command says what it reaches
    refs = host_refs(value, line, column + use.value_offset,
                     mailboxes=use.role is HostRole.REMOTE)
    return with_role(refs, use.role, name=use.name, shown=shown)


def variables_in(word: str) -> set[str]:
    """``$HOST``, ``${USER}`` named in a word (a target given through variables)."""
    return set(_VARIABLE.findall(word))
