"""Who a built image runs as, from the repository's Dockerfile (for the pod's securityContext)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubealign.model.compose import EMPTY, Build, FrozenMap, Service
from kubealign.transform.convert.image_user import built_image_user


def _user(tmp_path: Path, dockerfile: str, **build: object):  # type: ignore[no-untyped-def]
    (tmp_path / "Dockerfile").write_text(dockerfile)
    service = Service(name="app", build=Build(context=str(tmp_path), args=EMPTY, **build))
    return built_image_user(service, lambda p: Path(p).read_text() if Path(p).is_file()
                            else None)


@pytest.mark.parametrize(("dockerfile", "uid", "gid", "root"), [
    ("FROM alpine:3.20\nUSER 1000\n", 1000, None, False),
    ("FROM alpine:3.20\nUSER 1000:2000\n", 1000, 2000, False),
    ("FROM alpine:3.20\nRUN addgroup -g 3000 web && adduser -D -u 3000 -G web web\n"
     "USER web:web\n", 3000, 3000, False),
    ("FROM debian:12\nRUN useradd --uid=4000 svc\nUSER svc\n", 4000, None, False),
    ("FROM alpine:3.20\nARG UID=5000\nUSER ${UID}\n", 5000, None, False),
    ("FROM alpine:3.20\nUSER root\n", None, None, True),
    ("FROM alpine:3.20\nUSER 0\n", 0, None, True),
    ("FROM alpine:3.20\nCMD [\"sh\"]\n", None, None, True),
])
def test_dockerfile_user(tmp_path: Path, dockerfile: str, uid: int | None, gid: int | None,
                         root: bool) -> None:
    found = _user(tmp_path, dockerfile)
    assert found is not None
    assert (found.uid, found.gid, found.is_root) == (uid, gid, root)


def test_user_inherited_from_an_earlier_stage_and_target(tmp_path: Path) -> None:
    text = ("FROM python:3.12 AS base\nUSER 1001\nFROM base AS app\nCMD [\"run\"]\n"
            "FROM base AS debug\nUSER root\n")
    assert _user(tmp_path, text, target="app").uid == 1001  # type: ignore[union-attr]
    assert _user(tmp_path, text).is_root  # type: ignore[union-attr]


def test_no_user_names_the_base_image_and_build_args_win(tmp_path: Path) -> None:
    found = _user(tmp_path, "FROM postgres:16\nCOPY init.sql /docker-entrypoint-initdb.d/\n")
    assert found is not None and found.user is None and found.base_image == "postgres:16"
    service = Service(name="app", build=Build(context=str(tmp_path),
                                              args=FrozenMap({"UID": "7000"})))
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nARG UID=5000\nUSER $UID\n")
    found = built_image_user(service, lambda p: Path(p).read_text())
    assert found is not None and found.uid == 7000


def test_unreadable_or_unparsable_dockerfile_is_no_answer(tmp_path: Path) -> None:
    service = Service(name="app", build=Build(context=str(tmp_path)))
    assert built_image_user(service, lambda p: None) is None
    assert _user(tmp_path, "RUN echo no from\n") is None
    assert built_image_user(Service(name="app", image="nginx:1"), lambda p: "") is None
