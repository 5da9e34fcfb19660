"""Paste's string helpers: truncate, make_wrappable, make_pre_wrappable.

What they return is Paste's (the oracle tests are in test_paste_parity_wrapping.py);
these tests state the behaviour in words, and that it costs linear time.
"""

from __future__ import annotations

import sys

import pytest

from paste_exc.formatter import make_pre_wrappable, make_wrappable, truncate

WBR = "<wbr>"


# --- make_wrappable --------------------------------------------------------------


def test_long_word_without_split_characters_is_cut_every_wrap_limit_characters() -> None:
    expected = "x" * 10 + WBR + "x" * 10 + WBR + "x" * 5 + WBR
    assert make_wrappable("x" * 25, wrap_limit=10) == expected


def test_short_text_is_unchanged() -> None:
    assert make_wrappable("this that the other") == "this that the other"


def test_break_after_the_split_character_of_a_long_word() -> None:
    text = "this that " + "x" * 50 + ";" + "y" * 50 + " and the other"
    expected = "this that " + "x" * 50 + ";<wbr>" + "y" * 50 + " and the other"
    assert make_wrappable(text) == expected


def test_split_characters_are_tried_in_their_order_not_the_words() -> None:
    # ';' comes before '/' in the default split_on, so the ';' late in the word wins.
    word = "a/" + "b" * 20 + ";" + "c" * 20
    cut = "c" * 10 + WBR
    assert make_wrappable(word, wrap_limit=10) == "a/" + "b" * 20 + ";" + WBR + cut + cut


def test_whitespace_becomes_single_spaces_in_long_text() -> None:
    text = "a\n\tb  " + "z" * 70 + "\n"
    assert make_wrappable(text).replace(WBR, "") == "a b " + "z" * 70


def test_markup_is_split_like_any_text_as_in_paste() -> None:
    assert make_wrappable("&amp;" * 3, wrap_limit=4) == "&amp;<wbr>&amp;<wbr>&amp;<wbr>"
    assert make_wrappable("<;", 1) == "<;<wbr>"
    assert make_wrappable("x&ampxx", wrap_limit=3) == "x&<wbr>amp<wbr>xx<wbr>"


def test_wrap_limit_zero_works_while_split_characters_last() -> None:
    assert make_wrappable("; ;", wrap_limit=0) == ";<wbr> ;<wbr>"
    with pytest.raises(ValueError, match="zero"):
        make_wrappable("x", wrap_limit=0)


def test_negative_wrap_limit_is_refused_where_pastes_never_returns() -> None:
    with pytest.raises(ValueError, match="wrap_limit"):
        make_wrappable("x", wrap_limit=-1)
    assert make_wrappable("  ", wrap_limit=-1) == ""


def test_many_split_characters_in_linear_time() -> None:
    """One search per split character and position: 10**6 characters at once."""
    text = ";" * 500_000 + "/" * 500_000
    result = make_wrappable(text, wrap_limit=1)
    assert result.replace(WBR, "") == text
    assert result.count(WBR) == 1_000_000 - 1


def test_huge_input_without_split_characters() -> None:
    text = "q" * 300_000 + " " + "a/b?c&d" * 50_000
    result = make_wrappable(text)
    assert result.replace(WBR, "") == text


# --- make_pre_wrappable ----------------------------------------------------------


def test_pre_wrappable_returns_the_lines_as_pastes_does() -> None:
    long = "k" * 30 + "/" + "v" * 40
    assert make_pre_wrappable(f"short\r\n{long}\n") == f"short\n{long}"


def test_pre_wrappable_treats_every_line_boundary_as_a_line_end() -> None:
    assert make_pre_wrappable("\x1e") == ""
    assert make_pre_wrappable("a\x1cb\x85c") == "a\nb\nc"


def test_pre_wrappable_raises_as_pastes_for_an_empty_split_string() -> None:
    with pytest.raises(ValueError, match="empty separator"):
        make_pre_wrappable("x" * 100, split_on=["", "/"])  # type: ignore[arg-type]


def test_pre_wrappable_is_linear_on_a_huge_text() -> None:
    text = ("w" * 1000 + "\n") * 2000
    assert make_pre_wrappable(text) == text[:-1]


# --- truncate ---------------------------------------------------------------------


def test_truncate_keeps_short_strings() -> None:
    assert truncate("x" * 1000) == "x" * 1000


def test_truncate_keeps_both_ends_at_the_limit() -> None:
    text = "".join(chr(ord("a") + index % 26) for index in range(2000))
    result = truncate(text)
    assert len(result) == 1000
    assert result == text[:980] + "..." + text[-17:]


def test_truncate_with_a_small_limit_is_pastes_rule() -> None:
    assert truncate("0", 0) == "...0"
    assert truncate("abcdefghijklmnopqrstuvwxyz", 5) == "abcdefghijk...jklmnopqrstuvwxyz"
    assert truncate("a" * 30, 20) == "..." + "a" * 17
    assert truncate("abc", -1) == "...abc"


def test_truncate_of_a_huge_string() -> None:
    assert len(truncate("x" * (sys.maxsize >> 40))) == 1000
