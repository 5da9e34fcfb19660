"""Format: finding one's way through a long report: frame numbers, repeats, the headline's origin.

Part of the format stage, used by :mod:`paste_exc.format.html.build`. Every
frame of a page gets a number and an anchor (the frame index at the top links
to them, ``j``/``k`` move between them); each exception's section knows its
failing (innermost) frame, so the index reaches it in one click; a local
whose value an outer frame already shows (the same ``environ``, the same
``start_response``) is shown once and then referred to ("same as in frame
N"); and the headline says where the main exception came from: "Started with"
only for an explicit cause (``raise … from``), "While handling" for the
exception being handled when it was raised (an implicit context).

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Final

from paste_exc.format.html.view import FrameView, SectionView
from paste_exc.model.report import CollectedException
from paste_exc.redact.engine import REDACTED

__all__ = [
    "CAUSE_HEADLINE",
    "CONTEXT_HEADLINE",
    "MIN_REPEAT_LENGTH",
    "frame_anchor",
    "headline_origin",
    "link_sections",
    "mark_repeats",
    "section_frames",
]

#: The headline's words for an explicit cause and for an implicit context.
CAUSE_HEADLINE: Final = "Started with"
CONTEXT_HEADLINE: Final = "While handling"
#: Values shorter than this are shown again rather than referred to: the
#: reference would be no shorter and no clearer.
MIN_REPEAT_LENGTH: Final = 32
_MAX_CAUSES: Final = 100


def frame_anchor(number: int) -> str:
    """The anchor (``id``) of the page's frame *number*."""
    return f"frame-{number}"


def section_frames(section: SectionView) -> Iterator[FrameView]:
    """The frames of *section*, outermost first, whatever run holds them."""
    for run in section.runs:
        yield from run.frames


def link_sections(sections: Iterable[SectionView]) -> None:
    """Give each section its anchor and its failing frame (the innermost one shown)."""
    for number, section in enumerate(sections, 1):
        section.anchor = f"exception-{number}"
        frames = list(section_frames(section))
        if frames:
            section.failing = frames[-1].number
            section.failing_anchor = frames[-1].anchor


def mark_repeats(sections: Iterable[SectionView]) -> None:
    """Refer a local to the outer frame that shows the same value already (page order).

    The first frame showing a value (of at least :data:`MIN_REPEAT_LENGTH`
    characters) shows it; later frames, whatever the local's name there,
    say "same as in frame N". Locals are represented when the report is
    collected, so one object (the ``environ`` every WSGI layer passes on)
    reads the same in every frame. A value redacted whole is never compared
    (its text is the same for different secrets); one redacted in part (the
    ``environ`` with its ``Cookie``) is.
    """
    first: dict[str, tuple[int, str]] = {}
    for section in sections:
        for frame in section_frames(section):
            for var in frame.locals or ():
                if len(var.value) < MIN_REPEAT_LENGTH or var.value == REDACTED:
                    continue
                shown = first.get(var.value)
                if shown is None:
                    first[var.value] = (frame.number, frame.anchor)
                elif shown[0] != frame.number:
                    var.same_as, var.same_as_anchor = shown


def headline_origin(exc: CollectedException) -> tuple[str, CollectedException] | None:
    """Where the main exception came from, for the headline: ``(sentence, exception)``.

    The deepest explicit cause (``raise … from``, followed from cause to
    cause) is what it "Started with"; without one, the exception being
    handled when it was raised (its implicit context, unless suppressed) is
    what it happened "While handling". ``None`` for an exception with neither.
    """
    deepest = None
    current = exc
    seen = {id(exc)}
    for _ in range(_MAX_CAUSES):
        cause = current.cause
        if not isinstance(cause, CollectedException) or id(cause) in seen:
            break
        seen.add(id(cause))
        deepest = current = cause
    if deepest is not None:
        return CAUSE_HEADLINE, deepest
    context = exc.context
    if isinstance(context, CollectedException) and not exc.suppress_context:
        return CONTEXT_HEADLINE, context
    return None
