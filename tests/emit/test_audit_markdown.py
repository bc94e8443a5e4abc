"""The Markdown report: structure, escaping, links, tech-debt commands, determinism."""

from __future__ import annotations

import dataclasses
import re

from markdown_it import MarkdownIt

from emit.sample_report import HOSTILE_PATH, sample_report
from kubealign.emit.audit_markdown import git_command, render_markdown
from kubealign.model.audit import TechDebtItem

SECTIONS = (
    "## Executive summary",
    "## Current state",
    "### Topology",
    "## Services × environments",
    "## Dockerfiles",
    "## Deployment scripts",
    "## Kubernetes",
    "## Findings (8)",
    "## Technical debt to remove",
    "## Before and after",
    "## Action plan",
)


def _gfm_html(markdown: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(markdown)


def test_sections_in_the_seed_order() -> None:
    text = render_markdown(sample_report())
    positions = [text.index(heading) for heading in SECTIONS]
    assert positions == sorted(positions)
    assert text.startswith("# Deployment alignment report: sophia\n")


def test_executive_summary_names_the_competing_strategies() -> None:
    text = render_markdown(sample_report())
    assert "**THREE competing deployment strategies**" in text
    assert "3. **swarm** (**live**)" in text
    assert "1. **compose** (dead)" in text
    assert "| Deploy scripts | 18 → 1 (**94.4% fewer**) |" in text


def test_byte_identical_and_without_dates() -> None:
    first = render_markdown(sample_report())
    assert first == render_markdown(sample_report())
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", first)


def test_hostile_text_cannot_inject_html_or_break_tables() -> None:
    html = _gfm_html(render_markdown(sample_report()))
    assert "<script" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    # The CMP104 row keeps its five cells although the message holds a pipe and backticks.
    row = next(r for r in html.split("<tr>") if "CMP104" in r)
    assert row.count("<td") == 5
    assert "| pipe" in row


def test_file_links_are_relative_with_line_anchors() -> None:
    text = render_markdown(sample_report())
    assert "[docker-compose.cloud.yml:88](docker-compose.cloud.yml#L88)" in text
    html = _gfm_html(text)
    assert 'href="deployment/we%3Cird%3E%20%26%20%22odd%22%20name.yml#L12"' in html
    assert "](/" not in text and "](http" not in text
    prefixed = render_markdown(sample_report(), link_prefix="../")
    assert "[docker-compose.cloud.yml:88](../docker-compose.cloud.yml#L88)" in prefixed


def test_findings_grouped_by_category_in_catalogue_order() -> None:
    text = render_markdown(sample_report())
    headings = re.findall(r"^### (\w[\w-]*) \((\d+)\)$", text, flags=re.MULTILINE)
    categories = [name for name, _ in headings if name in {
        "strategy", "compose", "secrets", "networking", "dockerfile", "scripts"}]
    assert categories == ["strategy", "compose", "secrets", "networking", "dockerfile",
                          "scripts"]
    assert "| 🔵 low | `STR002` | repository |" in text
    assert "### Suppressed (1)" in text and "legacy host, removed in phase 2" in text


def test_matrix_marks_only_the_settings_that_differ() -> None:
    text = render_markdown(sample_report())
    backend = next(line for line in text.splitlines() if line.startswith("| **backend** |"))
    frontend = next(line for line in text.splitlines() if line.startswith("| **frontend** |"))
    # The image is the cell's detail; its tag differs, so it is marked.
    assert "**scoobyjava15/sophia-backend:latest**" in backend and "**replicas 3**" in backend
    assert "cpus 1.0" in backend and "**cpus" not in backend
    assert "**" not in frontend.replace("**frontend**", "")
    assert frontend.count("| — |") == 1


def test_tech_debt_commands_skip_files_a_live_path_still_uses() -> None:
    text = render_markdown(sample_report())
    block = text.split("```bash\n", 1)[1].split("```", 1)[0]
    assert block.splitlines() == [
        "# variant of docker-compose.cloud.yml, not used by any live path",
        "git rm -- docker-compose.enhanced.yml",
        "# near-duplicate of scripts/deploy_enhanced_a.sh",
        "git rm -- scripts/deploy_enhanced_b.sh",
        "# the recommended Dockerfile",
        "git mv -- Dockerfile.production.2025 Dockerfile",
    ]
    held = text.split("### Still referenced by a live path", 1)[1]
    assert "[docker-compose.cloud.yml](docker-compose.cloud.yml) | delete |" in held
    assert "[.github/workflows/deploy.yml:41](.github/workflows/deploy.yml#L41)" in held


def test_git_commands_quote_any_file_name() -> None:
    item = TechDebtItem(HOSTILE_PATH, "r", "delete", None, False, ())
    assert git_command(item) == "git rm -- 'deployment/we<ird> & \"odd\" name.yml'"
    moved = TechDebtItem("a b", "r", "move", "c;rm -rf /", False, ())
    assert git_command(moved) == "git mv -- 'a b' 'c;rm -rf /'"


def test_reduction_is_compared_with_the_typical_practice() -> None:
    text = render_markdown(sample_report())
    assert "**94.4% fewer**, as much as the ~90% a converged repository typically removes" in text
    short = dataclasses.replace(sample_report(), script_reduction_percent=55.6)
    assert "**55.6% fewer**, less than the ~90%" in render_markdown(short)


def test_action_plan_phases_with_horizons() -> None:
    text = render_markdown(sample_report())
    assert "### Immediate (Week 1)" in text
    assert "### Short-term (Weeks 2-3)" in text
    assert "### Medium-term (Month 2)" in text
    assert "1. **Choose a single orchestrator**: Kubernetes for all environments" in text


def test_empty_report_sections_degrade_gracefully() -> None:
    report = dataclasses.replace(sample_report(), findings=(), suppressed=(), tech_debt=(),
                                 strategies=(), action_plan=(), scripts=(), dockerfiles=())
    text = render_markdown(report)
    assert "No findings." in text and "Nothing to remove." in text
    assert "## Deployment scripts" not in text


def test_user_facing_text_speaks_of_the_practice_not_of_a_seed_report() -> None:
    from kubealign.actions.audit import RENDERERS

    for name, render in sorted(RENDERERS.items()):
        assert "seed" not in render(sample_report()).lower(), name
