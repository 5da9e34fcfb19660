"""Collect: walk one traceback into :class:`~paste_exc.model.report.ExceptionFrame` data.

The walk reads the traceback entries once, computes Paste's identification
parts from all of them but paste_exc's own (:func:`is_own_code`), leaves out
what other raises of the same exception object put in (:mod:`paste_exc.collect.raises`),
applies the limit, folds recursion (runs of one frame and short repeating
cycles), then turns each kept entry into plain data (:mod:`paste_exc.collect.frames`).
Used by :mod:`paste_exc.collect.chain`.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import os
import sys
from collections.abc import Iterable
from types import TracebackType
from typing import cast

from paste_exc.collect.frames import Entry, Walk, bare_frame, build_frame, module_name
from paste_exc.collect.magic import Magic, error_summary
from paste_exc.collect.raises import concurrent_raises, earlier_raises
from paste_exc.model.report import (
    DEFAULT_LIMIT,
    NAME_LIMIT,
    ExceptionFrame,
    ExtraKey,
    ExtraValue,
)
from paste_exc.redact.saferepr import safe_repr, safe_str

__all__ = []

#: The longest repeating cycle of frames folded (``a → b → a → b …``).
MAX_CYCLE = 4
#: How many times in a row a cycle must occur to be folded.
MIN_CYCLE_COUNT = 4
#: How many times a repeated frame (or cycle) is shown before the rest is
#: counted: Python's traceback shows three, then ``[Previous line repeated N
#: more times]``, so folding never shows less than Python does.
SHOWN_REPEATS = 3


@dataclasses.dataclass(slots=True)
class WalkedTraceback:
    """What :func:`walk_traceback` found."""

    frames: list[ExceptionFrame]
    #: Paste's identification parts: module and function of every entry.
    ident_parts: list[str]
    omitted: int
    omitted_at: str
    #: ``__traceback_decorator__`` callables, outermost frame's first, each once.
    decorators: list[object]


def walk_traceback(
    tb: object,
    limit: int | None,
    walk: Walk,
    extra_data: dict[ExtraKey, list[ExtraValue]],
    notes: list[str],
) -> WalkedTraceback:
    """Walk a traceback, outermost entry first.

    Supplement extra data goes to *extra_data*, problems to *notes*, reporters
    to :attr:`Walk.reporters` (innermost frame's first).

    :param tb: the traceback (anything else is noted and ignored)
    :param limit: Python's meaning; ``None`` keeps the innermost
        :data:`~paste_exc.collector.DEFAULT_LIMIT` frames after folding
    :param walk: the collection's state
    :param extra_data: the report's extra data, updated
    :param notes: the report's collection notes, updated
    """
    is_traceback = type(tb) is TracebackType
    if tb is not None and not is_traceback:
        notes.append(f"not a traceback: {safe_repr(tb, 100)}")
    raw: list[TracebackType] = []
    current = cast("TracebackType", tb) if is_traceback else None
    while current is not None:
        raw.append(current)
        current = current.tb_next
    raw = concurrent_raises(raw, notes)
    raw, earlier_from = earlier_raises(raw, notes)
    ident_parts = identification_parts(raw, limit)
    omitted = 0
    omitted_at = ""
    kept = raw
    if limit is not None:
        kept = raw[:limit] if limit >= 0 else raw[limit:]
        omitted = len(raw) - len(kept)
        omitted_at = "inner" if limit >= 0 else "outer"
    entries = fold(kept, notes)
    if earlier_from < len(raw):
        earlier_ids = {id(tb) for tb in raw[earlier_from:]}
        for entry in entries:
            entry.earlier = id(entry.tb) in earlier_ids
    if limit is None and len(entries) > DEFAULT_LIMIT:
        omitted = sum(entry.span for entry in entries[:-DEFAULT_LIMIT])
        entries = entries[-DEFAULT_LIMIT:]
        omitted_at = "outer"
    result = WalkedTraceback([], ident_parts, omitted, omitted_at if omitted else "", [])
    frame_reporters: list[list[object]] = []
    decorator_ids: set[int] = set()
    for entry in entries:
        try:
            stop = "__exception_formatter__" in entry.tb.tb_frame.f_locals
        except Exception:  # noqa: BLE001
            stop = False
        if stop:
            notes.append("(Recursive formatException() stopped)")
            break
        try:
            frame, magic = build_frame(entry, walk, extra_data, notes)
        except Exception as error:  # noqa: BLE001  this frame's piece only: keep its position
            frame, magic = bare_frame(entry, walk.options), Magic()
            notes.append(
                f"frame {frame.name} ({frame.filename}:{frame.lineno}) could only be shown "
                f"in part: {error_summary(error)}"
            )
        result.frames.append(frame)
        frame_reporters.append(magic.reporters)
        _add_new(result.decorators, magic.decorators, decorator_ids)
    # Innermost frame first; a frame's own list keeps its order.
    innermost_first = itertools.chain.from_iterable(reversed(frame_reporters))
    _add_new(walk.reporters, innermost_first, walk.reporter_ids)
    return result


def identification_parts(raw: list[TracebackType], limit: int | None) -> list[str]:
    """Paste's identification parts of the entries that are not paste_exc's own.

    Module and function name of each entry (``?`` for a missing one),
    outermost first, within *limit* (Python's meaning, counted on those
    entries). Our frames (the middleware's catch, a nested middleware passing
    the error on, the body iterator) are left out, so an application's code
    does not change with paste_exc's version or with the path that caught the
    error; a traceback holding none of ours gets Paste's parts exactly.
    """
    entries = [tb for tb in raw if not is_own_code(tb.tb_frame.f_code.co_filename)]
    if limit is not None:
        entries = entries[: max(limit, 0)]
    parts: list[str] = []
    for entry in entries:
        parts.append(module_name(entry.tb_frame.f_globals) or "?")
        parts.append(entry.tb_frame.f_code.co_name or "?")
    return parts


@functools.lru_cache(maxsize=2048)
def is_own_code(filename: str) -> bool:
    """Whether code from *filename* is paste_exc's own.

    It is when the file is inside the installed package directory (any
    depth), both sides with symlinks resolved. Decided by the file, never by
    a module name or a substring an application could share: ``paste_exc``
    in an application's path or module name makes it no less the
    application's. A relative or pseudo file name (``<string>``) is never
    ours: the package's modules are imported with absolute file names.
    """
    if not os.path.isabs(filename):
        return False
    try:
        resolved = os.path.normcase(os.path.realpath(filename))
    except Exception:  # noqa: BLE001 (a file name realpath refuses: not ours)
        return False
    return resolved.startswith(_own_directory())


@functools.lru_cache(maxsize=1)
def _own_directory() -> str:
    """The installed package directory, symlinks resolved, with a trailing separator."""
    package = sys.modules[__name__.partition(".")[0]]
    directory = os.path.dirname(os.path.realpath(package.__file__ or ""))
    return os.path.join(os.path.normcase(directory), "")


def _add_new(target: list[object], items: Iterable[object], ids: set[int]) -> None:
    for item in items:
        if id(item) not in ids:
            ids.add(id(item))
            target.append(item)


# -- folding recursion ------------------------------------------------------------------


def fold(raw: list[TracebackType], notes: list[str]) -> list[Entry]:
    """Fold recursion, before any source is read, never below what Python shows.

    A run of more than :data:`SHOWN_REPEATS` entries on the same line of the
    same code keeps its first three entries, the third with ``repeated`` set
    to the number of the others (Python's ``[Previous line repeated N more
    times]``); a shorter run is kept whole. Then a cycle of 2 to
    :data:`MAX_CYCLE` entries (mutual recursion, ``a → b → a → b …``)
    occurring :data:`MIN_CYCLE_COUNT` or more times in a row is kept three
    times: the last entry of the third copy gets ``repeated`` = the number of
    further occurrences of the whole cycle, and *notes* gets a sentence
    naming the cycle.

    :param raw: the traceback entries, outermost first
    :param notes: the report's collection notes, updated
    """
    entries: list[Entry] = []
    run = 0  # how many entries in a row were on the place of entries[-1]
    for tb in raw:
        entry = Entry(tb)
        if entries and entries[-1].same_place(entry):
            run += 1
            if run > SHOWN_REPEATS:
                entries[-1].repeated += 1
                entries[-1].span += 1
                continue
        else:
            run = 1
        entries.append(entry)
    folded: list[Entry] = []
    start = 0
    while start < len(entries):
        size, count = _cycle_at(entries, start)
        if count < MIN_CYCLE_COUNT:
            folded.append(entries[start])
            start += 1
            continue
        shown = entries[start : start + size * SHOWN_REPEATS]
        further = count - SHOWN_REPEATS
        shown[-1].repeated = further
        shown[-1].span += further * size
        folded.extend(shown)
        names = " → ".join(safe_str(entry.code.co_name, NAME_LIMIT) for entry in shown[:size])
        notes.append(
            f"a cycle of {size} frames ({names}) occurred {count:,} times in a row; it is "
            f"shown {SHOWN_REPEATS} times, and the last frame's 'repeated' counts the "
            f"{further:,} further occurrences of the whole cycle"
        )
        start += size * count
    return folded


def _cycle_at(entries: list[Entry], start: int) -> tuple[int, int]:
    """Return (size, count) of the shortest cycle starting at *start*, or (0, 1)."""
    first = entries[start]
    for size in range(2, MAX_CYCLE + 1):
        if start + size * MIN_CYCLE_COUNT > len(entries):
            break  # too few entries left for the copies a fold needs
        if not first.same_place(entries[start + size]):
            continue  # the second copy does not even start: no cycle of this size
        cycle = entries[start : start + size]
        if any(entry.repeated for entry in cycle):
            continue
        count = 1
        while all(
            index < len(entries)
            and not entries[index].repeated
            and entries[index].same_place(cycle[offset])
            for offset, index in enumerate(range(start + count * size, start + (count + 1) * size))
        ):
            count += 1
        if count >= MIN_CYCLE_COUNT:
            return size, count
    return 0, 1
