"""Text the repository wrote reaches the user as written: rich turns ``:warning:`` into a
pictogram unless told not to, in every console kubealign prints through."""

from __future__ import annotations

from pathlib import Path

from cli_runner import run_cli


def test_an_inventory_file_keeps_a_file_name_with_an_emoji_code(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "compose-:warning:.yml").write_text("services:\n  web:\n    image: nginx:1.27\n",
                                                encoding="utf-8")
    written = tmp_path / "inventory.txt"
    done = run_cli("inventory", str(repo), "-o", str(written))
    assert done.code == 0, done.stderr
    text = written.read_text(encoding="utf-8")
    assert "compose-:warning:.yml" in text
    assert "\u26a0" not in text
