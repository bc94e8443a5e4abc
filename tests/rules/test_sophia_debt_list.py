"""On the real Sophia repository the cleanup plan covers the debt its owners listed.

The team's own alignment report lists, under "Technical Debt to Remove", redundant compose
files and Dockerfiles, old deployment scripts and a service registry ("use K8s ConfigMaps"),
and names ``Dockerfile.production.2025`` the one backend Dockerfile to keep and the LLM
gateway configuration (Portkey / OpenRouter) the one thing to keep. Each listed file that
exists must be proposed, or held back naming the live file that still uses it; the two that
deploy nothing by what they are stay out of the plan, each with the reason below.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from kubealign.actions.audit import audit
from kubealign.actions.cleanup import CleanupPlan, plan_cleanup
from kubealign.model.audit import AuditReport

REPOSITORY = "ai-cherry+sophia-strategic-development"

#: The report's list (globs as it writes them), with the service registries and the extra
#: Dockerfiles the report names beside the one to keep.
LISTED = (
    "docker-compose.enhanced.yml",
    "docker-compose.override.yml",
    "frontend/Dockerfile.simple",
    "scripts/deploy_lambda_labs_complete.py",
    "scripts/deploy_real_internet_sophia*.py",
    "scripts/deploy_enhanced_*.py",
    "config/mcp/registry.yaml",
    "mcp-config/*.json",
    "Dockerfile.production",
    "docker/Dockerfile.optimized",
    "docker/Dockerfile.gh200",
)

#: Listed files that are no deployment artifact, by what each is (a wrong ``git rm`` costs
#: more than a missed one).
NOT_DEBT = {
    "scripts/deploy_enhanced_search.py": "tests a running search service over HTTP; deploys "
    "nothing",
    "mcp-config/unified_mcp_servers.json": "how an MCP client starts local server processes "
    "(command and args); lists no service address",
}

_REFERENCE = re.compile(r"still referenced by a live path \([^)]*\w[^)]*\)|still used by \S+")


@pytest.fixture(scope="module")
def sophia(sprawl_repository: Callable[[str], Path]) -> tuple[Path, AuditReport, CleanupPlan]:
    root = sprawl_repository(REPOSITORY)
    report = audit(root)
    return root, report, plan_cleanup(report, root)


def _existing(root: Path) -> list[str]:
    found: set[str] = set()
    for pattern in LISTED:
        found.update(p.relative_to(root).as_posix() for p in root.glob(pattern) if p.is_file())
    return sorted(found)


@pytest.mark.corpus
def test_every_listed_file_is_proposed_or_held_back_with_its_user(
        sophia: tuple[Path, AuditReport, CleanupPlan]) -> None:
    root, _, plan = sophia
    existing = _existing(root)
    assert len(existing) >= 15, existing
    proposed = {s.path for s in plan.steps}
    held = {h.path: h.why_not for h in plan.held_back}
    missing, unexplained = [], []
    for path in existing:
        if path in NOT_DEBT:
            assert path not in proposed and path not in held, (path, NOT_DEBT[path])
        elif path in held:
            if _REFERENCE.search(held[path]) is None:
                unexplained.append(f"{path}: {held[path]}")
        elif path not in proposed:
            missing.append(path)
    assert not missing, missing
    assert not unexplained, unexplained


@pytest.mark.corpus
def test_the_2025_dockerfile_is_the_one_kept_for_the_backend(
        sophia: tuple[Path, AuditReport, CleanupPlan]) -> None:
    _, report, plan = sophia
    backend = next(g for g in report.dockerfiles
                   if "Dockerfile.production.2025" in {v.path for v in g.variants})
    assert backend.recommended == "Dockerfile.production.2025"
    assert {v.path for v in backend.variants} >= {
        "Dockerfile.production", "docker/Dockerfile.optimized", "docker/Dockerfile.gh200"}
    touched = {s.path for s in plan.steps} | {h.path for h in plan.held_back}
    assert "Dockerfile.production.2025" not in touched
    mcp = next(g for g in report.dockerfiles
               if "docker/Dockerfile.mcp-server" in {v.path for v in g.variants})
    assert "docker/Dockerfile.gh200" not in {v.path for v in mcp.variants}


@pytest.mark.corpus
def test_the_llm_gateway_configuration_is_kept(
        sophia: tuple[Path, AuditReport, CleanupPlan]) -> None:
    _, report, plan = sophia
    kept = {k.path for k in plan.kept}
    assert {"config/services/portkey.json", "config/portkey/sophia-ai-config.json"} <= kept
    # Besides it, only hand-written manifests holding objects the chart does not make.
    assert all("LLM gateway configuration" in k.reason for k in report.kept if not k.objects)
    assert all(k.reason.startswith("hand-written manifest") for k in report.kept if k.objects)
    touched = {s.path for s in plan.steps} | {h.path for h in plan.held_back}
    assert not kept & touched
    assert "kept (the new path keeps them as they are)" in plan.script()
