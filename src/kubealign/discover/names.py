"""Classification by file name and location alone (no content read)."""

from __future__ import annotations

import fnmatch
import posixpath
import re

_COMPOSE_NAME = re.compile(
    r"^(?:docker-)?compose[^/]*\.ya?ml$|^[^/]+\.compose\.ya?ml$", re.IGNORECASE
)
_DOCKERFILE_NAME = re.compile(
    r"^(?:dockerfile|containerfile)(?:[._-][^/]*)?$|^[^/]+\.(?:dockerfile|containerfile)$",
    re.IGNORECASE,
)
_ENV_DIRS = frozenset({"env", "envs", ".env.d", "env.d"})
_SHELL_SUFFIXES = {".sh": "sh", ".bash": "bash", ".zsh": "zsh", ".ksh": "ksh", ".dash": "sh"}
_MAKEFILE_NAMES = frozenset({"Makefile", "makefile", "GNUmakefile"})
_KUSTOMIZATION_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})
_STRUCTURED = frozenset({".yml", ".yaml", ".json", ".toml", ".md"})
_DOC_SUFFIXES = frozenset({".md", ".markdown", ".rst", ".adoc", ".asciidoc"})

# (glob on the relative path, CI system); the first match wins.
_CI_PATTERNS: tuple[tuple[str, str], ...] = (
    (".github/workflows/*.yml", "github-actions"),
    (".github/workflows/*.yaml", "github-actions"),
    (".gitlab-ci.yml", "gitlab-ci"),
    (".gitlab-ci.yaml", "gitlab-ci"),
    (".gitlab/ci/*.yml", "gitlab-ci"),
    (".gitlab/ci/*.yaml", "gitlab-ci"),
    ("*Jenkinsfile*", "jenkins"),
    (".circleci/config.yml", "circleci"),
    (".circleci/config.yaml", "circleci"),
    ("azure-pipelines*.yml", "azure-pipelines"),
    ("azure-pipelines*.yaml", "azure-pipelines"),
    ("bitbucket-pipelines.yml", "bitbucket-pipelines"),
    (".drone.yml", "drone"),
    (".travis.yml", "travis"),
    (".woodpecker.yml", "woodpecker"),
    (".woodpecker/*.yml", "woodpecker"),
    (".buildkite/*.yml", "buildkite"),
    (".buildkite/*.yaml", "buildkite"),
    ("cloudbuild*.yaml", "google-cloud-build"),
    ("cloudbuild*.yml", "google-cloud-build"),
)


def basename(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def suffix(path: str) -> str:
    name = basename(path)
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def is_yaml_name(path: str) -> bool:
    return suffix(path) in {".yml", ".yaml"}


def is_compose_name(path: str) -> bool:
    return _COMPOSE_NAME.match(basename(path)) is not None


def is_dockerfile_name(path: str) -> bool:
    name = basename(path)
    if name.lower().endswith(".dockerignore"):
        return False
    return _DOCKERFILE_NAME.match(name) is not None


def is_env_name(path: str) -> bool:
    """``.env``, ``.env.<anything>``, ``<name>.env`` and files directly under ``env/``."""
    name = basename(path)
    if name == ".env" or name.startswith(".env.") or name.lower().endswith(".env"):
        return True
    parent = posixpath.basename(posixpath.dirname(path))
    return parent in _ENV_DIRS and not name.startswith(".") and suffix(path) not in _STRUCTURED


def shell_from_suffix(path: str) -> str | None:
    return _SHELL_SUFFIXES.get(suffix(path))


def is_python_name(path: str) -> bool:
    return suffix(path) == ".py"


def is_makefile_name(path: str) -> bool:
    name = basename(path)
    return name in _MAKEFILE_NAMES or name.endswith(".mk")


def is_kustomization_name(path: str) -> bool:
    return basename(path) in _KUSTOMIZATION_NAMES


def is_chart_file(path: str) -> bool:
    return basename(path) == "Chart.yaml"


def is_doc_name(path: str) -> bool:
    return suffix(path) in _DOC_SUFFIXES


def ci_system(path: str) -> str | None:
    for pattern, system in _CI_PATTERNS:
        if fnmatch.fnmatchcase(path, pattern) and (
            pattern.count("/") == path.count("/") or pattern.startswith("*")
        ):
            return system
    return None
