"""Who a service's container runs as, read from the repository's Dockerfile (built images).

Under compose a built image runs as its Dockerfile's last ``USER`` (inherited through the
stages it builds on), root when there is none. Kubernetes needs that as a number to keep
``runAsNonRoot`` (the kubelet cannot verify a user *name* is not root), so a name is looked up
in the ``useradd``/``adduser`` line that created it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from kubealign.errors import KubealignError
from kubealign.load.dockerfile import parse_dockerfile
from kubealign.model.artifacts import DockerfileInfo, DockerStage
from kubealign.model.compose import Service

_ROOT = frozenset({"root", "0"})
_ARG_REF = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}?")


@dataclass(frozen=True, slots=True)
class ImageUser:
    """The user of a built image, as far as its Dockerfile says."""

    dockerfile: str
    user: str | None
    """``USER`` as written (variables resolved), None when the Dockerfile sets none."""
    line: int | None
    uid: int | None
    gid: int | None
    base_image: str | None
    """The external image the target stage builds on (its facts apply without ``USER``)."""

    @property
    def is_root(self) -> bool:
        if self.uid is not None:
            return self.uid == 0
        return self.user is None or self.user.split(":", 1)[0] in _ROOT

    @property
    def where(self) -> str:
        return f"{self.dockerfile}:{self.line}" if self.line else self.dockerfile


def built_image_user(service: Service, read_file: Callable[[str], str | None]
                     ) -> ImageUser | None:
    """The user of ``service``'s built image, or None (no build, Dockerfile unreadable)."""
    build = service.build
    if build is None:
        return None
    if build.dockerfile_inline:
        text: str | None = build.dockerfile_inline
        path = "dockerfile_inline"
    else:
        if not build.context or "://" in build.context:
            return None
        name = build.dockerfile or "Dockerfile"
        path = name if name.startswith("/") else str(PurePosixPath(build.context) / name)
        text = read_file(path)
    if text is None:
        return None
    try:
        info = parse_dockerfile(text, path)
    except KubealignError:
        return None  # an unparsable Dockerfile is the audit's finding, not the converter's
    return _user_of(info, text, build.target, dict(build.args.items()))


def _user_of(info: DockerfileInfo, text: str, target: str | None,
             build_args: dict[str, str | None]) -> ImageUser:
    by_name = {s.name: s for s in info.stages if s.name}
    stage: DockerStage | None = by_name.get(target) if target else None
    stage = stage or info.final_stage
    seen: set[int] = set()
    while stage is not None and stage.index not in seen:
        seen.add(stage.index)
        if stage.user is not None:
            user = _resolve(stage.user, info, build_args)
            uid, gid = _numeric(user, text)
            return ImageUser(info.path, user, stage.user_line, uid, gid, None)
        if stage.base_stage is None:
            return ImageUser(info.path, None, None, None, None, stage.base.text)
        stage = by_name.get(stage.base_stage)
    return ImageUser(info.path, None, None, None, None, None)


def _resolve(user: str, info: DockerfileInfo, build_args: dict[str, str | None]) -> str:
    """``USER ${UID}`` with the build's args, else the ``ARG`` defaults."""
    defaults = {a.name: a.default for a in info.args if a.default is not None}

    def value(match: re.Match[str]) -> str:
        given = build_args.get(match.group(1))
        return given if given is not None else defaults.get(match.group(1), match.group(2) or "")

    return _ARG_REF.sub(value, user)


def _numeric(user: str, text: str) -> tuple[int | None, int | None]:
    """UID and GID of ``user`` (``name[:group]`` or numbers); a name is looked up in the
    ``useradd -u N``/``adduser -u N`` that created it."""
    name, _, group = user.partition(":")
    uid = int(name) if name.isdigit() else _created_id(name, text, ("-u", "--uid"))
    if group:
        gid = int(group) if group.isdigit() else _created_id(group, text, ("-g", "--gid"))
    else:
        gid = None
    return uid, gid


def _created_id(name: str, text: str, flags: tuple[str, ...]) -> int | None:
    if not name or "$" in name:
        return None
    joined = re.sub(r"\\\n", " ", text)
    for command in re.split(r"&&|;|\n", joined):
        words = command.split()
        if not any(w in ("useradd", "adduser", "groupadd", "addgroup") for w in words):
            continue
        if name not in words:
            continue
        for index, word in enumerate(words):
            for flag in flags:
                if word == flag and index + 1 < len(words) and words[index + 1].isdigit():
                    return int(words[index + 1])
                if word.startswith(f"{flag}=") and word.split("=", 1)[1].isdigit():
                    return int(word.split("=", 1)[1])
    return None
