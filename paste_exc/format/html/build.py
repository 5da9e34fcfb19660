"""Format: build the view model of an HTML report from collected data.

Part of the format stage (catch → collect → **format** → report → respond).
:func:`build_report` turns a :class:`~paste_exc.collector.CollectedException`
into a :class:`~paste_exc.format.html.view.ReportView`: the chain and groups in
Python's order, the frames ``__traceback_hide__`` leaves, a few lines of source
around each failing line (highlighted by :mod:`paste_exc.format.html.highlight`, the one
trusted markup, with the failing columns marked) and the extra data.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Mapping

from paste_exc.collect.syntaxerror import syntax_error_lines
from paste_exc.config.places import astrimpaths
from paste_exc.format.base import trim_source_paths
from paste_exc.format.budget import DEFAULT_SIZE_BUDGET
from paste_exc.format.extra import (
    extra_repr,
    iter_extra_data,
    long_item_list,
    pretty_string_repr,
    unshowable,
    value_rows,
)
from paste_exc.format.formatter import format_text
from paste_exc.format.html import highlight as _highlight
from paste_exc.format.html.view import (
    ExtraItem,
    FrameRun,
    FrameView,
    LineView,
    ReportView,
    SectionView,
    SupplementView,
    append_frame,
    no_extra,
)
from paste_exc.format.textparts import CAUSE_SENTENCE, CONTEXT_SENTENCE, chain_links
from paste_exc.format.visibility import frame_visibility
from paste_exc.model.report import CollectedException, ExceptionFrame, ExtraRepr, LocalVariable
from paste_exc.model.values import shown_value

__all__ = ["build_report", "url_is_linkable"]

#: Source lines shown before and after the failing line of an application frame:
#: Paste's two, so a report shows the same neighbourhood Paste users know (and a
#: hidden frame's arguments written a few lines below a call stay out of view).
#: Library frames get one line each side.
CONTEXT_BEFORE = 2
CONTEXT_AFTER = 2
#: Exceptions shown at most in one report (chain links and group members), and
#: the deepest group nesting shown.
MAX_SECTIONS = 100
MAX_DEPTH = 8


def url_is_linkable(url: str | None) -> bool:
    """Return whether *url* may become a link: an absolute http(s) URL, no control characters.

    :param url: the URL as text
    """
    if not url or any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        return False
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _name(value: object) -> str:
    """Return *value* when it is a non-empty string, else ``"?"``."""
    return value if isinstance(value, str) and value else "?"


def _module_prefix(module: object) -> str:
    if not isinstance(module, str) or module in ("", "builtins", "__main__"):
        return ""
    return module + "."


def _chain_of(exc: CollectedException) -> list[tuple[CollectedException, str | None]]:
    """Return the chain ending in *exc*, oldest first, each with the sentence before it.

    The walk is the text report's (:func:`~paste_exc.format.textparts.chain_links`):
    a link the collector marked as a cycle ends it, as in Python's traceback.
    """
    out: list[tuple[CollectedException, str | None]] = []
    sentence = None
    for link, is_cause in chain_links(exc):
        out.append((link, sentence))
        sentence = CAUSE_SENTENCE if is_cause else CONTEXT_SENTENCE
    out.append((exc, sentence))
    return out


def _mark(text: str, frame: ExceptionFrame) -> tuple[int, int] | None:
    """Return the failing character range of the current line *text*, unless it is all of it."""
    if frame.colno is None or frame.colno < 0:
        return None
    start = min(frame.colno, len(text))
    end: int | None = len(text.rstrip())
    if frame.end_lineno is None or frame.end_lineno == frame.lineno:
        end = frame.end_colno
    if end is None or end < 0:
        return None
    end = min(end, len(text))
    if end <= start or text[start:end].strip() == text.strip():
        return None
    return start, end


def _supplement_view(frame: ExceptionFrame) -> SupplementView | None:
    sup = frame.supplement
    if sup is None:
        return None
    position = None
    if sup.line:
        position = f"Line {sup.line}" + (f", Column {sup.column}" if sup.column else "")
    warnings = tuple(w for w in (sup.warnings or ()) if isinstance(w, str))
    if not (sup.object or sup.source_url or position or sup.expression or warnings or sup.info):
        return None
    return SupplementView(
        object=sup.object,
        url=sup.source_url,
        url_is_link=url_is_linkable(sup.source_url),
        position=position,
        expression=sup.expression,
        warnings=warnings,
        info=sup.info,
    )


_WorkItem = tuple[CollectedException, int, str | None, str | None, bool, bool]


class _Builder:
    """Builds the sections of one report, gathering source lines to highlight at the end."""

    def __init__(
        self, show_hidden: bool, include_hidden: bool, trim: tuple[tuple[str, str], ...]
    ) -> None:
        self.show_hidden = show_hidden
        self.include_hidden = include_hidden
        self.trim = trim
        self.requests: dict[str, _highlight.SourceRequest] = {}
        self.pending: list[tuple[LineView, str]] = []

    def lines(self, frame: ExceptionFrame, filename: str) -> list[LineView]:
        start, lineno = frame.context_start, frame.lineno
        if not frame.context_lines or start is None or lineno is None:
            return []
        before, after = (1, 1) if frame.is_library else (CONTEXT_BEFORE, CONTEXT_AFTER)
        first = max(start, lineno - before)
        last = min(start + len(frame.context_lines) - 1, lineno + after)
        request = self.requests.get(filename)
        if request is None:
            request = self.requests[filename] = _highlight.SourceRequest(filename)
        request.add(first, frame.context_lines[first - start : last - start + 1])
        lines: list[LineView] = []
        for number in range(first, last + 1):
            view = LineView(number=number, html="", current=number == lineno)
            if view.current:
                view.mark = _mark(request.lines[number], frame)
            lines.append(view)
            self.pending.append((view, filename))
        return lines

    def frame(self, frame: ExceptionFrame, current: bool) -> FrameView:
        filename = _name(frame.filename)
        return FrameView(
            modname=_name(frame.modname),
            lineno=str(frame.lineno) if frame.lineno is not None else "?",
            name=_name(frame.name),
            qualname=frame.qualname if frame.qualname and frame.qualname != frame.name else None,
            filename=self.trim_name(filename),
            is_library=bool(frame.is_library),
            current=current,
            repeated=frame.repeated if isinstance(frame.repeated, int) else 0,
            lines=self.lines(frame, filename),
            traceback_info=frame.traceback_info,
            supplement=_supplement_view(frame),
            supplement_exception=frame.supplement_exception,
            locals=None
            if frame.locals is None
            else tuple(
                LocalVariable(var.name, shown_value(var), var.redacted) for var in frame.locals
            ),
        )

    def trim_name(self, filename: str) -> str:
        return trim_source_paths(filename, self.trim)

    def syntax_error(self, exc: CollectedException) -> list[str]:
        """Python's lines for a ``SyntaxError`` (as the text report), file name trimmed."""
        if exc.syntax_error is None:
            return []
        where = syntax_error_lines(exc.syntax_error, self.trim_name)
        return [line.removesuffix("\n") for line in where]

    def section(
        self, exc: CollectedException, depth: int, connector: str | None, label: str | None
    ) -> SectionView:
        frames = tuple(exc.frames)
        runs: list[FrameRun] = []
        dropped = 0
        last = len(frames) - 1
        flags = frame_visibility(frames, self.show_hidden)
        for index, (frame, shown) in enumerate(zip(frames, flags, strict=True)):
            if shown or self.include_hidden:
                append_frame(runs, not shown, self.frame(frame, current=index == last))
            else:
                dropped += 1
            folded = frame.folded_after if isinstance(frame.folded_after, int) else 0
            if folded > 0:
                runs.append(FrameRun(hidden=False, frames=[], folded=folded))
        return SectionView(
            depth=min(depth, MAX_DEPTH),
            connector=connector,
            label=label,
            type_name=_name(exc.exception_type),
            module=_module_prefix(exc.exception_module),
            message=_str(exc.exception_value),
            notes=tuple(n for n in exc.notes if isinstance(n, str)),
            runs=runs,
            hidden_dropped=dropped,
            omitted_frames=exc.omitted_frames,
            omitted_exceptions=exc.omitted_exceptions,
            syntax_error=self.syntax_error(exc),
            collection_notes=tuple(exc.collection_notes),
            is_group=exc.is_group,
            is_cycle=exc.is_cycle,
            is_main=False,
        )

    def sections(self, root: CollectedException) -> tuple[list[SectionView], int]:
        """Return the sections in Python's order (groups depth first) and the number left out."""
        out: list[SectionView] = []
        seen: set[int] = set()
        omitted = 0
        # Work items: (exception, depth, sentence, label, is_main, expand), where
        # *expand* asks for the exception's whole chain rather than the exception alone.
        stack: list[_WorkItem] = [(root, 0, None, None, False, True)]
        while stack:
            exc, depth, sentence, label, is_main, expand = stack.pop()
            if expand:
                chain = _chain_of(exc)
                last = len(chain) - 1
                stack.extend(
                    (
                        link,
                        depth,
                        link_sentence,
                        label if index == 0 else None,
                        exc is root and index == last,
                        False,
                    )
                    for index, (link, link_sentence) in reversed(list(enumerate(chain)))
                )
                continue
            if id(exc) in seen or len(out) >= MAX_SECTIONS or depth > MAX_DEPTH:
                omitted += 1
                continue
            seen.add(id(exc))
            section = self.section(exc, depth, sentence, label)
            section.is_main = is_main
            out.append(section)
            if exc.is_group:
                total = len(exc.exceptions) + exc.omitted_exceptions
                stack.extend(
                    (member, depth + 1, None, f"Sub-exception {number} of {total}", False, True)
                    for number, member in reversed(list(enumerate(exc.exceptions, 1)))
                )
        return out, omitted

    def highlight(self, inline_styles: bool) -> None:
        highlighted = _highlight.highlight_files(self.requests, inline_styles=inline_styles)
        for view, filename in self.pending:
            html = highlighted[filename][view.number]
            if view.mark is not None and not inline_styles:
                html = _highlight.mark_columns(html, *view.mark)
            view.html = html


def _extra_item(title: str, value: object) -> ExtraItem:
    """One extra-data entry, shown as Paste showed it: reprs (see :func:`extra_repr`)."""
    try:
        if isinstance(value, Mapping):
            return ExtraItem(title, rows=value_rows(value))
        if isinstance(value, list | tuple) and long_item_list(value):
            return ExtraItem(title, items=[extra_repr(item) for item in value])
        if isinstance(value, str) and not isinstance(value, ExtraRepr):
            text = pretty_string_repr(str.__str__(value))
        else:
            text = extra_repr(value)
    except Exception as error:  # noqa: BLE001  a hostile value from a decorator
        return ExtraItem(title, text=unshowable(error))
    return ExtraItem(title, text=text, multiline="\n" in text)


def _root_cause(exc_data: CollectedException) -> str | None:
    chain = _chain_of(exc_data)
    if len(chain) < 2:
        return None
    first = chain[0][0]
    return f"{_name(first.exception_type)}: {_str(first.exception_value)}"


def _location(sections: Iterable[SectionView]) -> str | None:
    """Return where the main exception happened: its innermost application frame, else frame."""
    for section in sections:
        if section.is_main:
            frames = [frame for run in section.runs for frame in run.frames]
            app = [frame for frame in frames if not frame.is_library]
            if app or frames:
                frame = (app or frames)[-1]
                return f"{frame.filename}:{frame.lineno} in {frame.name}"
    return None


def build_report(
    exc_data: CollectedException,
    *,
    show_hidden_frames: bool = False,
    include_hidden_frames: bool = False,
    show_extra_data: bool = True,
    trim_source_paths: Iterable[tuple[str, str]] = (),
    inline_styles: bool = False,
    text_version: str | None = None,
    text_size_budget: int | None = DEFAULT_SIZE_BUDGET,
) -> ReportView:
    """Build the view model of the report of *exc_data*.

    .. versionadded:: 0.1

    :param exc_data: the collected exception
    :param show_hidden_frames: show the frames ``__traceback_hide__`` hides as ordinary frames
    :param include_hidden_frames: keep hidden frames, collapsed behind a toggle
    :param show_extra_data: show the extra data tables
    :param trim_source_paths: ``(prefix, replacement)`` pairs shortening file names
    :param inline_styles: highlight with ``style`` attributes (for email)
    :param text_version: the plain-text report for the copy box; made with
        :func:`paste_exc.formatter.format_text` when not given
    :param text_size_budget: the size budget of that text copy
    """
    trim = astrimpaths(trim_source_paths)
    builder = _Builder(show_hidden_frames, include_hidden_frames, trim)
    sections, omitted = builder.sections(exc_data)
    builder.highlight(inline_styles)
    if text_version is None:
        text_version = format_text(
            exc_data,
            show_hidden_frames=show_hidden_frames or include_hidden_frames,
            show_extra_data=show_extra_data,
            trim_source_paths=trim,
            size_budget=text_size_budget,
        )
    extra = no_extra()
    if show_extra_data:
        for importance, entries in iter_extra_data(exc_data).items():
            extra[importance] = [_extra_item(title, value) for title, value in entries]
    url = exc_data.request_url if isinstance(exc_data.request_url, str) else None
    method = exc_data.request_method
    return ReportView(
        type_name=_name(exc_data.exception_type),
        module=_module_prefix(exc_data.exception_module),
        message=_str(exc_data.exception_value),
        identification_code=_str(exc_data.identification_code),
        request_method=method if isinstance(method, str) else None,
        request_url=url,
        request_url_is_link=url_is_linkable(url),
        location=_location(sections),
        sections=sections,
        extra=extra,
        reporter_errors=tuple(exc_data.reporter_errors),
        text_version=text_version,
        omitted_sections=omitted,
        root_cause=_root_cause(exc_data),
    )
