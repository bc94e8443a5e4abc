"""`cleanup --apply` never deletes a file that a staying file of the whole work tree uses.

The audit's liveness graph sees the audited folder only; before a ``git rm`` every file of the
enclosing git work tree that can run something is searched: a ``"$(dirname "$0")/x.py"`` in a
live script, a monorepo's root Makefile or workflow calling into the audited folder, a
Makefile ``$(wildcard ...)``, a folder given to ``kubectl apply -f``.
"""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from emit.sample_report import sample_report
from kubealign.actions.cleanup import apply_cleanup, plan_cleanup
from kubealign.model.audit import AuditReport, ScriptEntry, TechDebtItem

_GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
            "PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          env=_GIT_ENV, check=True, timeout=60).stdout


def _monorepo(tmp_path: Path, files: dict[str, str]) -> Path:
    top = tmp_path / "mono"
    for name, text in files.items():
        target = top / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    _git(top, "init", "-q")
    _git(top, "add", "-A")
    _git(top, "commit", "-qm", "init")
    return top


def _report(*paths: str, live: tuple[str, ...] = ()) -> AuditReport:
    """A report proposing ``paths``, whose audit found the scripts ``live`` live."""
    items = tuple(TechDebtItem(p, f"deploy script ({p}:1 `ssh host`)", "delete", None, False,
                               ()) for p in paths)
    scripts = tuple(ScriptEntry(p, "sh", (), live=True) for p in live)
    return dataclasses.replace(sample_report(), tech_debt=items, scripts=scripts)


FILES = {
    # The audited folder is app/ inside a monorepo.
    "app/run.sh": '#!/bin/sh\npython3 "$(dirname "$0")/helper.py"\n',
    "app/helper.py": "print('used by run.sh')\n",
    "Makefile": "deploy:\n\tcd app && ./ship.sh\nmanifests := $(wildcard app/k8s/*.yml)\n"
                "apply:\n\tkubectl apply -f $(manifests)\n",
    "app/ship.sh": "#!/bin/sh\nrsync -a . host:/srv\n",
    "app/k8s/web.yml": "kind: Deployment\n",
    ".github/workflows/release.yml": "on: push\njobs:\n  r:\n    runs-on: x\n    steps:\n"
                                     "      - run: bash app/release.sh\n",
    "app/release.sh": "#!/bin/sh\ndocker push x\n",
    "app/old.sh": "#!/bin/sh\nssh host 'docker compose up -d'\n",
    "app/README.md": "old.sh used to deploy (documentation does not keep a file)\n",
}

USED = ("helper.py", "ship.sh", "k8s/web.yml", "release.sh")


@pytest.fixture
def mono(tmp_path: Path) -> Path:
    return _monorepo(tmp_path, FILES)


def test_plan_holds_back_files_used_anywhere_in_the_work_tree(mono: Path) -> None:
    plan = plan_cleanup(_report(*USED, "old.sh", live=("run.sh",)), mono / "app")
    assert [s.path for s in plan.steps] == ["old.sh"]
    held = {h.path: h.why_not for h in plan.held_back}
    assert set(held) == set(USED)
    assert held["helper.py"].startswith("still used by app/run.sh:2")
    assert "Makefile:2" in held["ship.sh"]
    assert "Makefile:3" in held["k8s/web.yml"]
    assert ".github/workflows/release.yml:6" in held["release.sh"]


def test_apply_deletes_only_the_unused_file(mono: Path) -> None:
    result = apply_cleanup(_report(*USED, "old.sh", live=("run.sh",)), mono / "app")
    assert [s.path for s in result.done] == ["old.sh"]
    for name in USED:
        assert (mono / "app" / name).is_file(), name
    assert not (mono / "app" / "old.sh").exists()


def test_a_file_kept_keeps_what_it_uses(tmp_path: Path) -> None:
    top = _monorepo(tmp_path, {
        "Makefile": "go:\n\t./a.sh\n",
        "a.sh": "#!/bin/sh\n./b.sh\n",
        "b.sh": "#!/bin/sh\nssh host true\n",
    })
    plan = plan_cleanup(_report("a.sh", "b.sh", live=("a.sh", "b.sh")), top)
    assert plan.steps == ()
    assert {h.path for h in plan.held_back} == {"a.sh", "b.sh"}


def test_files_removed_together_do_not_keep_each_other(tmp_path: Path) -> None:
    top = _monorepo(tmp_path, {
        "a.sh": "#!/bin/sh\n./b.sh\n",
        "b.sh": "#!/bin/sh\nssh host true\n",
    })
    plan = plan_cleanup(_report("a.sh", "b.sh"), top)
    assert [s.path for s in plan.steps] == ["a.sh", "b.sh"]


def test_a_folder_is_kept_when_a_file_in_it_is_used(tmp_path: Path) -> None:
    top = _monorepo(tmp_path, {
        "deploy.sh": "#!/bin/sh\nhelm upgrade x legacy/chart/values.yaml\n",
        "legacy/chart/Chart.yaml": "name: x\n",
        "legacy/chart/values.yaml": "a: 1\n",
    })
    plan = plan_cleanup(_report("legacy/chart", live=("deploy.sh",)), top)
    assert plan.steps == ()
    assert "deploy.sh:2" in plan.held_back[0].why_not


def test_a_dead_script_or_a_tool_setting_keeps_nothing(tmp_path: Path) -> None:
    top = _monorepo(tmp_path, {
        "old_helper.sh": "#!/bin/sh\n./old.sh\n",  # nothing runs it: not live
        ".codacy.yml": "exclude_paths:\n  - old.sh\n",
        ".github/workflows/ci.yml": "on:\n  push:\n    paths: ['deploy/**']\n",
        "old.sh": "#!/bin/sh\nssh host true\n",
        "deploy/x.yml": "kind: Deployment\n",
    })
    plan = plan_cleanup(_report("old.sh", "deploy/x.yml"), top)
    assert [s.path for s in plan.steps] == ["deploy/x.yml", "old.sh"]


def test_workflow_path_filters_and_case_patterns_use_nothing(tmp_path: Path) -> None:
    top = _monorepo(tmp_path, {
        ".github/workflows/deploy.yml": "on:\n  push:\n    paths:\n      - 'scripts/old.sh'\n"
        "      - 'deploy/**'\njobs:\n  d:\n    steps:\n      - run: |\n"
        "          [[ \"$ctx\" == svc/* ]] && echo nested\n",
        "scripts/old.sh": "#!/bin/sh\nssh host true\n",
        "svc/api/Dockerfile.old": "FROM alpine\n",
    })
    plan = plan_cleanup(_report("scripts/old.sh", "svc/api/Dockerfile.old"), top)
    assert [s.path for s in plan.steps] == ["scripts/old.sh", "svc/api/Dockerfile.old"]
