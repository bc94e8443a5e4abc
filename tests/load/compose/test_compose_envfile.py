"""Env-file format (Docker reference "Syntax for environment files")."""

from __future__ import annotations

import pytest

from kubealign.errors import LoadError
from kubealign.load.compose.envfile import parse_env_text

TEXT = """\
# comment line

PLAIN=value with spaces # trailing comment
HASH=value#not-a-comment
export EXPORTED=yes
SINGLE='literal ${BASE} # text'
SQ_ESC='Let\\'s go'
DOUBLE="${BASE} with\\ttab\\nnl \\"q\\" \\\\back \\$x"
MULTI="first
second"
UNBRACED=$BASE-suffix
REF=${PLAIN}!
COLON: yaml style
EMPTY=
INHERIT
MISSING_INHERIT
SPACED =  spaced \t
DQC="v" # comment
"""


def test_env_file_syntax_matches_docker_compose() -> None:
    lines: dict[str, int] = {}
    env = {"BASE": "frombase", "INHERIT": "inh"}
    values = parse_env_text(TEXT, "app.env", env.get, lines)
    assert values == {
        "PLAIN": "value with spaces",
        "HASH": "value#not-a-comment",
        "EXPORTED": "yes",
        "SINGLE": "literal ${BASE} # text",
        "SQ_ESC": "Let's go",
        "DOUBLE": 'frombase with\ttab\nnl "q" \\back $x',
        "MULTI": "first\nsecond",
        "UNBRACED": "frombase-suffix",
        "REF": "value with spaces!",
        "COLON": "yaml style",
        "EMPTY": "",
        "INHERIT": "inh",
        "SPACED": "spaced",
        "DQC": "v",
    }
    assert lines["PLAIN"] == 3
    assert lines["UNBRACED"] == 11


def test_environment_wins_over_earlier_keys_in_the_file() -> None:
    values = parse_env_text("A=file\nB=$A\n", "x.env", {"A": "shell"}.get)
    assert values["B"] == "shell"


def test_unterminated_quote_names_file_and_line() -> None:
    with pytest.raises(LoadError) as info:
        parse_env_text('A=1\nB="open\n', "bad.env", {}.get)
    assert (info.value.path, info.value.line) == ("bad.env", 2)
    assert "unterminated" in str(info.value)


def test_bad_variable_name() -> None:
    with pytest.raises(LoadError, match="unexpected character"):
        parse_env_text("A$B=1\n", "bad.env", {}.get)


def test_required_variable_in_env_file() -> None:
    with pytest.raises(LoadError, match=r"bad.env:2: required variable X"):
        parse_env_text("A=1\nB=${X:?set X}\n", "bad.env", {}.get)
