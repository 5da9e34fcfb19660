"""Format: the pieces of one frame and one extra-data entry of an HTML report.

Part of the format stage, used by :mod:`paste_exc.format.html.build`: which
URLs may become links, the marked columns of a failing line, a frame's
supplement, and an extra-data entry shown as Paste showed it.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping

from paste_exc.format.extra import (
    extra_repr,
    long_item_list,
    pretty_string_repr,
    unshowable,
    value_rows,
)
from paste_exc.format.html.view import ExtraItem, SupplementView
from paste_exc.model.report import ExceptionFrame, ExtraRepr

__all__ = ["extra_item", "failing_mark", "supplement_view", "url_is_linkable"]


def url_is_linkable(url: str | None) -> bool:
    """Return whether *url* may become a link: an absolute http(s) URL, no control characters.

    :param url: the URL as text
    """
    if not url or any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        return False
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def failing_mark(text: str, frame: ExceptionFrame) -> tuple[int, int] | None:
    """Return the failing character range of the current line *text*, unless it is all of it."""
    if frame.colno is None or frame.colno < 0:
        return None
    start = min(frame.colno, len(text))
    end: int | None = len(text.rstrip())
    if frame.end_lineno is None or frame.end_lineno == frame.lineno:
        end = frame.end_colno
    if end is None or end < 0:
        return None
    end = min(end, len(text))
    if end <= start or text[start:end].strip() == text.strip():
        return None
    return start, end


def supplement_view(frame: ExceptionFrame) -> SupplementView | None:
    sup = frame.supplement
    if sup is None:
        return None
    position = None
    if sup.line:
        position = f"Line {sup.line}" + (f", Column {sup.column}" if sup.column else "")
    warnings = tuple(w for w in (sup.warnings or ()) if isinstance(w, str))
    if not (sup.object or sup.source_url or position or sup.expression or warnings or sup.info):
        return None
    return SupplementView(
        object=sup.object,
        url=sup.source_url,
        url_is_link=url_is_linkable(sup.source_url),
        position=position,
        expression=sup.expression,
        warnings=warnings,
        info=sup.info,
    )


def extra_item(title: str, value: object) -> ExtraItem:
    """One extra-data entry, shown as Paste showed it: reprs (see :func:`extra_repr`)."""
    try:
        if isinstance(value, Mapping):
            return ExtraItem(title, rows=value_rows(value))
        if isinstance(value, list | tuple) and long_item_list(value):
            return ExtraItem(title, items=[extra_repr(item) for item in value])
        if isinstance(value, str) and not isinstance(value, ExtraRepr):
            text = pretty_string_repr(str.__str__(value))
        else:
            text = extra_repr(value)
    except Exception as error:  # noqa: BLE001  a hostile value from a decorator
        return ExtraItem(title, text=unshowable(error))
    return ExtraItem(title, text=text, multiline="\n" in text)
