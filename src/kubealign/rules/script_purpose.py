"""What a script is for, from where it lives and what its name says, before what it runs.

A script can run ``docker build`` or ``ssh`` and still deploy nothing the chart replaces: a
git hook, an editor's container set-up, a test or benchmark that starts a container, a
backup job, a health check over ssh, a Terraform or Packer step that provisions the
machines a cluster needs. Cleanup proposals must leave those alone (a wrong ``git rm`` costs
more than a missed one), so the purpose is read first and the commands second.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

#: Folders whose scripts are tooling, never deployment: git hooks, editor/dev containers,
#: and infrastructure provisioning (the cluster the chart needs is built there).
_TOOLING_FOLDERS = frozenset({
    ".githooks", ".husky", "githooks", "git-hooks", ".git-hooks",
    ".devcontainer", ".vscode", ".idea", ".cursor",
    "terraform", "packer", "ansible", "pulumi", "tests", "test", "e2e", "benchmarks",
    "bench", "examples", "testing", "docs", "doc",
})

#: Hook names git runs; a file with one of these names is a hook wherever it is kept.
_GIT_HOOKS = frozenset({
    "pre-commit", "pre-push", "commit-msg", "prepare-commit-msg", "post-commit",
    "post-checkout", "post-merge", "pre-rebase", "pre-receive", "post-receive", "update",
})

#: Words of a file name saying that the script checks, measures or protects something
#: rather than shipping it.
_CHECK_WORDS = frozenset({
    "test", "tests", "testing", "benchmark", "bench", "scan", "lint", "linter", "format",
    "formatter", "formatters", "validate", "validation", "validator", "verify", "verification",
    "check", "checks", "status", "health", "healthcheck", "backup", "restore", "troubleshoot",
    "troubleshooting", "debug", "diagnose", "diagnostic", "diagnostics", "simulation",
    "simulate", "smoke", "chaos", "audit", "report", "activate", "alias", "aliases", "hook",
    "hooks", "venv", "precommit",
})

_WORD = re.compile(r"[a-z0-9]+")


def name_words(path: str) -> tuple[str, ...]:
    """The words of a file name without its extension (``deploy_real-v2.sh`` -> deploy, real,
    v2)."""
    stem = PurePosixPath(path).name.lower()
    for suffix in (".sh", ".bash", ".py", ".zsh", ".ps1"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return tuple(_WORD.findall(stem))


def tooling_folder(path: str) -> str | None:
    """The folder that makes any file under it tooling (``.devcontainer``, ``tests``, ...)."""
    folders = {part.lower() for part in PurePosixPath(path).parts[:-1]}
    hit = sorted(folders & _TOOLING_FOLDERS)
    return hit[0] if hit else None


def tooling_reason(path: str) -> str | None:
    """Why the script ``path`` is tooling that no chart replaces, or None when it may
    deploy."""
    pure = PurePosixPath(path)
    folder = tooling_folder(path)
    if folder is not None:
        return f"lives in {folder}/ (tooling or infrastructure provisioning)"
    if pure.name in _GIT_HOOKS:
        return "a git hook"
    words = set(name_words(path))
    checks = sorted(words & _CHECK_WORDS)
    if checks:
        return f"its name says it is a {checks[0]} script"
    return None


def says_deploy(path: str) -> bool:
    """The file name says it deploys or runs production (``deploy``, ``deployment``,
    ``release``, ``rollout``, ``prod``, ``production``)."""
    return any(w.startswith(("deploy", "release", "rollout")) or w in {"prod", "production"}
               for w in name_words(path))
