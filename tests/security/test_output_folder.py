"""`--out` is replaced only when kubealign wrote it, all or nothing, one run at a time."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kubealign.actions.convert import ConvertRequest, convert
from kubealign.emit.atomic import MARKER, output_session, write_tree_atomic
from kubealign.errors import HelmError, UsageError

COMPOSE = "services:\n  api:\n    image: acme/api:1.0\n    ports: ['8080:8080']\n"


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "compose.yaml").write_text(COMPOSE)
    (repo / "README.md").write_text("keep me\n")
    return repo


def _kubealign(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kubealign", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300, check=False)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _assert_refused(proc: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert fragment in lines[0]
    assert "Traceback" not in proc.stderr


def test_convert_into_the_repository_refuses_and_keeps_it(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    before = _snapshot(repo)
    _assert_refused(_kubealign("convert", str(repo), "--out", str(repo), "--no-render",
                               cwd=tmp_path), "would replace the repository itself")
    assert _snapshot(repo) == before


def test_convert_into_a_parent_of_the_repository_refuses(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (tmp_path / "other.txt").write_text("mine")
    _assert_refused(_kubealign("convert", str(repo), "--out", str(tmp_path), "--no-render",
                               cwd=repo), "holds the")
    assert (tmp_path / "other.txt").read_text() == "mine"
    assert _snapshot(repo)


def test_migrate_into_the_working_directory_refuses(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    before = _snapshot(repo)
    _assert_refused(_kubealign("migrate", ".", "--out", ".", cwd=repo), "working directory")
    assert _snapshot(repo) == before


def test_a_folder_of_the_users_files_is_never_replaced(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    manifests = repo / "k8s"
    manifests.mkdir()
    (manifests / "deployment.yaml").write_text("kind: Deployment\n")
    proc = _kubealign("convert", "-f", str(repo / "compose.yaml"), "--out", str(manifests),
                      "--no-render", cwd=tmp_path)
    _assert_refused(proc, "not written by kubealign")
    assert (manifests / "deployment.yaml").read_text() == "kind: Deployment\n"


def test_own_output_is_replaced_but_not_when_the_user_added_a_file(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    out = tmp_path / "out"
    for _ in range(2):  # the second run replaces the first (its marker lists every file)
        proc = _kubealign("convert", str(repo), "--out", str(out), "--no-render", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    assert (out / MARKER).is_file()
    assert "chart/values.yaml" in (out / MARKER).read_text().splitlines()
    (out / "notes.txt").write_text("my notes")
    _assert_refused(_kubealign("convert", str(repo), "--out", str(out), "--no-render",
                               cwd=tmp_path), "notes.txt")
    assert (out / "notes.txt").read_text() == "my notes"


def test_a_planted_marker_does_not_cover_other_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / MARKER).write_text("# Written by kubealign\nchart/values.yaml\n")
    (out / "id_rsa").write_text("key")
    with pytest.raises(UsageError, match="id_rsa"):
        write_tree_atomic(out, {"a.txt": "a"})
    assert (out / "id_rsa").read_text() == "key"


def test_output_folders_get_ordinary_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_tree_atomic(tmp_path / "out", {"chart/values.yaml": "a: 1\n"})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "out" / "chart" / "values.yaml").stat().st_mode) == 0o644


def test_a_late_failure_keeps_the_previous_output(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _repo(tmp_path)
    out = tmp_path / "out"
    convert(ConvertRequest(out=out, project_directory=repo, files=(repo / "compose.yaml",),
                           environ={}, render=False))
    before = _snapshot(out)

    def refuse(*_args: object, **_kwargs: object) -> object:
        raise HelmError("values don't meet the specifications of the schema")

    monkeypatch.setattr("kubealign.actions.convert.render_chart", refuse)
    (repo / "compose.yaml").write_text(COMPOSE.replace("1.0", "2.0"))
    with pytest.raises(HelmError):
        convert(ConvertRequest(out=out, project_directory=repo, files=(repo / "compose.yaml",),
                               environ={}))
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "repo"]  # no staging left


def test_helm_refusing_a_staged_chart_names_the_output_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real Helm, a values key the schema refuses: the message names out/chart, where the
    file goes, not the staging folder it was rendered from (which is gone afterwards)."""
    from kubealign.actions import convert as convert_module

    original = convert_module.build_files

    def misspelt(*args: object, **kwargs: object) -> dict[str, bytes | str]:
        files: dict[str, bytes | str] = original(*args, **kwargs)  # type: ignore[arg-type]
        files["chart/values.yaml"] = f"{files['chart/values.yaml']!s}bogusKey: 1\n"
        return files

    monkeypatch.setattr(convert_module, "build_files", misspelt)
    monkeypatch.chdir(tmp_path)
    repo = _repo(tmp_path)
    with pytest.raises(HelmError) as raised:
        convert(ConvertRequest(out=Path("out"), project_directory=repo,
                               files=(repo / "compose.yaml",), environ={}))
    text = str(raised.value)
    assert "bogusKey" in text and ".staging" not in text, text
    assert text.startswith("out/chart"), text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]  # nothing written


def test_a_message_about_a_staged_file_names_its_final_place(tmp_path: Path) -> None:
    with output_session(tmp_path / "out") as session:
        staged = session.write("chart/values.yaml", "a: 1\n")
        assert session.final_text(f"{staged}: refused") == f"{tmp_path / 'out'}/chart/" \
            "values.yaml: refused"
        with pytest.raises(UsageError) as raised, output_session(tmp_path / "other") as inner:
            raise UsageError("bad", path=inner.path("x.yaml"))
        assert raised.value.path is not None and ".staging" not in raised.value.path


def test_a_second_concurrent_run_fails_at_once(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_session(out) as session:
        session.write("a.txt", "a")
        with pytest.raises(UsageError, match="another kubealign run"), output_session(out):
            pass
        session.commit()
    assert (out / "a.txt").read_text() == "a"
    assert not list(tmp_path.glob(".*lock"))  # the lock goes with the run


def test_sessions_commit_step_by_step(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_session(out) as session:
        session.write("inventory.json", "{}")
        session.commit()
        session.write("chart/values.yaml", "a: 1\n")
        assert (out / "inventory.json").is_file()
        assert not (out / "chart").exists()  # not committed yet
        session.commit()
        session.write("audit.md", "half")  # never committed: discarded with the session
    assert sorted(_snapshot(out)) == sorted([MARKER, "inventory.json", "chart/values.yaml"])


def test_o_naming_a_folder_is_one_line(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (tmp_path / "report").mkdir()
    proc = _kubealign("audit", str(repo), "-o", str(tmp_path / "report"), cwd=tmp_path)
    _assert_refused(proc, "is a directory")


def test_a_failed_migrate_step_keeps_the_finished_ones_and_nothing_of_itself(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kubealign.actions import migrate as migrate_module

    repo = _repo(tmp_path)

    def fail_half_way(*_args: object, session: object, **_kwargs: object) -> object:
        session.write("chart/values.yaml", "half: written\n")  # type: ignore[attr-defined]
        raise HelmError("values don't meet the specifications of the schema")

    monkeypatch.setattr(migrate_module, "convert_plan", fail_half_way)
    outcome = migrate_module.migrate(migrate_module.MigrateRequest(
        path=repo, out=tmp_path / "out", environ={}))
    steps = {s.name: s.status for s in outcome.steps}
    assert steps["convert"] == "failed" and steps["inventory"] == steps["audit"] == "done"
    out = tmp_path / "out"
    assert (out / "inventory.json").is_file() and (out / "kubealign.yaml").is_file()
    assert (out / "audit.md").is_file()
    assert not (out / "chart").exists()  # half a step is never kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "repo"]  # no staging left


def test_a_second_concurrent_command_fails_at_once_with_one_line(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    out = tmp_path / "out"
    with output_session(out) as session:  # a run in progress holds the lock
        session.write("a.txt", "a")
        started = time.monotonic()
        proc = _kubealign("convert", str(repo), "--out", str(out), "--no-render", cwd=tmp_path)
        _assert_refused(proc, "another kubealign run")
        assert time.monotonic() - started < 60  # refused at once, not after waiting
        session.commit()
    assert _snapshot(out) == {MARKER: (out / MARKER).read_bytes(), "a.txt": b"a"}


def test_the_command_line_writes_ordinary_permissions(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    old = os.umask(0o022)
    try:
        proc = _kubealign("convert", str(repo), "--out", str(tmp_path / "out"), "--no-render",
                          cwd=tmp_path)
    finally:
        os.umask(old)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "out" / "chart").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "out" / "chart" / "values.yaml").stat().st_mode) == 0o644


def test_compose_file_given_with_f_into_a_manifest_folder_keeps_every_file(
        tmp_path: Path) -> None:
    """The issue's own command: `convert -f repo/docker-compose.yml --out repo/k8s`."""
    repo = tmp_path / "repo"
    manifests = repo / "k8s"
    manifests.mkdir(parents=True)
    (repo / "docker-compose.yml").write_text(COMPOSE)
    for i in range(18):
        (manifests / f"m{i}.yaml").write_text(f"kind: ConfigMap\nmetadata: {{name: m{i}}}\n")
    (manifests / "untracked-notes.txt").write_text("not in git either")
    before = _snapshot(repo)
    _assert_refused(_kubealign("convert", "-f", "repo/docker-compose.yml", "--out", "repo/k8s",
                               cwd=tmp_path), "not written by kubealign")
    assert _snapshot(repo) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]  # no staging, no lock left
