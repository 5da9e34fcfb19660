"""Paste parity: truncate, make_wrappable and make_pre_wrappable return what Paste's return.

Paste 3.10.1, imported in the same process, is the oracle: for every input on
which Paste's function returns (or raises), ours returns the same string (or
raises the same exception class). Inputs on which Paste's never return (a
negative ``wrap_limit``: it loops for ever) are left out of the comparison.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import example, given, settings, strategies as st
from paste.exceptions import formatter as paste_formatter

from paste_exc import formatter

DEFAULT_SPLIT_ON = ";?&@!$#-/\\\"'"
#: Text rich in what the helpers look at: split characters, markup, every kind
#: of whitespace and line boundary :meth:`str.split` and :meth:`str.splitlines` know.
TRICKY = st.text(
    alphabet=st.sampled_from(
        [*list("ab<>;&/?@!$#-\\\"' \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029\xa0"), "é"]
    ),
    max_size=300,
)
TEXT = st.one_of(TRICKY, st.text(max_size=300))
SPLIT_ON = st.one_of(
    st.just(DEFAULT_SPLIT_ON),
    st.text(max_size=6),
    st.lists(st.text(alphabet="ab;&<", max_size=3), max_size=4),
)


def outcome(func: Callable[..., str], *args: Any) -> tuple[str, object]:
    """What *func* gives for *args*: ``("value", result)`` or ``("raises", class)``."""
    try:
        return "value", func(*args)
    except Exception as error:
        return "raises", type(error)


settings_ = settings(max_examples=600, database=None, deadline=None)


@settings_
@given(text=TEXT, limit=st.integers(min_value=-40, max_value=1100))
@example(text="0", limit=0)
@example(text="abc", limit=-1)
@example(text="x" * 2000, limit=1000)
@example(text="", limit=-5)
def test_truncate_is_pastes(text: str, limit: int) -> None:
    assert formatter.truncate(text, limit) == paste_formatter.truncate(text, limit)


def test_truncate_default_limit_is_pastes() -> None:
    text = "".join(chr(65 + i % 50) for i in range(5000))
    assert formatter.truncate(text) == paste_formatter.truncate(text)


@settings_
@given(text=TEXT, limit=st.integers(min_value=0, max_value=80), split_on=SPLIT_ON)
@example(text="<;", limit=1, split_on=DEFAULT_SPLIT_ON)
@example(text="&amp;&lt;" * 20, limit=7, split_on=DEFAULT_SPLIT_ON)
@example(text="x" * 10, limit=0, split_on=DEFAULT_SPLIT_ON)
@example(text="; ;", limit=0, split_on=DEFAULT_SPLIT_ON)
@example(text="abab", limit=1, split_on=["", "a"])
@example(text="abab", limit=1, split_on=["ab", ""])
@example(text="aaaa", limit=1, split_on=["aa"])
def test_make_wrappable_is_pastes(text: str, limit: int, split_on: Any) -> None:
    ours = outcome(formatter.make_wrappable, text, limit, split_on)
    assert ours == outcome(paste_formatter.make_wrappable, text, limit, split_on)


@settings_
@given(text=TEXT)
def test_make_wrappable_defaults_are_pastes(text: str) -> None:
    assert formatter.make_wrappable(text) == paste_formatter.make_wrappable(text)


@settings_
@given(text=TEXT, limit=st.integers(min_value=-5, max_value=80), split_on=SPLIT_ON)
@example(text="\x1e", limit=60, split_on=DEFAULT_SPLIT_ON)
@example(text="x" * 100, limit=60, split_on=["", "/"])
@example(text="a\r\nb\rc\n", limit=0, split_on="")
def test_make_pre_wrappable_is_pastes(text: str, limit: int, split_on: Any) -> None:
    ours = outcome(formatter.make_pre_wrappable, text, limit, split_on)
    assert ours == outcome(paste_formatter.make_pre_wrappable, text, limit, split_on)


@settings_
@given(text=TEXT)
def test_make_pre_wrappable_defaults_are_pastes(text: str) -> None:
    assert formatter.make_pre_wrappable(text) == paste_formatter.make_pre_wrappable(text)


@pytest.mark.parametrize(
    ("func", "args"),
    [
        ("truncate", ("0", 0)),
        ("make_wrappable", ("<;", 1)),
        ("make_pre_wrappable", ("\x1e",)),
    ],
)
def test_the_quirks_named_in_the_issue(func: str, args: tuple[Any, ...]) -> None:
    assert getattr(formatter, func)(*args) == getattr(paste_formatter, func)(*args)


@pytest.mark.parametrize("limit", [2.5, "60", None])
def test_odd_wrap_limits_fail_as_pastes(limit: Any) -> None:
    for text in ("x" * 100, "a;b;c;" * 30, "   "):
        ours = outcome(formatter.make_wrappable, text, limit)
        assert ours == outcome(paste_formatter.make_wrappable, text, limit)
        ours = outcome(formatter.make_pre_wrappable, text, limit)
        assert ours == outcome(paste_formatter.make_pre_wrappable, text, limit)
