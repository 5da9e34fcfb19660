"""Collect: where a :class:`SyntaxError` points, and the lines Python shows for it.

Part of the collect stage (catch → **collect** → format → report → respond).
:func:`syntax_error_details` copies a live SyntaxError's position into
:class:`~paste_exc.collector.SyntaxErrorDetails` (the source line redacted
with the value patterns); :func:`syntax_error_lines` and
:func:`syntax_error_message` turn those details into what
:func:`traceback.format_exception_only` of the running Python prints. The
collected ``exception_formatted``, the text report and the HTML report all
take the lines from here, so they cannot disagree.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from paste_exc.collect.magic import error_summary
from paste_exc.collect.supplement import as_int
from paste_exc.model.report import INFO_LIMIT, SyntaxErrorDetails
from paste_exc.redact.saferepr import safe_str

if TYPE_CHECKING:
    from paste_exc.redact.engine import Redactor

__all__ = ["syntax_error_details", "syntax_error_lines", "syntax_error_message"]

#: Python 3.13 changed where the carets go: offsets past the line's end are
#: pulled back to it, and an error over several lines is marked to the end.
_CLAMPED_CARETS = sys.version_info >= (3, 13)


def syntax_error_details(value: object, notes: list[str], redactor: Redactor) -> SyntaxErrorDetails:
    """Copy where the SyntaxError *value* points; an attribute that raises costs only itself.

    :param value: the SyntaxError
    :param notes: the report's collection notes (an unreadable attribute is noted)
    :param redactor: redacts the message, and the source line with the value patterns
    """

    def read(name: str) -> object:
        try:
            return getattr(value, name, None)
        except Exception as error:  # noqa: BLE001
            notes.append(f"SyntaxError.{name} could not be read: {error_summary(error)}")
            return None

    def text(name: str) -> str | None:
        item = read(name)
        return None if item is None else safe_str(item, INFO_LIMIT)

    def source(name: str) -> str | None:
        item = text(name)  # the offending source line: the value patterns apply
        return None if item is None else redactor.redact_values(item)

    def number(name: str) -> int | None:
        return as_int(read(name))

    return SyntaxErrorDetails(
        filename=text("filename"),
        lineno=number("lineno"),
        offset=number("offset"),
        end_lineno=number("end_lineno"),
        end_offset=number("end_offset"),
        text=source("text"),
        msg=redactor.redact_text(msg) if (msg := text("msg")) is not None else None,
    )


def syntax_error_lines(
    details: SyntaxErrorDetails, trim: Callable[[str], str] | None = None
) -> list[str]:
    """Return the lines before ``Type: message``: file and line, the source line, the carets.

    Each ends in a newline, as in :func:`traceback.format_exception_only`,
    and they are the lines it prints: the source line without its leading
    spaces and form feeds, the carets shifted to match (tabs before them kept,
    so they line up), one caret per column of the range (at most
    :data:`~paste_exc.collector.INFO_LIMIT`, the bound of the source line),
    and no caret line where Python shows none (the offset unknown, or inside
    the stripped indentation).

    :param details: the collected details
    :param trim: shortens the file name (the formatters' ``trim_source_paths``)
    """
    lines: list[str] = []
    if details.lineno is not None:
        filename = details.filename or "<string>"
        if trim is not None:
            filename = trim(filename)
        lines.append(f'  File "{filename}", line {details.lineno}\n')
    text = details.text
    if text is None:
        return lines
    right = text.rstrip("\n")
    shown = right.lstrip(" \n\f")
    indent = len(right) - len(shown)
    lines.append(f"    {shown}\n")
    span = _caret_span(details, text, right)
    if span is not None and span[0] - 1 - indent >= 0:
        first, last = span[0] - 1 - indent, span[1] - 1 - indent
        spaces = "".join(ch if ch.isspace() else " " for ch in shown[:first])
        # Python prints end_offset carets, however many: a report stays bounded.
        lines.append(f"    {spaces}{'^' * min(last - first, INFO_LIMIT)}\n")
    return lines


def _caret_span(details: SyntaxErrorDetails, text: str, right: str) -> tuple[int, int] | None:
    """Return the 1-based columns ``(first, after last)`` the carets mark, Python's way."""
    offset = details.offset
    if offset is None:
        return None
    end = details.end_offset
    if end is None or end == 0:
        end = offset
    if not _CLAMPED_CARETS:
        if end in (offset, -1):
            end = offset + 1
        return offset, end
    if details.lineno != details.end_lineno:
        end = len(right) + 1
    if text and offset > len(text):
        offset = len(right) + 1
    if text and end > len(text):
        end = len(right) + 1
    if offset >= end or end < 0:
        end = offset + 1
    return offset, end


def syntax_error_message(details: SyntaxErrorDetails) -> str:
    """Return what follows ``Type: `` in Python's last line: the message (and file).

    The message is kept whole (``(detected at line 4)`` included); the file
    name follows it only where no ``File`` line named it.

    :param details: the collected details
    """
    suffix = ""
    if details.lineno is None and details.filename is not None:
        suffix = f" ({details.filename})"
    return f"{details.msg or '<no detail available>'}{suffix}"
