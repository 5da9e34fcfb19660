"""Format: turn a collected exception into a report.

Stage three of the pipeline (catch → collect → **format** → report → respond).
This module holds the plain-text report (:class:`TextFormatter`,
:func:`format_text`): the layout, built from Paste's text hooks
(:class:`~paste_exc.format.texthooks.PasteTextHooks`).

The text layout is Paste's, line for line, where Paste had content: the
important extra data (``URL: …``), then per frame the supplement lines, the
``__traceback_info__``, ``File '<path>', line N in <func>`` and the stripped
source line, then ``Type: value``, then the other extra data. What Paste did
not have comes only when there is something to show: the column caret,
folded recursion, locals, notes, the chain of exceptions, group members,
SyntaxError details and notes from collection.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final

from paste_exc.collect.syntaxerror import syntax_error_lines
from paste_exc.config.convert import asbudget
from paste_exc.format.base import (
    supplement_data,
)
from paste_exc.format.budget import DEFAULT_SIZE_BUDGET, fit_report
from paste_exc.format.extra import iter_extra_data
from paste_exc.format.textblocks import environment_lines, request_lines
from paste_exc.format.texthooks import PasteTextHooks
from paste_exc.format.textparts import (
    CAUSE_SENTENCE,
    CONTEXT_SENTENCE,
    caret_line,
    chain_links,
    exception_label,
    indent_block,
    member_box,
)
from paste_exc.model.report import CollectedException
from paste_exc.model.request import RequestInfo
from paste_exc.model.values import shown_value

if TYPE_CHECKING:
    from paste_exc.model.report import ExceptionFrame

__all__ = ["TextFormatter", "format_text"]


class TextFormatter(PasteTextHooks):
    """The plain-text report, in Paste's layout.

    The ``format_*`` methods are Paste's hooks (:class:`PasteTextHooks`), kept
    so that subclasses written against Paste keep working; the layout here
    calls them, each returning one piece of text.

    :param show_hidden_frames: show frames that ``__traceback_hide__`` hides.
    :param include_reusable: accepted for Paste compatibility (HTML only).
    :param show_extra_data: show the extra data sections.
    :param trim_source_paths: ``(prefix, replacement)`` pairs applied to paths.
    :param size_budget: past this many characters the report is folded, the
        least useful parts first, and says what it left out (see
        :ref:`rendering`); ``None`` for no limit (``.. versionadded:: 0.1``).
        A report within the budget is Paste's text, unchanged.
    :param request: the request's redacted data, for the request block
        (``.. versionadded:: 0.1``)
    :param show_environment: end the report with the request block (given
        *request*) and the environment block (the report's
        :attr:`~paste_exc.collector.CollectedException.environment`), after
        Paste's text (``.. versionadded:: 0.1``)
    """

    def __init__(
        self,
        show_hidden_frames: bool = False,
        include_reusable: bool = True,
        show_extra_data: bool = True,
        trim_source_paths: Iterable[tuple[str, str]] | Mapping[str, str] = (),
        *,
        size_budget: int | None = DEFAULT_SIZE_BUDGET,
        request: RequestInfo | None = None,
        show_environment: bool = False,
    ) -> None:
        super().__init__(show_hidden_frames, include_reusable, show_extra_data, trim_source_paths)
        self.size_budget = asbudget(size_budget)
        self.request = request if isinstance(request, RequestInfo) else None
        self.show_environment = bool(show_environment)

    # --- the report --------------------------------------------------------------

    def format_collected_data(self, exc_data: CollectedException) -> str:
        """Return the text report of ``exc_data``.

        :param exc_data: what :func:`paste_exc.collector.collect_exception` returned.
        :raises TypeError: if ``exc_data`` is not collected exception data.
        """
        if not hasattr(exc_data, "frames"):
            raise TypeError(
                "format_collected_data() needs collected exception data "
                f"(a CollectedException), not {type(exc_data).__name__}"
            )
        budget = getattr(self, "size_budget", DEFAULT_SIZE_BUDGET)
        data: object = exc_data  # Paste code may hand in data of its own making
        if isinstance(data, CollectedException):
            _, text = fit_report(exc_data, budget, self._whole_report)
        else:  # Paste-style data of another type: nothing to fold
            text = self._whole_report(exc_data)
        if budget is not None and len(text) > budget:
            # Even the outline is past the budget: cut the middle of the text, saying so.
            marker = f"\n[… {{:,}} characters cut to fit the size budget of {budget:,} …]\n"
            keep = max((budget - len(marker.format(len(text)))) // 2, 0)
            cut = len(text) - 2 * keep
            text = text[:keep] + marker.format(cut) + (text[-keep:] if keep else "")
        return text

    def _whole_report(self, exc_data: CollectedException) -> str:
        """The text report of *exc_data*, as it is (:meth:`format_collected_data` fits it)."""
        frames = self.filter_frames(tuple(exc_data.frames))
        data = self._general_data(exc_data, frames)
        lines = self._chain_lines(exc_data)
        lines.extend(self._frames_block(exc_data, frames))
        exc_info = "\n".join(self._exception_lines(exc_data, 0))
        report = self.format_combine(data, lines, exc_info)
        tail = self._tail_lines(exc_data)
        return "\n".join([report, *tail]) if tail else report

    def _general_data(
        self, exc_data: CollectedException, frames: Iterable[ExceptionFrame]
    ) -> dict[str, list[tuple[str, str]]]:
        data: dict[str, list[tuple[str, str]]] = {
            level: [] for level in ("important", "normal", "supplemental", "extra")
        }
        for name, value in supplement_data(frames):
            shown = (
                self.format_sup_object(value) if name == "object" else self.format_sup_url(value)
            )
            data["important"].append((name, shown))
        if self.show_extra_data:
            for importance, entries in iter_extra_data(exc_data).items():
                data[importance].extend(
                    (title, self.format_extra_data(importance, title, value))
                    for title, value in entries
                )
        # Paste sorted the important entries by name: the supplement's names
        # (strings: ``object``, ``source_url``) before the extra data's
        # ``(importance, title)`` keys, as Python 2 ordered a str before a tuple
        # (Python 3 refuses to compare them), and each group by title.
        return data

    def _frames_block(self, exc: CollectedException, frames: Iterable[ExceptionFrame]) -> list[str]:
        """The frame lines, with the count of frames the collector left out."""
        lines = self._frame_lines(frames)
        if exc.omitted_frames:
            where = "outer" if exc.omitted_frames_at == "outer" else "inner"
            note = f"[{exc.omitted_frames} {where} frames not collected]"
            if where == "outer":
                lines.insert(0, note)
            else:
                lines.append(note)
        return lines

    def _frame_lines(self, frames: Iterable[ExceptionFrame]) -> list[str]:
        lines: list[str] = []
        wants_long = type(self).format_long_source is not PasteTextHooks.format_long_source
        for frame in frames:
            sup = frame.supplement
            if sup is not None:
                if sup.line:
                    lines.append(self.format_sup_line_pos(sup.line, sup.column))
                if sup.expression:
                    lines.append(self.format_sup_expression(sup.expression))
                lines.extend(self.format_sup_warning(warning) for warning in sup.warnings)
                if sup.info:
                    lines.extend(self.format_sup_info(sup.info))
            if frame.supplement_exception:
                lines.append("Exception in supplement:")
                lines.append(self.quote_long(frame.supplement_exception))
            if frame.traceback_info:
                lines.append(self.format_traceback_info(frame.traceback_info))
            lines.append(self.format_source_line(self.trim_filename(frame.filename), frame))
            source = frame.get_source_line()
            if source.strip():
                # Paste's text hook shows the one line: the longer source is read
                # only for a formatter whose hook shows it.
                long_source = frame.get_source_line(2) if wants_long else source
                lines.append(self.format_long_source(source, long_source))
                caret = caret_line(frame)
                if caret:
                    lines.append(caret)
            if frame.repeated:
                times = "time" if frame.repeated == 1 else "times"
                lines.append(f"[Previous line repeated {frame.repeated} more {times}]")
            for local in frame.locals or ():
                lines.append(indent_block(f"{local.name} = {shown_value(local)}", "    "))
            folded = getattr(frame, "folded_after", 0)
            if folded:
                lines.append(f"[{folded:,} frames folded to fit the size budget]")
        return lines

    def _exception_lines(self, exc: CollectedException, depth: int) -> list[str]:
        """``Type: value`` and what follows it: notes, SyntaxError, group members."""
        lines: list[str] = []
        if exc.syntax_error is not None:
            # Python's own lines (traceback.format_exception_only), file name trimmed.
            where = syntax_error_lines(exc.syntax_error, self.trim_filename)
            lines.extend(self.quote(line.removesuffix("\n")) for line in where)
        lines.append(self.format_exception_info(*exception_label(exc)))
        lines.extend(exc.notes)
        if exc.is_group:
            members = [self._nested_report(member, depth + 1) for member in exc.exceptions]
            lines.extend(member_box(members, exc.omitted_exceptions))
        return lines

    def _nested_report(self, exc: CollectedException, depth: int) -> list[str]:
        """A group member: its own chain, then itself."""
        if depth > _MAX_DEPTH:
            return ["[nested too deeply to show]"]
        return [*self._chain_lines(exc, depth), *self._single_report(exc, depth)]

    def _single_report(self, exc: CollectedException, depth: int) -> list[str]:
        """One chain link or member: frames, exception lines, its own extra data."""
        lines = self._frames_block(exc, self.filter_frames(tuple(exc.frames)))
        lines.extend(self._exception_lines(exc, depth))
        if self.show_extra_data:
            for importance, entries in iter_extra_data(exc).items():
                lines.extend(
                    self.format_extra_data(importance, title, value) for title, value in entries
                )
        return lines

    def _chain_lines(self, exc: CollectedException, depth: int = 0) -> list[str]:
        """The earlier exceptions of the chain, oldest first, each with its sentence."""
        lines: list[str] = []
        links = chain_links(exc)
        oldest = links[0][0] if links else exc
        if oldest.omitted_exceptions and not oldest.is_group:
            lines.append(f"[{oldest.omitted_exceptions} earlier chained exceptions not collected]")
        for link, is_cause in links:
            lines.extend(self._single_report(link, depth + 1))
            lines.extend(["", CAUSE_SENTENCE if is_cause else CONTEXT_SENTENCE, ""])
        return lines

    def _tail_lines(self, exc_data: CollectedException) -> list[str]:
        lines: list[str] = []
        if self.show_extra_data and getattr(self, "show_environment", False):
            lines.extend(request_lines(getattr(self, "request", None)))
            environment = getattr(exc_data, "environment", None)
            lines.extend(environment_lines(environment, self.trim_filename))
        folded = getattr(exc_data, "folded", ())
        if folded:
            title = "Folded to fit the size budget"
            budget = getattr(self, "size_budget", None)
            of = f" of {budget:,} characters" if budget else ""
            lines.extend(["", title, "-" * len(title)])
            lines.append(f"  This report was shortened to fit the size budget{of}; it leaves out:")
            lines.extend(indent_block(f"- {entry}", "  ") for entry in folded)
        for title, entries in (
            ("Collection notes", exc_data.collection_notes),
            ("Reporter errors", exc_data.reporter_errors),
        ):
            if entries:
                lines.extend(["", title, "-" * len(title)])
                lines.extend(indent_block(entry, "  ") for entry in entries)
        return lines


_MAX_DEPTH: Final = 64


def format_text(exc_data: CollectedException, **ops: object) -> str:
    """Return the text report of ``exc_data``; ``ops`` are :class:`TextFormatter` options.

    :param exc_data: what :func:`paste_exc.collector.collect_exception` returned.
    :param ops: ``show_hidden_frames``, ``include_reusable``, ``show_extra_data``,
        ``trim_source_paths``, ``size_budget`` (default 1,000,000 characters),
        ``request`` (the request's redacted data), ``show_environment``.
    :raises TypeError: for an unknown option.
    :raises paste_exc.errors.ConfigError: for an invalid option value.
    """
    formatter = TextFormatter(**ops)  # type: ignore[arg-type]
    key = (
        id(exc_data),
        formatter.show_hidden_frames,
        formatter.include_reusable,
        formatter.show_extra_data,
        tuple(formatter.trim_source_paths),
        formatter.size_budget,
        id(formatter.request),
        formatter.show_environment,
    )
    cached = _recent_texts.get(key)
    if cached is not None and cached[0] is exc_data and cached[2] is formatter.request:
        return cached[1]
    text = formatter.format_collected_data(exc_data)
    if len(_recent_texts) >= _RECENT_TEXTS_MAX:
        try:  # the oldest entry; another thread may be changing the dict at once
            _recent_texts.pop(next(iter(_recent_texts)), None)
        except (RuntimeError, StopIteration):
            _recent_texts.clear()
    _recent_texts[key] = (exc_data, text, formatter.request)
    return text


#: The last few text reports, so that the page's text copy, ``wsgi.errors``, the log
#: file and the email of one error format it once. Keyed by the report's identity and
#: the (normalised) options; the entry holds the (inert) report itself, so an id is never reused
#: while its entry lives. Reports are frozen, so a cached text cannot go stale.
_RECENT_TEXTS_MAX: Final = 32
_recent_texts: dict[tuple[object, ...], tuple[CollectedException, str, RequestInfo | None]] = {}
