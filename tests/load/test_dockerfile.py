"""Dockerfiles: stages, users, pinning, health checks, mounts, GPU hints, comparison."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kubealign.errors import LoadError
from kubealign.load.dockerfile import (
    compare_dockerfiles,
    load_dockerfile,
    parse_dockerfile,
    parse_image_ref,
)
from kubealign.model.artifacts import DockerfileInfo, HealthcheckState


def parse(text: str) -> DockerfileInfo:
    return parse_dockerfile(textwrap.dedent(text).lstrip("\n"), "Dockerfile")


MULTI_STAGE = """
# syntax=docker/dockerfile:1.7
# escape=\\
ARG PYTHON=3.11-slim
FROM --platform=$BUILDPLATFORM python:${PYTHON} AS builder
RUN --mount=type=cache,target=/root/.cache/pip \\
    --mount=type=secret,id=pypi_token \\
    pip wheel -r requirements.txt -w /wheels
FROM builder AS test
RUN pytest
FROM python:3.11-slim@sha256:0123456789abcdef AS runtime
COPY --from=builder /wheels /wheels
USER app:app
EXPOSE 8000/tcp 9100
HEALTHCHECK --interval=30s CMD curl -f http://localhost:8000/health || exit 1
ENTRYPOINT ["uvicorn"]
CMD ["app.main:app", "--port", "8000"]
"""


def test_multi_stage_facts() -> None:
    info = parse(MULTI_STAGE)
    assert info.syntax == "docker/dockerfile:1.7"
    assert [(s.name, s.line) for s in info.stages] == [("builder", 4), ("test", 8), ("runtime", 10)]
    builder, test, runtime = info.stages
    assert builder.base.text == "python:3.11-slim" and builder.base_written == "python:${PYTHON}"
    assert builder.platform == "$BUILDPLATFORM"
    assert [(m.type, m.target, m.id, m.line) for m in builder.mounts] == [
        ("cache", "/root/.cache/pip", None, 5),
        ("secret", None, "pypi_token", 5),
    ]
    assert test.base_stage == "builder"
    assert runtime.base.pinned_by_digest and not runtime.base.unpinned
    assert runtime.copy_from == ("builder",)
    assert info.final_stage is runtime
    assert info.effective_user == "app:app" and not info.runs_as_root
    assert info.exposed_ports == ("8000/tcp", "9100")
    assert info.healthcheck is HealthcheckState.PRESENT and info.healthcheck_line == 14
    assert info.entrypoint == ("uvicorn",)
    assert info.cmd == ("app.main:app", "--port", "8000")
    assert [(a.name, a.default, a.stage) for a in info.args] == [("PYTHON", "3.11-slim", None)]
    assert info.unpinned_bases == ()
    assert not info.gpu


def test_root_by_default_and_unpinned_bases() -> None:
    info = parse("""
        FROM python
        FROM node:latest AS web
        FROM ubuntu:22.04
        FROM scratch
        """)
    assert info.effective_user == "root" and info.runs_as_root
    assert [s.base.text for s in info.unpinned_bases] == ["python", "node:latest"]
    assert info.healthcheck is HealthcheckState.ABSENT


def test_user_is_inherited_from_the_base_stage() -> None:
    info = parse("""
        FROM debian:12 AS base
        USER 1000
        FROM base
        RUN true
        """)
    assert info.final_stage.user is None and info.effective_user == "1000"
    later_root = parse("FROM debian:12\nUSER app\nUSER root\n")
    assert later_root.runs_as_root and later_root.final_stage.user_line == 3


def test_healthcheck_none_and_ports_inherited_through_stages() -> None:
    info = parse("""
        FROM nginx:1.27 AS base
        EXPOSE 80
        HEALTHCHECK NONE
        FROM base
        """)
    assert info.healthcheck is HealthcheckState.DISABLED and info.healthcheck_line == 3
    assert info.exposed_ports == ("80",)


def test_gpu_hints() -> None:
    info = parse("""
        FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04
        ENV NVIDIA_VISIBLE_DEVICES=all NVIDIA_DRIVER_CAPABILITIES=compute,utility
        """)
    assert [line for line, _ in info.gpu_hints] == [1, 2, 2]
    assert "CUDA" in info.gpu_hints[0][1]
    assert parse("FROM pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime\n").gpu
    assert parse("FROM nvcr.io/nvidia/pytorch:24.05-py3\n").gpu
    assert not parse("FROM python:3.11\n").gpu


def test_add_urls_and_apt_cleanup() -> None:
    info = parse("""
        FROM debian:12
        ADD https://example.com/tool.tar.gz /opt/
        ADD ./local /opt/local
        RUN apt-get update && apt-get install -y curl
        RUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*
        RUN --mount=type=cache,target=/var/lib/apt apt-get install -y jq
        RUN <<EOF
        apt-get update
        apt-get install -y vim
        EOF
        """)
    assert info.add_urls == ((2, "https://example.com/tool.tar.gz"),)
    assert info.apt_without_cleanup == (4, 7)


def test_secrets_in_args_env_and_run_are_masked() -> None:
    token = "ghp_" + "Q1w2E3r4T5y6" * 3
    password = "sup3r-s3cret-pw"
    text = (
        "FROM alpine:3.20\n"
        f"ARG GITHUB_TOKEN={token}\n"
        f"ENV DB_PASSWORD={password}\n"
        f"RUN curl -H 'Authorization: token {token}' https://api.github.com\n"
        f'CMD ["run", "--token={token}"]\n'
    )
    info = parse_dockerfile(text, "Dockerfile")
    assert [(t.line, t.kind) for t in info.tokens] == [
        (2, "secret-assignment"),
        (3, "secret-assignment"),
        (4, "github-token"),
        (5, "github-token"),
    ]
    assert token not in repr(info) and password not in repr(info)
    assert info.env == (("DB_PASSWORD", "sup3…", 3),)


def test_image_references() -> None:
    ref = parse_image_ref("registry.local:5000/org/app:1.2@sha256:abc")
    assert (ref.repository, ref.tag, ref.digest) == (
        "registry.local:5000/org/app",
        "1.2",
        "sha256:abc",
    )
    assert parse_image_ref("registry.local:5000/app").tag is None
    assert parse_image_ref("registry.local:5000/app").unpinned
    assert parse_image_ref("$BASE").has_variable


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ("FROM a\nRUN x\nFROOM b\n", 3, "unknown instruction"),
        ("RUN x\nFROM a\n", 1, "before the first FROM"),
        ("ARG A=1\n", 1, "no FROM"),
        ("", 1, "no instructions"),
        ("FROM a\nRUN true\n\nRUN <<EOF\necho\n", 4, "unterminated heredoc"),
        ("FROM\n", 1, "FROM without an image"),
    ],
)
def test_errors_name_file_and_line(text: str, line: int, expected: str) -> None:
    with pytest.raises(LoadError, match=expected) as caught:
        parse_dockerfile(text, "svc/Dockerfile")
    assert caught.value.path == "svc/Dockerfile" and caught.value.line == line
    assert str(caught.value).startswith(f"svc/Dockerfile:{line}: ")


def test_comparison_lists_what_differs() -> None:
    simple = parse("""
        FROM python:latest
        EXPOSE 8000
        CMD ["uvicorn", "app:app"]
        """)
    production = parse(MULTI_STAGE)
    aspects = {d.aspect: (d.left, d.right) for d in compare_dockerfiles(simple, production)}
    assert aspects["syntax"] == ("-", "docker/dockerfile:1.7")
    assert aspects["user"] == ("root", "app:app")
    assert aspects["stages"] == ("#0", "builder, test, runtime")
    assert aspects["exposed-ports"] == ("8000", "8000/tcp 9100")
    assert aspects["healthcheck"] == ("absent", "present")
    assert "gpu" not in aspects
    assert compare_dockerfiles(production, production) == ()


def test_load_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile.gh200"
    path.write_text("FROM nvcr.io/nvidia/cuda:12.4.1-runtime-ubuntu22.04\nUSER 1000\n")
    info = load_dockerfile(path, "docker/Dockerfile.gh200")
    assert info.path == "docker/Dockerfile.gh200" and info.gpu and info.effective_user == "1000"
    with pytest.raises(LoadError):
        load_dockerfile(tmp_path / "nope")
