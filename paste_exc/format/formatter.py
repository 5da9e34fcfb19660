"""Format: turn a collected exception into a report.

Stage three of the pipeline (catch → collect → **format** → report → respond).
This module holds the plain-text report (:class:`TextFormatter`,
:func:`format_text`) and re-exports the helpers every formatter shares
(:func:`filter_frames`, :func:`truncate`, :func:`make_wrappable`, ...).
The HTML formatter lives in its own module and is re-exported here too.

The text layout is Paste's, line for line, where Paste had content: the
important extra data (``URL: …``), then per frame the supplement lines, the
``__traceback_info__``, ``File '<path>', line N in <func>`` and the stripped
source line, then ``Type: value``, then the other extra data. What Paste did
not have comes only when there is something to show: the column caret,
folded recursion, locals, notes, the chain of exceptions, group members,
SyntaxError details and notes from collection.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final

from paste_exc.collect.syntaxerror import syntax_error_lines
from paste_exc.config.convert import asbudget
from paste_exc.format.base import (
    AbstractFormatter,
    combine_pieces,
    supplement_data,
    trim_source_paths,
)
from paste_exc.format.budget import DEFAULT_SIZE_BUDGET, fit_report
from paste_exc.format.extra import extra_repr, iter_extra_data, unshowable, value_rows
from paste_exc.format.html.paste import (
    error_css,
    error_re,
    hide_display_js,
    html_quote,
    pre_re,
    str2html,
    whitespace_re,
)
from paste_exc.format.textparts import (
    CAUSE_SENTENCE,
    CONTEXT_SENTENCE,
    caret_line,
    chain_links,
    exception_label,
    indent_block,
    member_box,
)
from paste_exc.format.visibility import filter_frames, frame_visibility, partition_frames
from paste_exc.format.wrapping import make_pre_wrappable, make_wrappable, truncate
from paste_exc.model.report import CollectedException, ExtraRepr
from paste_exc.model.values import shown_value

if TYPE_CHECKING:
    from paste_exc.model.report import ExceptionFrame

__all__ = [
    "AbstractFormatter",
    "TextFormatter",
    "error_css",
    "error_re",
    "filter_frames",
    "format_text",
    "frame_visibility",
    "hide_display_js",
    "html_quote",
    "iter_extra_data",
    "make_pre_wrappable",
    "make_wrappable",
    "partition_frames",
    "pre_re",
    "str2html",
    "trim_source_paths",
    "truncate",
    "whitespace_re",
]


class TextFormatter(AbstractFormatter):
    """The plain-text report, in Paste's layout.

    The ``format_*`` methods are Paste's hooks, kept so that subclasses
    written against Paste keep working; each returns one piece of text.

    :param show_hidden_frames: show frames that ``__traceback_hide__`` hides.
    :param include_reusable: accepted for Paste compatibility (HTML only).
    :param show_extra_data: show the extra data sections.
    :param trim_source_paths: ``(prefix, replacement)`` pairs applied to paths.
    :param size_budget: past this many characters the report is folded, the
        least useful parts first, and says what it left out (see
        :doc:`/rendering`); ``None`` for no limit (``.. versionadded:: 0.1``).
        A report within the budget is Paste's text, unchanged.
    """

    def __init__(
        self,
        show_hidden_frames: bool = False,
        include_reusable: bool = True,
        show_extra_data: bool = True,
        trim_source_paths: Iterable[tuple[str, str]] | Mapping[str, str] = (),
        *,
        size_budget: int | None = DEFAULT_SIZE_BUDGET,
    ) -> None:
        super().__init__(show_hidden_frames, include_reusable, show_extra_data, trim_source_paths)
        self.size_budget = asbudget(size_budget)

    # --- Paste's hooks ----------------------------------------------------------

    def quote(self, s: str) -> str:
        """Escape ``s`` for the output format (text: unchanged)."""
        return s

    def quote_long(self, s: str) -> str:
        """Escape a block of text for the output format (text: unchanged)."""
        return s

    def emphasize(self, s: str) -> str:
        """Mark ``s`` as emphasised (text: unchanged)."""
        return s

    def format_sup_object(self, obj: str) -> str:
        """The ``In object: …`` line; ``obj`` is the collected repr."""
        return f"In object: {self.emphasize(self.quote(obj))}"

    def format_sup_url(self, url: str) -> str:
        """The ``URL: …`` line."""
        return f"URL: {self.quote(url)}"

    def format_sup_line_pos(self, line: int, column: int | None) -> str:
        """The ``Line N, Column M`` line of a template supplement."""
        if column:
            return self.emphasize(f"Line {line}, Column {column}")
        return self.emphasize(f"Line {line}")

    def format_sup_expression(self, expr: str) -> str:
        """The ``In expression: …`` line."""
        return self.emphasize(f"In expression: {self.quote(expr)}")

    def format_sup_warning(self, warning: str) -> str:
        """One ``Warning: …`` line."""
        return f"Warning: {self.quote(warning)}"

    def format_sup_info(self, info: str) -> list[str]:
        """The lines of a supplement's ``getInfo()``."""
        return [self.quote_long(info)]

    def format_source_line(self, filename: str, frame: ExceptionFrame) -> str:
        """Paste's ``File '<path>', line N in <func>`` line."""
        return f"File {filename!r}, line {frame.lineno or '?'} in {frame.name or '?'}"

    def format_long_source(self, source: str, long_source: str) -> str:
        """The source of a frame (text: the one stripped line)."""
        return self.format_source(source)

    def format_source(self, source_line: str) -> str:
        """The stripped source line, indented by two spaces."""
        return "  " + self.quote(source_line.strip())

    def format_exception_info(self, etype: str, evalue: str) -> str:
        """The ``Type: value`` line."""
        return self.emphasize(f"{self.quote(etype)}: {self.quote(evalue)}")

    def format_traceback_info(self, info: str) -> str:
        """A frame's ``__traceback_info__``."""
        return info

    def format_combine(
        self,
        data_by_importance: Mapping[str, Sequence[tuple[str, str]]],
        lines: list[str],
        exc_info: str,
    ) -> str:
        """Assemble the report: important data, frames, exception, other data."""
        return self.format_combine_lines(combine_pieces(data_by_importance, lines, exc_info))

    def format_combine_lines(self, lines: list[str]) -> str:
        """Join the pieces of the report."""
        return "\n".join(lines)

    def format_extra_data(self, importance: str, title: str, value: object) -> str:
        """One extra-data entry, as Paste wrote it.

        A string as its repr (triple-quoted under its title when multi-line); a
        mapping as a titled section of ``name: repr`` lines, sorted; a list or
        tuple with three or more long items one item per line; anything else
        ``title: repr``. Every repr is Paste's (an object's repr as ``repr()``
        gave it, see :func:`~paste_exc.format.base.extra_repr`), cut by
        :func:`truncate`.
        """
        try:
            return self._extra_text(title, value)
        except Exception as error:  # noqa: BLE001  a hostile value from a decorator
            return f"{title}: {unshowable(error)}"

    def _extra_text(self, title: str, value: object) -> str:
        if isinstance(value, str) and not isinstance(value, ExtraRepr):
            shown = self.pretty_string_repr(str.__str__(value))
            return f"{title}:\n{shown}" if "\n" in shown else f"{title}: {shown}"
        if isinstance(value, Mapping):
            rows = value_rows(value)
            section = ["\n", title, "-" * len(title)]
            section.extend(f"  {name}: {item}" for name, item in rows)
            return "\n".join(section)
        if isinstance(value, list | tuple) and self.long_item_list(value):
            items = [extra_repr(item) for item in value]
            return f"{title}: [\n    " + ",\n    ".join(items) + "]"
        return f"{title}: {extra_repr(value)}"

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
                lines.append(self.format_long_source(source, frame.get_source_line(2)))
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
        ``trim_source_paths``, ``size_budget`` (default 1,000,000 characters).
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
    )
    cached = _recent_texts.get(key)
    if cached is not None and cached[0] is exc_data:
        return cached[1]
    text = formatter.format_collected_data(exc_data)
    if len(_recent_texts) >= _RECENT_TEXTS_MAX:
        try:  # the oldest entry; another thread may be changing the dict at once
            _recent_texts.pop(next(iter(_recent_texts)), None)
        except (RuntimeError, StopIteration):
            _recent_texts.clear()
    _recent_texts[key] = (exc_data, text)
    return text


#: The last few text reports, so that the page's text copy, ``wsgi.errors``, the log
#: file and the email of one error format it once. Keyed by the report's identity and
#: the (normalised) options; the entry holds the (inert) report itself, so an id is never reused
#: while its entry lives. Reports are frozen, so a cached text cannot go stale.
_RECENT_TEXTS_MAX: Final = 32
_recent_texts: dict[tuple[object, ...], tuple[CollectedException, str]] = {}
