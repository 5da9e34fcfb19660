"""Format: Paste's string helpers for reports.

Part of stage three (catch → collect → **format** → report → respond):
:func:`truncate` bounds a string keeping both ends; :func:`make_wrappable`
and :func:`make_pre_wrappable` let a browser break long words of escaped
HTML by inserting ``<wbr>``. Re-exported by :mod:`paste_exc.formatter`.
"""

from __future__ import annotations

from typing import Final

__all__ = ["make_pre_wrappable", "make_wrappable", "truncate"]


def truncate(string: str, limit: int = 1000) -> str:
    """Shorten ``string`` past ``limit`` characters, keeping both ends (Paste's rule).

    A string of at most ``limit`` characters is returned as it is; a longer
    one becomes its first ``limit - 20`` characters, ``...`` and its last 17.
    The rule is Paste's for every ``limit``, small and negative ones
    included, so the result may be longer than ``limit``
    (``truncate("0", 0) == "...0"``).

    :param string: the text.
    :param limit: the length past which the text is shortened.
    """
    if len(string) <= limit:
        return string
    head = string[: limit - 20]
    tail = string[-17:]
    return head + "..." + tail


_SPLIT_ON: Final = ";?&@!$#-/\\\"'"
_WBR: Final = "<wbr>"


def make_wrappable(html: str, wrap_limit: int = 60, split_on: str = _SPLIT_ON) -> str:
    """Let a browser break the long words of ``html`` with ``<wbr>`` (Paste's result).

    Text of at most ``wrap_limit`` characters is returned unchanged. Longer
    text is split into words at whitespace and joined again with single
    spaces. In each word longer than ``wrap_limit``, as long as the rest of
    the word is longer than ``wrap_limit``: the first character of
    ``split_on`` (in ``split_on``'s order) that occurs in the rest ends a
    piece at its first occurrence, followed by ``<wbr>``; when none occurs,
    the rest is cut into pieces of ``wrap_limit`` characters, each followed
    by ``<wbr>``. This is exactly what Paste's function returns, quirks
    included (an entity such as ``&amp;`` may be split after its ``&``;
    ``make_wrappable("<;", 1) == "<;<wbr>"``), computed in linear time: each
    character of ``split_on`` is searched for at most once per position.

    :param html: escaped HTML text.
    :param wrap_limit: the longest rest of a word left without a break.
    :param split_on: the characters (or strings) after which a break is preferred.
    :raises ValueError: for a ``wrap_limit`` of 0 where a word has a stretch
        without a ``split_on`` character, and for a negative one when there is
        a word (Paste's function loops for ever there), as for an empty string
        in ``split_on`` that would be split on.
    """
    if len(html) <= wrap_limit:
        return html
    words = html.split()
    if words and isinstance(wrap_limit, int) and wrap_limit < 0:
        raise ValueError(f"make_wrappable(): wrap_limit must not be negative, got {wrap_limit}")
    return " ".join(_wrap_word(word, wrap_limit, split_on) for word in words)


def _wrap_word(word: str, wrap_limit: int, split_on: str) -> str:
    pieces: list[str] = []
    start = 0  # what is left of the word is word[start:]
    # Where each split string next occurs at or after some earlier start (-1: nowhere).
    next_at: dict[str, int] = {}
    while len(word) - start > wrap_limit:
        for char in split_on:
            at = next_at.get(char)
            if at is None or 0 <= at < start:
                at = word.find(char, start)
                next_at[char] = at
            if at >= 0:
                if not char:
                    raise ValueError("empty separator")
                pieces.append(word[start:at] + char + _WBR)
                start = at + len(char)
                break
        else:
            rest = word[start:]
            pieces.extend(rest[i : i + wrap_limit] + _WBR for i in range(0, len(rest), wrap_limit))
            start = len(word)
            break
    pieces.append(word[start:])
    return "".join(pieces)


def make_pre_wrappable(html: str, wrap_limit: int = 60, split_on: str = _SPLIT_ON) -> str:
    """Paste's ``make_pre_wrappable``: the lines of ``html`` joined with ``\\n``.

    Paste's function was meant to add break opportunities to the long lines
    of a ``<pre>`` block; it computes them and then returns the original
    lines, so what it returns is ``"\\n".join(html.splitlines())``: line
    endings (``\\r\\n``, ``\\r``, and the other boundaries of
    :meth:`str.splitlines`, such as ``\\x1e``) become ``\\n`` and a final one
    is dropped. Ours returns exactly that, and raises where Paste's raises
    (a ``wrap_limit`` that cannot be compared with a length, an empty string
    in ``split_on`` for a long line).

    :param html: escaped HTML text, possibly of several lines.
    :param wrap_limit: the line length past which Paste looked for break characters.
    :param split_on: the characters Paste would have broken after.
    """
    lines = html.splitlines()
    for line in lines:
        if len(line) > wrap_limit:
            for char in split_on:
                if char in line:
                    if not char:
                        raise ValueError("empty separator")
                    break
    return "\n".join(lines)
