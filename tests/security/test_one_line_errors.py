"""Errors reach the user as one line with an exit code, never as a traceback."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

COMPOSE = "services:\n  api:\n    image: acme/api:1.0\n    ports: ['8080:8080']\n"
SETPRIV = shutil.which("setpriv")
SOPHIA = Path(__file__).resolve().parents[2] / "examples" / "sophia"


def _kubealign(*args: str, cwd: Path, as_nobody: bool = False
               ) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "kubealign", *args]
    if as_nobody:
        # root reads a chmod 000 folder anyway: drop to an unprivileged user to test it.
        assert SETPRIV is not None
        command = [SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=300,
                          check=False)


def _one_line(proc: subprocess.CompletedProcess[str], code: int) -> str:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "compose.yaml").write_text(COMPOSE)
    return repo


needs_unprivileged = pytest.mark.skipif(
    os.geteuid() == 0 and SETPRIV is None,
    reason="running as root without setpriv: permissions cannot be denied")


@needs_unprivileged
@pytest.mark.parametrize("command", [["inventory"], ["audit", "--format", "json"],
                                     ["plan", "--stdout"], ["migrate", "--out", "{out}"]])
def test_an_unreadable_folder_in_the_repository_is_reported_not_fatal(
        command: list[str]) -> None:
    # Not tmp_path: pytest's base folder is private to its user, the other user must enter.
    top = Path(tempfile.mkdtemp(prefix="kubealign-perm-"))
    try:
        top.chmod(0o777)
        repo = _repo(top)
        repo.chmod(0o777)
        locked = repo / "locked"
        locked.mkdir()
        (locked / "compose.yaml").write_text(COMPOSE)
        locked.chmod(0)
        args = [a.replace("{out}", str(top / "out")) for a in command]
        proc = _kubealign(args[0], str(repo), *args[1:], cwd=top,
                          as_nobody=os.geteuid() == 0)
        inventory = (top / "out" / "inventory.json").read_text() if "migrate" in args else ""
    finally:
        (top / "repo" / "locked").chmod(0o755)
        shutil.rmtree(top)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    if args[0] == "inventory":
        assert "locked: unreadable directory" in proc.stdout
    if args[0] == "migrate":
        assert '"reason": "unreadable directory' in inventory


def test_an_unwritable_output_location_is_one_line(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (tmp_path / "file").write_text("not a folder")
    line = _one_line(_kubealign("convert", str(repo), "--out", str(tmp_path / "file" / "out"),
                                "--no-render", cwd=tmp_path), 2)
    assert line.startswith("error: cannot write")


def test_debug_shows_the_traceback_and_keeps_the_exit_code(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (tmp_path / "report").mkdir()
    proc = _kubealign("--debug", "audit", str(repo), "-o", str(tmp_path / "report"),
                      cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("error: ")


@pytest.mark.parametrize("delay", [0.3, 2.5])
def test_ctrl_c_is_exit_130_without_a_traceback(tmp_path: Path, delay: float) -> None:
    """0.3 s lands during start-up (importing the commands takes ~0.8 s), 2.5 s in migrate."""
    repo = tmp_path / "repo"
    shutil.copytree(SOPHIA, repo)
    proc = subprocess.Popen([sys.executable, "-m", "kubealign", "migrate", str(repo), "--out",
                             str(tmp_path / "out")], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the command finished before the interrupt arrived")
    assert proc.returncode == 130, stderr
    assert stderr.strip() == "interrupted"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


@pytest.fixture
def unreadable_compose() -> Iterator[Path]:
    """A world-writable folder holding ``repo/compose.yaml`` nobody may read (mode 0)."""
    top = Path(tempfile.mkdtemp(prefix="kubealign-perm-"))
    try:
        top.chmod(0o777)
        repo = _repo(top)
        repo.chmod(0o777)
        (repo / "compose.yaml").chmod(0)
        yield top
    finally:
        shutil.rmtree(top)


@needs_unprivileged
@pytest.mark.parametrize("command", ["convert", "resolve"])
def test_an_unreadable_compose_file_is_one_line(command: str, unreadable_compose: Path) -> None:
    top, repo = unreadable_compose, unreadable_compose / "repo"
    args = [str(repo), "--out", str(top / "out"), "--no-render"] if command == "convert" \
        else ["--project-directory", str(repo)]
    proc = _kubealign(command, *args, cwd=top, as_nobody=os.geteuid() == 0)
    line = _one_line(proc, 2)
    assert "compose.yaml" in line and "Permission denied" in line, line
    assert not (top / "out").exists()


@needs_unprivileged
@pytest.mark.parametrize("command", ["convert", "resolve"])
def test_an_unreadable_file_typed_with_f_is_one_line_naming_it(command: str,
                                                              unreadable_compose: Path) -> None:
    """Not Click's usage box ("path ... is not readable"): the file and the reason, exit 2."""
    top = unreadable_compose
    args = ["-f", "repo/compose.yaml"]
    if command == "convert":
        args += ["--out", str(top / "out"), "--no-render"]
    proc = _kubealign(command, *args, cwd=top, as_nobody=os.geteuid() == 0)
    line = _one_line(proc, 2)
    assert line.startswith("error: ") and "repo/compose.yaml" in line, line
    assert "Permission denied" in line and "Usage" not in proc.stderr, line


def test_no_command_asks_click_whether_a_path_is_readable() -> None:
    """The class behind the test above: every path option and argument of every command is
    read by its action (one line naming the file and the reason), never checked by Click."""
    import importlib

    from kubealign.cli.commands import COMMANDS
    from kubealign.cli.lazy import build_command

    checked: list[str] = []
    seen = 0

    def walk(command: object, name: str) -> None:
        nonlocal seen
        for param in getattr(command, "params", ()):
            info = getattr(getattr(param, "type_descriptor", None), "parameter_info", None)
            if info is not None and hasattr(info, "readable"):
                seen += 1
                if info.readable:
                    checked.append(f"{name} {param.name}")
        for sub_name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{name} {sub_name}")

    for entry in COMMANDS:
        importlib.import_module(entry.module)
        walk(build_command(entry.name), entry.name)
    assert seen > 10  # the walk reached the commands' parameters
    assert checked == []
