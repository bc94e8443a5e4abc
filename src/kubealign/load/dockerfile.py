"""Dockerfiles through BuildKit's own parser (the ``dockerfile`` package).

The parser splits instructions, flags, JSON forms and here-documents exactly as a build
would; this module turns its commands into a :class:`DockerfileInfo` (stages, users,
ports, health checks, mounts, GPU hints, pinning) and compares two of them for the
variants report. RUN text is read with the shell loader, so apt cleanup checks and
secret scanning see real commands rather than lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import dockerfile

from kubealign.errors import LoadError
from kubealign.load.deploy_commands import scan_assignment, scan_literal
from kubealign.load.shell_script import read_text, scan_shell
from kubealign.model.artifacts import (
    DockerArg,
    DockerfileDifference,
    DockerfileInfo,
    DockerStage,
    HealthcheckState,
    ImageRef,
    RunMount,
    TokenFinding,
)

_INSTRUCTIONS = frozenset(
    {
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
        "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME",
        "WORKDIR",
    }
)  # fmt: skip
_GPU_ENV = frozenset(
    {"NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES", "NVIDIA_REQUIRE_CUDA"}
)
_APT_LISTS = "/var/lib/apt/lists"
_T = TypeVar("_T")


def parse_image_ref(text: str) -> ImageRef:
    """Split ``registry:5000/org/app:1.2@sha256:…`` into repository, tag and digest."""
    name, _, digest = text.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        repository, tag = name[:colon], name[colon + 1 :]
    else:
        repository, tag = name, ""
    return ImageRef(text, repository, tag or None, digest or None)


def _substitute(text: str, variables: dict[str, str]) -> str:
    """``$NAME``, ``${NAME}``, ``${NAME:-default}`` from global ARG defaults (as FROM does)."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "$" or index + 1 >= len(text):
            out.append(char)
            index += 1
            continue
        if text[index + 1] == "{":
            end = text.find("}", index + 2)
            if end < 0:
                out.append(text[index:])
                break
            body = text[index + 2 : end]
            name, _, fallback = body.partition(":-")
            if ":-" not in body:
                name, _, fallback = body.partition("-")
            out.append(variables.get(name) or fallback)
            index = end + 1
            continue
        end = index + 1
        while end < len(text) and (text[end].isalnum() or text[end] == "_"):
            end += 1
        name = text[index + 1 : end]
        out.append(variables.get(name, "") if name else "$")
        index = max(end, index + 1)
    return "".join(out)


def _directives(text: str) -> dict[str, str]:
    """Parser directives (``# syntax=…``, ``# escape=…``): leading comment lines only."""
    found: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line.startswith("#"):
            break
        key, equals, value = line[1:].partition("=")
        if not equals or not key.strip().isidentifier():
            break
        found.setdefault(key.strip().lower(), value.strip())
    return found


def _parse_commands(text: str, path: str) -> tuple[dockerfile.Command, ...]:
    try:
        return tuple(dockerfile.parse_string(text))
    except dockerfile.GoParseError as exc:
        message = str(exc)
        if message == "file with no instructions":
            raise LoadError(
                "Dockerfile has no instructions; expected FROM", path=path, line=1
            ) from None
        raise LoadError(f"Dockerfile {message}", path=path, line=_failing_line(text)) from None


def _failing_line(text: str) -> int:
    """The line where parsing starts to fail (the opening of an unterminated heredoc)."""
    lines = text.splitlines(keepends=True)
    for count in range(len(lines) - 1, 0, -1):
        try:
            dockerfile.parse_string("".join(lines[:count]))
        except dockerfile.GoParseError:
            continue
        following = count
        while following < len(lines) and not lines[following].strip():
            following += 1
        return following + 1
    return 1


@dataclass(slots=True)
class _StageBuilder:
    index: int
    name: str | None
    base: ImageRef
    base_written: str
    base_stage: str | None
    platform: str | None
    line: int
    user: str | None = None
    user_line: int | None = None
    copy_from: list[str] = field(default_factory=list)
    mounts: list[RunMount] = field(default_factory=list)
    exposed: list[str] = field(default_factory=list)
    env: list[tuple[str, str, int]] = field(default_factory=list)
    healthcheck: HealthcheckState | None = None
    healthcheck_line: int | None = None
    entrypoint: tuple[str, ...] | None = None
    cmd: tuple[str, ...] | None = None

    def frozen(self) -> DockerStage:
        return DockerStage(
            index=self.index,
            name=self.name,
            base=self.base,
            base_written=self.base_written,
            base_stage=self.base_stage,
            platform=self.platform,
            line=self.line,
            user=self.user,
            user_line=self.user_line,
            copy_from=tuple(self.copy_from),
            mounts=tuple(self.mounts),
        )


def _flag(flags: Sequence[str], name: str) -> str | None:
    prefix = f"--{name}="
    for flag in flags:
        if flag.startswith(prefix):
            return flag[len(prefix) :]
    return None


def _mount(flag_value: str, line: int) -> RunMount:
    options: dict[str, str] = {}
    for part in flag_value.split(","):
        key, _, value = part.partition("=")
        options[key.strip()] = value.strip()
    target = options.get("target") or options.get("dst") or options.get("destination")
    return RunMount(options.get("type", "bind"), line, target or None, options.get("id") or None)


@dataclass(slots=True)
class _Builder:
    path: str
    stages: list[_StageBuilder] = field(default_factory=list)
    args: list[DockerArg] = field(default_factory=list)
    global_args: dict[str, str] = field(default_factory=dict)
    gpu_hints: list[tuple[int, str]] = field(default_factory=list)
    add_urls: list[tuple[int, str]] = field(default_factory=list)
    apt_without_cleanup: list[int] = field(default_factory=list)
    tokens: list[TokenFinding] = field(default_factory=list)

    @property
    def stage(self) -> _StageBuilder:
        return self.stages[-1]

    def fail(self, message: str, line: int) -> LoadError:
        return LoadError(message, path=self.path, line=line)

    def add(self, command: dockerfile.Command) -> None:
        instruction = command.cmd.upper()
        line = command.start_line
        if instruction not in _INSTRUCTIONS:
            raise self.fail(
                f"unknown instruction {command.cmd!r}; expected a Dockerfile instruction", line
            )
        if instruction == "ARG":
            self.arg(command)
            return
        if instruction == "FROM":
            self.from_(command)
            return
        if not self.stages:
            raise self.fail(f"{instruction} before the first FROM; expected FROM or ARG", line)
        handler = getattr(self, "on_" + instruction.lower(), None)
        if handler is not None:
            handler(command)

    def arg(self, command: dockerfile.Command) -> None:
        for item in command.value:
            name, equals, default = item.partition("=")
            masked: str | None = None
            if equals:
                scan = scan_assignment(name, default, command.start_line)
                self.tokens.extend(scan.tokens)
                masked = scan.masked
                if not self.stages:
                    self.global_args[name] = default
            stage = self.stage.index if self.stages else None
            self.args.append(DockerArg(name, masked, command.start_line, stage))

    def from_(self, command: dockerfile.Command) -> None:
        values = list(command.value)
        if not values or not values[0]:
            raise self.fail(
                "FROM without an image; expected FROM IMAGE [AS NAME]", command.start_line
            )
        written = values[0]
        name = values[2] if len(values) >= 3 and values[1].upper() == "AS" else None
        resolved = _substitute(written, self.global_args)
        known = {s.name.lower(): s.name for s in self.stages if s.name}
        base_stage = known.get(resolved.lower())
        platform = _flag(command.flags, "platform")
        base = parse_image_ref(resolved)
        self.stages.append(
            _StageBuilder(
                len(self.stages), name, base, written, base_stage, platform, command.start_line
            )
        )
        if base_stage is None:
            reason = _gpu_image_reason(base)
            if reason:
                self.gpu_hints.append((command.start_line, reason))

    def on_user(self, command: dockerfile.Command) -> None:
        if command.value:
            self.stage.user = command.value[0]
            self.stage.user_line = command.start_line

    def on_expose(self, command: dockerfile.Command) -> None:
        for item in command.value:
            self.stage.exposed.extend(part for part in item.split() if part)

    def on_healthcheck(self, command: dockerfile.Command) -> None:
        disabled = bool(command.value) and command.value[0].upper() == "NONE"
        self.stage.healthcheck = HealthcheckState.DISABLED if disabled else HealthcheckState.PRESENT
        self.stage.healthcheck_line = command.start_line

    def on_cmd(self, command: dockerfile.Command) -> None:
        self.stage.cmd = self.masked_values(command)

    def on_entrypoint(self, command: dockerfile.Command) -> None:
        self.stage.entrypoint = self.masked_values(command)

    def masked_values(self, command: dockerfile.Command) -> tuple[str, ...]:
        masked: list[str] = []
        for value in command.value:
            scan = scan_literal(value, command.start_line)
            self.tokens.extend(scan.tokens)
            masked.append(scan.masked)
        return tuple(masked)

    def on_env(self, command: dockerfile.Command) -> None:
        values = list(command.value)
        for name, value in zip(values[::2], values[1::2], strict=False):
            scan = scan_assignment(name, value, command.start_line)
            self.tokens.extend(scan.tokens)
            self.stage.env.append((name, scan.masked, command.start_line))
            if name in _GPU_ENV:
                self.gpu_hints.append((command.start_line, f"ENV {name}"))

    def on_copy(self, command: dockerfile.Command) -> None:
        source = _flag(command.flags, "from")
        if source is not None:
            self.stage.copy_from.append(source)

    def on_add(self, command: dockerfile.Command) -> None:
        self.on_copy(command)
        for value in command.value[:-1]:
            if value.startswith(("http://", "https://", "git@")):
                self.add_urls.append((command.start_line, scan_literal(value, 1).masked))

    def on_run(self, command: dockerfile.Command) -> None:
        line = command.start_line
        mounts = [
            _mount(flag.split("=", 1)[1], line)
            for flag in command.flags
            if flag.startswith("--mount=")
        ]
        self.stage.mounts.extend(mounts)
        for text, first_line in _run_scripts(command):
            facts = scan_shell(text, first_line=first_line)
            self.tokens.extend(facts.tokens)
            words = [c.words for c in facts.commands]
            if _installs_with_apt(words) and not _cleans_apt_lists(words, mounts):
                self.apt_without_cleanup.append(line)


def _run_scripts(command: dockerfile.Command) -> list[tuple[str, int]]:
    """The shell text a RUN executes, with the line its first line sits on."""
    if command.heredocs:
        scripts: list[tuple[str, int]] = []
        offset = command.start_line + 1
        for heredoc in command.heredocs:
            scripts.append((heredoc.content, offset))
            offset += heredoc.content.count("\n") + 1
        return scripts
    if command.json:
        return [(" ".join(command.value), command.start_line)]
    return [(value, command.start_line) for value in command.value]


def _installs_with_apt(commands: Iterable[Sequence[str]]) -> bool:
    return any(
        words and words[0] in {"apt-get", "apt"} and "install" in words for words in commands
    )


def _cleans_apt_lists(commands: Iterable[Sequence[str]], mounts: Sequence[RunMount]) -> bool:
    if any(m.type == "cache" and m.target and m.target.startswith("/var/lib/apt") for m in mounts):
        return True
    return any(
        words and words[0] == "rm" and any(w.startswith(_APT_LISTS) for w in words)
        for words in commands
    )


def _gpu_image_reason(image: ImageRef) -> str | None:
    repository = image.repository.lower()
    tag = (image.tag or "").lower()
    if "cuda" in repository or "cuda" in tag:
        return f"CUDA base image {image.text}"
    if repository.startswith(("nvidia/", "nvcr.io/")):
        return f"NVIDIA base image {image.text}"
    return None


def _inherited(
    stages: Sequence[_StageBuilder], pick: Callable[[_StageBuilder], _T | None]
) -> tuple[_T | None, _StageBuilder | None]:
    """Follow FROM <stage> links from the final stage until ``pick`` gives a value."""
    by_name = {s.name.lower(): s for s in stages if s.name}
    stage: _StageBuilder | None = stages[-1]
    seen: set[int] = set()
    while stage is not None and stage.index not in seen:
        seen.add(stage.index)
        value = pick(stage)
        if value:
            return value, stage
        stage = by_name.get(stage.base_stage.lower()) if stage.base_stage else None
    return None, None


def parse_dockerfile(text: str, path: str) -> DockerfileInfo:
    """Facts about Dockerfile ``text``; ``path`` names it in errors and findings."""
    commands = _parse_commands(text, path)
    builder = _Builder(path)
    for command in commands:
        builder.add(command)
    if not builder.stages:
        line = commands[-1].end_line if commands else 1
        raise LoadError(
            "Dockerfile has no FROM instruction; expected FROM IMAGE", path=path, line=line
        )
    stages = builder.stages
    health, health_stage = _inherited(stages, lambda s: s.healthcheck)
    entrypoint, _ = _inherited(stages, lambda s: s.entrypoint)
    cmd, _ = _inherited(stages, lambda s: s.cmd)
    exposed, _ = _inherited(stages, lambda s: tuple(s.exposed))
    final = stages[-1]
    return DockerfileInfo(
        path=path,
        syntax=_directives(text).get("syntax"),
        stages=tuple(stage.frozen() for stage in stages),
        args=tuple(builder.args),
        env=tuple(final.env),
        exposed_ports=exposed or (),
        healthcheck=health or HealthcheckState.ABSENT,
        healthcheck_line=health_stage.healthcheck_line if health_stage else None,
        entrypoint=entrypoint,
        cmd=cmd,
        gpu_hints=tuple(builder.gpu_hints),
        add_urls=tuple(builder.add_urls),
        apt_without_cleanup=tuple(builder.apt_without_cleanup),
        tokens=tuple(sorted(set(builder.tokens))),
    )


def load_dockerfile(path: Path, display_path: str | None = None) -> DockerfileInfo:
    """Read and parse a Dockerfile; ``display_path`` is how findings name it."""
    return parse_dockerfile(read_text(path), display_path or str(path))


# --------------------------------------------------------------------------- comparison


def _describe_stages(info: DockerfileInfo) -> str:
    return ", ".join(stage.name or f"#{stage.index}" for stage in info.stages)


def _describe_bases(info: DockerfileInfo) -> str:
    return ", ".join(dict.fromkeys(s.base.text for s in info.stages if s.base_stage is None))


def _describe(values: tuple[str, ...] | None) -> str:
    return " ".join(values) if values else "-"


_ASPECTS: tuple[tuple[str, Callable[[DockerfileInfo], str]], ...] = (
    ("syntax", lambda i: i.syntax or "-"),
    ("base-image", _describe_bases),
    ("final-base-image", lambda i: i.final_stage.base_written),
    ("stages", _describe_stages),
    ("user", lambda i: i.effective_user),
    ("exposed-ports", lambda i: " ".join(i.exposed_ports) or "-"),
    ("healthcheck", lambda i: i.healthcheck.value),
    ("entrypoint", lambda i: _describe(i.entrypoint)),
    ("cmd", lambda i: _describe(i.cmd)),
    ("gpu", lambda i: "yes" if i.gpu else "no"),
    ("platform", lambda i: ", ".join(sorted({s.platform for s in i.stages if s.platform})) or "-"),
)


def compare_dockerfiles(
    left: DockerfileInfo, right: DockerfileInfo
) -> tuple[DockerfileDifference, ...]:
    """What differs between two Dockerfiles, aspect by aspect, in a fixed order."""
    differences: list[DockerfileDifference] = []
    for aspect, describe in _ASPECTS:
        a, b = describe(left), describe(right)
        if a != b:
            differences.append(DockerfileDifference(aspect, str(a), str(b)))
    return tuple(differences)
