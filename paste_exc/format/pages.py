"""Format: the HTML and text documents built around a report, ready to send.

Part of the format stage.  The debug page, the fragment for XMLHttpRequest
callers, the safe page for everyone else, the short text, the HTML of an
email, and the block appended to a response that had already started: each a
pure function of (collected data, options), carrying the occurrence (its id
and date) around the report.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Sequence
from typing import Final, cast

from paste_exc.config.debugpage import aseditorurl
from paste_exc.config.places import astrimpaths
from paste_exc.format.formatter import format_text
from paste_exc.format.headers import HTML_CONTENT_TYPE, security_headers
from paste_exc.format.html.budget import (
    DEFAULT_SIZE_BUDGET,
    render_report_document,
    view_builder,
)
from paste_exc.format.html.build import build_report
from paste_exc.format.html.emailstyle import EMAIL_STYLES
from paste_exc.format.html.view import ReportView
from paste_exc.format.records import SEPARATOR, with_header
from paste_exc.format.rendered import (
    RenderedPage,
    new_nonce,
    occurrence,
)
from paste_exc.format.safepage import render_short_text
from paste_exc.format.templates import render
from paste_exc.model.report import CollectedException
from paste_exc.model.request import RequestInfo
from paste_exc.model.values import clean_text
from paste_exc.redact.saferepr import safe_str

__all__ = [
    "render_appended",
    "render_debug_page",
    "render_email_html",
    "render_fragment",
    "without_request_data",
]

# The public module of these documents is paste_exc.format.documents: log under its name.
log = logging.getLogger("paste_exc.documents")

_BINARY_TYPES: Final = ("image/", "audio/", "video/", "font/")
_BINARY_SUBTYPES: Final = ("octet-stream", "zip", "gzip", "pdf", "wasm", "protobuf", "msgpack")


def render_debug_page(
    exc_data: CollectedException,
    *,
    show_hidden_frames: bool = False,
    show_extra_data: bool = True,
    trim_source_paths: Iterable[tuple[str, str]] = (),
    reporting_failures: Sequence[str] = (),
    size_budget: int | None = DEFAULT_SIZE_BUDGET,
    editor_url: str | None = None,
    request: RequestInfo | None = None,
) -> RenderedPage:
    """Return the full debug page: the report, hidden frames collapsed, under a strict CSP.

    At its top, the frame index (each frame a link, the application's marked,
    each exception's failing frame one click away); "my code only" folds the
    library frames into runs (the default when the traceback has application
    frames); each frame shows two lines around its failing line and expands
    in place to all that was collected; ``j``/``k`` move between frames. The
    script carries the page's nonce and nothing needs it: without JavaScript
    every frame and line is shown. After the traceback come the request
    tables (from *request*) and the environment block.

    :param exc_data: the collected exception
    :param show_hidden_frames: show hidden frames as ordinary ones instead of collapsed
    :param show_extra_data: show the extra data (request environment and so on)
    :param trim_source_paths: ``(prefix, replacement)`` pairs shortening file names
    :param reporting_failures: one line per reporter that failed, shown under the report
    :param size_budget: past this many characters, fold the least useful parts
        (the request tables, the environment and the source beyond two lines first)
    :param editor_url: a template checked by
        :func:`~paste_exc.config.debugpage.aseditorurl` (or a preset's name):
        each frame's file name links to the editor
    :param request: the request's redacted data, shown as tables
    """
    build = view_builder(
        size_budget=size_budget,
        show_hidden_frames=show_hidden_frames,
        include_hidden_frames=True,
        show_extra_data=show_extra_data,
        trim_source_paths=trim_source_paths,
        editor_url=aseditorurl(editor_url),
        request=request,
        navigation=True,
    )
    nonce = new_nonce()
    body = render_report_document(
        "debug_page.html",
        exc_data,
        build,
        size_budget=size_budget,
        sections=True,
        nonce=nonce,
        reporting_failures=[safe_str(f) for f in reporting_failures],
        **occurrence(exc_data),
    )
    return RenderedPage(clean_text(body), HTML_CONTENT_TYPE, nonce, security_headers(nonce))


def render_fragment(
    exc_data: CollectedException,
    *,
    show_hidden_frames: bool = False,
    trim_source_paths: Iterable[tuple[str, str]] = (),
    size_budget: int | None = DEFAULT_SIZE_BUDGET,
) -> RenderedPage:
    """Return the report for an XMLHttpRequest caller: no CSS, no script, no request data.

    Like Paste's fragment, it holds no extra data; and no request data at all:
    no URL or method, no frame locals, no CGI or WSGI variables, in the HTML
    and in its plain-text copy alike (see :func:`without_request_data`).

    :param exc_data: the collected exception
    :param show_hidden_frames: show the frames ``__traceback_hide__`` hides
    :param trim_source_paths: ``(prefix, replacement)`` pairs shortening file names
    :param size_budget: past this many characters, fold the least useful parts
    """
    build = view_builder(
        size_budget=size_budget,
        show_hidden_frames=show_hidden_frames,
        show_extra_data=False,
        trim_source_paths=trim_source_paths,
    )

    body = render_report_document(
        "fragment.html",
        without_request_data(exc_data),
        build,
        size_budget=size_budget,
        sections=False,
        **occurrence(exc_data),
    )
    return RenderedPage(clean_text(body), HTML_CONTENT_TYPE, headers=security_headers(None))


def without_request_data(exc_data: CollectedException) -> CollectedException:
    """Return a copy of *exc_data* without what the request and the frames' state gave.

    Left out, in the exception and in every chain link and group member: the
    request method and URL, the extra data (CGI and WSGI variables, query and
    form fields, configuration, supplements' ``extraData()``), the frames'
    locals, and the URL, method and extra data of their supplements. Kept:
    the frames, their source and magic variables, the exception and its notes.

    .. versionadded:: 0.1

    :param exc_data: the collected exception
    """
    return _stripped(exc_data)


def _stripped(exc: CollectedException) -> CollectedException:
    frames = tuple(
        dataclasses.replace(
            frame,
            locals=None,
            omitted_locals=0,
            supplement=None
            if frame.supplement is None
            else dataclasses.replace(
                frame.supplement, source_url=None, request_method=None, extra=None
            ),
        )
        for frame in exc.frames
    )
    return dataclasses.replace(
        exc,
        frames=frames,
        extra_data={},
        environment=None,
        request_method=None,
        request_url=None,
        locals_collected=False,
        cause=None if exc.cause is None else _stripped(exc.cause),
        context=None if exc.context is None else _stripped(exc.context),
        exceptions=tuple(_stripped(member) for member in exc.exceptions),
    )


def render_email_html(exc_data: CollectedException, **ops: object) -> str:
    """Return the report as a whole HTML email: styles inline, no script, no textarea.

    :param exc_data: the collected exception
    :param ops: ``show_hidden_frames``, ``show_extra_data``, ``trim_source_paths``,
        ``size_budget`` (as for :class:`~paste_exc.formatter.HTMLFormatter`);
        others are ignored
    """
    budget = ops.get("size_budget", DEFAULT_SIZE_BUDGET)
    valid = budget is None or (type(budget) is int and budget > 0)
    size_budget = cast("int | None", budget) if valid else DEFAULT_SIZE_BUDGET
    trim_pairs = astrimpaths(ops.get("trim_source_paths"))

    def build(data: CollectedException) -> ReportView:
        return build_report(
            data,
            show_hidden_frames=bool(ops.get("show_hidden_frames", False)),
            show_extra_data=bool(ops.get("show_extra_data", True)),
            trim_source_paths=trim_pairs,
            inline_styles=True,
            text_version="",
        )

    body = render_report_document(
        "email.html",
        exc_data,
        build,
        size_budget=size_budget,
        sections=False,
        styles=EMAIL_STYLES,
        **occurrence(exc_data),
    )
    return clean_text(body)


def _is_binary(media_type: str) -> bool:
    if media_type.startswith(_BINARY_TYPES):
        return True
    subtype = media_type.partition("/")[2]
    return any(part in subtype for part in _BINARY_SUBTYPES)


def _charset(content_type: str) -> str:
    for param in content_type.split(";")[1:]:
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "charset" and value.strip():
            candidate = value.strip().strip('"')
            try:
                "".encode(candidate)
            except LookupError:
                return "utf-8"
            return candidate
    return "utf-8"


def render_appended(
    exc_data: CollectedException,
    *,
    content_type: str,
    debug: bool,
    size_budget: int | None = DEFAULT_SIZE_BUDGET,
) -> bytes:
    """Return what to append to a body that had already started when the error came.

    HTML bodies get an HTML block (the report in debug mode, a notice with the
    codes otherwise), binary bodies (images, audio, video, fonts, archives,
    ``application/octet-stream``, ...) nothing, and every other body, JSON and
    a body sent without a ``Content-Type`` included, plain text: the text
    report (debug) or a short notice. A truncated JSON body is invalid either
    way; the text at least says why it stopped.

    :param exc_data: the collected exception
    :param content_type: the ``Content-Type`` already sent
    :param debug: whether the report may be shown
    :param size_budget: past this many characters, fold the least useful parts
    """
    media_type = content_type.split(";")[0].strip().lower()
    charset = _charset(content_type)
    if _is_binary(media_type):
        return b""
    if media_type in ("text/html", "application/xhtml+xml"):
        context = occurrence(exc_data)
        if debug:
            text = render_report_document(
                "appended.html",
                exc_data,
                view_builder(
                    size_budget=size_budget, include_hidden_frames=True, show_extra_data=False
                ),
                size_budget=size_budget,
                debug=True,
                identification_code="",
                occurrence_id=context["occurrence_id"],
            )
        else:
            text = render(
                "appended.html",
                debug=False,
                identification_code=exc_data.identification_code,
                **context,
            )
        return clean_text(text).encode(charset, "xmlcharrefreplace")
    if debug:
        heading = with_header(exc_data, _heading(exc_data))
        report = format_text(exc_data, size_budget=size_budget)
        text = f"\n\n{SEPARATOR}\n{heading}\n{report}\n"
    else:
        text = "\n\n" + render_short_text(exc_data).body
    return clean_text(text).encode(charset, "replace")


def _heading(exc_data: CollectedException) -> str:
    """Return a one-line summary naming the innermost frame in Paste's wording."""
    summary = f"Error: {exc_data.exception_type}: {exc_data.exception_value}"
    if exc_data.frames:
        frame = exc_data.frames[-1]
        summary += f" (Module {frame.modname or '?'}:{frame.lineno or '?'} in {frame.name or '?'})"
    return summary
