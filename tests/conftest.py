"""Fixtures shared by every test: the repository root and the shared corpus next to it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT / ".." / "shared"
CORPUS_DIR = SHARED_DIR / "corpus"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        pytest.skip(f"the shared folder {SHARED_DIR} is absent (it sits next to the repository)")
    return SHARED_DIR.resolve()


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    corpus = shared_dir / "corpus"
    if not corpus.is_dir():
        pytest.skip(f"the corpus {corpus} is absent")
    return corpus


@pytest.fixture(scope="session")
def sprawl_repository(corpus_dir: Path) -> Callable[[str], Path]:
    """``sprawl_repository(name)``: that repository of the sprawl corpus, or the test is
    skipped, naming the folder it looked for."""

    def find(name: str) -> Path:
        root = corpus_dir / "sprawl" / name
        if not root.is_dir():
            pytest.skip(f"{root} is absent")
        return root

    return find


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="Rewrite golden files from the current output instead of comparing.")


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def check_golden(update_golden: bool) -> Callable[[Path, str], None]:
    """Compare text with a golden file, or rewrite the file under ``--update-golden``."""

    def check(path: Path, actual: str) -> None:
        if update_golden or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            assert update_golden, f"{path} did not exist: written now, check it and commit it"
            return
        expected = path.read_text(encoding="utf-8")
        assert actual == expected, f"{path} differs (regenerate with pytest --update-golden)"

    return check
