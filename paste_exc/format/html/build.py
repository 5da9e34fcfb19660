"""Format: build the view model of an HTML report from collected data.

Part of the format stage (catch → collect → **format** → report → respond).
:func:`build_report` turns a :class:`~paste_exc.collector.CollectedException`
into a :class:`~paste_exc.format.html.view.ReportView`: the chain and groups in
Python's order, the frames ``__traceback_hide__`` leaves, a few lines of source
around each failing line (highlighted by :mod:`paste_exc.format.html.highlight`, the one
trusted markup, with the failing columns marked) and the extra data.
"""

from __future__ import annotations

from collections.abc import Iterable

from paste_exc.collect.syntaxerror import syntax_error_lines
from paste_exc.config.debugpage import editor_link
from paste_exc.config.places import astrimpaths
from paste_exc.format.base import trim_source_paths
from paste_exc.format.budget import DEFAULT_SIZE_BUDGET
from paste_exc.format.extra import iter_extra_data
from paste_exc.format.formatter import format_text
from paste_exc.format.html import highlight as _highlight
from paste_exc.format.html.navigation import (
    frame_anchor,
    headline_origin,
    link_sections,
    mark_repeats,
)
from paste_exc.format.html.parts import (
    extra_item,
    failing_mark,
    supplement_view,
    url_is_linkable,
)
from paste_exc.format.html.tables import REQUEST_EXTRA_TITLES, environment_view, request_view
from paste_exc.format.html.view import (
    FrameRun,
    FrameView,
    LineView,
    LocalView,
    ReportView,
    SectionView,
    append_frame,
    no_extra,
)
from paste_exc.format.textparts import CAUSE_SENTENCE, CONTEXT_SENTENCE, chain_links
from paste_exc.format.visibility import frame_visibility
from paste_exc.model.report import CollectedException, ExceptionFrame
from paste_exc.model.request import RequestInfo
from paste_exc.model.values import shown_value

__all__ = ["build_report", "url_is_linkable"]

#: Source lines shown at first before and after the failing line: Paste's two,
#: so a report shows the same neighbourhood Paste users know; the rest of what
#: was collected (``context_lines``) is there too, shown when the frame's
#: context is expanded in place.
CONTEXT_BEFORE = 2
CONTEXT_AFTER = 2
#: Exceptions shown at most in one report (chain links and group members), and
#: the deepest group nesting shown.
MAX_SECTIONS = 100
MAX_DEPTH = 8


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


_WorkItem = tuple[CollectedException, int, str | None, str | None, bool, bool]


class _Builder:
    """Builds the sections of one report, gathering source lines to highlight at the end."""

    def __init__(
        self,
        show_hidden: bool,
        include_hidden: bool,
        trim: tuple[tuple[str, str], ...],
        editor_url: str | None = None,
        expand: bool = False,
    ) -> None:
        self.show_hidden = show_hidden
        self.include_hidden = include_hidden
        self.trim = trim
        self.editor_url = editor_url
        #: Keep every collected line (the page expands them in place), not only two.
        self.expand = expand
        self.count = 0
        #: Top-level module → "Name version" of its distribution (the environment's).
        self.dists: dict[str, str] = {}
        self.section_of: dict[int, SectionView] = {}
        self.requests: dict[str, _highlight.SourceRequest] = {}
        self.pending: list[tuple[LineView, str]] = []

    def lines(self, frame: ExceptionFrame, filename: str) -> list[LineView]:
        start, lineno = frame.context_start, frame.lineno
        if not frame.context_lines or start is None or lineno is None:
            return []
        shown_first, shown_last = lineno - CONTEXT_BEFORE, lineno + CONTEXT_AFTER
        if not self.expand and frame.is_library:
            shown_first, shown_last = lineno - 1, lineno + 1
        end = start + len(frame.context_lines) - 1
        first = start if self.expand else max(start, shown_first)
        last = end if self.expand else min(end, shown_last)
        request = self.requests.get(filename)
        if request is None:
            request = self.requests[filename] = _highlight.SourceRequest(filename)
        request.add(first, frame.context_lines[first - start : last - start + 1])
        lines: list[LineView] = []
        for number in range(first, last + 1):
            view = LineView(number=number, html="", current=number == lineno)
            view.extra = not shown_first <= number <= shown_last
            if view.current:
                view.mark = failing_mark(request.lines[number], frame)
            lines.append(view)
            self.pending.append((view, filename))
        return lines

    def frame(self, frame: ExceptionFrame, current: bool) -> FrameView:
        filename = _name(frame.filename)
        self.count += 1
        lines = self.lines(frame, filename)
        return FrameView(
            modname=_name(frame.modname),
            lineno=str(frame.lineno) if frame.lineno is not None else "?",
            name=_name(frame.name),
            qualname=frame.qualname if frame.qualname and frame.qualname != frame.name else None,
            filename=self.trim_name(filename),
            is_library=bool(frame.is_library),
            current=current,
            repeated=frame.repeated if isinstance(frame.repeated, int) else 0,
            lines=lines,
            traceback_info=frame.traceback_info,
            supplement=supplement_view(frame),
            supplement_exception=frame.supplement_exception,
            locals=None
            if frame.locals is None
            else tuple(LocalView(var.name, shown_value(var), var.redacted) for var in frame.locals),
            number=self.count,
            anchor=frame_anchor(self.count),
            editor_link=editor_link(self.editor_url, frame.filename, frame.lineno),
            more_context=sum(1 for line in lines if line.extra),
            distribution=self.dists.get(_name(frame.modname).partition(".")[0]),
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
            self.section_of[id(exc)] = section
            section.is_main = is_main
            out.append(section)
            if exc.is_group:
                total = len(exc.exceptions) + exc.omitted_exceptions
                stack.extend(
                    (member, depth + 1, None, f"Sub-exception {number} of {total}", False, True)
                    for number, member in reversed(list(enumerate(exc.exceptions, 1)))
                )
        return out, omitted

    def anchor_of(self, exc: CollectedException) -> str:
        """The anchor of the failing frame of *exc*'s section ("" when it has none)."""
        section = self.section_of.get(id(exc))
        return section.failing_anchor if section is not None else ""

    def highlight(self, inline_styles: bool) -> None:
        highlighted = _highlight.highlight_files(self.requests, inline_styles=inline_styles)
        for view, filename in self.pending:
            html = highlighted[filename][view.number]
            if view.mark is not None and not inline_styles:
                html = _highlight.mark_columns(html, *view.mark)
            view.html = html


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
    editor_url: str | None = None,
    request: RequestInfo | None = None,
    navigation: bool = False,
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
    :param editor_url: a checked ``editor_url`` template: file names become editor links
    :param request: the request's data: the request tables are shown
    :param navigation: the frame index, "my code only", expandable context and
        the keyboard (the debug page)
    """
    trim = astrimpaths(trim_source_paths)
    builder = _Builder(show_hidden_frames, include_hidden_frames, trim, editor_url, navigation)
    if navigation and exc_data.environment is not None:
        for dist in exc_data.environment.distributions:
            builder.dists.update(dict.fromkeys(dist.modules, f"{dist.name} {dist.version}"))
    sections, omitted = builder.sections(exc_data)
    builder.highlight(inline_styles)
    link_sections(sections)
    if navigation:
        mark_repeats(sections)
    origin = headline_origin(exc_data)
    if text_version is None:
        text_version = format_text(
            exc_data,
            show_hidden_frames=show_hidden_frames or include_hidden_frames,
            show_extra_data=show_extra_data,
            trim_source_paths=trim,
            size_budget=text_size_budget,
            request=request if navigation else None,
            show_environment=navigation,
        )
    requests = request_view(request) if show_extra_data else None
    extra = no_extra()
    if show_extra_data:
        for importance, entries in iter_extra_data(exc_data).items():
            extra[importance] = [
                extra_item(title, value)
                for title, value in entries
                if requests is None or title not in REQUEST_EXTRA_TITLES
            ]
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
        root_cause=None
        if origin is None
        else f"{_name(origin[1].exception_type)}: {_str(origin[1].exception_value)}",
        root_cause_sentence=origin[0] if origin else "",
        root_cause_anchor=builder.anchor_of(origin[1]) if origin else "",
        navigation=navigation,
        has_app_frames=any(not f.is_library for f in _all_frames(sections)),
        request=requests,
        environment=environment_view(exc_data.environment, builder.trim_name)
        if show_extra_data
        else None,
    )


def _all_frames(sections: Iterable[SectionView]) -> Iterable[FrameView]:
    return (frame for section in sections for run in section.runs for frame in run.frames)
