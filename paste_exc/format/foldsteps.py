"""Format: the steps of the folding policy, each making a folded copy of a report.

Part of the format stage. Each ``fold_*`` function takes a
:class:`~paste_exc.collector.CollectedException` and returns a folded copy
(the dataclasses are frozen: nothing is changed in place) with the phrase
saying what it left out, or the report itself and ``None`` when there was
nothing to fold. The order they run in, and when, is
:mod:`paste_exc.format.budget`'s decision.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Final

from paste_exc.format.cutter import Cutter
from paste_exc.model.report import (
    CollectedException,
    ExceptionFrame,
)

__all__ = [
    "MAX_DEPTH",
    "MIN_FRAMES_KEPT",
    "SHORT_VALUE",
    "Fold",
    "fold_exceptions",
    "fold_extra",
    "fold_frames",
    "fold_library_locals",
    "fold_locals",
    "fold_long_values",
    "fold_repeated",
    "fold_sections",
    "fold_to_outline",
]

#: What a long value is cut to (step 3), and to what the outline cuts every text.
SHORT_VALUE: Final = 200
OUTLINE_VALUE: Final = 100
#: Frames kept at least in each traceback when frames are folded (step 6).
MIN_FRAMES_KEPT: Final = 6
#: Exceptions kept (the main one, chain links, group members) in step 7.
MAX_EXCEPTIONS_KEPT: Final = 5
#: Notes kept per exception in the outline.
OUTLINE_NOTES: Final = 5
#: Deepest nesting of chains and groups folded (the formatters show no deeper).
MAX_DEPTH: Final = 64

#: What the first step leaves out (the page's newer sections), as the report says it.
SECTIONS_FOLDED: Final = (
    "the request tables, the environment and the source beyond two lines around each failing line"
)
#: Source lines kept either side of a failing line once the sections are folded.
FOLDED_CONTEXT: Final = 2

#: A step: the folded copy and what it left out (``None``: nothing to fold).
Fold = tuple[CollectedException, "str | None"]
Change = Callable[[CollectedException], CollectedException]


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


# -- walking the report's exceptions ------------------------------------------------------


def _map_exceptions(root: CollectedException, change: Change) -> CollectedException:
    """Apply *change* to every exception of the report, the main one first, then its links.

    Order: the exception, its cause, its context, its members, depth first
    (the order a reader meets them). An exception met twice is changed once.
    """
    done: dict[int, CollectedException] = {}

    def visit(exc: CollectedException, depth: int) -> CollectedException:
        key = id(exc)
        if key in done:
            return done[key]
        new = change(exc)
        done[key] = new
        if depth >= MAX_DEPTH:
            return new
        cause = visit(new.cause, depth + 1) if new.cause is not None else None
        context = visit(new.context, depth + 1) if new.context is not None else None
        members = tuple(visit(member, depth + 1) for member in new.exceptions)
        if cause is new.cause and context is new.context and members == new.exceptions:
            return new
        new = dataclasses.replace(new, cause=cause, context=context, exceptions=members)
        done[key] = new
        return new

    return visit(root, 0)


def _map_frames(
    root: CollectedException, change: Callable[[ExceptionFrame], ExceptionFrame]
) -> CollectedException:
    def each(exc: CollectedException) -> CollectedException:
        frames = tuple(change(frame) for frame in exc.frames)
        if all(new is old for new, old in zip(frames, exc.frames, strict=True)):
            return exc
        return dataclasses.replace(exc, frames=frames)

    return _map_exceptions(root, each)


def _without_locals(frame: ExceptionFrame) -> ExceptionFrame:
    if not frame.locals:
        return frame
    return dataclasses.replace(
        frame, locals=None, omitted_locals=frame.omitted_locals + len(frame.locals)
    )


# -- the steps, least useful first ----------------------------------------------------------


def _short_context(frame: ExceptionFrame) -> ExceptionFrame:
    start, lineno = frame.context_start, frame.lineno
    if start is None or lineno is None or not frame.context_lines:
        return frame
    first = max(start, lineno - FOLDED_CONTEXT)
    last = min(start + len(frame.context_lines) - 1, max(lineno, frame.end_lineno or lineno))
    last = min(last + FOLDED_CONTEXT, start + len(frame.context_lines) - 1)
    if first == start and last == start + len(frame.context_lines) - 1:
        return frame
    lines = frame.context_lines[first - start : last - start + 1]
    return dataclasses.replace(frame, context_lines=lines, context_start=first)


def fold_sections(root: CollectedException) -> Fold:
    """Step 0: the request tables, the environment block and the source beyond two lines."""
    folded = _map_frames(root, _short_context)
    if folded is root and root.environment is None:
        return root, None
    return dataclasses.replace(folded, environment=None), SECTIONS_FOLDED


def fold_repeated(root: CollectedException) -> Fold:
    seen: set[tuple[object, ...]] = set()
    count = 0

    def change(frame: ExceptionFrame) -> ExceptionFrame:
        nonlocal count
        key = (frame.filename, frame.lineno, frame.name)
        if key not in seen:
            seen.add(key)
            return frame
        if not frame.locals and not frame.context_lines:
            return frame
        count += 1
        return dataclasses.replace(_without_locals(frame), context_lines=(), context_start=None)

    folded = _map_frames(root, change)
    note = f"the locals and source of {_plural(count, 'repeated frame')}" if count else None
    return folded, note


def _fold_locals_of(
    root: CollectedException, chosen: Callable[[ExceptionFrame], bool], frames: str
) -> Fold:
    """Drop the locals of the *chosen* frames; the note counts them as *frames*."""
    count = 0

    def change(frame: ExceptionFrame) -> ExceptionFrame:
        nonlocal count
        if not frame.locals or not chosen(frame):
            return frame
        count += 1
        return _without_locals(frame)

    folded = _map_frames(root, change)
    note = f"the local variables of {_plural(count, frames)}" if count else None
    return folded, note


def fold_library_locals(root: CollectedException) -> Fold:
    return _fold_locals_of(root, lambda frame: frame.is_library, "library frame")


def fold_long_values(root: CollectedException) -> Fold:
    cutter = Cutter(SHORT_VALUE)
    folded = _map_exceptions(root, cutter.exception)
    if not cutter.count:
        return root, None
    return folded, (
        f"the end of {_plural(cutter.count, 'long value')} (each cut to {SHORT_VALUE} characters)"
    )


def fold_extra(root: CollectedException) -> Fold:
    count = 0

    def change(exc: CollectedException) -> CollectedException:
        nonlocal count
        extra = exc.extra_data
        if not isinstance(extra, dict) or not extra:
            return exc
        kept = {key: values for key, values in extra.items() if _is_important(key)}
        if len(kept) == len(extra):
            return exc
        count += sum(
            len(values) if isinstance(values, list) else 1
            for key, values in extra.items()
            if key not in kept
        )
        return dataclasses.replace(exc, extra_data=kept)

    folded = _map_exceptions(root, change)
    entries = f"{count:,} entry" if count == 1 else f"{count:,} entries"
    return folded, f"the extra data ({entries})" if count else None


def _is_important(key: object) -> bool:
    return isinstance(key, tuple) and len(key) == 2 and key[0] == "important"


def fold_locals(root: CollectedException) -> Fold:
    innermost = root.frames[-1] if root.frames else None
    return _fold_locals_of(root, lambda frame: frame is not innermost, "more frame")


def fold_frames(
    root: CollectedException, keep_ratio: float, minimum: int = MIN_FRAMES_KEPT
) -> Fold:
    """Keep *keep_ratio* of each traceback's frames: a third from its start, the rest its end."""
    total = 0

    def change(exc: CollectedException) -> CollectedException:
        nonlocal total
        frames = exc.frames
        keep = max(minimum, math.floor(len(frames) * keep_ratio))
        if len(frames) <= keep:
            return exc
        head = max(keep // 3, 1)
        tail = keep - head
        folded = len(frames) - keep
        total += folded
        last_head = frames[head - 1]
        marked = dataclasses.replace(last_head, folded_after=last_head.folded_after + folded)
        return dataclasses.replace(
            exc, frames=(*frames[: head - 1], marked, *frames[len(frames) - tail :])
        )

    folded_root = _map_exceptions(root, change)
    note = f"{_plural(total, 'frame')} from the middle of the traceback" if total else None
    return folded_root, note


def fold_exceptions(root: CollectedException) -> Fold:
    kept = 0
    dropped = 0

    def size(exc: CollectedException | None, depth: int = 0) -> int:
        if exc is None:
            return 0
        if depth >= MAX_DEPTH:
            return 1
        below = [exc.cause, exc.context, *exc.exceptions]
        return 1 + sum(size(link, depth + 1) for link in below)

    def visit(exc: CollectedException, depth: int) -> CollectedException:
        nonlocal kept, dropped
        kept += 1
        if depth >= MAX_DEPTH:
            return exc
        omitted = 0
        links: list[CollectedException | None] = []
        for link in (exc.cause, exc.context):
            if link is not None and kept >= MAX_EXCEPTIONS_KEPT:
                omitted += size(link)
                link = None
            elif link is not None:
                link = visit(link, depth + 1)
            links.append(link)
        members: list[CollectedException] = []
        for member in exc.exceptions:
            if kept >= MAX_EXCEPTIONS_KEPT:
                omitted += size(member)
            else:
                members.append(visit(member, depth + 1))
        if not omitted:
            return dataclasses.replace(
                exc, cause=links[0], context=links[1], exceptions=tuple(members)
            )
        dropped += omitted
        return dataclasses.replace(
            exc,
            cause=links[0],
            context=links[1],
            exceptions=tuple(members),
            omitted_exceptions=exc.omitted_exceptions + omitted,
        )

    folded = visit(root, 0)
    if not dropped:
        return root, None
    return folded, f"{_plural(dropped, 'chained exception')} and group members"


def fold_to_outline(root: CollectedException) -> Fold:
    cutter = Cutter(OUTLINE_VALUE)

    def frame(item: ExceptionFrame) -> ExceptionFrame:
        item = _without_locals(cutter.frame(item))
        if item.lineno is not None and item.context_start is not None:
            index = item.lineno - item.context_start
            line = item.context_lines[index : index + 1]
            item = dataclasses.replace(
                item,
                context_lines=line,
                context_start=item.lineno if line else None,
            )
        return item

    def change(exc: CollectedException) -> CollectedException:
        exc = cutter.exception(exc)
        return dataclasses.replace(
            exc,
            frames=tuple(frame(item) for item in exc.frames),
            extra_data={},
            environment=None,
            notes=exc.notes[:OUTLINE_NOTES],
            collection_notes=cutter.texts(tuple(exc.collection_notes[:OUTLINE_NOTES])),
            reporter_errors=exc.reporter_errors[:OUTLINE_NOTES],
        )

    outlined, _ = fold_frames(_map_exceptions(root, change), 0.0, minimum=3)
    return outlined, "all but an outline of the rest (three frames per exception, short texts)"
