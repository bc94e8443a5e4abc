"""Compose healthchecks to Kubernetes probes.

Docker only marks a container unhealthy (Swarm replaces it); Kubernetes separates taking a
pod out of rotation (readiness) from restarting it (liveness). The same check drives both,
with liveness needing twice the failures, so a short overload removes a pod from its Service
before it is killed, and the two probes are not identical (kube-score ``pod-probes-identical``).
A plain ``curl``/``wget`` of localhost becomes an ``httpGet`` probe, which needs no shell or
curl in the image; anything else stays an ``exec`` probe.
"""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from kubealign.transform.quantities import seconds_to_int

TestKind = Literal["NONE", "CMD", "CMD-SHELL"]

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "[::1]", "::1"}
# Flags that only change verbosity or failure reporting: they do not alter the request.
_CURL_NOOP_FLAGS = {"-f", "--fail", "-s", "--silent", "-S", "--show-error", "-L", "--location",
                    "-sf", "-fs", "-fsS", "-sSf", "-sS", "-fsSL", "-sfL", "-fL", "-k", "--insecure"}
_CURL_FLAGS_WITH_ARG = {"-o", "--output", "-m", "--max-time", "--connect-timeout", "-w",
                        "--write-out", "--retry"}
_WGET_NOOP_FLAGS = {"-q", "--quiet", "--spider", "-nv", "--no-verbose", "-S",
                    "--server-response", "--no-check-certificate"}
_WGET_FLAGS_WITH_ARG = {"-O", "--output-document", "-T", "--timeout", "-t", "--tries"}
_SHELL_SUFFIXES = (["||", "exit", "1"], ["||", "exit", "1;"], ["||", "false"])
_FAILURE_SUFFIX = re.compile(r"\s*\|\|\s*(?:exit\s+1|false)\s*;?\s*$")
_SHELL_OPERATORS = ("&&", "||", ";", "|", "$(", "`", ">", "<")

DEFAULT_INTERVAL = 30.0
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3


@dataclass(frozen=True, slots=True)
class ProbeSet:
    liveness: dict[str, Any] | None
    readiness: dict[str, Any] | None
    startup: dict[str, Any] | None
    notes: tuple[str, ...]


def http_get_from_command(argv: list[str]) -> dict[str, Any] | None:
    """``curl -f http://localhost:8000/health`` -> an httpGet action, or None."""
    for suffix in _SHELL_SUFFIXES:
        if argv[-len(suffix) :] == suffix:
            argv = argv[: -len(suffix)]
            break
    if not argv:
        return None
    tool = argv[0].rsplit("/", 1)[-1]
    if tool == "curl":
        noop, with_arg = _CURL_NOOP_FLAGS, _CURL_FLAGS_WITH_ARG
    elif tool == "wget":
        noop, with_arg = _WGET_NOOP_FLAGS, _WGET_FLAGS_WITH_ARG
    else:
        return None
    urls: list[str] = []
    args = iter(argv[1:])
    for arg in args:
        name = arg.split("=", 1)[0]
        if arg in noop:
            continue
        if name in with_arg:
            if "=" not in arg:
                next(args, None)
            continue
        if arg.startswith("-"):
            return None  # a header, a method, a body: the request differs from a plain GET
        urls.append(arg)
    if len(urls) != 1:
        return None
    parts = urlsplit(urls[0] if "://" in urls[0] else f"http://{urls[0]}")
    if parts.scheme not in ("http", "https") or parts.hostname is None:
        return None
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if host not in _LOCAL_HOSTS:
        return None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return {"path": path, "port": port, "scheme": parts.scheme.upper()}


def probe_action(kind: TestKind, args: tuple[str, ...]) -> tuple[dict[str, Any] | None, str]:
    """The probe handler for a healthcheck test, and a word on how it was chosen."""
    if kind == "NONE" or not args:
        return None, "disabled"
    if kind == "CMD-SHELL":
        command = " ".join(args)
        # `|| exit 1` only turns curl's failure into exit 1, which a probe reads the same way.
        simple = _FAILURE_SUFFIX.sub("", command)
        if not any(op in simple for op in _SHELL_OPERATORS):
            try:
                http = http_get_from_command(shlex.split(simple))
            except ValueError:
                http = None
            if http is not None:
                return {"httpGet": http}, "httpGet"
        return {"exec": {"command": ["/bin/sh", "-c", command]}}, "exec-shell"
    http = http_get_from_command(list(args))
    if http is not None:
        return {"httpGet": http}, "httpGet"
    return {"exec": {"command": list(args)}}, "exec"


def probes_from_healthcheck(
    kind: TestKind,
    args: tuple[str, ...],
    *,
    interval: float | None = None,
    timeout: float | None = None,
    retries: int | None = None,
    start_period: float | None = None,
    start_interval: float | None = None,
    disable: bool = False,
) -> ProbeSet:
    if disable:
        return ProbeSet(None, None, None, ("healthcheck disabled: no probes",))
    action, how = probe_action(kind, args)
    if action is None:
        return ProbeSet(None, None, None, ("healthcheck test NONE: no probes",))
    period = seconds_to_int(interval if interval is not None else DEFAULT_INTERVAL)
    period = max(period, 1)
    timeout_s = max(seconds_to_int(timeout if timeout is not None else DEFAULT_TIMEOUT), 1)
    failures = max(retries if retries is not None else DEFAULT_RETRIES, 1)
    notes: list[str] = []
    if how == "exec-shell":
        notes.append("CMD-SHELL healthcheck runs through /bin/sh: the image must have a shell")
    base = {**action, "periodSeconds": period, "timeoutSeconds": timeout_s, "successThreshold": 1}
    readiness = {**base, "failureThreshold": failures}
    liveness = {**base, "failureThreshold": failures * 2}
    notes.append(
        f"healthcheck -> readiness (after {failures} failures) and liveness "
        f"(restart after {failures * 2} failures)"
    )
    startup: dict[str, Any] | None = None
    if start_period:
        startup_period = max(seconds_to_int(start_interval or min(period, 5)), 1)
        startup = {
            **action,
            "periodSeconds": startup_period,
            "timeoutSeconds": timeout_s,
            "successThreshold": 1,
            "failureThreshold": math.ceil(start_period / startup_period) + failures,
        }
        notes.append(f"start_period {start_period:g}s -> startupProbe")
    return ProbeSet(liveness, readiness, startup, tuple(notes))


# `$(NAME)`: Kubernetes' reference syntax. The kubelet expands it in env, command and args,
# never in a probe; there `sh -c` would run NAME as a command.
_K8S_REFERENCE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
_SHELLS = ("/bin/sh", "sh", "/bin/bash", "bash", "/bin/ash", "ash")


def _shell_word(arg: str, names: frozenset[str]) -> str:
    """``arg`` as one shell word in which each ``$(NAME)`` of ``names`` reads ``$NAME``."""
    pieces: list[str] = []
    at = 0
    for match in _K8S_REFERENCE.finditer(arg):
        if match.group(1) not in names:
            continue
        if match.start() > at:
            pieces.append(shlex.quote(arg[at:match.start()]))
        pieces.append(f'"${{{match.group(1)}}}"')
        at = match.end()
    if at < len(arg) or not pieces:
        pieces.append(shlex.quote(arg[at:]))
    return "".join(pieces)


def env_reads_in_probe(command: tuple[str, ...], names: frozenset[str]) -> tuple[str, ...]:
    """A probe command whose ``$(NAME)`` references (NAME a container env variable, typically
    a secret put there by the scrubber) read the variable from the environment instead.

    A shell command gets ``${NAME}`` in its script; any other command is run through
    ``/bin/sh -c`` with each argument quoted and the variables expanded by the shell."""
    def refers(text: str) -> bool:
        return any(m.group(1) in names for m in _K8S_REFERENCE.finditer(text))

    if not any(refers(arg) for arg in command):
        return command
    if len(command) == 3 and command[0] in _SHELLS and command[1] == "-c":
        script = _K8S_REFERENCE.sub(
            lambda m: f"${{{m.group(1)}}}" if m.group(1) in names else m.group(0), command[2])
        return (command[0], "-c", script)
    return ("/bin/sh", "-c", " ".join(_shell_word(arg, names) for arg in command))
