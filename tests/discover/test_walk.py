"""The walker: .gitignore, pruned folders, symlinks, order."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from kubealign.actions.inventory import build_inventory
from kubealign.discover.walk import walk_repository
from kubealign.errors import UsageError

MakeRepo = Callable[[Mapping[str, str]], Path]


def walked(root: Path) -> list[str]:
    return [f.path for f in walk_repository(root).files]


def skipped(root: Path) -> dict[str, str]:
    return {s.path: s.reason for s in walk_repository(root).skipped}


def test_gitignore_root_nested_negation_dir_only_and_anchored(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            ".gitignore": "*.log\n!keep.log\nout/\n/top.txt\nsecrets/**\n",
            "app.log": "",
            "keep.log": "",
            "top.txt": "",
            "sub/top.txt": "",  # /top.txt is anchored to the root
            "out/x.yaml": "",  # dir-only rule
            "sub/out": "a file named out is not a directory",
            "secrets/a/b.txt": "",
            "svc/.gitignore": "*.tmp\n!wanted.tmp\n/local.cfg\n",
            "svc/a.tmp": "",
            "svc/wanted.tmp": "",
            "svc/local.cfg": "",
            "svc/deeper/local.cfg": "",
            "other/a.tmp": "",  # the nested rule does not reach here
        }
    )
    assert walked(root) == [
        ".gitignore",
        "keep.log",
        "other/a.tmp",
        "sub/out",
        "sub/top.txt",
        "svc/.gitignore",
        "svc/deeper/local.cfg",
        "svc/wanted.tmp",
    ]


def test_pruned_directories_are_reported(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "compose.yaml": "services: {}\n",
            "node_modules/pkg/compose.yaml": "",
            "vendor/x/Dockerfile": "",
            "third_party/y/Dockerfile": "",
            ".venv/lib/site.py": "",
            "tools/myenv/pyvenv.cfg": "home = /usr\n",
            "tools/myenv/bin/activate": "",
            "src/__pycache__/m.pyc": "",
            ".mypy_cache/x.json": "",
            "pkg.egg-info/PKG-INFO": "",
        }
    )
    assert walked(root) == ["compose.yaml"]
    reasons = skipped(root)
    assert reasons["node_modules"] == "vendored or third-party dependencies"
    assert reasons["tools/myenv"] == "Python virtual environment"
    assert reasons[".venv"] == "Python virtual environment"
    assert reasons["src/__pycache__"] == "build or tool cache"
    assert reasons["pkg.egg-info"] == "build or tool cache"


def test_git_directory_is_never_walked(make_repo: MakeRepo) -> None:
    root = make_repo(
        {".git/config": "", ".git/info/exclude": "*.secret\n", "a.secret": "", "b": ""}
    )
    assert walked(root) == ["b"]  # .git/info/exclude is honoured too
    assert skipped(root) == {".git": "version-control metadata"}


def test_symlinks_outside_the_root_are_not_followed(make_repo: MakeRepo, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "dir" / "compose.yaml").write_text("services: {}\n")
    (outside / "secret.env").write_text("TOKEN=x\n")
    root = make_repo({"real.txt": ""})
    (root / "linked-dir").symlink_to(outside / "dir")
    (root / "linked.env").symlink_to(outside / "secret.env")
    (root / "inside-link.txt").symlink_to(root / "real.txt")
    (root / "dangling").symlink_to(root / "missing")
    assert walked(root) == ["inside-link.txt", "real.txt"]
    assert skipped(root) == {
        "dangling": "broken symlink",
        "linked-dir": "symlink points outside the repository",
        "linked.env": "symlink points outside the repository",
    }


def test_symlink_loops_terminate(make_repo: MakeRepo) -> None:
    root = make_repo({"a/file.txt": "", "b/other.txt": ""})
    (root / "a" / "to-root").symlink_to(root)
    (root / "a" / "to-b").symlink_to(root / "b")  # followed: inside the root, not a loop
    (root / "b" / "to-a").symlink_to(root / "a")  # loops back through a/to-b
    files = walked(root)
    assert files == [
        "a/file.txt",
        "a/to-b/other.txt",
        "b/other.txt",
        "b/to-a/file.txt",
    ]
    reasons = skipped(root)
    assert reasons["a/to-root"] == "symlink loop"
    assert reasons["a/to-b/to-a"] == "symlink loop"
    assert reasons["b/to-a/to-b"] == "symlink loop"


def test_order_is_sorted_posix_paths(make_repo: MakeRepo) -> None:
    root = make_repo({"a/x": "", "a-b/x": "", "a.b": "", "B": "", "a/a/y": ""})
    files = walked(root)
    assert files == sorted(files)
    assert files == ["B", "a-b/x", "a.b", "a/a/y", "a/x"]


def test_missing_root_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        build_inventory(tmp_path / "nope")
    (tmp_path / "file").write_text("")
    with pytest.raises(UsageError, match="not a directory"):
        build_inventory(tmp_path / "file")
