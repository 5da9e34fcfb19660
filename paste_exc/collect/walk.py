"""Collect: walk one traceback into :class:`~paste_exc.collector.ExceptionFrame` data.

The walk reads the traceback entries once, computes Paste's identification
parts from all of them but paste_exc's own (:func:`is_own_code`), applies the
limit, folds recursion (runs of one frame and short repeating cycles), then
turns each kept entry into plain data: position, source context, locals, the
magic variables. Used by :mod:`paste_exc.collect.chain`.
"""

from __future__ import annotations

import dataclasses
import dis
import functools
import inspect
import itertools
import linecache
import os
import sys
import sysconfig
import time
from collections.abc import Callable, Iterable, Mapping
from types import CodeType, FrameType, TracebackType
from typing import Any, cast

from paste_exc.collect.magic import Magic, error_summary, read_magic
from paste_exc.collect.supplement import as_int, collect_supplement
from paste_exc.model.report import (
    CONTEXT_LINES,
    DEFAULT_LIMIT,
    INFO_LIMIT,
    LOCALS_TIME_PLACEHOLDER,
    MAX_EXCEPTIONS,
    MAX_LOCALS,
    NAME_LIMIT,
    REPR_LIMIT,
    SOURCE_LINE_LIMIT,
    VALUE_LIMIT,
    ExceptionFrame,
    ExtraKey,
    ExtraValue,
    LocalVariable,
)
from paste_exc.redact.engine import Redactor
from paste_exc.redact.saferepr import OUT_OF_TIME, safe_repr, safe_str, truncate_text

#: The longest repeating cycle of frames folded (``a → b → a → b …``).
MAX_CYCLE = 4
#: How many times in a row a cycle must occur to be folded.
MIN_CYCLE_COUNT = 4
#: How many times a repeated frame (or cycle) is shown before the rest is
#: counted: Python's traceback shows three, then ``[Previous line repeated N
#: more times]``, so folding never shows less than Python does.
SHOWN_REPEATS = 3


@dataclasses.dataclass(slots=True)
class Walk:
    """The state of one collection: a report with all its chain links and members."""

    redactor: Redactor
    collect_locals: bool
    #: Seconds the ``repr()`` of locals may take in this collection.
    locals_budget: float
    #: ``getRevision`` of the collector.
    revision: Callable[[Mapping[str, object]], str | None]
    #: Paste's module switches, read when the collection starts.
    ident_prefix: str
    error_tracebacks: bool
    #: Exceptions already collected (by ``id``), against cycles.
    seen: set[int] = dataclasses.field(default_factory=set)
    #: How many more exceptions may be collected.
    budget: int = MAX_EXCEPTIONS
    #: ``__traceback_reporter__`` reporters found, each once.
    reporters: list[object] = dataclasses.field(default_factory=list)
    reporter_ids: set[int] = dataclasses.field(default_factory=set)
    #: Source lines read, by file name.
    sources: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    #: Seconds spent on the ``repr()`` of locals, and the locals named
    #: without a value once :attr:`locals_budget` was spent.
    locals_spent: float = 0.0
    locals_unrepresented: int = 0
    #: Locals shown in part: items of a container not reached in time.
    locals_partial: int = 0


class Entry:
    """One kept traceback entry during collection (dropped when it ends)."""

    __slots__ = ("code", "earlier", "lasti", "lineno", "repeated", "span", "tb")

    def __init__(self, tb: TracebackType) -> None:
        self.tb = tb
        #: From an earlier raise of the exception object, in another occurrence:
        #: shown by position and source only (see :func:`earlier_raises`).
        self.earlier = False
        self.code: CodeType = tb.tb_frame.f_code
        self.lineno: int | None = as_int(tb.tb_lineno)
        self.lasti = tb.tb_lasti
        #: What the frame reports as ``repeated``.
        self.repeated = 0
        #: How many traceback entries this one stands for.
        self.span = 1

    def same_place(self, other: Entry) -> bool:
        """Whether both entries are the same line of the same code."""
        return self.code is other.code and self.tb.tb_lineno == other.tb.tb_lineno


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
            frame, magic = bare_frame(entry), Magic()
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


# -- earlier raises of the same exception object ---------------------------------------

#: How many frames of the collecting thread's stack are looked at.
_STACK_LIMIT = 10_000


def concurrent_raises(raw: list[TracebackType], notes: list[str]) -> list[TracebackType]:
    """Leave out the entries another thread's raise of the same exception object put here.

    Two threads raising the same exception object at once each put their
    entries in front of whatever the other left in its ``__traceback__``, so
    one thread's traceback can hold the other's frames (another request's
    locals and request data): in front of its catching frame, or between
    its own frames. Left out, with a note:

    * the entries in front of the first one whose frame is on the stack of
      the thread collecting (the catching frame), when there is one and
      they show another catch (a frame running the catching frame's code,
      or one carrying request data as a middleware's frame does);
    * a run of entries called from no frame of this raise, when an entry
      after the run was called from a frame of this raise before the run
      (this raise goes on after them, so they were put in while it ran).

    :param raw: the traceback entries, outermost first
    :param notes: the report's collection notes, updated
    """
    if len(raw) < 2:
        return raw
    live: set[int] = set()
    stack: FrameType | None = sys._getframe()
    while stack is not None and len(live) < _STACK_LIMIT:
        live.add(id(stack))
        stack = stack.f_back
    head = next((index for index, tb in enumerate(raw) if id(tb.tb_frame) in live), 0)
    catching = raw[head].tb_frame.f_code
    if not any(tb.tb_frame.f_code is catching or _has_supplement(tb) for tb in raw[:head]):
        head = 0  # no sign of another catch in front (a helper that raised it and caught it)
    left_out = head
    kept = [raw[head]]
    own = {id(raw[head].tb_frame)}
    # Where the frames this raise calls may have been called from.
    callers = _callers_of(raw[head])
    run: list[TracebackType] = []
    for tb in raw[head + 1 :]:
        frame = tb.tb_frame
        if id(frame) in own:  # raised again where it was caught: the run is this raise's
            kept.extend(run)
            run = []
        elif id(frame.f_back) in callers:
            left_out += len(run)  # this raise goes on after the run: it was another's
            run = []
            own.add(id(frame))
        else:
            run.append(tb)
            continue
        kept.append(tb)
        callers |= _callers_of(tb)
    kept.extend(run)
    if left_out:
        notes.append(
            f"this exception object was raised by another thread at the same time: the "
            f"{left_out} traceback entries that raise put in this traceback are left out"
        )
    return kept


def _callers_of(tb: TracebackType) -> set[int]:
    """The frames a frame called by *tb*'s frame has as ``f_back``: that frame."""
    return {id(tb.tb_frame)}


_RAISE_VARARGS = dis.opmap["RAISE_VARARGS"]
_GENERATOR_FLAGS = inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


def earlier_raises(raw: list[TracebackType], notes: list[str]) -> tuple[list[TracebackType], int]:
    """Separate this raise from the earlier raises of the same exception object.

    Raising an exception object that has a traceback (a module-level
    singleton, :meth:`concurrent.futures.Future.result`, a cached failure)
    puts the new entries in front of the old ones, so the traceback also
    holds the frames of every earlier raise, with their locals: another
    request's. An entry is where an earlier raise begins when the entry
    before it raised an exception object explicitly (``raise error``) or
    did not call it, and the rest of the traceback either passed a frame
    carrying request data (a ``__traceback_supplement__``, as the
    middleware's frame does), or came through the same ``raise`` line (the
    same statement, raised before), or the entry was called from another
    frame running the code of one before it (another request through the
    same middleware, raising in another thread at the same time). The rest
    of the traceback then belongs to other occurrences: its first raise
    (where the exception object was made) is kept by position and source
    only, the raises in between are left out, and *notes* says so. An
    earlier part without any of these signs (the worker's frames behind
    ``Future.result()``, an awaited task) is this occurrence's own and kept
    in full.

    :param raw: the traceback entries, outermost first
    :param notes: the report's collection notes, updated
    :returns: the entries to keep, and the index from which they are
        another occurrence's (``len`` of the result when none are)
    """
    if len(raw) < 2:
        return raw, len(raw)
    starts = [index for index in range(1, len(raw)) if _starts_raise(raw[index - 1], raw[index])]
    if not starts:
        return raw, len(raw)
    # Scanning from the innermost entry: which starts have request data after them.
    supplied_after: dict[int, bool] = {}
    supplied = False
    position = len(raw)
    for start in reversed(starts):
        supplied = supplied or any(_has_supplement(tb) for tb in raw[start:position])
        supplied_after[start] = supplied
        position = start
    # Where each (code, line) occurs last, to tell a ``raise`` line met again.
    last_seen = {(id(tb.tb_frame.f_code), tb.tb_lineno): index for index, tb in enumerate(raw)}
    for start in starts:
        raiser = raw[start - 1]
        again = last_seen[(id(raiser.tb_frame.f_code), raiser.tb_lineno)] >= start
        if supplied_after[start] or again or _called_from_a_twin(raw, start):
            origin = starts[-1]
            dropped = origin - start
            notes.append(
                "this exception object was raised before (a shared or cached exception): "
                f"the traceback entries of its earlier raises belong to other occurrences; "
                f"{dropped} of them are left out, and the {len(raw) - origin} where it was "
                "first raised are shown without locals, request data or magic variables"
                if dropped
                else "this exception object was raised before (a shared or cached "
                f"exception): the {len(raw) - origin} traceback entries of its earlier "
                "raise belong to another occurrence and are shown without locals, "
                "request data or magic variables"
            )
            return raw[:start] + raw[origin:], start
    return raw, len(raw)


def _called_from_a_twin(raw: list[TracebackType], start: int) -> bool:
    """Whether ``raw[start]`` was called from a frame that runs the code of an
    entry before it, yet is none of them: another request on the same path."""
    back = raw[start].tb_frame.f_back
    if back is None:
        return False
    for tb in raw[:start]:
        frame = tb.tb_frame
        if frame is back:
            return False
        if frame.f_code is back.f_code:
            return True
    return False


def _starts_raise(outer: TracebackType, inner: TracebackType) -> bool:
    """Whether *inner* was put in the traceback by an earlier raise than *outer*."""
    outer_frame, inner_frame = outer.tb_frame, inner.tb_frame
    back = inner_frame.f_back
    if inner_frame is outer_frame or back is outer_frame:
        return False  # called from there, or ``raise error`` again where it was caught
    generator = back is None and inner_frame.f_code.co_flags & _GENERATOR_FLAGS
    # A finished generator forgets its caller: only ``raise error`` tells.
    return not generator or _raises_explicitly(outer)


def _raises_explicitly(tb: TracebackType) -> bool:
    """Whether *tb* stopped on a ``raise expression`` (not a bare ``raise``)."""
    try:
        code = tb.tb_frame.f_code.co_code
        offset = tb.tb_lasti
        if not 0 <= offset < len(code) - 1:
            return False
        return code[offset] == _RAISE_VARARGS and code[offset + 1] > 0
    except Exception:  # noqa: BLE001 (an odd code object: no sign)
        return False


def _has_supplement(tb: TracebackType) -> bool:
    return _has_local(tb, "__traceback_supplement__")


def _has_local(tb: TracebackType, name: str) -> bool:
    try:
        return name in tb.tb_frame.f_locals
    except Exception:  # noqa: BLE001
        return False


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
    for size in range(2, MAX_CYCLE + 1):
        cycle = entries[start : start + size]
        if len(cycle) < size:
            break
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


# -- one frame ----------------------------------------------------------------------------


def module_name(f_globals: Mapping[str, Any]) -> str | None:
    """A frame's module name (``__name__`` of its globals) as text; ``None`` when unset or empty.

    Never raises: a value whose truth test or ``str()`` raises gives the
    placeholder of :func:`~paste_exc.redact.saferepr.safe_str`.
    """
    try:
        modname = f_globals.get("__name__")
    except Exception:  # noqa: BLE001
        return None
    if modname is None:
        return None
    text = safe_str(modname, NAME_LIMIT)
    return text or None


def bare_frame(entry: Entry) -> ExceptionFrame:
    """The least a traceback entry shows: position and function, from the code object alone."""
    code = entry.code
    filename = safe_str(code.co_filename, VALUE_LIMIT)
    return ExceptionFrame(
        filename=filename,
        lineno=entry.lineno,
        name=safe_str(code.co_name, NAME_LIMIT),
        qualname=safe_str(code.co_qualname, NAME_LIMIT),
        tbid=id(entry.tb),
        is_library=_is_library(filename),
        repeated=entry.repeated,
    )


def build_frame(
    entry: Entry,
    walk: Walk,
    extra_data: dict[ExtraKey, list[ExtraValue]],
    notes: list[str] | None = None,
) -> tuple[ExceptionFrame, Magic]:
    """Turn one traceback entry into plain data.

    A value that cannot be read costs only its field: the field shows a
    placeholder and *notes* gets a sentence naming the frame.

    :param entry: the entry
    :param walk: the collection's state
    :param extra_data: the report's extra data; supplement extra data is added
    :param notes: the report's collection notes, updated (``None``: not kept)
    :returns: the frame and the magic variables it set (for the decorators
        and reporters)
    """
    frame = entry.tb.tb_frame
    code = entry.code
    f_globals = frame.f_globals
    try:
        raw_locals: object = frame.f_locals
    except Exception:  # noqa: BLE001
        raw_locals = {}
    try:  # a locals mapping from exec() may be hostile, even to isinstance()
        is_mapping = isinstance(raw_locals, Mapping)
    except Exception:  # noqa: BLE001
        is_mapping = False
    f_locals: Mapping[str, Any] = cast("Mapping[str, Any]", raw_locals) if is_mapping else {}
    redactor = walk.redactor
    magic = read_magic(f_locals, f_globals)
    if entry.earlier:  # another occurrence's frame: its position and source only
        magic = Magic(hide=magic.hide)
    problems = magic.problems
    fields: dict[str, Any] = {}
    if magic.supplement is not None:
        data, error_text = collect_supplement(magic.supplement, redactor, walk.error_tracebacks)
        fields["supplement"] = data
        fields["supplement_exception"] = error_text
        if data is not None and data.extra:
            for key, value in data.extra.items():
                extra_data.setdefault(key, []).append(value)
    if magic.info is not None:
        fields["traceback_info"] = redactor.redact_text(safe_str(magic.info, INFO_LIMIT))
    if magic.hide is not None:
        fields["traceback_hide"] = magic.hide
    if magic.log is not None:
        fields["traceback_log"] = redactor.redact_text(safe_str(magic.log, INFO_LIMIT))
    filename = safe_str(code.co_filename, VALUE_LIMIT)
    lineno = entry.lineno
    end_lineno, colno, end_colno = _positions(code, entry.lasti)
    lines = _source(filename, f_globals, walk)
    context_lines: tuple[str, ...] = ()
    context_start = None
    if lines and lineno is not None and 0 < lineno <= len(lines):
        last = min(max(lineno, end_lineno or lineno), lineno + 20) + CONTEXT_LINES
        context_start = max(lineno - CONTEXT_LINES, 1)
        raw_lines = tuple(map(_clean_line, lines[context_start - 1 : min(last, len(lines))]))
        if colno is not None:
            colno = _char_offset(raw_lines[lineno - context_start], colno)
        if end_colno is not None and end_lineno is not None and 0 < end_lineno <= len(lines):
            index = end_lineno - context_start
            shown = 0 <= index < len(raw_lines)
            end_line = raw_lines[index] if shown else _clean_line(lines[end_lineno - 1])
            end_colno = _char_offset(end_line, end_colno)
        # A credential written in the code (a DSN, a key) is a secret like any other.
        context_lines = tuple(map(redactor.redact_values, raw_lines))
        if context_lines != raw_lines:
            first = lineno - context_start
            final = min((end_lineno or lineno) - context_start, len(raw_lines) - 1)
            if any(context_lines[i] != raw_lines[i] for i in range(first, final + 1)):
                colno = end_colno = None  # the columns were of the code before redaction
    local_vars = None
    omitted_locals = 0
    if walk.collect_locals and not entry.earlier:
        try:
            local_vars, omitted_locals = _locals(f_locals, walk)
        except Exception as error:  # noqa: BLE001  a hostile locals mapping: no locals, a note
            problems.append(f"the local variables could not be read: {error_summary(error)}")
    if problems and notes is not None:
        where = f"frame {safe_str(code.co_name, NAME_LIMIT)} ({filename}:{lineno})"
        notes.extend(f"{where}: {problem}" for problem in problems)
    result = ExceptionFrame(
        modname=module_name(f_globals),
        filename=filename,
        lineno=lineno,
        revision=walk.revision(f_globals),
        name=safe_str(code.co_name, NAME_LIMIT),
        tbid=id(entry.tb),
        qualname=safe_str(code.co_qualname, NAME_LIMIT),
        end_lineno=end_lineno,
        colno=colno,
        end_colno=end_colno,
        context_lines=context_lines,
        context_start=context_start,
        locals=local_vars,
        is_library=_is_library(filename),
        repeated=entry.repeated,
        omitted_locals=omitted_locals,
        **fields,
    )
    return result, magic


def _positions(code: CodeType, lasti: int) -> tuple[int | None, int | None, int | None]:
    """Return (end line, column, end column) of the instruction at *lasti*."""
    if lasti < 0:
        return None, None, None
    try:
        positions = next(itertools.islice(code.co_positions(), lasti // 2, None))
    except Exception:  # noqa: BLE001
        return None, None, None
    return positions[1], positions[2], positions[3]


def _source(filename: str, f_globals: dict[str, Any], walk: Walk) -> list[str]:
    """Return the raw lines of *filename*, read once per walk (linecache caches across walks).

    Only the few lines a frame shows are cleaned (:func:`_clean_line`): cleaning a
    whole module per frame made every error pay for the size of its source files.
    """
    lines = walk.sources.get(filename)
    if lines is None:
        try:
            lines = linecache.getlines(filename, f_globals)
        except Exception:  # noqa: BLE001
            lines = []
        walk.sources[filename] = lines
    return lines


def _clean_line(line: object) -> str:
    """One source line as a bounded string without its line ending."""
    return truncate_text(safe_str(line, sys.maxsize).rstrip("\r\n"), SOURCE_LINE_LIMIT)


def _char_offset(line: str, byte_offset: int) -> int:
    """Turn a UTF-8 byte offset in *line* (what ``co_positions`` gives) into characters."""
    try:
        return len(line.encode("utf-8")[:byte_offset].decode("utf-8", "replace"))
    except Exception:  # noqa: BLE001
        return byte_offset


def _locals(f_locals: Mapping[str, Any], walk: Walk) -> tuple[tuple[LocalVariable, ...], int]:
    """The frame's locals, within the report's time budget for them.

    Each ``repr()`` is timed; once :attr:`Walk.locals_budget` is spent, the
    remaining locals of every frame are named with
    :data:`~paste_exc.collector.LOCALS_TIME_PLACEHOLDER`, and the items of a
    container not reached in time show :data:`~paste_exc.redact.saferepr.OUT_OF_TIME`
    (one ``repr()`` that is slow by itself is not interrupted: nothing can stop
    it safely).
    """
    redactor = walk.redactor
    result: list[LocalVariable] = []
    omitted = 0
    try:
        items = list(f_locals.items())
    except Exception:  # noqa: BLE001
        items = []
    for name, value in items:
        if isinstance(name, str) and name.startswith("__") and name.endswith("__"):
            continue
        if len(result) >= MAX_LOCALS:
            omitted += 1
            continue
        if walk.locals_spent >= walk.locals_budget:
            walk.locals_unrepresented += 1
            result.append(LocalVariable(safe_str(name, NAME_LIMIT), LOCALS_TIME_PLACEHOLDER))
            continue
        started = time.perf_counter()
        deadline = started + walk.locals_budget - walk.locals_spent  # for containers' items
        text = safe_repr(value, REPR_LIMIT, deadline=deadline)
        if OUT_OF_TIME in text:
            walk.locals_partial += 1
        text, redacted = redactor.redact_item(name, text)
        walk.locals_spent += time.perf_counter() - started
        result.append(LocalVariable(safe_str(name, NAME_LIMIT), text, redacted))
    return tuple(result), omitted


@functools.lru_cache(maxsize=2048)
def _is_library(filename: str) -> bool:
    if filename.startswith("<frozen "):
        return True
    if "/site-packages/" in filename or "/dist-packages/" in filename:
        return True
    if "\\site-packages\\" in filename:
        return True
    return filename.startswith(_library_prefixes())


@functools.lru_cache(maxsize=1)
def _library_prefixes() -> tuple[str, ...]:
    prefixes: set[str] = set()
    try:
        paths = sysconfig.get_paths()
    except Exception:  # noqa: BLE001
        paths = {}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = paths.get(key)
        if path:
            prefixes.add(path.rstrip("/\\") + ("\\" if "\\" in path else "/"))
    return tuple(sorted(prefixes))
