"""Interpolation conformance (Compose spec 12-interpolation.md + Docker reference)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubealign.load.compose.interpolate import TemplateError, substitute

ENV = {"SET": "value", "EMPTY": "", "OTHER": "other"}


def sub(text: str) -> str:
    return substitute(text, ENV.get)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$SET", "value"),
        ("${SET}", "value"),
        ("pre-${SET}-post", "pre-value-post"),
        ("$SET.txt", "value.txt"),
        ("${UNSET:-default}", "default"),
        ("${EMPTY:-default}", "default"),  # :- also replaces empty
        ("${EMPTY-default}", ""),  # - only replaces unset
        ("${UNSET-default}", "default"),
        ("${SET:+alt}", "alt"),
        ("${EMPTY:+alt}", ""),
        ("${EMPTY+alt}", "alt"),
        ("${UNSET+alt}", ""),
        ("${UNSET:-${OTHER}}", "other"),  # nested default
        ("${UNSET:-${ALSO_UNSET:-deep}}", "deep"),
        ("$$SET", "$SET"),  # $$ escapes
        ("$${SET}", "${SET}"),
        ("cost: $5", "cost: $5"),  # a $ not followed by a name is left alone
        ("trailing $", "trailing $"),
        ("${UNSET}", ""),
        ("${SET?must}", "value"),
        ("${UNSET:-a b c}", "a b c"),
        ("${set}", ""),  # names are case-sensitive
    ],
)
def test_substitution(text: str, expected: str) -> None:
    assert sub(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${UNSET:?please set it}", "required variable UNSET is missing a value: please set it"),
        ("${EMPTY:?}", "required variable EMPTY is missing a value"),
        ("${UNSET?no}", "required variable UNSET is missing a value: no"),
        ("${SET", "expected a closing"),
        ("${}", "expected a name"),
        ("${1A}", "expected a name"),
        ("${SET/a/b}", "expected one of"),
    ],
)
def test_errors(text: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message.replace("?", r"\?")):
        sub(text)


def test_empty_value_is_set_for_question_mark() -> None:
    assert sub("${EMPTY?x}") == ""


def test_unset_variables_are_reported() -> None:
    seen: list[str] = []
    assert substitute("$A ${B} ${C:-x} ${D-y}", {}.get, seen.append) == "  x y"
    assert seen == ["A", "B"]


names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
plain_text = st.text(alphabet=st.characters(blacklist_characters="$"), max_size=30)
no_braces = st.text(alphabet=st.characters(blacklist_characters="${}"), max_size=20)


@given(plain_text)
def test_text_without_dollar_is_unchanged(text: str) -> None:
    assert substitute(text, {}.get) == text


@given(st.text(max_size=30))
def test_doubled_dollars_round_trip(text: str) -> None:
    assert substitute(text.replace("$", "$$"), {"X": "1"}.get) == text


@given(names, no_braces, no_braces)
def test_set_variable_ignores_default(name: str, value: str, default: str) -> None:
    env = {name: value}
    expected_colon = value if value else default
    assert substitute(f"${{{name}:-{default}}}", env.get) == expected_colon
    assert substitute(f"${{{name}-{default}}}", env.get) == value
    assert substitute("${" + name + "}", env.get) == value


@given(names, no_braces)
def test_unset_variable_takes_default(name: str, default: str) -> None:
    assert substitute(f"${{{name}:-{default}}}", {}.get) == default
    assert substitute(f"${{{name}:+{default}}}", {}.get) == ""


@given(st.lists(st.tuples(names, no_braces), max_size=4))
def test_concatenation_is_homomorphic(parts: list[tuple[str, str]]) -> None:
    env = {name: f"<{name}>" for name, _ in parts}
    pieces = [f"${{{name}}}{text}" for name, text in parts]
    whole = substitute("".join(pieces), env.get)
    assert whole == "".join(substitute(piece, env.get) for piece in pieces)
