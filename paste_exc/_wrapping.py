"""Format: Paste's string helpers for reports.

Part of stage three (catch → collect → **format** → report → respond):
:func:`truncate` bounds a string keeping both ends; :func:`make_wrappable`
and :func:`make_pre_wrappable` let a browser break long words of escaped
HTML by inserting ``<wbr>``. Re-exported by :mod:`paste_exc.formatter`.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["make_pre_wrappable", "make_wrappable", "truncate"]


def truncate(string: str, limit: int = 1000) -> str:
    """Shorten ``string`` to at most ``limit`` characters, keeping both ends.

    Paste's rule: a longer string keeps its first ``limit - 20`` characters,
    then ``...``, then its last 17 characters. For a ``limit`` under 20 the
    string is simply cut to ``limit`` characters.

    :param string: the text.
    :param limit: the maximum length (non-negative).
    :raises ValueError: for a negative ``limit``.
    """
    if limit < 0:
        raise ValueError(f"truncate(): limit must not be negative, got {limit}")
    if len(string) <= limit:
        return string
    if limit < 20:
        return string[:limit]
    return string[: limit - 20] + "..." + string[-17:]


_SPLIT_ON: Final = ";?&@!$#-/\\\"'"
#: An HTML entity or tag (never split), or any one other character.
_UNIT_RE: Final = re.compile(
    r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|<[^<>]*>|.", re.S
)
_ENTITY_CHARS: Final = {
    "&amp;": "&",
    "&quot;": '"',
    "&#x27;": "'",
    "&#39;": "'",
    "&apos;": "'",
    "&#34;": '"',
    "&#x2F;": "/",
    "&#47;": "/",
}
_WORD_RE: Final = re.compile(r"\S+")


def make_wrappable(html: str, wrap_limit: int = 60, split_on: str = _SPLIT_ON) -> str:
    """Let a browser break long words of ``html`` by inserting ``<wbr>``.

    Text of at most ``wrap_limit`` characters is returned unchanged, and so
    is every word (run of non-space characters) of at most ``wrap_limit``
    characters. In a longer word a ``<wbr>`` follows each character of
    ``split_on``, and any stretch of ``wrap_limit`` characters without one
    gets a ``<wbr>`` too. Whitespace is kept as it is; HTML entities
    (``&amp;``) and tags count as one unit and are never split. Works in
    one pass, whatever the length of the input.

    :param html: escaped HTML text.
    :param wrap_limit: the longest run left without a break opportunity.
    :param split_on: the characters after which a break is preferred.
    :raises ValueError: if ``wrap_limit`` is not positive.
    """
    if wrap_limit < 1:
        raise ValueError(f"make_wrappable(): wrap_limit must be positive, got {wrap_limit}")
    if len(html) <= wrap_limit:
        return html
    return _WORD_RE.sub(lambda match: _wrap_word(match.group(), wrap_limit, split_on), html)


def _wrap_word(word: str, wrap_limit: int, split_on: str) -> str:
    if len(word) <= wrap_limit:
        return word
    pieces: list[str] = []
    run = 0
    for unit in _UNIT_RE.findall(word):
        if run >= wrap_limit:
            pieces.append("<wbr>")
            run = 0
        pieces.append(unit)
        if unit.startswith("<") and len(unit) > 1:
            continue
        run += 1
        char = _ENTITY_CHARS.get(unit, unit)
        if len(char) == 1 and char in split_on:
            pieces.append("<wbr>")
            run = 0
    if pieces and pieces[-1] == "<wbr>":
        pieces.pop()
    return "".join(pieces)


def make_pre_wrappable(html: str, wrap_limit: int = 60, split_on: str = _SPLIT_ON) -> str:
    """Like :func:`make_wrappable`, for text in a ``<pre>`` block: line by line.

    Each line longer than ``wrap_limit`` gets its break opportunities; line
    breaks and all other whitespace are kept.

    :param html: escaped HTML text, possibly of several lines.
    :param wrap_limit: the longest run left without a break opportunity.
    :param split_on: the characters after which a break is preferred.
    :raises ValueError: if ``wrap_limit`` is not positive.
    """
    if wrap_limit < 1:
        raise ValueError(f"make_pre_wrappable(): wrap_limit must be positive, got {wrap_limit}")
    return "".join(
        make_wrappable(line, wrap_limit, split_on) for line in html.splitlines(keepends=True)
    )
