"""Nothing outside the repository is read: canaries planted around it never reach any output.

Canary files sit outside the repository root and in a fake $HOME (.ssh/id_rsa,
.aws/credentials, an /etc-like passwd); a compose file names them every way Compose allows
(absolute and ``../`` bind mounts, ``~/``, ``configs``/``secrets`` ``file:``, ``env_file``,
``extends``, ``include``, a symlink inside the repository pointing out), and so do a
Dockerfile (``build.dockerfile``, a ``../`` build context), a kustomization (``resources`` out
of the repository, a symlinked manifest), a deploy script and a Makefile (sourcing, running,
including files outside). Every command that reads a repository runs on it, and no byte
of any file written, of stdout or of stderr may hold a canary.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kubealign.errors import LoadError
from kubealign.load.boundary import OUTSIDE_REASON, OutsideRepository, ReadBoundary

CANARIES = ("CANARY_ETC_7f3a", "CANARY_SSH_91bc", "CANARY_AWS_55de", "CANARY_ENV_0042",
            "CANARY_ENVVAL_11", "CANARY_EXT_77aa", "CANARY_INC_88bb", "CANARY_DOTENV_99",
            "CANARY_DOCKERFILE_3c", "CANARY_KUSTOMIZE_4d", "CANARY_SCRIPT_5e", "CANARY_MAKE_6f",
            "CANARY_MANIFEST_7a")


def _plant(tmp_path: Path) -> tuple[Path, Path]:
    """The canaries around a repository; returns (repository, fake home)."""
    outside = tmp_path / "outside"
    home = tmp_path / "home"
    for folder in (outside, home / ".ssh", home / ".aws"):
        folder.mkdir(parents=True)
    (outside / "passwd").write_text("root:x:0:0:CANARY_ETC_7f3a:/root:/bin/sh\n")
    (home / ".ssh" / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n"
                                          "CANARY_SSH_91bc\n-----END OPENSSH PRIVATE KEY-----\n")
    (home / ".aws" / "credentials").write_text(
        "[default]\naws_secret_access_key = CANARY_AWS_55de\n")
    (outside / "app.env").write_text("CANARY_ENV_0042=CANARY_ENVVAL_11\n")
    (outside / "base.yaml").write_text(
        "services:\n  base:\n    image: CANARY_EXT_77aa/img:1\n")
    (outside / "inc.yaml").write_text(
        "services:\n  inc:\n    image: CANARY_INC_88bb/img:1\n")
    (outside / "dotenv").write_text("TAG=CANARY_DOTENV_99\n")
    # What a Dockerfile, a kustomization, a deploy script and a Makefile can name.
    (outside / "Dockerfile").write_text("FROM CANARY_DOCKERFILE_3c/base:1\nUSER 1000\n")
    (outside / "context").mkdir()
    (outside / "context" / "Dockerfile").write_text("FROM CANARY_DOCKERFILE_3c/ctx:1\n")
    (outside / "res.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: CANARY_KUSTOMIZE_4d\n")
    # (each of these shows up in migrate's output when the file is inside the repository)
    (outside / "deploy.sh").write_text("#!/bin/sh\ndocker stack deploy -c compose.yaml "
                                       "CANARY_SCRIPT_5e\n")
    (outside / "rules.mk").write_text(
        "deploy:\n\tdocker compose -p CANARY_MAKE_6f -f compose.yaml up -d\n")
    (outside / "manifest.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: CANARY_MANIFEST_7a\n")
    return outside, home


COMPOSE = """\
services:
  api:
    image: acme/api:${TAG:-1.0}
    env_file:
      - {outside}/app.env
    volumes:
      - {outside}/passwd:/etc/pw:ro
      - ../outside/passwd:/etc/rel:ro
      - ../../{rel_outside}/passwd:/etc/deep:ro
      - ~/.ssh/id_rsa:/root/.ssh/id_rsa:ro
      - ./linked.conf:/etc/linked.conf:ro
      - type: bind
        source: ~/.aws/credentials
        target: /root/.aws/credentials
    configs:
      - source: passwd
      - source: aws
    secrets:
      - key
  worker:
    image: acme/worker:1.0
    env_file: ./linked.env
    secrets:
      - key
  builder:
    build:
      context: .
      dockerfile: {outside}/Dockerfile
  remote:
    build: ../../{rel_outside}/context
configs:
  passwd:
    file: {outside}/passwd
  aws:
    file: ~/.aws/credentials
secrets:
  key:
    file: ~/.ssh/id_rsa
"""


def _repository(tmp_path: Path, outside: Path) -> Path:
    repo = tmp_path / "work" / "repo"
    repo.mkdir(parents=True)
    text = COMPOSE.replace("{outside}", str(outside)).replace(
        "{rel_outside}", os.path.relpath(outside, repo.parent.parent))
    text = text.replace("../outside/passwd", os.path.relpath(outside / "passwd", repo))
    (repo / "compose.yaml").write_text(text)
    (repo / "linked.conf").symlink_to(outside / "passwd")
    (repo / "linked.env").symlink_to(outside / "app.env")
    (repo / ".env").symlink_to(outside / "dotenv")
    (repo / "k8s").mkdir()
    (repo / "k8s" / "kustomization.yaml").write_text(
        f"resources:\n  - {os.path.relpath(outside / 'res.yaml', repo / 'k8s')}\n"
        f"  - {outside}/res.yaml\n  - linked.yaml\n")
    (repo / "k8s" / "linked.yaml").symlink_to(outside / "manifest.yaml")
    (repo / "deploy.sh").write_text(
        f"#!/bin/sh\n. {outside}/deploy.sh\nsh {os.path.relpath(outside, repo)}/deploy.sh\n"
        f"docker compose -f {outside}/inc.yaml up -d\n")
    (repo / "Makefile").write_text(f"include {outside}/rules.mk\n"
                                   f"up:\n\tdocker compose --env-file {outside}/app.env up\n")
    return repo


def _run(args: list[str], cwd: Path, home: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "kubealign", *args], capture_output=True,
                          cwd=cwd, env=env, timeout=300, check=False)


def _leaks(data: bytes) -> list[str]:
    return [c for c in CANARIES if c.encode() in data]


def _tree_leaks(folder: Path) -> dict[str, list[str]]:
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            leaks = _leaks(path.read_bytes())
            if leaks:
                found[str(path)] = leaks
    return found


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    tmp_path = tmp_path_factory.mktemp("canaries")
    outside, home = _plant(tmp_path)
    return tmp_path, _repository(tmp_path, outside), home


@pytest.mark.parametrize("command", [
    ["convert", "{repo}", "--out", "{out}"],
    ["convert", "-f", "{repo}/compose.yaml", "--out", "{out}", "--no-render"],
    ["resolve", "-f", "{repo}/compose.yaml"],
    ["resolve", "-f", "{repo}/compose.yaml", "--mask-secrets", "--format", "json"],
    ["migrate", "{repo}", "--out", "{out}"],
    ["audit", "{repo}", "--format", "json"],
    ["inventory", "{repo}"],
    ["plan", "{repo}", "--stdout"],
])
def test_no_canary_reaches_any_output(planted: tuple[Path, Path, Path], command: list[str],
                                      tmp_path: Path) -> None:
    _, repo, home = planted
    out = tmp_path / "out"
    args = [a.replace("{repo}", str(repo)).replace("{out}", str(out)) for a in command]
    proc = _run(args, tmp_path, home)
    assert proc.returncode in (0, 1, 2), proc.stderr
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()
    assert not _leaks(proc.stdout), proc.stdout.decode()[-2000:]
    assert not _leaks(proc.stderr), proc.stderr.decode()[-2000:]
    assert not _tree_leaks(tmp_path)
    assert not _tree_leaks(repo)  # nothing written into the repository either


def test_refused_files_are_reported_with_the_reason(planted: tuple[Path, Path, Path],
                                                    tmp_path: Path) -> None:
    _, repo, home = planted
    proc = _run(["convert", str(repo), "--out", str(tmp_path / "out"), "--no-render"],
                tmp_path, home)
    assert proc.returncode == 0, proc.stderr
    report = (tmp_path / "out" / "conversion.md").read_text()
    assert f"env_file {repo.parent.parent / 'outside' / 'app.env'} not read: " \
           f"{OUTSIDE_REASON}" in report
    assert "compose.yaml:5" in report  # the env_file line
    assert "not read" in report and "linked.env" in report  # the symlink inside, refused


def test_allow_path_opts_in(planted: tuple[Path, Path, Path], tmp_path: Path) -> None:
    base, repo, home = planted
    proc = _run(["resolve", "-f", str(repo / "compose.yaml"), "--allow-path",
                 str(base / "outside" / "app.env")], tmp_path, home)
    assert proc.returncode == 0, proc.stderr
    assert b"CANARY_ENVVAL_11" in proc.stdout  # the user asked for exactly this file
    assert b"CANARY_ETC_7f3a" not in proc.stdout


def test_extends_and_include_outside_are_refused_with_file_and_line(tmp_path: Path) -> None:
    outside, home = _plant(tmp_path)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "compose.yaml").write_text(
        f"services:\n  api:\n    extends:\n      file: {outside}/base.yaml\n"
        "      service: base\n")
    proc = _run(["resolve", "-f", str(repo / "compose.yaml")], tmp_path, home)
    assert proc.returncode == 2
    line = proc.stderr.decode().strip()
    assert "compose.yaml:3" in line or "compose.yaml:4" in line, line
    assert OUTSIDE_REASON in line and not _leaks(proc.stderr)
    (repo / "compose.yaml").write_text(
        f"include:\n  - {outside}/inc.yaml\nservices:\n  api:\n    image: a:1\n")
    proc = _run(["resolve", "-f", str(repo / "compose.yaml")], tmp_path, home)
    assert proc.returncode == 2
    line = proc.stderr.decode().strip()
    assert "compose.yaml:2" in line and OUTSIDE_REASON in line, line
    assert not _leaks(proc.stdout + proc.stderr)


# --------------------------------------------------------------------------- the module


def test_boundary_resolves_symlinks_and_dotdot(tmp_path: Path) -> None:
    outside, _ = _plant(tmp_path)
    repo = tmp_path / "repo"
    (repo / "sub").mkdir(parents=True)
    (repo / "sub" / "ok.txt").write_text("ok")
    (repo / "out.txt").symlink_to(outside / "passwd")
    (repo / "loop").symlink_to(repo / "loop")
    boundary = ReadBoundary.for_project(repo, exact=True)
    assert boundary.read_bytes(repo / "sub" / "ok.txt") == b"ok"
    assert boundary.permits(repo / "sub" / ".." / "sub" / "ok.txt")
    for path in (repo / "out.txt", repo / ".." / "outside" / "passwd", outside / "passwd",
                 repo / "sub" / ".." / ".." / "outside" / "passwd"):
        assert boundary.refusal(path) == OUTSIDE_REASON, path
        with pytest.raises(OutsideRepository):
            boundary.read_bytes(path)
        assert boundary.bytes_or_none(str(path)) is None
    assert boundary.bytes_or_none(str(repo / "loop")) is None  # a loop is not a file


def test_boundary_is_the_git_work_tree_unless_the_directory_was_named(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "shared.env").write_text("A=1\n")
    project = tmp_path / "deploy"
    project.mkdir()
    assert ReadBoundary.for_project(project).permits(tmp_path / "shared.env")
    assert not ReadBoundary.for_project(project, exact=True).permits(tmp_path / "shared.env")


def test_boundary_reads_only_regular_files_of_bounded_size(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "big").write_bytes(b"x" * 2048)
    boundary = ReadBoundary.for_project(tmp_path, exact=True)
    with pytest.raises(LoadError, match="not a regular file"):
        boundary.read_bytes(fifo)  # would block forever if opened for a plain read
    with pytest.raises(LoadError, match="limit"):
        boundary.read_bytes(tmp_path / "big", max_bytes=1024)
    with pytest.raises(LoadError, match="not a regular file"):
        boundary.read_bytes(tmp_path)


def test_the_converter_alone_reads_only_inside_the_project(tmp_path: Path) -> None:
    # A library caller that passes no readers gets the project's own boundary, not open().
    from kubealign.load.compose.normalize import normalize_data
    from kubealign.load.yaml_safe import load_yaml_text
    from kubealign.transform.convert import ConversionOptions, convert_project
    from kubealign.transform.values_model import to_values

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text("root:x:0:0:CANARY_ETC_7f3a:/root:/bin/sh\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "inside.conf").write_text("listen 8080\n")
    text = (f"services:\n  api:\n    image: acme/api:1\n    configs: [host, local]\n"
            f"    volumes: ['{outside}/passwd:/etc/pw:ro', './inside.conf:/etc/in.conf:ro']\n"
            f"configs:\n  host:\n    file: {outside}/passwd\n  local:\n    file: ./inside.conf\n")
    loaded = load_yaml_text(text, str(repo / "compose.yaml"))
    project = normalize_data(loaded.data, name="demo", sources=loaded.sources,
                             project_directory=repo, files=(repo / "compose.yaml",))
    values = repr(to_values(convert_project(project, ConversionOptions(release="demo")).values))
    assert "CANARY_ETC_7f3a" not in values
    assert "listen 8080" in values  # what is inside is still converted
