"""Collect: what a frame shows that depends only on its code, worked out once per code location.

Part of the collect stage. In an error storm the same few lines fail on every
request. A frame's file name, function names, source context
(cleaned, bounded, its credentials redacted) and the columns of the failing
expression depend only on the code object, the line and instruction that
failed, the source file, the redactor and how many lines are kept, so
:func:`code_facts` keeps them in a bounded cache (:data:`CACHED_LOCATIONS`
entries, least recently used out) and every later request failing there
reuses them. What depends on the
request (locals, magic variables, supplements, the module's revision) is read
per request by :func:`~paste_exc.collect.frames.build_frame`.

An edited file is read again: an entry remembers the size and modification
time of the file its lines came from, checked once per file per collection,
and a change (or a file that is gone) makes the entry, and linecache's copy,
stale. The cache holds the code object it describes, so its ``id`` cannot be
reused by another while the entry lives.
"""

from __future__ import annotations

import collections
import dataclasses
import inspect
import itertools
import linecache
import os
import sys
import threading
from collections.abc import Mapping
from types import CodeType
from typing import Any, Final

from paste_exc.collect.magic import MAGIC_NAMES
from paste_exc.model.report import CONTEXT_LINES, NAME_LIMIT, SOURCE_LINE_LIMIT, VALUE_LIMIT
from paste_exc.redact.engine import Redactor
from paste_exc.redact.saferepr import safe_str, truncate_text

__all__ = ["CACHED_LOCATIONS", "CodeFacts", "clear_code_facts", "code_facts", "file_stamp"]

#: How many code locations (code object, line, instruction, redactor) are kept.
CACHED_LOCATIONS: Final = 1024

#: A file's identity for the cache: ``(size, mtime_ns)``, or ``None`` when it cannot be read.
Stamp = tuple[int, int] | None


@dataclasses.dataclass(frozen=True, slots=True)
class CodeFacts:
    """What one code location shows, whatever the request.

    :param code: the code object (held, so its ``id`` stays its own)
    :param redactor: the redactor the context lines went through (held likewise)
    :param stamp: the source file's :data:`Stamp` when its lines were read
    """

    code: CodeType
    redactor: Redactor
    stamp: Stamp
    filename: str
    name: str
    qualname: str
    end_lineno: int | None
    colno: int | None
    end_colno: int | None
    context_lines: tuple[str, ...]
    context_start: int | None
    #: Whether the frame's locals may hold a magic variable: the code is not a
    #: function's (a module or class body, whose locals are a real mapping) or
    #: names one among its variables. When not, and no locals are collected,
    #: the frame's locals mapping is never built.
    locals_may_be_magic: bool


_Key = tuple[int, int | None, int, int, int]
_cache: collections.OrderedDict[_Key, CodeFacts] = collections.OrderedDict()
_lock = threading.Lock()


def file_stamp(filename: str) -> Stamp:
    """The size and modification time of *filename*; ``None`` for no readable file."""
    try:
        status = os.stat(filename)
    except (OSError, ValueError):
        return None
    return (status.st_size, status.st_mtime_ns)


def clear_code_facts() -> None:
    """Forget every cached code location (tests; a process that reloads code by hand)."""
    with _lock:
        _cache.clear()


def code_facts(
    code: CodeType,
    lineno: int | None,
    lasti: int,
    redactor: Redactor,
    f_globals: Mapping[str, Any],
    stamps: dict[str, Stamp],
    *,
    context: int = CONTEXT_LINES,
) -> CodeFacts:
    """Return the facts of the code location, computed the first time it is seen.

    :param code: the frame's code object
    :param lineno: the line that failed
    :param lasti: the instruction that failed
    :param redactor: redacts credentials written in the source
    :param f_globals: the frame's globals (a module loader may give the source)
    :param stamps: this collection's file stamps by file name (each file is
        looked at once per collection)
    :param context: how many lines around the failing one are kept (``context_lines``)
    """
    filename = safe_str(code.co_filename, VALUE_LIMIT)
    if filename in stamps:
        stamp = stamps[filename]
    else:
        stamp = stamps[filename] = file_stamp(filename)
    key = (id(code), lineno, lasti, id(redactor), context)
    with _lock:
        facts = _cache.get(key)
        if facts is not None and facts.code is code and facts.redactor is redactor:
            if facts.stamp == stamp:
                _cache.move_to_end(key)
                return facts
            del _cache[key]
    if facts is not None and facts.stamp != stamp:
        linecache.checkcache(filename)  # the file changed: read it again
    facts = _compute(code, filename, lineno, lasti, redactor, f_globals, stamp, context)
    with _lock:
        _cache[key] = facts
        while len(_cache) > CACHED_LOCATIONS:
            _cache.popitem(last=False)
    return facts


def _compute(
    code: CodeType,
    filename: str,
    lineno: int | None,
    lasti: int,
    redactor: Redactor,
    f_globals: Mapping[str, Any],
    stamp: Stamp,
    context: int,
) -> CodeFacts:
    end_lineno, colno, end_colno = _positions(code, lasti)
    try:
        lines = linecache.getlines(filename, f_globals)  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 (a hostile loader: no source)
        lines = []
    context_lines: tuple[str, ...] = ()
    context_start = None
    if lines and lineno is not None and 0 < lineno <= len(lines):
        last = min(max(lineno, end_lineno or lineno), lineno + 20) + context
        context_start = max(lineno - context, 1)
        raw_lines = tuple(map(clean_line, lines[context_start - 1 : min(last, len(lines))]))
        if colno is not None:
            colno = _char_offset(raw_lines[lineno - context_start], colno)
        if end_colno is not None and end_lineno is not None and 0 < end_lineno <= len(lines):
            index = end_lineno - context_start
            shown = 0 <= index < len(raw_lines)
            end_line = raw_lines[index] if shown else clean_line(lines[end_lineno - 1])
            end_colno = _char_offset(end_line, end_colno)
        # A credential written in the code (a DSN, a key) is a secret like any other.
        context_lines = tuple(map(redactor.redact_values, raw_lines))
        if context_lines != raw_lines:
            first = lineno - context_start
            final = min((end_lineno or lineno) - context_start, len(raw_lines) - 1)
            if any(context_lines[i] != raw_lines[i] for i in range(first, final + 1)):
                colno = end_colno = None  # the columns were of the code before redaction
    return CodeFacts(
        code=code,
        redactor=redactor,
        stamp=stamp,
        filename=filename,
        name=safe_str(code.co_name, NAME_LIMIT),
        qualname=safe_str(code.co_qualname, NAME_LIMIT),
        end_lineno=end_lineno,
        colno=colno,
        end_colno=end_colno,
        context_lines=context_lines,
        context_start=context_start,
        locals_may_be_magic=_may_set_magic(code),
    )


def _may_set_magic(code: CodeType) -> bool:
    if not code.co_flags & inspect.CO_OPTIMIZED:
        return True
    try:
        names = (*code.co_varnames, *code.co_cellvars, *code.co_freevars)
    except Exception:  # noqa: BLE001 (a code object without them: assume it may)
        return True
    return not MAGIC_NAMES.isdisjoint(names)


def _positions(code: CodeType, lasti: int) -> tuple[int | None, int | None, int | None]:
    """Return (end line, column, end column) of the instruction at *lasti*."""
    if lasti < 0:
        return None, None, None
    try:
        positions = next(itertools.islice(code.co_positions(), lasti // 2, None))
    except Exception:  # noqa: BLE001 (past the end, or a hostile code object)
        return None, None, None
    return positions[1], positions[2], positions[3]


def clean_line(line: object) -> str:
    """One source line as a bounded string without its line ending."""
    return truncate_text(safe_str(line, sys.maxsize).rstrip("\r\n"), SOURCE_LINE_LIMIT)


def _char_offset(line: str, byte_offset: int) -> int:
    """Turn a UTF-8 byte offset in *line* (what ``co_positions`` gives) into characters."""
    try:
        return len(line.encode("utf-8")[:byte_offset].decode("utf-8", "replace"))
    except Exception:  # noqa: BLE001
        return byte_offset
