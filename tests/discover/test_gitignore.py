"""gitignore(5) pattern semantics, rule by rule (pathspec underneath; these pin what the
walker relies on, including several .gitignore files at different depths)."""

from __future__ import annotations

import pytest

from kubealign.discover.gitignore import IgnoreMatcher, parse_gitignore


def matcher(text: str, base: str = "") -> IgnoreMatcher:
    return IgnoreMatcher(parse_gitignore(text, base))


@pytest.mark.parametrize("line", ["", "   ", "# comment", "!", "/"])
def test_blank_comment_and_empty_lines_make_no_rule(line: str) -> None:
    assert parse_gitignore(line, "") == ()


@pytest.mark.parametrize(
    ("pattern", "path", "is_dir", "ignored"),
    [
        ("*.log", "app.log", False, True),
        ("*.log", "deep/er/app.log", False, True),
        ("*.log", "app.log.txt", False, False),
        ("build/", "build", True, True),
        ("build/", "build", False, False),  # dir-only: a file named build stays
        ("build/", "src/build", True, True),
        ("/root.txt", "root.txt", False, True),
        ("/root.txt", "sub/root.txt", False, False),  # anchored
        ("doc/frotz", "doc/frotz", False, True),
        ("doc/frotz", "a/doc/frotz", False, False),  # a middle slash anchors too
        ("**/logs", "logs", True, True),
        ("**/logs", "a/b/logs", True, True),
        ("logs/**", "logs/x/y.txt", False, True),
        ("logs/**", "logs/x", True, True),  # (pathspec also matches "logs/" itself; the
        # walker then skips the folder, which leaves out exactly what Git leaves out)
        ("a/**/b", "a/b", False, True),
        ("a/**/b", "a/x/y/b", False, True),
        ("a/**/b", "xa/b", False, False),
        ("foo?", "food", False, True),
        ("foo?", "foo/", False, False),
        ("*", "any/thing", False, True),
        ("a*b", "a/b", False, False),  # '*' never crosses '/'
        ("[abc].txt", "b.txt", False, True),
        ("[!abc].txt", "b.txt", False, False),
        ("[!abc].txt", "d.txt", False, True),
        ("\\#hash", "#hash", False, True),
        ("\\!bang", "!bang", False, True),
        ("trailing\\ ", "trailing ", False, True),
        ("spaces   ", "spaces", False, True),
        ("[unclosed", "[unclosed", False, False),  # an unclosed bracket matches nothing
    ],
)
def test_pattern(pattern: str, path: str, is_dir: bool, ignored: bool) -> None:
    assert matcher(pattern).is_ignored(path, is_dir) is ignored


def test_negation_last_match_wins() -> None:
    rules = matcher("*.env\n!keep.env\n")
    assert rules.is_ignored("secret.env", False)
    assert not rules.is_ignored("keep.env", False)
    assert matcher("!keep.env\n*.env\n").is_ignored("keep.env", False)


def test_nested_rules_apply_below_their_directory_only() -> None:
    root = matcher("*.tmp\n")
    nested = root.extended(parse_gitignore("!important.tmp\n/local.txt\n", "sub"))
    assert nested.is_ignored("x.tmp", False)
    assert not nested.is_ignored("sub/important.tmp", False)
    assert nested.is_ignored("important.tmp", False)
    assert nested.is_ignored("sub/local.txt", False)
    assert not nested.is_ignored("local.txt", False)
    assert not nested.is_ignored("sub/deeper/local.txt", False)
