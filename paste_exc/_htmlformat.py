"""Format: the HTML report of a collected exception.

Part of the format stage (catch → collect → **format** → report → respond).
:func:`build_report` turns a :class:`~paste_exc.collector.CollectedException`
into a small view model (plain dataclasses: sections, frames, lines); the
Jinja2 templates in ``templates/`` turn that into HTML.  No markup is built
here: the only trusted markup is Pygments' output (see
:mod:`paste_exc._highlight`).

The report holds nothing specific to one occurrence (no occurrence id, date or
object ids), so two exceptions with the same frames give the same HTML; the
documents of :mod:`paste_exc.documents` put the occurrence around it.
"""

from __future__ import annotations

import math
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from paste_exc import _highlight
from paste_exc._formatbase import (
    AbstractFormatter,
    frame_visibility,
    iter_extra_data,
    trim_source_paths,
)
from paste_exc._templates import render
from paste_exc.collector import IMPORTANCE_LEVELS, CollectedException, ExceptionFrame, LocalVariable
from paste_exc.errors import ConfigError

__all__ = [
    "DEFAULT_SIZE_BUDGET",
    "HTMLFormatter",
    "ReportView",
    "build_report",
    "format_html",
    "render_report_document",
    "url_is_linkable",
]

#: The default size budget of a rendered report, in characters.
DEFAULT_SIZE_BUDGET = 1_000_000
#: Source lines shown before and after the failing line of an application frame:
#: Paste's two, so a report shows the same neighbourhood Paste users know (and a
#: hidden frame's arguments written a few lines below a call stay out of view).
CONTEXT_BEFORE = 2
CONTEXT_AFTER = 2
#: Exceptions shown at most in one report (chain links and group members), and
#: the deepest group nesting shown.
MAX_SECTIONS = 100
MAX_DEPTH = 8

CAUSE_SENTENCE = "The above exception was the direct cause of the following exception:"
CONTEXT_SENTENCE = "During handling of the above exception, another exception occurred:"

#: CSS for mail clients, put in ``style`` attributes by the ``st()`` macro.
EMAIL_STYLES: dict[str, str] = {
    "report": "font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#1f2328;",
    "headline": "margin:0 0 8px;padding:12px;background:#fff0f0;border-left:6px solid #c62828;",
    "exc-type": "font-size:18px;font-weight:bold;color:#b71c1c;",
    "exc-msg": "font-size:16px;white-space:pre-wrap;font-family:Menlo,Consolas,monospace;",
    "meta": "color:#555;font-size:13px;margin:4px 0;",
    "section": "margin:16px 0;",
    "connector": "font-style:italic;color:#555;margin:12px 0;",
    "frame": "margin:8px 0;padding:6px 8px;border:1px solid #d0d7de;border-radius:4px;",
    "frame-lib": "margin:8px 0;padding:6px 8px;border:1px solid #eee;color:#666;",
    "frame-head": "font-size:13px;margin:0 0 4px;",
    "path": "color:#666;font-size:12px;",
    "code": "margin:0;padding:4px;background:#f6f8fa;font-family:Menlo,Consolas,monospace;"
    "font-size:12px;white-space:pre;overflow:auto;",
    "line-current": "background:#ffe8a3;display:block;",
    "line": "display:block;",
    "lineno": "color:#999;",
    "table": "border-collapse:collapse;font-size:12px;margin:4px 0;",
    "th": "text-align:left;background:#eaeef2;padding:2px 6px;",
    "td": "border-top:1px solid #eee;padding:2px 6px;vertical-align:top;"
    "font-family:Menlo,Consolas,monospace;word-break:break-all;",
    "note": "color:#555;font-size:13px;",
    "pre": "white-space:pre-wrap;font-family:Menlo,Consolas,monospace;font-size:12px;margin:4px 0;",
    "h2": "font-size:15px;margin:16px 0 6px;",
}


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


# --- the view model -------------------------------------------------------------


@dataclass(slots=True)
class LineView:
    """One source line: number, highlighted HTML, and the failing range if marked."""

    number: int
    html: object
    current: bool = False
    mark_prefix: str = ""
    mark_text: str = ""


@dataclass(slots=True)
class SupplementView:
    """What a frame's ``__traceback_supplement__`` said, ready to show."""

    object: str | None
    url: str | None
    url_is_link: bool
    position: str | None
    expression: str | None
    warnings: tuple[str, ...]
    info: str | None


@dataclass(slots=True)
class FrameView:
    """One frame of the report."""

    modname: str
    lineno: str
    name: str
    qualname: str | None
    filename: str
    is_library: bool
    current: bool
    repeated: int
    lines: list[LineView]
    traceback_info: str | None
    supplement: SupplementView | None
    supplement_exception: str | None
    locals: tuple[LocalVariable, ...] | None


@dataclass(slots=True)
class FrameRun:
    """Consecutive frames shown alike: all visible, all hidden, or folded away."""

    hidden: bool
    frames: list[FrameView]
    folded: int = 0


@dataclass(slots=True)
class SectionView:
    """One exception of the report (the main one, a chain link or a group member)."""

    depth: int
    connector: str | None
    label: str | None
    type_name: str
    module: str
    message: str
    notes: tuple[str, ...]
    runs: list[FrameRun]
    hidden_dropped: int
    omitted_frames: int
    omitted_exceptions: int
    syntax_error: list[str]
    collection_notes: tuple[str, ...]
    is_group: bool
    is_cycle: bool
    is_main: bool


@dataclass(slots=True)
class ExtraItem:
    """One extra-data entry: a text, a table (name → value) or a list."""

    title: str
    text: str | None = None
    multiline: bool = False
    rows: list[tuple[str, str]] | None = None
    items: list[str] | None = None


@dataclass(slots=True)
class ReportView:
    """Everything the report templates show."""

    type_name: str
    module: str
    message: str
    identification_code: str
    request_method: str | None
    request_url: str | None
    request_url_is_link: bool
    location: str | None
    sections: list[SectionView]
    extra: dict[str, list[ExtraItem]]
    reporter_errors: tuple[str, ...]
    text_version: str
    folded: list[str] = field(default_factory=list)
    #: "Type: message" of the first exception of the main chain, when it differs.
    root_cause: str | None = None
    omitted_sections: int = 0
    frames_shown: int = 0


# --- building it ----------------------------------------------------------------


@dataclass(slots=True)
class _Options:
    show_hidden_frames: bool
    include_hidden_frames: bool
    show_extra_data: bool
    trim: tuple[tuple[str, str], ...]
    inline_styles: bool


def _str(value: object, default: str = "") -> str:
    return value if isinstance(value, str) else default


def _chain_of(exc: CollectedException) -> list[tuple[CollectedException, str | None]]:
    """Return the chain ending in *exc*, oldest first, each with the sentence before it."""
    links: list[CollectedException] = [exc]
    seen = {id(exc)}
    current = exc
    while len(links) < MAX_SECTIONS:
        nxt = current.cause
        if nxt is None and not current.suppress_context:
            nxt = current.context
        if nxt is None or id(nxt) in seen:
            break
        seen.add(id(nxt))
        links.append(nxt)
        current = nxt
    links.reverse()
    out: list[tuple[CollectedException, str | None]] = []
    for index, link in enumerate(links):
        sentence = None
        if index > 0:
            sentence = CAUSE_SENTENCE if link.cause is links[index - 1] else CONTEXT_SENTENCE
        out.append((link, sentence))
    return out


def _char_column(line: str, column: int | None) -> int | None:
    """Clamp a column (a character index, as the collector gives) to the line."""
    if column is None or column < 0:
        return None
    return min(column, len(line))


def _supplement_view(frame: ExceptionFrame) -> SupplementView | None:
    sup = frame.supplement
    if sup is None:
        return None
    position = None
    if sup.line:
        position = f"Line {sup.line}" + (f", Column {sup.column}" if sup.column else "")
    warnings = tuple(w for w in (sup.warnings or ()) if isinstance(w, str))
    view = SupplementView(
        object=sup.object,
        url=sup.source_url,
        url_is_link=url_is_linkable(sup.source_url),
        position=position,
        expression=sup.expression,
        warnings=warnings,
        info=sup.info,
    )
    if not (view.object or view.url or position or view.expression or warnings or view.info):
        return None
    return view


class _Builder:
    def __init__(self, options: _Options) -> None:
        self.options = options
        self.requests: dict[str, _highlight.SourceRequest] = {}
        self.pending: list[tuple[LineView, str, int]] = []
        self.frames_shown = 0

    def frame(self, frame: ExceptionFrame, current: bool) -> FrameView:
        filename = _str(frame.filename, "?") or "?"
        lines: list[LineView] = []
        start = frame.context_start
        lineno = frame.lineno
        if frame.context_lines and start is not None and lineno is not None:
            before, after = (1, 1) if frame.is_library else (CONTEXT_BEFORE, CONTEXT_AFTER)
            first = max(start, lineno - before)
            last = min(start + len(frame.context_lines) - 1, lineno + after)
            request = self.requests.get(filename)
            if request is None:
                request = self.requests[filename] = _highlight.SourceRequest(filename)
            texts = frame.context_lines[first - start : last - start + 1]
            request.add(first, texts)
            for number in range(first, last + 1):
                view = LineView(number=number, html="", current=number == lineno)
                if view.current:
                    self._mark(view, frame, texts[number - first])
                lines.append(view)
                self.pending.append((view, filename, number))
        qualname = frame.qualname if frame.qualname and frame.qualname != frame.name else None
        self.frames_shown += 1
        return FrameView(
            modname=_str(frame.modname, "?") or "?",
            lineno=str(lineno) if lineno is not None else "?",
            name=_str(frame.name, "?") or "?",
            qualname=qualname,
            filename=trim_source_paths(filename, self.options.trim),
            is_library=bool(frame.is_library),
            current=current,
            repeated=frame.repeated if isinstance(frame.repeated, int) else 0,
            lines=lines,
            traceback_info=frame.traceback_info,
            supplement=_supplement_view(frame),
            supplement_exception=frame.supplement_exception,
            locals=frame.locals,
        )

    @staticmethod
    def _mark(view: LineView, frame: ExceptionFrame, text: str) -> None:
        text = _highlight.clip_line(text)
        start = _char_column(text, frame.colno)
        if start is None:
            return
        end: int | None = len(text.rstrip())
        if frame.end_lineno is None or frame.end_lineno == frame.lineno:
            end = _char_column(text, frame.end_colno)
        if end is None:
            return
        stripped = text.strip()
        if end <= start or text[start:end].strip() == stripped:
            return
        view.mark_prefix = text[:start]
        view.mark_text = text[start:end]

    def section(
        self,
        exc: CollectedException,
        depth: int,
        connector: str | None,
        label: str | None,
        is_main: bool,
    ) -> SectionView:
        frames = tuple(exc.frames)
        flags = frame_visibility(frames, self.options.show_hidden_frames)
        runs: list[FrameRun] = []
        dropped = 0
        last = len(frames) - 1
        for index, (frame, shown) in enumerate(zip(frames, flags, strict=True)):
            if not shown and not self.options.include_hidden_frames:
                dropped += 1
                continue
            hidden = not shown
            view = self.frame(frame, current=index == last)
            if runs and runs[-1].hidden == hidden and not runs[-1].folded:
                runs[-1].frames.append(view)
            else:
                runs.append(FrameRun(hidden=hidden, frames=[view]))
        syntax: list[str] = []
        details = exc.syntax_error
        if details is not None:
            where = f'File "{details.filename or "?"}", line {details.lineno or "?"}'
            syntax.append(where)
            if details.text:
                text = details.text.rstrip("\n")
                syntax.append(text)
                if details.offset:
                    width = 1
                    if details.end_offset and details.end_offset > details.offset:
                        width = details.end_offset - details.offset
                    syntax.append(" " * (details.offset - 1) + "^" * width)
        return SectionView(
            depth=min(depth, MAX_DEPTH),
            connector=connector,
            label=label,
            type_name=_str(exc.exception_type, "?") or "?",
            module=_module_prefix(exc.exception_module),
            message=_str(exc.exception_value),
            notes=tuple(n for n in exc.notes if isinstance(n, str)),
            runs=runs,
            hidden_dropped=dropped,
            omitted_frames=exc.omitted_frames,
            omitted_exceptions=exc.omitted_exceptions,
            syntax_error=syntax,
            collection_notes=tuple(exc.collection_notes),
            is_group=exc.is_group,
            is_cycle=exc.is_cycle,
            is_main=is_main,
        )

    def sections(self, root: CollectedException) -> tuple[list[SectionView], int]:
        out: list[SectionView] = []
        seen: set[int] = set()
        omitted = 0
        # Work items: (exception, depth, sentence, label, is_chain, is_main)
        stack: list[tuple[CollectedException, int, str | None, str | None, bool, bool]] = [
            (root, 0, None, None, True, False)
        ]
        while stack:
            exc, depth, sentence, label, is_chain, is_main = stack.pop()
            if is_chain:
                chain = _chain_of(exc)
                items = []
                for index, (link, link_sentence) in enumerate(chain):
                    main = exc is root and index == len(chain) - 1
                    link_label = label if index == 0 else None
                    items.append((link, depth, link_sentence, link_label, False, main))
                stack.extend(reversed(items))
                continue
            if id(exc) in seen or len(out) >= MAX_SECTIONS or depth > MAX_DEPTH:
                omitted += 1
                continue
            seen.add(id(exc))
            out.append(self.section(exc, depth, sentence, label, is_main))
            if exc.is_group:
                members = list(exc.exceptions)
                total = len(members) + exc.omitted_exceptions
                stack.extend(
                    (member, depth + 1, None, f"Sub-exception {number} of {total}", True, False)
                    for number, member in reversed(list(enumerate(members, 1)))
                )
        return out, omitted

    def highlight(self) -> None:
        highlighted = _highlight.highlight_files(
            self.requests, inline_styles=self.options.inline_styles
        )
        for view, filename, number in self.pending:
            view.html = highlighted[filename][number]


def _module_prefix(module: object) -> str:
    if not isinstance(module, str) or module in ("", "builtins", "__main__"):
        return ""
    return module + "."


def _extra_item(title: str, value: object) -> ExtraItem:
    if isinstance(value, Mapping):
        rows = sorted((str(name), _as_text(item)) for name, item in value.items())
        return ExtraItem(title=title, rows=rows)
    if isinstance(value, list | tuple):
        return ExtraItem(title=title, items=[_as_text(item) for item in value])
    text = _as_text(value)
    return ExtraItem(title=title, text=text, multiline="\n" in text)


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    from paste_exc._saferepr import safe_repr

    return safe_repr(value)


def _extra_data(exc_data: CollectedException) -> dict[str, list[ExtraItem]]:
    grouped = iter_extra_data(exc_data)
    return {
        importance: [_extra_item(title, value) for title, value in entries]
        for importance, entries in grouped.items()
    }


def _root_cause(exc_data: CollectedException) -> str | None:
    chain = _chain_of(exc_data)
    if len(chain) < 2:
        return None
    first = chain[0][0]
    return f"{_str(first.exception_type, '?')}: {_str(first.exception_value)}"


def _no_extra() -> dict[str, list[ExtraItem]]:
    return {importance: [] for importance in IMPORTANCE_LEVELS}


def _location(sections: Sequence[SectionView]) -> str | None:
    for section in sections:
        if section.is_main:
            for run in reversed(section.runs):
                for frame in reversed(run.frames):
                    if not frame.is_library:
                        return f"{frame.filename}:{frame.lineno} in {frame.name}"
            for run in reversed(section.runs):
                if run.frames:
                    frame = run.frames[-1]
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
    """
    options = _Options(
        show_hidden_frames=show_hidden_frames,
        include_hidden_frames=include_hidden_frames,
        show_extra_data=show_extra_data,
        trim=tuple(trim_source_paths),
        inline_styles=inline_styles,
    )
    builder = _Builder(options)
    sections, omitted = builder.sections(exc_data)
    builder.highlight()
    if text_version is None:
        from paste_exc.formatter import format_text

        text_version = format_text(
            exc_data,
            show_hidden_frames=show_hidden_frames or include_hidden_frames,
            show_extra_data=show_extra_data,
            trim_source_paths=options.trim,
        )
    url = getattr(exc_data, "request_url", None)
    url = url if isinstance(url, str) else None
    method = getattr(exc_data, "request_method", None)
    extra = _extra_data(exc_data) if show_extra_data else _no_extra()
    return ReportView(
        type_name=_str(exc_data.exception_type, "?") or "?",
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
        frames_shown=builder.frames_shown,
        root_cause=_root_cause(exc_data),
    )


# --- the size budget --------------------------------------------------------------


def _fold_extra(view: ReportView) -> str | None:
    if not any(view.extra.values()):
        return None
    view.extra = _no_extra()
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
    total = 0
    for section in view.sections:
        frames = [(run.hidden, f) for run in section.runs for f in run.frames]
        keep = max(6, math.floor(len(frames) * keep_ratio))
        if len(frames) <= keep:
            continue
        head = keep // 3
        tail = keep - head
        folded = len(frames) - keep
        total += folded
        runs: list[FrameRun] = []
        for hidden, frame in frames[:head]:
            _append(runs, hidden, frame)
        runs.append(FrameRun(hidden=False, frames=[], folded=folded))
        for hidden, frame in frames[-tail:]:
            _append(runs, hidden, frame)
        section.runs = runs
    return f"{total:,} frames from the middle of the traceback" if total else None


def _append(runs: list[FrameRun], hidden: bool, frame: FrameView) -> None:
    if runs and runs[-1].hidden == hidden and not runs[-1].folded:
        runs[-1].frames.append(frame)
    else:
        runs.append(FrameRun(hidden=hidden, frames=[frame]))


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
    if size_budget is not None:
        note = _fold_text(view, size_budget // 3)
        if note:
            view.folded.append(note)
    body = render(template, report=view, **context)
    if size_budget is None or len(body) <= size_budget:
        return body
    budget_note = f"(the size budget is {size_budget:,} characters)"
    for step in (_fold_extra, _fold_locals):
        note = step(view)
        if note:
            view.folded.append(note)
            body = render(template, report=view, budget_note=budget_note, **context)
            if len(body) <= size_budget:
                return body
    for _attempt in range(4):
        ratio = max(min(size_budget / len(body) * 0.8, 0.9), 0.0)
        note = _fold_frames(view, ratio)
        if not note:
            break
        view.folded = [n for n in view.folded if "frames from the middle" not in n]
        view.folded.append(note)
        body = render(template, report=view, budget_note=budget_note, **context)
        if len(body) <= size_budget:
            break
    return body


# --- Paste's API ----------------------------------------------------------------


class HTMLFormatter(AbstractFormatter):
    """Format a collected exception as an HTML report (Paste's class, rebuilt).

    :param show_hidden_frames: show frames hidden by ``__traceback_hide__``
    :param include_reusable: include the CSS and script (leave them out when
        the page already has them, e.g. a second report on one page)
    :param show_extra_data: show the extra data tables
    :param trim_source_paths: ``(prefix, replacement)`` pairs shortening file names
    :param include_hidden_frames: keep hidden frames in the report, collapsed
        behind a toggle that says how many (``.. versionadded:: 0.1``)
    :param size_budget: past this many characters the report folds its least
        useful parts and says so; ``None`` for no limit (``.. versionadded:: 0.1``)
    """

    def __init__(
        self,
        show_hidden_frames: bool = False,
        include_reusable: bool = True,
        show_extra_data: bool = True,
        trim_source_paths: Iterable[tuple[str, str]] | Mapping[str, str] = (),
        *,
        include_hidden_frames: bool = False,
        size_budget: int | None = DEFAULT_SIZE_BUDGET,
    ) -> None:
        super().__init__(show_hidden_frames, include_reusable, show_extra_data, trim_source_paths)
        self.include_hidden_frames = bool(include_hidden_frames)
        if size_budget is not None and (
            isinstance(size_budget, bool) or not isinstance(size_budget, int) or size_budget < 1
        ):
            raise ConfigError("size_budget", f"expected a positive integer, got {size_budget!r}")
        self.size_budget = size_budget

    def build(self, exc_data: CollectedException) -> ReportView:
        """Return the view model of the report (see :func:`build_report`).

        :param exc_data: the collected exception
        """
        return build_report(
            exc_data,
            show_hidden_frames=self.show_hidden_frames,
            include_hidden_frames=self.include_hidden_frames,
            show_extra_data=self.show_extra_data,
            trim_source_paths=self.trim_source_paths,
        )

    def format_collected_data(self, exc_data: CollectedException) -> str:
        """Return the HTML report of *exc_data* (a fragment, not a whole page).

        :param exc_data: the collected exception
        """
        return render_report_document(
            "report_standalone.html",
            self.build(exc_data),
            size_budget=self.size_budget,
            include_reusable=self.include_reusable,
        )


def format_html(
    exc_data: CollectedException, include_hidden_frames: bool = False, **ops: object
) -> str:
    """Return the HTML report of *exc_data* (Paste's function).

    With *include_hidden_frames* the frames ``__traceback_hide__`` hides stay
    in the report, collapsed behind a toggle.

    :param exc_data: the collected exception
    :param include_hidden_frames: keep hidden frames, collapsed
    :param ops: :class:`HTMLFormatter` options
    """
    return HTMLFormatter(include_hidden_frames=include_hidden_frames, **ops).format_collected_data(  # type: ignore[arg-type]
        exc_data
    )
