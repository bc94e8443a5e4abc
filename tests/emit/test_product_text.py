"""Product text speaks of the user's repository and of practices, never of "the seed report".

kubealign was shaped against one alignment report; the people reading its output never saw
it. Every string constant of the package, every shipped template and chart file, the README
and the docs are scanned (random seeds of the benchmark generator are no report: the pattern
needs "seed report", "the seed" or "seed's").
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import kubealign

PACKAGE = Path(kubealign.__file__).parent
_SEED = re.compile(r"\bseed(?:'s| report)|\bthe seed\b", re.IGNORECASE)


def _python_strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def test_no_string_of_the_package_speaks_of_the_seed() -> None:
    hits = [f"{path.relative_to(PACKAGE)}:{line}: {text[:80]!r}"
            for path in sorted(PACKAGE.rglob("*.py"))
            for line, text in _python_strings(path) if _SEED.search(text)]
    assert hits == []


def test_no_template_chart_file_or_doc_speaks_of_the_seed(repo_root: Path) -> None:
    shipped = [p for p in sorted(PACKAGE.rglob("*")) if p.is_file()
               and p.suffix in {".j2", ".md", ".txt", ".tpl", ".yaml", ".json", ".js", ".css"}]
    docs = [repo_root / "README.md", *sorted((repo_root / "docs").rglob("*.md"))]
    hits = [f"{path}:{number}" for path in [*shipped, *docs]
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if _SEED.search(line)]
    assert hits == []


def test_the_written_plan_does_not_speak_of_the_seed(repo_root: Path) -> None:
    from kubealign.actions.plan import plan

    text = plan(repo_root / "examples" / "sophia", write=False).text
    assert not _SEED.search(text) and "seed" not in text.lower()
