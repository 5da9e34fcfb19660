"""Format: small pieces of the text report that Paste did not have.

Part of stage three (catch → collect → **format** → report → respond), used
by :class:`paste_exc.formatter.TextFormatter`: the column caret, the walk of
an exception chain in Python's order, the box around group members.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from paste_exc.redact.saferepr import safe_repr

if TYPE_CHECKING:
    from paste_exc.model.report import CollectedException, ExceptionFrame

#: How many failing-expression segments keep their parsed caret anchors.
CACHED_SEGMENTS: Final = 1024
#: At most this many links of one chain are shown (the collector bounds it too).
MAX_CHAIN: Final = 100
#: Python's sentences between the links of a chain (text and HTML reports).
CAUSE_SENTENCE: Final = "The above exception was the direct cause of the following exception:"
CONTEXT_SENTENCE: Final = "During handling of the above exception, another exception occurred:"


def indent_block(text: str, prefix: str) -> str:
    """Prefix every line of ``text`` (blank lines get the prefix without trailing spaces).

    :param text: one or more lines.
    :param prefix: what to put in front of each.
    """
    bare = prefix.rstrip()
    return "\n".join(prefix + line if line else bare for line in text.split("\n"))


def caret_line(frame: ExceptionFrame) -> str | None:
    """Return the ``^^^`` line under a frame's stripped source line, or ``None``.

    As Python 3.11 prints it: the carets mark the columns of the failing
    expression (to the end of the line when it spans several lines); in a
    one-line binary operation or subscript, ``~`` marks the operands and ``^``
    the operator or the subscript (``~^~``, ``~^^^^^``). The line is left out
    when the columns are unknown and when it would underline the whole
    stripped line (as Paste's reports had no caret there, whatever the
    expression). The result lines up under
    ``TextFormatter.format_source`` (two spaces of indent).

    :param frame: a collected frame.
    """
    if frame.colno is None or frame.end_colno is None:
        return None
    original = _source_line(frame)
    stripped = original.strip()
    if not stripped:
        return None
    lead = len(original) - len(original.lstrip())
    line_end = lead + len(stripped)
    start = max(frame.colno, lead)
    same_line = frame.end_lineno is None or frame.end_lineno == frame.lineno
    end = min(frame.end_colno if same_line else line_end, line_end)
    if end <= start or end - start >= len(stripped):
        return None
    anchors = _caret_anchors(original[start:end]) if same_line else None
    if anchors is None or not 0 <= anchors[0] < anchors[1] <= end - start:
        return "  " + " " * (start - lead) + "^" * (end - start)
    left, right = anchors
    marks = "~" * left + "^" * (right - left) + "~" * (end - start - right)
    return "  " + " " * (start - lead) + marks


@functools.lru_cache(maxsize=CACHED_SEGMENTS)
def _caret_anchors(segment: str) -> tuple[int, int] | None:
    """Where Python 3.11 puts the ``^`` in a failing binary operation or subscript.

    Returns ``(first, after_last)`` character offsets into *segment*, or
    ``None`` when the segment is not one such expression. Parsing is the
    dearest part of a frame's text and depends on the source alone, so the
    answers for the last :data:`CACHED_SEGMENTS` segments are kept: an error
    repeated in a storm parses nothing.
    """
    try:
        tree = ast.parse(segment)
    except (SyntaxError, ValueError):
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    expr = tree.body[0].value
    encoded = segment.encode("utf-8", "surrogatepass")

    def chars(offset: int | None) -> int:
        # ast offsets count UTF-8 bytes
        return len(encoded[: offset or 0].decode("utf-8", "replace"))

    if isinstance(expr, ast.BinOp):
        between = segment[chars(expr.left.end_col_offset) : chars(expr.right.col_offset)]
        skip = len(between) - len(between.lstrip())
        left = chars(expr.left.end_col_offset) + skip
        wide = skip + 1 < len(between) and not between[skip + 1].isspace()
        return left, left + (2 if wide else 1)
    if isinstance(expr, ast.Subscript):
        return chars(expr.value.end_col_offset), chars(expr.slice.end_col_offset) + 1
    return None


def _source_line(frame: ExceptionFrame) -> str:
    if frame.lineno is None or frame.context_start is None:
        return ""
    index = frame.lineno - frame.context_start
    if 0 <= index < len(frame.context_lines):
        return frame.context_lines[index]
    return ""


def chain_links(exc: CollectedException) -> list[tuple[CollectedException, bool]]:
    """Return the earlier exceptions of ``exc``'s chain, oldest first.

    Python's rule: follow ``cause`` when set, otherwise ``context`` unless
    ``suppress_context``. Each entry is ``(link, is_cause)``, where
    ``is_cause`` tells which sentence leads from the link to the next one.
    Links marked as cycles, or met twice, end the walk.

    :param exc: the exception whose chain to walk.
    """
    links: list[tuple[CollectedException, bool]] = []
    seen = {id(exc)}
    current = exc
    while len(links) < MAX_CHAIN:
        if current.cause is not None:
            link, is_cause = current.cause, True
        elif current.context is not None and not current.suppress_context:
            link, is_cause = current.context, False
        else:
            break
        if link.is_cycle or id(link) in seen:
            break
        seen.add(id(link))
        links.append((link, is_cause))
        current = link
    links.reverse()
    return links


def exception_label(exc: CollectedException) -> tuple[str, str]:
    """Return ``(type name, value)`` of an exception, as Paste shows them.

    :param exc: the collected exception (Paste stored the class in
        ``exception_type``: its ``__name__`` is used then).
    """
    etype: object = exc.exception_type
    if not isinstance(etype, str):
        name = getattr(etype, "__name__", None)
        etype = name if isinstance(name, str) else safe_repr(etype)
    value: object = exc.exception_value
    return etype, value if isinstance(value, str) else safe_repr(value)


def member_box(members: Sequence[Sequence[str]], omitted: int) -> list[str]:
    """Return the lines of an exception group's members, boxed as Python does.

    :param members: the report lines of each member.
    :param omitted: how many members were left out of the collected data.
    """
    lines: list[str] = []
    for number, member in enumerate(members, 1):
        lines.append(f"  +---------------- {number} ----------------")
        lines.extend(indent_block(piece, "  | ") for piece in member)
    if omitted:
        plural = "exception" if omitted == 1 else "exceptions"
        lines.append("  +---------------- ... ----------------")
        lines.append(f"  | and {omitted} more {plural}")
    if lines:
        lines.append("  +------------------------------------")
    return lines
