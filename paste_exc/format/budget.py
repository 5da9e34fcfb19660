"""Format: fit a report to a size budget by folding what matters least (the one policy).

Part of the format stage (catch → collect → **format** → report → respond).
Every output of a report (the text report wherever it goes, the HTML pages,
fragment and email, the JSON documents and lines) is bounded by a size budget
in characters, and every one folds the same way, here: :func:`fit_report`
renders the report; past the budget it makes a folded copy of the collected
data (the dataclasses are frozen: the original is never changed) and renders
that, one step further each time, until the output fits:

0. in the outputs that show them (the debug page, the debug problem
   document), the newest sections: the request tables, the environment
   block and the source beyond two lines either side of each failing line;
1. repeated frames: a frame shown before in the report (same file, line and
   function, e.g. in another member of a group) loses its locals and source;
2. the local variables of library frames;
3. long values: every local, extra-data value, ``__traceback_info__``,
   supplement text and note longer than 200 characters is cut;
4. the extra data, but for the important entries;
5. the local variables of every frame but the innermost of the main exception;
6. frames from the middle of each traceback (the outermost third and the
   innermost rest are kept, at least six);
7. chained exceptions and group members past the first five;
8. all but an outline: a few frames per exception, no locals or extra data,
   short texts.

The steps themselves are in :mod:`paste_exc.format.foldsteps`; their order, and
when they run, is decided here. The folded copy says what it left out in
:attr:`~paste_exc.collector.CollectedException.folded` (every formatter shows
it), and a frame followed by a gap carries the count in
:attr:`~paste_exc.collector.ExceptionFrame.folded_after`. The exception line
(type and message) is never folded. A report within the budget is rendered
once and never touched.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Final

from paste_exc.config.convert import MIN_SIZE_BUDGET
from paste_exc.format.foldsteps import (
    MAX_DEPTH,
    Fold,
    fold_exceptions,
    fold_extra,
    fold_frames,
    fold_library_locals,
    fold_locals,
    fold_long_values,
    fold_repeated,
    fold_sections,
    fold_to_outline,
)
from paste_exc.model.report import CollectedException

__all__ = [
    "DEFAULT_SIZE_BUDGET",
    "MIN_SIZE_BUDGET",
    "fit_report",
]

#: The default size budget of every output, in characters.
DEFAULT_SIZE_BUDGET: Final = 1_000_000
#: Attempts at folding frames, each keeping a smaller share.
FRAME_FOLD_ATTEMPTS: Final = 4

Render = Callable[[CollectedException], str]


#: The policy: each step makes a folded copy and names what it left out (``None``:
#: nothing to fold). The frames (step 6) are folded apart, in attempts.
_STEPS_BEFORE_FRAMES = (
    fold_repeated,
    fold_library_locals,
    fold_long_values,
    fold_extra,
    fold_locals,
)
_STEPS_AFTER_FRAMES = (fold_exceptions, fold_to_outline)


def _noted(exc: CollectedException, notes: list[str]) -> CollectedException:
    return dataclasses.replace(exc, folded=(*exc.folded, *notes))


def _weight(root: CollectedException) -> int:
    """About how many characters of text the report holds (to estimate an output's size).

    ``0`` when the data is not what the collector makes (a decorator's doing):
    then every copy is rendered.
    """
    try:
        return _count_text(root)
    except Exception:  # noqa: BLE001
        return 0


def _count_text(root: CollectedException) -> int:
    total = 0
    seen: set[int] = set()
    stack: list[tuple[CollectedException, int]] = [(root, 0)]
    while stack:
        exc, depth = stack.pop()
        if id(exc) in seen or depth > MAX_DEPTH:
            continue
        seen.add(id(exc))
        total += len(exc.exception_formatted) + sum(map(len, exc.notes))
        total += sum(map(len, exc.collection_notes)) + sum(map(len, exc.reporter_errors))
        for frame in exc.frames:
            total += 80 + sum(map(len, frame.context_lines))
            total += len(frame.traceback_info or "") + len(frame.supplement_exception or "")
            for var in frame.locals or ():
                total += len(var.name) + len(var.value) + 4
        extra: object = exc.extra_data
        if isinstance(extra, dict):
            for values in extra.values():
                total += len(repr(values)) if len(values) < 50 else 50 * len(values)
        stack.extend((link, depth + 1) for link in (exc.cause, exc.context) if link is not None)
        stack.extend((member, depth + 1) for member in exc.exceptions)
    return total


#: A folded copy whose output is estimated past this many times the budget is not
#: rendered: the next step follows at once (the estimate scales the last real size by
#: the text the report holds, so it errs by far less than this).
ESTIMATE_MARGIN: Final = 2.0


class _Fitter:
    """Renders folded copies, skipping those whose output would plainly not fit."""

    def __init__(self, render: Render, budget: int, exc_data: CollectedException, body: str):
        self.render = render
        self.budget = budget
        self.shown = exc_data
        self.body = body
        self.size = float(len(body))
        self.rendered_size = len(body)
        self.rendered_weight = _weight(exc_data)

    def fits(self, candidate: CollectedException, *, last: bool = False) -> bool:
        weight = _weight(candidate)
        if not last and self.rendered_weight:
            estimate = self.rendered_size * weight / self.rendered_weight
            if estimate > ESTIMATE_MARGIN * self.budget:
                self.size = estimate
                return False
        self.shown, self.body = candidate, self.render(candidate)
        self.size = self.rendered_size = len(self.body)
        self.rendered_weight = weight
        return len(self.body) <= self.budget


def _guarded(step: Callable[[CollectedException], Fold], exc_data: CollectedException) -> Fold:
    """Run one step; data a step cannot fold (a decorator's doing) skips it."""
    try:
        return step(exc_data)
    except Exception:  # noqa: BLE001
        return exc_data, None


def _fold_steps(
    steps: tuple[Callable[[CollectedException], Fold], ...],
    current: CollectedException,
    notes: list[str],
    fitter: _Fitter,
    *,
    last: bool = False,
) -> tuple[CollectedException, bool]:
    """Apply *steps* in turn, each to the last copy, until one fits.

    Each step that folded something adds its note to *notes*.

    :param last: the last of *steps* is the last chance: render it whatever the estimate
    :returns: the last folded copy, and whether it fits (``fitter`` holds it then)
    """
    for step in steps:
        folded, note = _guarded(step, current)
        if note is None:
            continue
        current = folded
        notes.append(note)
        if fitter.fits(_noted(current, notes), last=last and step is steps[-1]):
            return current, True
    return current, False


def fit_report(
    exc_data: CollectedException, size_budget: int | None, render: Render, *, sections: bool = False
) -> tuple[CollectedException, str]:
    """Render *exc_data* with *render*, folding it until the output fits *size_budget*.

    Within the budget (or with ``None``, no limit) the report is rendered
    once, as it is. Past it, the steps of this module's policy each make a
    folded copy, rendered again, until one fits; when even the outline does
    not (a budget smaller than the document's fixed parts), the outline is
    returned. A copy whose output would plainly be far past the budget (by
    an estimate from the text it holds) is not rendered.

    :param exc_data: the collected exception
    :param size_budget: the most characters wanted, or ``None``
    :param render: turns a report into the output (and is given folded copies)
    :param sections: the output shows the newest sections (step 0 folds them first)
    :returns: the report rendered last (the folded copy, or *exc_data* itself)
        and its output
    """
    body = render(exc_data)
    if size_budget is None or len(body) <= size_budget:
        return exc_data, body
    fitter = _Fitter(render, size_budget, exc_data, body)
    notes: list[str] = []
    steps = (fold_sections, *_STEPS_BEFORE_FRAMES) if sections else _STEPS_BEFORE_FRAMES
    current, fitted = _fold_steps(steps, exc_data, notes, fitter)
    if fitted:
        return fitter.shown, fitter.body
    before_frames = current
    frames_note: str | None = None
    ratio = 1.0
    for _attempt in range(FRAME_FOLD_ATTEMPTS):
        # Each attempt keeps a smaller share of the frames, in proportion to the overshoot.
        ratio *= max(min(size_budget / fitter.size * 0.8, 0.9), 0.0)
        folded, note = _guarded(functools.partial(fold_frames, keep_ratio=ratio), before_frames)
        if note is None or note == frames_note:
            break
        current, frames_note = folded, note
        if fitter.fits(_noted(current, [*notes, note])):
            return fitter.shown, fitter.body
    if frames_note is not None:
        notes.append(frames_note)
    _fold_steps(_STEPS_AFTER_FRAMES, current, notes, fitter, last=True)
    # Even the outline is past the budget: the last report rendered, and its output.
    return fitter.shown, fitter.body
