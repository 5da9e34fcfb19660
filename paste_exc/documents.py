"""Format: whole documents built around a report, ready to send.

Part of the format stage (catch → collect → **format** → report → respond).
Each function here is a pure function of (collected data, options) returning
what a responder sends: the debug page, the safe page for everyone else, the
fragment for XMLHttpRequest callers, RFC 9457 problem documents, a short text,
the HTML of an email, and the block appended to a response that had already
started.  Choosing which one a request gets is the middleware's job.

Unlike :func:`paste_exc.formatter.format_html`, these documents carry the
occurrence: its id and date sit around the report.

.. versionadded:: 0.1
"""

from __future__ import annotations

import datetime
import http
import json
import logging
import math
import re
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, cast

from paste_exc._formatbase import frame_visibility, iter_extra_data, trim_source_paths
from paste_exc._htmlformat import (
    DEFAULT_SIZE_BUDGET,
    EMAIL_STYLES,
    build_report,
    render_report_document,
)
from paste_exc._saferepr import safe_str
from paste_exc._templates import load_user_template, render
from paste_exc.collector import CollectedException, ExceptionFrame

__all__ = [
    "DEFAULT_ERROR_MESSAGE",
    "RenderedPage",
    "content_security_policy",
    "exception_document",
    "new_nonce",
    "problem_document",
    "render_appended",
    "render_debug_page",
    "render_email_html",
    "render_fragment",
    "render_problem",
    "render_safe_page",
    "render_short_text",
]

log = logging.getLogger("paste_exc.documents")

#: What the safe page says when no ``error_message`` is configured.
DEFAULT_ERROR_MESSAGE: Final = (
    "Something went wrong on our side and this page could not be shown. "
    "The error has been logged; please try again in a little while."
)
PROBLEM_CONTENT_TYPE: Final = "application/problem+json"
HTML_CONTENT_TYPE: Final = "text/html; charset=utf-8"
TEXT_CONTENT_TYPE: Final = "text/plain; charset=utf-8"
#: Deepest nesting of chains and groups in a JSON document.
MAX_JSON_DEPTH: Final = 64
_UUID_RE: Final = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")
_BINARY_TYPES: Final = ("image/", "audio/", "video/", "font/")
_BINARY_SUBTYPES: Final = ("octet-stream", "zip", "gzip", "pdf", "wasm", "protobuf", "msgpack")


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """A document ready to send: body text, its content type, the CSP nonce and headers.

    ``headers`` holds what the document needs beside its content type, e.g. the
    ``Content-Security-Policy`` naming :attr:`nonce`.
    """

    body: str
    content_type: str
    nonce: str | None = None
    headers: tuple[tuple[str, str], ...] = ()

    def body_bytes(self) -> bytes:
        """Return the body encoded as UTF-8 (the charset every content type here names)."""
        return self.body.encode("utf-8", "replace")


def new_nonce() -> str:
    """Return a fresh, unguessable CSP nonce (URL-safe base64, 128 bits)."""
    return secrets.token_urlsafe(16)


def content_security_policy(nonce: str | None) -> str:
    """Return the strict policy of our pages: nothing but our own nonce'd style and script.

    :param nonce: the page's nonce, or ``None`` for a page without style or script
    """
    source = f"'nonce-{nonce}'" if nonce else "'none'"
    return (
        f"default-src 'none'; script-src {source}; style-src {source}; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def _security_headers(nonce: str | None) -> tuple[tuple[str, str], ...]:
    return (
        ("Content-Security-Policy", content_security_policy(nonce)),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    )


def _clean(text: str) -> str:
    """Replace lone surrogates (from hostile input) so the text encodes as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text


def _occurrence(exc_data: CollectedException) -> dict[str, str]:
    occurrence = exc_data.occurrence_id if isinstance(exc_data.occurrence_id, str) else ""
    date = ""
    date_iso = ""
    stamp = exc_data.timestamp
    if isinstance(stamp, int | float) and math.isfinite(stamp) and stamp > 0:
        try:
            moment = datetime.datetime.fromtimestamp(stamp).astimezone()
            date = moment.strftime("%Y-%m-%d %H:%M:%S %Z")
            date_iso = moment.isoformat(timespec="seconds")
        except (OverflowError, OSError, ValueError):
            date = ""
    if not date:
        try:
            moment = datetime.datetime(*exc_data.date[:6]).astimezone()
            date = moment.strftime("%Y-%m-%d %H:%M:%S %Z")
            date_iso = moment.isoformat(timespec="seconds")
        except (TypeError, ValueError, OverflowError, OSError):
            date, date_iso = "", ""
    return {"occurrence_id": occurrence or "unknown", "date": date, "date_iso": date_iso}


# --- HTML documents ---------------------------------------------------------------


def render_debug_page(
    exc_data: CollectedException,
    *,
    show_hidden_frames: bool = False,
    show_extra_data: bool = True,
    trim_source_paths: Iterable[tuple[str, str]] = (),
    reporting_failures: Sequence[str] = (),
    size_budget: int | None = DEFAULT_SIZE_BUDGET,
) -> RenderedPage:
    """Return the full debug page: the report, hidden frames collapsed, under a strict CSP.

    :param exc_data: the collected exception
    :param show_hidden_frames: show hidden frames as ordinary ones instead of collapsed
    :param show_extra_data: show the extra data (request environment and so on)
    :param trim_source_paths: ``(prefix, replacement)`` pairs shortening file names
    :param reporting_failures: one line per reporter that failed, shown under the report
    :param size_budget: past this many characters, fold the least useful parts
    """
    view = build_report(
        exc_data,
        show_hidden_frames=show_hidden_frames,
        include_hidden_frames=True,
        show_extra_data=show_extra_data,
        trim_source_paths=tuple(trim_source_paths),
    )
    nonce = new_nonce()
    body = render_report_document(
        "debug_page.html",
        view,
        size_budget=size_budget,
        nonce=nonce,
        reporting_failures=[safe_str(f) for f in reporting_failures],
        **_occurrence(exc_data),
    )
    return RenderedPage(_clean(body), HTML_CONTENT_TYPE, nonce, _security_headers(nonce))


def render_fragment(
    exc_data: CollectedException,
    *,
    show_hidden_frames: bool = False,
    trim_source_paths: Iterable[tuple[str, str]] = (),
    size_budget: int | None = DEFAULT_SIZE_BUDGET,
) -> RenderedPage:
    """Return the report for an XMLHttpRequest caller: no CSS, no script, no extra data.

    :param exc_data: the collected exception
    :param show_hidden_frames: show the frames ``__traceback_hide__`` hides
    :param trim_source_paths: ``(prefix, replacement)`` pairs shortening file names
    :param size_budget: past this many characters, fold the least useful parts
    """
    view = build_report(
        exc_data,
        show_hidden_frames=show_hidden_frames,
        show_extra_data=False,
        trim_source_paths=tuple(trim_source_paths),
    )
    body = render_report_document(
        "fragment.html", view, size_budget=size_budget, **_occurrence(exc_data)
    )
    return RenderedPage(_clean(body), HTML_CONTENT_TYPE)


def _status_title(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Server Error" if 500 <= status <= 599 else "Error"


def render_safe_page(
    exc_data: CollectedException,
    *,
    error_message: str | None = None,
    template_file: str | Path | None = None,
    status: int = 500,
) -> RenderedPage:
    """Return the page shown when debug is off: a message and the codes to quote.

    No traceback, exception type or path appears on it.  *error_message* is
    shown as text (escaped).  A *template_file* replaces the page: a Jinja2
    template, autoescaped, given ``error_message``, ``title``, ``status``,
    ``identification_code``, ``occurrence_id``, ``date`` and ``nonce`` (put
    ``nonce="{{ nonce }}"`` on its ``<style>`` elements).  A template that
    fails while rendering is logged and the default page is sent instead.

    :param exc_data: the collected exception
    :param error_message: the text to show; a friendly default when ``None``
    :param template_file: a template file replacing the default page
    :param status: the HTTP status of the response (for the title)
    :raises paste_exc.errors.ConfigError: when *template_file* cannot be loaded
    """
    nonce = new_nonce()
    context: dict[str, object] = {
        "title": _status_title(status),
        "status": status,
        "error_message": DEFAULT_ERROR_MESSAGE if error_message is None else error_message,
        "identification_code": exc_data.identification_code,
        "nonce": nonce,
        **_occurrence(exc_data),
    }
    if template_file is not None:
        template = load_user_template(template_file)
        try:
            body = template.render(**context)
        except Exception:
            log.exception("the error page template %s failed; sending the default", template_file)
        else:
            return RenderedPage(_clean(body), HTML_CONTENT_TYPE, nonce, _security_headers(nonce))
    body = render("safe_page.html", **context)
    return RenderedPage(_clean(body), HTML_CONTENT_TYPE, nonce, _security_headers(nonce))


def render_short_text(exc_data: CollectedException, *, status: int = 500) -> RenderedPage:
    """Return one or two lines of plain text with the codes (for plain-text clients).

    :param exc_data: the collected exception
    :param status: the HTTP status of the response
    """
    occurrence = _occurrence(exc_data)["occurrence_id"]
    body = (
        f"{status} {_status_title(status)}: an error occurred while handling the request.\n"
        f"Identification code {exc_data.identification_code}, occurrence {occurrence}.\n"
    )
    return RenderedPage(_clean(body), TEXT_CONTENT_TYPE)


def render_email_html(exc_data: CollectedException, **ops: object) -> str:
    """Return the report as a whole HTML email: styles inline, no script, no textarea.

    :param exc_data: the collected exception
    :param ops: ``show_hidden_frames``, ``show_extra_data``, ``trim_source_paths``,
        ``size_budget`` (as for :class:`~paste_exc.formatter.HTMLFormatter`);
        others are ignored
    """
    size_budget = ops.get("size_budget", DEFAULT_SIZE_BUDGET)
    trim = ops.get("trim_source_paths") or ()
    view = build_report(
        exc_data,
        show_hidden_frames=bool(ops.get("show_hidden_frames", False)),
        show_extra_data=bool(ops.get("show_extra_data", True)),
        trim_source_paths=tuple(trim) if isinstance(trim, Iterable) else (),
        inline_styles=True,
        text_version="",
    )
    body = render_report_document(
        "email.html",
        view,
        size_budget=size_budget if isinstance(size_budget, int) else DEFAULT_SIZE_BUDGET,
        styles=EMAIL_STYLES,
        **_occurrence(exc_data),
    )
    return _clean(body)


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


def render_appended(exc_data: CollectedException, *, content_type: str, debug: bool) -> bytes:
    """Return what to append to a body that had already started when the error came.

    HTML bodies get an HTML block (the report in debug mode, a notice with the
    codes otherwise), JSON and binary bodies nothing, other text the plain-text
    report (debug) or a short notice.

    :param exc_data: the collected exception
    :param content_type: the ``Content-Type`` already sent
    :param debug: whether the report may be shown
    """
    media_type = content_type.split(";")[0].strip().lower()
    charset = _charset(content_type)
    if not media_type or _is_binary(media_type) or media_type.endswith(("json", "+json")):
        return b""
    if media_type in ("text/html", "application/xhtml+xml"):
        context = _occurrence(exc_data)
        if debug:
            view = build_report(exc_data, include_hidden_frames=True, show_extra_data=False)
            text = render_report_document(
                "appended.html",
                view,
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
        return _clean(text).encode(charset, "xmlcharrefreplace")
    if debug:
        from paste_exc.formatter import format_text

        text = "\n\n" + "-" * 60 + "\n" + _heading(exc_data) + "\n" + format_text(exc_data) + "\n"
    else:
        text = "\n\n" + render_short_text(exc_data).body
    return _clean(text).encode(charset, "replace")


def _heading(exc_data: CollectedException) -> str:
    """Return a one-line summary naming the innermost frame in Paste's wording."""
    summary = f"Error: {exc_data.exception_type}: {exc_data.exception_value}"
    if exc_data.frames:
        frame = exc_data.frames[-1]
        summary += f" (Module {frame.modname or '?'}:{frame.lineno or '?'} in {frame.name or '?'})"
    return summary


# --- JSON documents ---------------------------------------------------------------


def _jsonable(value: object, depth: int = 0) -> object:
    """Return *value* as JSON-safe data (strings, finite numbers, lists, string-keyed dicts)."""
    if value is None or isinstance(value, bool | str):
        return _clean(value) if isinstance(value, str) else value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if depth > MAX_JSON_DEPTH * 4:
        return "[nested too deeply]"
    if isinstance(value, Mapping):
        return {_clean(safe_str(k)): _jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item, depth + 1) for item in value]
    return _clean(safe_str(value))


def _frame_document(
    frame: ExceptionFrame, visible: bool, trim: tuple[tuple[str, str], ...]
) -> dict[str, object]:
    sup = frame.supplement
    doc: dict[str, object] = {
        "filename": trim_source_paths(frame.filename, trim) if frame.filename else None,
        "lineno": frame.lineno,
        "end_lineno": frame.end_lineno,
        "colno": frame.colno,
        "end_colno": frame.end_colno,
        "modname": frame.modname,
        "name": frame.name,
        "qualname": frame.qualname,
        "line": frame.get_source_line().strip() or None,
        "context_start": frame.context_start,
        "context_lines": list(frame.context_lines),
        "is_library": frame.is_library,
        "hidden": not visible,
        "repeated": frame.repeated,
        "traceback_info": frame.traceback_info,
        "supplement_exception": frame.supplement_exception,
    }
    if sup is not None:
        doc["supplement"] = {
            "object": sup.object,
            "source_url": sup.source_url,
            "line": sup.line,
            "column": sup.column,
            "expression": sup.expression,
            "warnings": list(sup.warnings or ()),
            "info": sup.info,
        }
    if frame.locals is not None:
        doc["locals"] = {var.name: var.value for var in frame.locals}
        doc["redacted_locals"] = [var.name for var in frame.locals if var.redacted]
    return doc


def _exception_member(
    exc: CollectedException, trim: tuple[tuple[str, str], ...], depth: int, seen: set[int]
) -> dict[str, object]:
    doc: dict[str, object] = {
        "type": exc.exception_type,
        "module": exc.exception_module,
        "message": exc.exception_value,
        "formatted": exc.exception_formatted,
        "notes": list(exc.notes),
    }
    if id(exc) in seen or depth > MAX_JSON_DEPTH:
        doc["omitted"] = "already shown (cycle)" if id(exc) in seen else "nested too deeply"
        return doc
    seen = seen | {id(exc)}
    frames = tuple(exc.frames)
    flags = frame_visibility(frames)
    doc["frames"] = [
        _frame_document(frame, flag, trim) for frame, flag in zip(frames, flags, strict=True)
    ]
    doc["omitted_frames"] = exc.omitted_frames
    if exc.syntax_error is not None:
        details = exc.syntax_error
        doc["syntax_error"] = {
            "filename": details.filename,
            "lineno": details.lineno,
            "offset": details.offset,
            "end_lineno": details.end_lineno,
            "end_offset": details.end_offset,
            "text": details.text,
            "msg": details.msg,
        }
    doc["suppress_context"] = exc.suppress_context
    for name in ("cause", "context"):
        link = getattr(exc, name)
        doc[name] = None if link is None else _exception_member(link, trim, depth + 1, seen)
    if exc.is_group:
        doc["is_group"] = True
        doc["exceptions"] = [
            _exception_member(member, trim, depth + 1, seen) for member in exc.exceptions
        ]
        doc["omitted_exceptions"] = exc.omitted_exceptions
    if exc.collection_notes:
        doc["collection_notes"] = list(exc.collection_notes)
    if exc.is_cycle:
        doc["is_cycle"] = True
    return doc


def exception_document(
    exc_data: CollectedException, *, trim_source_paths: Iterable[tuple[str, str]] = ()
) -> dict[str, object]:
    """Return the whole report as JSON-ready data (for the debug problem document and logs).

    Holds the exception with its chain (``cause``/``context``), group members
    (``exceptions``), frames (with source context, locals when collected,
    ``hidden`` by the ``__traceback_hide__`` rules), notes, the extra data and
    the request line.

    :param exc_data: the collected exception
    :param trim_source_paths: ``(prefix, replacement)`` pairs shortening file names
    """
    doc = _exception_member(exc_data, tuple(trim_source_paths), 0, set())
    doc["identification_code"] = exc_data.identification_code
    doc["request_method"] = getattr(exc_data, "request_method", None)
    doc["request_url"] = getattr(exc_data, "request_url", None)
    doc["extra_data"] = [
        {"importance": importance, "title": title, "value": value}
        for importance, entries in iter_extra_data(exc_data).items()
        for title, value in entries
    ]
    doc["reporter_errors"] = list(exc_data.reporter_errors)
    return cast("dict[str, object]", _jsonable(doc))


def _instance(occurrence_id: str) -> str:
    if _UUID_RE.match(occurrence_id.lower()):
        return "urn:uuid:" + str(uuid.UUID(occurrence_id))
    return occurrence_id


def problem_document(
    exc_data: CollectedException, *, debug: bool, status: int = 500
) -> dict[str, object]:
    """Return an RFC 9457 problem document for the error.

    Members: ``type`` (``about:blank``: the status says it all), ``title``,
    ``status``, ``detail``, ``instance`` (the occurrence id, as a
    ``urn:uuid:`` URI when it is a UUID), ``identification_code``,
    ``occurrence_id`` and ``timestamp``; with *debug*, also ``exception``
    (see :func:`exception_document`) and the exception line as ``detail``.

    :param exc_data: the collected exception
    :param debug: include the exception
    :param status: the HTTP status of the response
    """
    occurrence = _occurrence(exc_data)
    doc: dict[str, object] = {
        "type": "about:blank",
        "title": _status_title(status),
        "status": status,
        "detail": "An error occurred while handling the request; quote the identification "
        "code and occurrence when reporting it.",
        "instance": _instance(occurrence["occurrence_id"]),
        "identification_code": exc_data.identification_code,
        "occurrence_id": occurrence["occurrence_id"],
        "timestamp": occurrence["date_iso"] or None,
    }
    if debug:
        doc["detail"] = f"{exc_data.exception_type}: {exc_data.exception_value}"
        doc["exception"] = exception_document(exc_data)
    return cast("dict[str, object]", _jsonable(doc))


def render_problem(exc_data: CollectedException, *, debug: bool, status: int = 500) -> RenderedPage:
    """Return :func:`problem_document` as ``application/problem+json``.

    :param exc_data: the collected exception
    :param debug: include the exception
    :param status: the HTTP status of the response
    """
    body = json.dumps(
        problem_document(exc_data, debug=debug, status=status),
        ensure_ascii=True,
        allow_nan=False,
        indent=1 if debug else None,
    )
    # Inert even if a browser sniffs it as HTML: no raw <, > or & (still the same JSON).
    body = body.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return RenderedPage(
        body, PROBLEM_CONTENT_TYPE, headers=(("X-Content-Type-Options", "nosniff"),)
    )
