"""Format: the pieces every formatter shares, whatever it produces.

Stage three of the pipeline (catch → collect → **format** → report → respond).
The text, HTML and JSON formatters all decide the same things the same way
here: which frames :data:`__traceback_hide__` hides (:func:`frame_visibility`,
:func:`filter_frames`), how extra data is grouped by importance
(:func:`iter_extra_data`), how source paths are shortened
(:func:`trim_source_paths`), and the small string helpers Paste exported
(:func:`truncate`, :func:`make_wrappable`, :func:`make_pre_wrappable`).

Nothing here produces markup; nothing here imports a template engine.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final, TypeAlias

from paste_exc.collect.magic import hide_rule
from paste_exc.config.convert import astruth
from paste_exc.config.places import astrimpaths
from paste_exc.format.wrapping import make_pre_wrappable, make_wrappable, truncate
from paste_exc.model.report import ExtraRepr
from paste_exc.model.values import IMPORTANCE_LEVELS, split_extra_key, value_text
from paste_exc.redact.saferepr import safe_repr

if TYPE_CHECKING:
    from paste_exc.model.report import CollectedException, ExceptionFrame

__all__ = [
    "IMPORTANCE_LEVELS",
    "AbstractFormatter",
    "TrimPairs",
    "combine_pieces",
    "extra_repr",
    "filter_frames",
    "frame_visibility",
    "iter_extra_data",
    "long_item_list",
    "make_pre_wrappable",
    "make_wrappable",
    "normalize_trim_source_paths",
    "partition_frames",
    "pretty_string_repr",
    "supplement_data",
    "trim_source_paths",
    "truncate",
    "unshowable",
    "value_rows",
    "value_text",
]

#: ``(prefix, replacement)`` pairs for :func:`trim_source_paths`.
TrimPairs: TypeAlias = tuple[tuple[str, str], ...]

# --- the hide rules -----------------------------------------------------------


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


# --- source paths ---------------------------------------------------------------


#: Check a ``trim_source_paths`` option (see :func:`paste_exc.config.astrimpaths`).
normalize_trim_source_paths = astrimpaths


def trim_source_paths(filename: str, pairs: Iterable[tuple[str, str]]) -> str:
    """Rewrite the first matching prefix of ``filename`` (Paste's rule).

    The pairs are tried in order; the first ``prefix`` that ``filename``
    starts with is replaced by its ``replacement``. Prefixes are plain
    strings, not path components.

    :param filename: a source path.
    :param pairs: ``(prefix, replacement)`` pairs.
    """
    for prefix, replacement in pairs:
        if prefix and filename.startswith(prefix):
            return replacement + filename[len(prefix) :]
    return filename


# --- extra data -----------------------------------------------------------------


def iter_extra_data(exc_data: CollectedException) -> dict[str, list[tuple[str, object]]]:
    """Group an exception's extra data by importance.

    Keys of ``exc_data.extra_data`` are ``(importance, title)`` tuples or,
    as a Paste-style ``__traceback_decorator__`` may add, plain titles
    (importance ``normal``). An unknown importance counts as ``normal``.
    Each key may hold several values (one per supplement that gave it);
    every one is kept.

    .. versionadded:: 0.1

    :param exc_data: the collected exception.
    :returns: ``{importance: [(title, value), ...]}`` for the four levels
        ``important``, ``normal``, ``supplemental``, ``extra`` in that order,
        each list sorted by title (stable for equal titles).
    """
    grouped: dict[str, list[tuple[str, object]]] = {level: [] for level in IMPORTANCE_LEVELS}
    extra = getattr(exc_data, "extra_data", None)
    if not isinstance(extra, Mapping):
        return grouped
    try:
        items = list(extra.items())
    except Exception as error:  # noqa: BLE001  a hostile mapping from a decorator
        grouped["extra"].append(("extra_data", f"<could not be read: {safe_repr(error, 200)}>"))
        return grouped
    for key, values in items:
        importance, title = split_extra_key(key)
        value_list = values if isinstance(values, list) else [values]
        grouped[importance].extend((title, value) for value in value_list)
    for entries in grouped.values():
        entries.sort(key=lambda entry: entry[0])
    return grouped


def extra_repr(value: object, limit: int = 1000) -> str:
    """Return what Paste's ``repr()`` showed of an extra-data value the collector kept.

    Plain data (strings, numbers, lists, ...) is written as :func:`repr`
    writes it; an :class:`~paste_exc.collector.ExtraRepr` (the repr of an
    object that was not plain data) as itself, also inside a list, tuple or
    dict, as ``repr()`` showed the object. Bounded by *limit* (cut with
    ``...``, keeping the end, as :func:`truncate` did in Paste); never raises.

    .. versionadded:: 0.1

    :param value: an extra-data value, or part of one.
    :param limit: the most characters.
    """
    pieces: list[str] = []
    _write_repr(value, pieces, [0], _REPR_CAP)
    return truncate("".join(pieces), limit)


#: Past this many characters the repr of an extra-data value stops being written
#: (its end then differs from Paste's; the collector's copies never get there).
_REPR_CAP: Final = 2_000_000


def _write_repr(value: object, pieces: list[str], size: list[int], limit: int) -> None:
    """Append the pieces of the repr of *value*; stop once *limit* characters are written."""
    if size[0] > limit:
        return
    if isinstance(value, ExtraRepr):
        text = str.__str__(value)
    elif type(value) in (list, tuple, dict):
        _write_container(value, pieces, size, limit)
        return
    else:
        text = safe_repr(value, limit)
    pieces.append(text)
    size[0] += len(text)


_BRACKETS: Final[dict[type, str]] = {list: "[]", tuple: "()", dict: "{}"}


def _write_container(value: object, pieces: list[str], size: list[int], limit: int) -> None:
    kind = type(value)
    brackets = _BRACKETS[kind]
    opening, closing = brackets[0], brackets[1]
    pieces.append(opening)
    size[0] += 2
    items = list(value.items()) if kind is dict else list(value)  # type: ignore[attr-defined, call-overload]
    for index, item in enumerate(items):
        if size[0] > limit:
            break
        if index:
            pieces.append(", ")
            size[0] += 2
        if kind is dict:
            _write_repr(item[0], pieces, size, limit)
            pieces.append(": ")
            _write_repr(item[1], pieces, size, limit)
        else:
            _write_repr(item, pieces, size, limit)
    if kind is tuple and len(items) == 1:
        pieces.append(",")
    pieces.append(closing)


def pretty_string_repr(s: str) -> str:
    """Return ``repr(s)``, as a triple-quoted block with real line breaks when ``s`` has any.

    .. versionadded:: 0.1

    :param s: the string.
    """
    text = repr(s)
    if "\n" not in s:
        return text
    quote = text[0]
    return quote * 3 + text[1:-1].replace("\\n", "\n") + quote * 3


def long_item_list(lst: Iterable[object]) -> bool:
    """Return whether at least three items of *lst* have a repr longer than 40 characters.

    .. versionadded:: 0.1

    :param lst: the items of a list or tuple in extra data.
    """
    long_items = 0
    for item in lst:
        if len(extra_repr(item)) > 40:
            long_items += 1
            if long_items >= 3:
                return True
    return False


def value_rows(mapping: Mapping[object, object]) -> list[tuple[str, str]]:
    """Return the ``(name, value)`` rows of a mapping in extra data, as text, sorted.

    Names are shown as ``str()`` shows them, values as Paste's ``repr()``
    (:func:`extra_repr`).

    :param mapping: an extra-data value that is a mapping.
    :raises Exception: whatever a hostile mapping's ``items()`` raises.
    """
    return sorted((value_text(name), extra_repr(item)) for name, item in mapping.items())


def combine_pieces(
    data_by_importance: Mapping[str, Sequence[tuple[str, str]]],
    lines: Iterable[str],
    exc_info: str,
    after: Iterable[str] = ("normal", "supplemental", "extra"),
) -> list[str]:
    """Paste's order of a report's pieces: important data, frame lines, the exception, the rest.

    :param data_by_importance: ``{importance: [(title, piece), ...]}``
    :param lines: the frame lines
    :param exc_info: the ``Type: value`` piece
    :param after: the importance levels shown after the exception, in order
    """
    combined = [value for _, value in data_by_importance.get("important", ())]
    combined.extend(lines)
    combined.append(exc_info)
    for importance in after:
        combined.extend(value for _, value in data_by_importance.get(importance, ()))
    return combined


def unshowable(error: Exception) -> str:
    """Return what a report shows instead of an extra-data value that could not be read.

    :param error: what reading the value raised.
    """
    return f"<could not be shown: {safe_repr(error, 200)}>"


def supplement_data(frames: Iterable[ExceptionFrame]) -> list[tuple[str, str]]:
    """Return the request-wide data the frames' supplements gave.

    Paste shows a supplement's ``object`` and ``source_url`` once, at the
    top, taking the innermost shown frame that set each.

    .. versionadded:: 0.1

    :param frames: the shown frames, outermost first.
    :returns: ``[("object", repr), ("source_url", url)]``, each only if set.
    """
    found: dict[str, str] = {}
    for frame in frames:
        sup = frame.supplement
        if sup is None:
            continue
        if sup.object:
            found["object"] = sup.object
        if sup.source_url:
            found["source_url"] = sup.source_url
    return [(name, found[name]) for name in AbstractFormatter.general_data_order if name in found]


# --- the base class -------------------------------------------------------------


class AbstractFormatter(abc.ABC):
    """Options and shared decisions of every formatter (Paste's names).

    :param show_hidden_frames: show frames that ``__traceback_hide__`` hides.
    :param include_reusable: include the parts that can be shared by several
        reports on one page (CSS, scripts); meaningful for HTML only.
    :param show_extra_data: show the extra data of supplements, decorators
        and the collector (request environment, ``sys.path``, ...).
    :param trim_source_paths: ``(prefix, replacement)`` pairs (or a mapping)
        rewriting the start of source paths, e.g. ``[("/srv/app", ".")]``.
    :raises paste_exc.errors.ConfigError: for an invalid option value.
    """

    #: The supplement attributes shown once for the whole report, in order.
    general_data_order: tuple[str, ...] = ("object", "source_url")

    def __init__(
        self,
        show_hidden_frames: bool = False,
        include_reusable: bool = True,
        show_extra_data: bool = True,
        trim_source_paths: Iterable[tuple[str, str]] | Mapping[str, str] = (),
    ) -> None:
        self.show_hidden_frames = astruth(show_hidden_frames, "show_hidden_frames")
        self.include_reusable = astruth(include_reusable, "include_reusable")
        self.show_extra_data = astruth(show_extra_data, "show_extra_data")
        self.trim_source_paths: TrimPairs = normalize_trim_source_paths(trim_source_paths)

    @abc.abstractmethod
    def format_collected_data(self, exc_data: CollectedException) -> str:
        """Return the report of one collected exception.

        :param exc_data: what :func:`paste_exc.collector.collect_exception` returned.
        """

    def filter_frames(self, frames: Sequence[ExceptionFrame]) -> list[ExceptionFrame]:
        """Return the frames to show, under this formatter's ``show_hidden_frames``.

        :param frames: the frames of one exception, outermost first.
        """
        return filter_frames(frames, self.show_hidden_frames)

    def trim_filename(self, filename: str | None) -> str:
        """Return ``filename`` with ``trim_source_paths`` applied (``?`` when unknown).

        :param filename: a source path or ``None``.
        """
        if not filename:
            return "?"
        return trim_source_paths(filename, self.trim_source_paths)

    def pretty_string_repr(self, s: str) -> str:
        """Return ``repr(s)``, as a triple-quoted block when ``s`` has newlines.

        :param s: the string.
        """
        return pretty_string_repr(s)

    def long_item_list(self, lst: Iterable[object]) -> bool:
        """Return whether at least three items have a repr longer than 40 characters.

        Such lists are shown one item per line (Paste's rule; the repr is
        :func:`extra_repr`'s).

        :param lst: the items.
        """
        return long_item_list(lst)
