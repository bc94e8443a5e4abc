"""Clean-up debt on the real Sophia repository: scripts that deploy nothing are never proposed.

The table lists files of ai-cherry+sophia-strategic-development by what they are (each was
opened): environment activation, shell aliases, git-hook installers, formatters, editor and
CLI set-up, git push helpers. None deploys, so the chart replaces none of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kubealign.actions.audit import audit
from kubealign.model.audit import AuditReport

SOPHIA = "sprawl/ai-cherry+sophia-strategic-development"

#: path -> what the file is.
NEVER_PROPOSED = {
    "activate_env.sh": "activates the project virtualenv",
    "activate_sophia.sh": "activates the project virtualenv",
    "verify_and_activate_env.sh": "checks and activates the virtualenv",
    "sophia_aliases.sh": "shell aliases",
    "setup_sophia_alias.sh": "adds a shell alias",
    "scripts/install_git_hooks.sh": "copies .githooks into .git/hooks",
    "scripts/run_formatters.sh": "runs black and ruff",
    "scripts/setup_vscode_terminal.sh": "editor terminal set-up",
    "scripts/push_codebase_optimization.sh": "git add/commit/push helper",
    "scripts/push_optimization_bypass_hooks.sh": "git push helper",
    "scripts/ensure_venv.sh": "creates the virtualenv",
    "scripts/setup_codacy_macos.sh": "installs the Codacy CLI on macOS",
    "scripts/install_gemini_cli.sh": "npm install of a CLI",
}

@pytest.fixture(scope="module")
def sophia(corpus_dir: Path) -> tuple[Path, AuditReport]:
    root = corpus_dir / SOPHIA
    if not root.is_dir():
        pytest.skip(f"{root} is absent")
    return root, audit(root)


@pytest.mark.corpus
def test_non_deploying_files_are_never_proposed(sophia: tuple[Path, AuditReport]) -> None:
    root, report = sophia
    present = {p for p in NEVER_PROPOSED if (root / p).is_file()}
    assert present, "the table names files the repository no longer has"
    proposed = {i.path for i in report.tech_debt}
    assert not present & proposed, sorted(present & proposed)


@pytest.mark.corpus
def test_every_script_proposal_names_its_command(sophia: tuple[Path, AuditReport]) -> None:
    _, report = sophia
    for item in report.tech_debt:
        if item.reason.startswith("deploy script"):
            assert f"({item.path}:" in item.reason, item.reason
