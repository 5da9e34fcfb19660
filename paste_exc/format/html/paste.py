"""Format: Paste's HTML helpers, for code that builds pages the way Paste did.

Part of stage three (catch → collect → **format** → report → respond).
Paste's ``formatter`` module exported a few pieces its own pages were made
of: :func:`html_quote`, :func:`str2html` (highlighted source as HTML),
:data:`error_css` and :data:`hide_display_js` (the style and script those
pages used) and three patterns. Our own pages do not use them (they are
rendered from templates, under a strict Content-Security-Policy); these are
kept, with Paste's signatures and behaviour, for code written against Paste.
Re-exported by :mod:`paste_exc.formatter`.
"""

from __future__ import annotations

import html
import re
from typing import Final

from markupsafe import Markup
from pygments import highlight  # type: ignore[import-untyped]
from pygments.formatters import HtmlFormatter  # type: ignore[import-untyped]
from pygments.lexers import Python3Lexer  # type: ignore[import-untyped]

from paste_exc.format.templates import templates_dir

__all__ = [
    "error_css",
    "error_re",
    "hide_display_js",
    "html_quote",
    "pre_re",
    "str2html",
    "whitespace_re",
]

#: Runs of two or more spaces (:func:`str2html` keeps them with ``&nbsp;``).
whitespace_re: Final = re.compile(r"  +")
#: A ``<pre>`` or ``</pre>`` tag.
pre_re: Final = re.compile(r"</?pre.*?>")
#: The error heading of Paste's old source colouriser.
error_re: Final = re.compile(r"<h3>ERROR: .*?</h3>")

#: The ``<style>`` element of Paste-style report pages (``tr.header``,
#: ``table.variables``, ``a.button``, ``code.source``, ``.source-highlight``, ...).
error_css: Final = (templates_dir() / "paste_error_css.html").read_text("utf-8")
#: The ``<script>`` element of Paste-style report pages: ``hide_display(id)``,
#: ``show_button(toggle_id, name)`` and ``switch_source(el, hide_type)``.
hide_display_js: Final = (templates_dir() / "paste_hide_display_js.html").read_text("utf-8")

_HIGHLIGHTED: Final = Markup('<span class="source-highlight">{}</span>')
_LEXER: Final = Python3Lexer(stripnl=False)
_FORMATTER: Final = HtmlFormatter(nowrap=True)


def html_quote(s: object) -> str:
    """Return ``str(s)`` escaped for HTML, quotes included (Paste's helper).

    :param s: any object
    """
    return html.escape(str(s), True)


def str2html(
    src: str, strip: bool = False, indent_subsequent: int = 0, highlight_inner: bool = False
) -> str:
    """Return Python source as highlighted HTML; never fail (Paste's helper).

    One line is returned as it is highlighted; several are joined with
    ``<br>`` and a line break, every line after the first indented by
    *indent_subsequent* spaces, runs of spaces kept with ``&nbsp;``, and with
    *highlight_inner* the middle line of an even number of lines wrapped in
    ``<span class="source-highlight">``. Whatever goes wrong, the result is
    at least the escaped text. Highlighting is Pygments' (class names, not
    Paste's ``<font>`` colours).

    :param src: the source text
    :param strip: strip surrounding whitespace first
    :param indent_subsequent: spaces before each line after the first
    :param highlight_inner: mark the middle line
    """
    try:
        return _str2html(src, strip, indent_subsequent, highlight_inner)
    except Exception:  # noqa: BLE001  Paste's promise: at least the escaped text
        return html_quote(src)


def _str2html(src: str, strip: bool, indent_subsequent: int, highlight_inner: bool) -> str:
    if strip:
        src = src.strip()
    try:
        marked = highlight(src, _LEXER, _FORMATTER) if src else ""
    except Exception:  # noqa: BLE001  a lexer failure: the escaped text
        marked = html_quote(src)
    if marked[:1] in ("\n", "\r"):
        marked = marked[1:]
    if marked[-1:] in ("\n", "\r"):
        marked = marked[:-1]
    lines = marked.splitlines()
    if len(lines) == 1:
        return lines[0]
    indent = " " * indent_subsequent
    middle = len(lines) / 2
    shown = [lines[0]] if lines else []
    for number, line in enumerate(lines[1:], start=1):
        line = indent + line
        if highlight_inner and number == middle:
            # The line is Pygments' markup (or escaped text): trusted, so not escaped again.
            line = _HIGHLIGHTED.format(Markup(line))  # noqa: S704
        shown.append(line)
    joined = "<br>\n".join(shown)
    return whitespace_re.sub(lambda match: "&nbsp;" * (len(match.group()) - 1) + " ", joined)
