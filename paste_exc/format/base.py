"""Format: the base class of every formatter, and the pieces of Paste's report.

Stage three of the pipeline (catch → collect → **format** → report → respond).
:class:`AbstractFormatter` holds the options every formatter shares (Paste's
names) and applies their decisions the one way: which frames are shown
(:mod:`paste_exc.format.visibility`), how source paths are shortened
(:func:`trim_source_paths`), how extra data is shown
(:mod:`paste_exc.format.extra`). :func:`combine_pieces` is Paste's order of a
report's pieces, and :func:`supplement_data` the request-wide data its
supplements gave.

Nothing here produces markup; nothing here imports a template engine.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeAlias

from paste_exc.config.convert import astruth
from paste_exc.config.places import astrimpaths
from paste_exc.format.extra import long_item_list, pretty_string_repr
from paste_exc.format.visibility import filter_frames

if TYPE_CHECKING:
    from paste_exc.model.report import CollectedException, ExceptionFrame

__all__ = [
    "AbstractFormatter",
    "TrimPairs",
    "combine_pieces",
    "supplement_data",
    "trim_source_paths",
]

#: ``(prefix, replacement)`` pairs for :func:`trim_source_paths`.
TrimPairs: TypeAlias = tuple[tuple[str, str], ...]

# --- source paths ---------------------------------------------------------------


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


# --- the report's pieces -------------------------------------------------------


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
        self.trim_source_paths: TrimPairs = astrimpaths(trim_source_paths)

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
