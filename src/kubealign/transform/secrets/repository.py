"""Secrets provider settings the repository already states (issue 14).

A repository that uses Pulumi ESC says which environment it reads in its scripts and
workflows: ``esc env open org/project/env``, ``esc run org/project/env -- ...``,
``pulumi env get org/project/env``, ``ESC_ENV=org/project/env``, ``PULUMI_ORG=org``. The
reference most used (ties: the first in path order) is the store's organization, project and
environment, so the SecretStore renders without flags; where it was read is kept for the
finding that says so. A two-part reference (``org/env``) is project ``default``, as ESC reads it.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from kubealign.transform.secrets.providers import SecretsSettings

_SEGMENT = r"[A-Za-z0-9_.-]+"
_ORG_REF = r"(?:\$\{?PULUMI_ORG(?:ANIZATION)?\}?|" + _SEGMENT + ")"
_ENV_REF = f"({_ORG_REF}/{_SEGMENT}(?:/{_SEGMENT})?)"
_INVOCATION = re.compile(r"\b(?:esc|pulumi)\s+(?:env\s+)?(?:open|get|run)\s+[\"']?" + _ENV_REF +
                         r"(?![A-Za-z0-9_./-])")
_ASSIGNMENT = re.compile(r"\b(?:ESC_ENV|ESC_ENVIRONMENT|PULUMI_ENV|PULUMI_ESC_ENV|"
                         r"PULUMI_ESC_ENVIRONMENT)[\"']?\s*[=:]\s*[\"']?" + _ENV_REF +
                         r"(?![A-Za-z0-9_./-])")
# ``pulumi env set org/project/env [--secret] values.a.b.password <value>``: a key in use.
_SET = re.compile(r"\b(?:esc|pulumi)\s+env\s+set\s+[\"']?" + _ENV_REF + r"[\"']?\s+"
                  r"(?:--secret\s+|--plaintext\s+)?[\"']?([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)")
_ORG = re.compile(r"\bPULUMI_ORG(?:ANIZATION)?[\"']?\s*[=:]\s*[\"']?(" + _SEGMENT + r")[\"']?")
SCANNED_SUFFIXES = (".sh", ".bash", ".py", ".yml", ".yaml", ".mk", ".env", ".toml", ".ps1")
SCANNED_NAMES = ("Makefile", "makefile", "GNUmakefile", "Justfile", "justfile")


@dataclass(frozen=True, slots=True)
class DetectedEnvironment:
    organization: str
    project: str
    environment: str
    evidence: str
    """``path:line`` of the first reference to it."""
    uses: int
    keys: tuple[str, ...] = ()
    """Keys the repository sets in that environment (``esc env set``), relative to
    ``values`` as External Secrets reads them: ``sophia.infrastructure.snowflake.password``."""


def scanned(path: str) -> bool:
    """Files that run things (scripts, workflows, Makefiles, compose and Pulumi files)."""
    name = path.rsplit("/", 1)[-1]
    return name.endswith(SCANNED_SUFFIXES) or name in SCANNED_NAMES


def detect_esc_environment(files: Iterable[tuple[str, str]]) -> DetectedEnvironment | None:
    """The Pulumi ESC environment the repository's own files read, if they name one."""
    orgs: Counter[str] = Counter()
    found: list[tuple[str, str, int]] = []  # (reference, path, line)
    sets: list[tuple[str, str]] = []  # (reference, key)
    for path, text in sorted(files):
        for number, line in enumerate(text.splitlines(), start=1):
            for match in _ORG.finditer(line):
                orgs[match.group(1)] += 1
            for match in _SET.finditer(line):
                sets.append((match.group(1), match.group(2)))
            for pattern in (_INVOCATION, _ASSIGNMENT):
                for match in pattern.finditer(line):
                    found.append((match.group(1), path, number))
    org = orgs.most_common(1)[0][0] if orgs else None
    counts: Counter[tuple[str, str, str]] = Counter()
    first: dict[tuple[str, str, str], str] = {}
    for reference, path, number in found:
        triple = _triple(reference, org)
        if triple is None:
            continue
        counts[triple] += 1
        first.setdefault(triple, f"{path}:{number}")
    if not counts:
        return None
    best = min(counts, key=lambda t: (-counts[t], first[t]))
    keys = sorted({key.removeprefix("values.") for reference, key in sets
                   if _triple(reference, org) == best and key.startswith("values.")})
    return DetectedEnvironment(*best, evidence=first[best], uses=counts[best],
                               keys=tuple(keys))


def _triple(reference: str, org: str | None) -> tuple[str, str, str] | None:
    parts = reference.split("/")
    if parts[0].startswith("$"):
        if org is None:
            return None
        parts[0] = org
    return (parts[0], "default", parts[1]) if len(parts) == 2 else (parts[0], parts[1],
                                                                    parts[2])


def key_overrides(keys: tuple[str, ...]) -> dict[str, str]:
    """Secret name -> the key the repository already uses for it: ``snowflake_password``
    and ``SNOWFLAKE_PASSWORD`` read ``sophia.infrastructure.snowflake.password``. A name is
    the key's last two or more segments joined by ``_``; a name two keys could mean is left
    to the default layout."""
    candidates: dict[str, set[str]] = {}
    for key in keys:
        segments = key.split(".")
        for size in range(2, len(segments) + 1):
            candidates.setdefault("_".join(segments[-size:]).lower(), set()).add(key)
    return {name: next(iter(found)) for name, found in sorted(candidates.items())
            if len(found) == 1}


def with_repository_settings(settings: SecretsSettings,
                             detected: DetectedEnvironment | None) -> SecretsSettings:
    """``settings`` with the Pulumi ESC settings nobody gave filled from the repository."""
    if settings.provider != "pulumi" or detected is None or settings.store_name is not None:
        return settings
    given = {k: v for k, v in settings.settings.items() if str(v).strip()}
    filled = {"organization": detected.organization, "project": detected.project,
              "environment": detected.environment}
    missing = {k: v for k, v in filled.items() if k not in given}
    if not missing:
        return settings
    overrides = {**key_overrides(detected.keys), **settings.key_overrides}
    return dataclasses.replace(settings, settings={**given, **missing},
                               key_overrides=overrides, detected_from=detected.evidence)
