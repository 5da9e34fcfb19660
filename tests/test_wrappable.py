"""Paste's string helpers: truncate, make_wrappable, make_pre_wrappable."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from paste_exc.formatter import make_pre_wrappable, make_wrappable, truncate

WBR = "<wbr>"


def longest_unbroken_run(html: str) -> int:
    """Length of the longest stretch of non-space text without a <wbr>.

    An entity (``&amp;``, ``&a;``) is one unit, as make_wrappable counts it.
    """
    units = re.sub(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);", "e", html)
    return max((len(part) for part in re.split(r"<wbr>|\s", units)), default=0)


# --- Paste's own expectations, restated ------------------------------------------


def test_long_word_without_split_characters_gets_breaks() -> None:
    assert WBR in make_wrappable("x" * 1000)


def test_many_split_characters_do_not_exhaust_the_stack() -> None:
    result = make_wrappable(";" * 2000)
    assert result.replace(WBR, "") == ";" * 2000


def test_short_text_is_unchanged() -> None:
    assert make_wrappable("this that the other") == "this that the other"


def test_break_after_the_split_character_of_a_long_word() -> None:
    text = "this that " + "x" * 50 + ";" + "y" * 50 + " and the other"
    expected = "this that " + "x" * 50 + ";<wbr>" + "y" * 50 + " and the other"
    assert make_wrappable(text) == expected


# --- make_wrappable --------------------------------------------------------------


def test_words_within_the_limit_are_untouched_in_long_text() -> None:
    text = " ".join(["word"] * 40)
    assert make_wrappable(text) == text


def test_whitespace_is_kept_as_it_is() -> None:
    text = "a\n\tb  " + "z" * 70 + "\n"
    assert make_wrappable(text).replace(WBR, "") == text


def test_unbroken_word_is_cut_every_wrap_limit_characters() -> None:
    assert make_wrappable("x" * 25, wrap_limit=10) == "x" * 10 + WBR + "x" * 10 + WBR + "x" * 5


def test_no_trailing_break_at_the_end_of_a_word() -> None:
    assert make_wrappable("x" * 20, wrap_limit=10) == "x" * 10 + WBR + "x" * 10
    assert not make_wrappable("a" * 30 + "/", wrap_limit=10).endswith(WBR)


def test_entities_are_never_split() -> None:
    text = "&amp;" * 40 + "&lt;" * 40
    result = make_wrappable(text, wrap_limit=10)
    assert result.replace(WBR, "") == text
    pieces = result.split(WBR)
    assert all(re.fullmatch(r"(&(amp|lt);)+", piece) for piece in pieces)


def test_escaped_quote_counts_as_a_split_character() -> None:
    text = "a" * 30 + "&quot;" + "b" * 30
    assert make_wrappable(text, wrap_limit=40) == "a" * 30 + "&quot;" + WBR + "b" * 30


def test_custom_split_characters() -> None:
    text = "a" * 30 + "." + "b" * 30
    assert make_wrappable(text, split_on=".") == "a" * 30 + "." + WBR + "b" * 30


@pytest.mark.parametrize("limit", [0, -5])
def test_wrap_limit_must_be_positive(limit: int) -> None:
    with pytest.raises(ValueError, match="wrap_limit"):
        make_wrappable("x" * 100, wrap_limit=limit)
    with pytest.raises(ValueError, match="wrap_limit"):
        make_pre_wrappable("x" * 100, wrap_limit=limit)


def test_huge_input_in_one_pass() -> None:
    text = ("a/b?c&d" * 50_000) + " " + "q" * 300_000
    result = make_wrappable(text)
    assert result.replace(WBR, "") == text
    assert longest_unbroken_run(result) <= 60


@settings(database=None)  # no example database written into the checkout
@given(
    st.text(alphabet=st.sampled_from("ab;/ -&\n"), max_size=400),
    st.integers(min_value=1, max_value=80),
)
@example(text="&a;", limit=1)  # an entity is one unit: never split
def test_only_breaks_are_added_and_every_run_is_bounded(text: str, limit: int) -> None:
    result = make_wrappable(text, wrap_limit=limit)
    assert result.replace(WBR, "") == text
    if len(text) > limit:
        assert longest_unbroken_run(result) <= limit


# --- make_pre_wrappable ----------------------------------------------------------


def test_pre_wrappable_works_line_by_line() -> None:
    short = "short line"
    long = "k" * 30 + "/" + "v" * 40
    result = make_pre_wrappable(f"{short}\n{long}\n")
    assert result == f"{short}\n" + "k" * 30 + "/" + WBR + "v" * 40 + "\n"


def test_pre_wrappable_keeps_short_lines_and_line_endings() -> None:
    text = "a b\r\nc  d\n\n  e"
    assert make_pre_wrappable(text) == text


def test_pre_wrappable_keeps_indentation_of_long_lines() -> None:
    line = "        " + "w" * 100
    result = make_pre_wrappable(line)
    assert result.startswith("        w")
    assert result.replace(WBR, "") == line
    assert WBR in result


# --- truncate ---------------------------------------------------------------------


def test_truncate_keeps_short_strings() -> None:
    assert truncate("x" * 1000) == "x" * 1000


def test_truncate_keeps_both_ends_at_the_limit() -> None:
    text = "".join(chr(ord("a") + index % 26) for index in range(2000))
    result = truncate(text)
    assert len(result) == 1000
    assert result == text[:980] + "..." + text[-17:]


def test_truncate_with_a_small_limit() -> None:
    assert truncate("abcdefghijklmnopqrstuvwxyz", 5) == "abcde"
    assert truncate("abcdefghijklmnopqrstuvwxyz", 0) == ""
    assert truncate("a" * 30, 20) == "..." + "a" * 17


def test_truncate_rejects_a_negative_limit() -> None:
    with pytest.raises(ValueError, match="limit"):
        truncate("abc", -1)


@settings(database=None)
@given(st.text(max_size=300), st.integers(min_value=0, max_value=200))
def test_truncate_never_exceeds_the_limit(text: str, limit: int) -> None:
    result = truncate(text, limit)
    assert len(result) <= limit
    if len(text) <= limit:
        assert result == text
