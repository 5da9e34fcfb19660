"""Format: render a report's template within a size budget, folding what matters least.

Part of the format stage.  :func:`render_report_document` renders a template
with a :class:`~paste_exc._htmlview.ReportView`; when the result is past the
budget it folds, in order, the middle of the plain-text copy, the extra data,
the locals, then frames from the middle of each traceback, and the report says
what it folded.
"""

from __future__ import annotations

import math

from paste_exc._htmlview import FrameRun, ReportView, append_frame, no_extra
from paste_exc._templates import render

__all__ = ["DEFAULT_SIZE_BUDGET", "render_report_document"]

#: The default size budget of a rendered report, in characters.
DEFAULT_SIZE_BUDGET = 1_000_000
#: Frames kept at least in each traceback when frames are folded.
MIN_FRAMES_KEPT = 6
#: Attempts at folding frames, each keeping a smaller share.
FRAME_FOLD_ATTEMPTS = 4


def _fold_text(view: ReportView, limit: int) -> str | None:
    text = view.text_version
    if len(text) <= limit:
        return None
    keep = max(limit // 2, 1)
    cut = len(text) - 2 * keep
    view.text_version = (
        text[:keep]
        + f"\n\n[… {cut:,} characters folded to fit the size budget …]\n\n"
        + text[-keep:]
    )
    return "the middle of the plain-text version"


def _fold_extra(view: ReportView) -> str | None:
    if not any(view.extra.values()):
        return None
    view.extra = no_extra()
    return "the extra data"


def _fold_locals(view: ReportView) -> str | None:
    folded = False
    for section in view.sections:
        for run in section.runs:
            for frame in run.frames:
                if frame.locals:
                    frame.locals = None
                    folded = True
    return "the local variables" if folded else None


def _fold_frames(view: ReportView, keep_ratio: float) -> str | None:
    """Keep *keep_ratio* of each traceback's frames: a third from its start, the rest its end."""
    total = 0
    for section in view.sections:
        frames = [(run.hidden, frame) for run in section.runs for frame in run.frames]
        keep = max(MIN_FRAMES_KEPT, math.floor(len(frames) * keep_ratio))
        if len(frames) <= keep:
            continue
        head = keep // 3
        folded = len(frames) - keep
        total += folded
        runs: list[FrameRun] = []
        for hidden, frame in frames[:head]:
            append_frame(runs, hidden, frame)
        runs.append(FrameRun(hidden=False, frames=[], folded=folded))
        for hidden, frame in frames[head + folded :]:
            append_frame(runs, hidden, frame)
        section.runs = runs
    return f"{total:,} frames from the middle of the traceback" if total else None


def render_report_document(
    template: str,
    view: ReportView,
    *,
    size_budget: int | None = DEFAULT_SIZE_BUDGET,
    **context: object,
) -> str:
    """Render *template* with *view* as ``report``, folding parts past the size budget.

    Folds, in order: the plain-text copy past a third of the budget, the extra
    data, the locals, then frames from the middle of each traceback; the report
    says what it folded.

    :param template: a template name (``report.html``, ``debug_page.html``, ...)
    :param view: the report (modified in place when something is folded)
    :param size_budget: the largest size wanted, in characters; ``None`` for no limit
    :param context: further template variables
    """
    if size_budget is None:
        return render(template, report=view, **context)
    note = _fold_text(view, size_budget // 3)
    if note:
        view.folded.append(note)
    body = render(template, report=view, **context)
    if len(body) <= size_budget:
        return body
    context["budget_note"] = f"(the size budget is {size_budget:,} characters)"
    for step in (_fold_extra, _fold_locals):
        note = step(view)
        if note:
            view.folded.append(note)
            body = render(template, report=view, **context)
            if len(body) <= size_budget:
                return body
    frames_note = None
    for _attempt in range(FRAME_FOLD_ATTEMPTS):
        note = _fold_frames(view, max(min(size_budget / len(body) * 0.8, 0.9), 0.0))
        if not note:
            break
        if frames_note is not None:
            view.folded.remove(frames_note)
        frames_note = note
        view.folded.append(note)
        body = render(template, report=view, **context)
        if len(body) <= size_budget:
            break
    return body
