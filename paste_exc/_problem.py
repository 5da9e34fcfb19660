"""Format: the error as JSON: RFC 9457 problem documents and the whole report as data.

Part of the format stage.  :func:`exception_document` is the report as JSON-ready
data (chain, groups, frames, locals, extra data); :func:`problem_document` wraps
it, or only the codes when debug is off, in an RFC 9457 problem document;
:func:`render_problem` serialises that as ``application/problem+json``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Final, cast

from paste_exc._budget import DEFAULT_SIZE_BUDGET, fit_report
from paste_exc._formatbase import frame_visibility, iter_extra_data, trim_source_paths
from paste_exc._records import report_fields
from paste_exc._rendered import RenderedPage, clean_text, occurrence, status_title
from paste_exc._saferepr import safe_str
from paste_exc.collector import CollectedException, ExceptionFrame, shown_value

__all__ = ["PROBLEM_CONTENT_TYPE", "exception_document", "problem_document", "render_problem"]

PROBLEM_CONTENT_TYPE: Final = "application/problem+json"
#: Deepest nesting of chains and groups in a JSON document.
MAX_JSON_DEPTH: Final = 64
_UUID_RE: Final = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")


def _jsonable(value: object, depth: int = 0) -> object:
    """Return *value* as JSON-safe data (strings, finite numbers, lists, string-keyed dicts)."""
    if isinstance(value, str):
        return clean_text(value)
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if depth > MAX_JSON_DEPTH * 4:
        return "[nested too deeply]"
    if isinstance(value, Mapping):
        return {clean_text(safe_str(k)): _jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item, depth + 1) for item in value]
    return clean_text(safe_str(value))


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
        doc["locals"] = {var.name: shown_value(var) for var in frame.locals}
        doc["redacted_locals"] = [var.name for var in frame.locals if var.redacted]
    if frame.folded_after:
        doc["folded_after"] = frame.folded_after
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
        doc["syntax_error"] = dataclasses.asdict(exc.syntax_error)
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
    doc["request_method"] = exc_data.request_method
    doc["request_url"] = exc_data.request_url
    doc["extra_data"] = [
        {"importance": importance, "title": title, "value": value}
        for importance, entries in iter_extra_data(exc_data).items()
        for title, value in entries
    ]
    doc["reporter_errors"] = list(exc_data.reporter_errors)
    if exc_data.folded:
        doc["folded"] = list(exc_data.folded)
    return cast("dict[str, object]", _jsonable(doc))


def _instance(occurrence_id: str) -> str:
    if _UUID_RE.match(occurrence_id.lower()):
        return "urn:uuid:" + str(uuid.UUID(occurrence_id))
    return occurrence_id


def _compact(document: object) -> str:
    """The JSON text of a document on one line (how JSON lines are written)."""
    return json.dumps(document, ensure_ascii=False, default=str, separators=(",", ":"))


def problem_document(
    exc_data: CollectedException,
    *,
    debug: bool,
    status: int = 500,
    size_budget: int | None = DEFAULT_SIZE_BUDGET,
    serialize: Callable[[object], str] = _compact,
) -> dict[str, object]:
    """Return an RFC 9457 problem document for the error.

    Members: ``type`` (``about:blank``: the status says it all), ``title``,
    ``status``, ``detail``, ``instance`` (the occurrence id, as a
    ``urn:uuid:`` URI when it is a UUID), ``identification_code``,
    ``occurrence_id``, ``timestamp`` (local time with its offset), ``time``
    (UTC, as in the header line of the text reports), ``request_method`` and
    ``request_url`` (``null`` outside a request; the URL redacted); with
    *debug*, also ``exception`` (see :func:`exception_document`) and the
    exception line as ``detail``.

    Past *size_budget* characters (the document as *serialize* writes it),
    the report is folded as every output is (see :doc:`/rendering`): the
    ``exception`` member then holds ``folded``, the phrases saying what was
    left out, and ``size_budget``; a frame followed by folded frames has
    ``folded_after``.

    :param exc_data: the collected exception
    :param debug: include the exception
    :param status: the HTTP status of the response
    :param size_budget: the most characters of the serialised document; ``None``: no limit
    :param serialize: how the document is written (to measure it); one compact line by default
    """
    if not debug:
        return _problem_document(exc_data, debug=False, status=status, size_budget=None)
    # fit_report() returns the output of the last report it rendered: keep that document.
    last: list[dict[str, object]] = []

    def measure(data: CollectedException) -> str:
        last[:] = [_problem_document(data, debug=True, status=status, size_budget=size_budget)]
        return serialize(last[0])

    fit_report(exc_data, size_budget, measure)
    return last[0]


def _problem_document(
    exc_data: CollectedException, *, debug: bool, status: int, size_budget: int | None
) -> dict[str, object]:
    when = occurrence(exc_data)
    doc: dict[str, object] = {
        "type": "about:blank",
        "title": status_title(status),
        "status": status,
        "detail": "An error occurred while handling the request; quote the identification "
        "code and occurrence when reporting it.",
        "instance": _instance(when["occurrence_id"]),
        "identification_code": exc_data.identification_code,
        "occurrence_id": when["occurrence_id"],
        "timestamp": when["date_iso"] or None,
    }
    fields = report_fields(exc_data)
    for name in ("time", "request_method", "request_url"):
        doc[name] = fields[name]
    if debug:
        doc["detail"] = f"{exc_data.exception_type}: {exc_data.exception_value}"
        exception = exception_document(exc_data)
        if exc_data.folded and size_budget is not None:
            exception["size_budget"] = size_budget
        doc["exception"] = exception
    return cast("dict[str, object]", _jsonable(doc))


def render_problem(
    exc_data: CollectedException,
    *,
    debug: bool,
    status: int = 500,
    size_budget: int | None = DEFAULT_SIZE_BUDGET,
) -> RenderedPage:
    """Return :func:`problem_document` as ``application/problem+json``.

    :param exc_data: the collected exception
    :param debug: include the exception
    :param status: the HTTP status of the response
    :param size_budget: past this many characters of the body, fold the least useful parts
    """

    def serialize(document: object) -> str:
        body = json.dumps(document, ensure_ascii=True, allow_nan=False, indent=1 if debug else None)
        # Inert even if a browser sniffs it as HTML: no raw <, > or & (still the same JSON).
        return body.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    body = serialize(
        problem_document(
            exc_data, debug=debug, status=status, size_budget=size_budget, serialize=serialize
        )
    )
    return RenderedPage(
        body, PROBLEM_CONTENT_TYPE, headers=(("X-Content-Type-Options", "nosniff"),)
    )
