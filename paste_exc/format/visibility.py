"""Format: the hide rules: which frames ``__traceback_hide__`` hides, in one place.

Stage three of the pipeline (catch → collect → **format** → report → respond).
The text, HTML and JSON outputs all show the frames these functions keep;
what each frame asked for (its ``__traceback_hide__``) was read by the
collector (:func:`paste_exc.collect.magic.hide_rule` normalises it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from paste_exc.collect.magic import hide_rule

if TYPE_CHECKING:
    from paste_exc.model.report import ExceptionFrame

__all__ = ["filter_frames", "frame_visibility", "partition_frames"]


def frame_visibility(
    frames: Sequence[ExceptionFrame], show_hidden_frames: bool = False
) -> list[bool]:
    """Return, for each frame, whether it is shown under the hide rules.

    Frames are read outermost first, as collected. Each frame's
    ``traceback_hide`` (the value of its ``__traceback_hide__``) acts as
    follows:

    * not set, ``None``, ``False``: shown, unless an ``after`` is in force;
    * ``True`` or any other true value: this frame is hidden;
    * ``"before"``: the frames before this one are hidden, this one shown;
    * ``"before_and_this"``: the frames before and this one are hidden;
    * ``"after"``: this one is shown, the frames after it are hidden until a
      ``reset``;
    * ``"after_and_this"``: like ``after``, and this one is hidden;
    * ``"reset"``: ends an ``after``; this one is shown;
    * ``"reset_and_this"``: ends an ``after``; this one is hidden.

    A ``before`` also ends an ``after`` in force. The erroring frame (the
    last one) is never hidden: if the rules would hide it, the error
    happened inside the hidden machinery, so every frame is shown.
    A value is read as the collector reads it (the one table and normaliser
    are the collector's), so a frame built by hand or by a decorator, even
    with a hostile value, is shown the same.
    With ``show_hidden_frames`` every frame is shown.

    .. versionadded:: 0.1

    :param frames: the frames of one exception, outermost first.
    :param show_hidden_frames: show every frame, ignoring the rules.
    :returns: one flag per frame, in the same order.
    """
    count = len(frames)
    if show_hidden_frames or count == 0:
        return [True] * count
    shown = [False] * count
    hiding = False
    for index, frame in enumerate(frames):
        rule = hide_rule(getattr(frame, "traceback_hide", None))
        if rule.hides_before:
            shown[:index] = [False] * index
        shown[index] = not hiding if rule.shows_this is None else rule.shows_this
        if rule.hides_after is not None:
            hiding = rule.hides_after
    if not shown[-1]:
        return [True] * count
    return shown


def partition_frames(
    frames: Sequence[ExceptionFrame], show_hidden_frames: bool = False
) -> tuple[list[ExceptionFrame], int]:
    """Return the shown frames and how many were hidden.

    .. versionadded:: 0.1

    :param frames: the frames of one exception, outermost first.
    :param show_hidden_frames: show every frame, ignoring the rules.
    """
    flags = frame_visibility(frames, show_hidden_frames)
    shown = [frame for frame, flag in zip(frames, flags, strict=True) if flag]
    return shown, len(frames) - len(shown)


def filter_frames(
    frames: Sequence[ExceptionFrame], show_hidden_frames: bool = False
) -> list[ExceptionFrame]:
    """Return the frames the hide rules leave visible (see :func:`frame_visibility`).

    The one implementation of ``__traceback_hide__`` used by every formatter.

    :param frames: the frames of one exception, outermost first.
    :param show_hidden_frames: return every frame, ignoring the rules.
    """
    return partition_frames(frames, show_hidden_frames)[0]
