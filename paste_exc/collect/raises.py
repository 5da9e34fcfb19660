"""Collect: which traceback entries belong to this raise of an exception object.

The same exception object raised again, or in two threads at once, carries
entries of the other raises in its ``__traceback__``; they are left out of
this report, with a note (another request's frames and locals never show).
"""

from __future__ import annotations

import dis
import inspect
import sys
from types import FrameType, TracebackType

__all__ = []


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
