"""A critical credential is one someone could log in with: placeholders (your_…, dummy_…,
a documentation path) are no finding, examples are low, a default asking to be changed is
medium. Sophia's corpus acceptance is beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubealign.actions.audit import audit, render_text
from kubealign.model.findings import Severity
from kubealign.rules.literal_kind import LiteralKind, classify


def _repo(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


_REAL = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"

SECRETS = {
    "scripts/setup.sh": "#!/bin/bash\nset -euo pipefail\n"
    "export OPENAI_API_KEY=your_openai_key_here\n"
    "export LINEAR_API_KEY=dummy_linear_key_for_local\n"
    'echo "Documentation: docs/05-integrations/ESTUARY_FLOW_SETUP_GUIDE_ABCDEF.md"\n'
    f"export GITHUB_TOKEN={_REAL}\n",
    "docs/examples/run.sh": f"#!/bin/bash\nexport GITHUB_TOKEN={_REAL}\n",
    "docker-compose.yml": "services:\n  db:\n    image: postgres:16\n    environment:\n"
    "      POSTGRES_PASSWORD: ChangeThisPassword123\n",
}


def test_placeholders_are_never_critical(tmp_path: Path) -> None:
    report = audit(_repo(tmp_path, SECRETS))
    sec = [f for f in report.findings if f.rule == "SEC001"]
    critical = [f for f in sec if f.severity is Severity.CRITICAL]
    assert [(f.path, f.line) for f in critical] == [("scripts/setup.sh", 6)]
    # The same token in the docs example is a place of the same credential, reported low.
    by_place = {(o.path, o.line): o for f in sec for o in f.places()}
    assert ("scripts/setup.sh", 3) not in by_place and ("scripts/setup.sh", 4) not in by_place
    assert ("scripts/setup.sh", 5) not in by_place
    assert by_place[("docs/examples/run.sh", 2)].severity is Severity.LOW
    assert by_place[("docker-compose.yml", 5)].severity is Severity.MEDIUM
    assert _REAL not in render_text(report)


@pytest.mark.parametrize(("value", "kind"), [
    ("your_token", LiteralKind.PLACEHOLDER),
    ("<api-key>", LiteralKind.PLACEHOLDER),
    ("xxxxxxxxxxxx", LiteralKind.PLACEHOLDER),
    ("docs/guide/SETUP.md", LiteralKind.PLACEHOLDER),
    ("changeme-now", LiteralKind.WEAK_DEFAULT),
    ("sophia_prod_pw_2024", LiteralKind.CREDENTIAL),
    ("mysecretpw", LiteralKind.CREDENTIAL),
])
def test_literal_kinds(value: str, kind: LiteralKind) -> None:
    assert classify(value) is kind


#: Masked previews (four characters) of the placeholders Sophia writes in its scripts.
_PLACEHOLDER_PREVIEWS = {"your", "dumm", "docs"}


@pytest.mark.corpus
def test_no_critical_finding_on_sophia_is_a_placeholder(corpus_dir: Path) -> None:
    root = corpus_dir / "sprawl" / "ai-cherry+sophia-strategic-development"
    if not root.is_dir():
        pytest.skip(f"{root} is absent")
    report = audit(root)
    critical = [f for f in report.findings if f.severity is Severity.CRITICAL]
    assert critical
    previews = {f.message.split("(", 1)[1].split("…", 1)[0].lower()
                for f in critical if f.rule == "SEC001"}
    assert previews and not previews & _PLACEHOLDER_PREVIEWS, previews
