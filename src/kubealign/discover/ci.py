"""CI workflow structure: job names and the GitHub actions a workflow uses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Top-level GitLab CI keys that configure the pipeline rather than name a job.
_GITLAB_KEYWORDS = frozenset(
    {
        "stages", "variables", "include", "default", "workflow", "image", "services",
        "before_script", "after_script", "cache", "types",
    }
)  # fmt: skip


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def ci_jobs(system: str, data: Any) -> tuple[str, ...]:
    document = _mapping(data)
    if system == "github-actions":
        return tuple(sorted(str(name) for name in _mapping(document.get("jobs"))))
    if system == "gitlab-ci":
        return tuple(
            sorted(
                str(name)
                for name, body in document.items()
                if str(name) not in _GITLAB_KEYWORDS
                and not str(name).startswith(".")
                and isinstance(body, Mapping)
            )
        )
    return ()


def github_uses(data: Any) -> tuple[str, ...]:
    uses: set[str] = set()
    for job in _mapping(_mapping(data).get("jobs")).values():
        job_map = _mapping(job)
        if isinstance(job_map.get("uses"), str):
            uses.add(job_map["uses"])  # a reusable workflow call
        steps = job_map.get("steps")
        for step in steps if isinstance(steps, list) else []:
            action = _mapping(step).get("uses")
            if isinstance(action, str):
                uses.add(action)
    return tuple(sorted(uses))
