"""Format: the error as JSON: RFC 9457 problem documents and the whole report as data.

Part of the format stage.  :func:`exception_document` is the report as JSON-ready
data (chain, groups, frames, locals, extra data); :func:`problem_document` wraps
it, or only the codes when debug is off, in an RFC 9457 problem document;
:func:`render_problem` serialises that as ``application/problem+json``.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Final

from paste_exc.config.places import astrimpaths
from paste_exc.format.base import trim_source_paths
from paste_exc.format.budget import DEFAULT_SIZE_BUDGET, fit_report
from paste_exc.format.foldsteps import SECTIONS_FOLDED
from paste_exc.format.headers import PROBLEM_CONTENT_TYPE, security_headers
from paste_exc.format.rendered import RenderedPage, status_title
from paste_exc.format.visibility import frame_visibility
from paste_exc.model.json import JSONView, json_safe, report_data
from paste_exc.model.request import RequestInfo
from paste_exc.model.values import clean_text

if TYPE_CHECKING:
    from paste_exc.model.report import CollectedException

__all__ = ["exception_document", "problem_document", "render_problem"]

_UUID_RE: Final = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")


#: The canonical names the problem document writes shorter, in every exception.
_SHORT_NAMES: Final = {
    "exception_type": "type",
    "exception_module": "module",
    "exception_value": "message",
    "exception_formatted": "formatted",
}
#: The members of each exception of the debug document (chain links, group members).
_MEMBER_FIELDS: Final = (
    "exception_type",
    "exception_module",
    "exception_value",
    "exception_formatted",
    "notes",
    "frames",
    "omitted_frames",
    "syntax_error",
    "suppress_context",
    "cause",
    "context",
    "is_group",
    "exceptions",
    "omitted_exceptions",
    "collection_notes",
    "is_cycle",
)
#: The view of :func:`~paste_exc.model.json.report_data` that is :func:`exception_document`.
EXCEPTION_VIEW: Final = JSONView(
    report_fields=(
        *_MEMBER_FIELDS,
        "identification_code",
        "request_method",
        "request_url",
        "extra_data",
        "reporter_errors",
        "folded",
        "environment",
    ),
    member_fields=_MEMBER_FIELDS,
    frame_fields=(
        "filename",
        "lineno",
        "end_lineno",
        "colno",
        "end_colno",
        "modname",
        "name",
        "qualname",
        "line",
        "context_start",
        "context_lines",
        "is_library",
        "hidden",
        "repeated",
        "traceback_info",
        "supplement_exception",
        "supplement",
        "locals",
        "redacted_locals",
        "folded_after",
    ),
    supplement_fields=("object", "source_url", "line", "column", "expression", "warnings", "info"),
    optional=frozenset(
        {
            "syntax_error",
            "is_group",
            "exceptions",
            "collection_notes",
            "is_cycle",
            "folded",
            "supplement",
            "locals",
            "folded_after",
            "environment",
        }
    ),
    names=_SHORT_NAMES,
)
#: The view that is the codes of every problem document (safe and debug).
SUMMARY_VIEW: Final = JSONView(
    report_fields=(
        "identification_code",
        "occurrence_id",
        "date",
        "time",
        "request_method",
        "request_url",
    ),
    names={"date": "timestamp"},
)


def exception_document(
    exc_data: CollectedException, *, trim_source_paths: Iterable[tuple[str, str]] = ()
) -> dict[str, object]:
    """Return the whole report as JSON-ready data (for the debug problem document and logs).

    Holds the exception with its chain (``cause``/``context``), group members
    (``exceptions``), frames (with source context, locals when collected,
    ``hidden`` by the ``__traceback_hide__`` rules), notes, the extra data and
    the request line. It is :data:`EXCEPTION_VIEW` of the one conversion
    :meth:`~paste_exc.collector.CollectedException.as_json_dict` is the full
    view of: the same values, with ``type``, ``module``, ``message`` and
    ``formatted`` for ``exception_type``, ``exception_module``,
    ``exception_value`` and ``exception_formatted``.

    :param exc_data: the collected exception
    :param trim_source_paths: ``(prefix, replacement)`` pairs shortening file names
    """
    return report_data(
        exc_data,
        EXCEPTION_VIEW,
        visibility=frame_visibility,
        filename=_trimmer(astrimpaths(trim_source_paths)),
    )


def _trimmer(pairs: tuple[tuple[str, str], ...]) -> Callable[[str], str]:
    return lambda name: trim_source_paths(name, pairs)


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
    request: RequestInfo | None = None,
) -> dict[str, object]:
    """Return an RFC 9457 problem document for the error.

    Members: ``type`` (``about:blank``: the status says it all), ``title``,
    ``status``, ``detail``, ``instance`` (the occurrence id, as a
    ``urn:uuid:`` URI when it is a UUID), ``identification_code``,
    ``occurrence_id``, ``timestamp`` (local time with its offset), ``time``
    (UTC, as in the header line of the text reports), ``request_method`` and
    ``request_url`` (``null`` outside a request; the URL redacted); with
    *debug*, also ``exception`` (see :func:`exception_document`; its
    ``environment`` is the process: ``python_version``, ``implementation``,
    ``executable``, ``platform``, ``pid``, ``thread``, ``time_utc``,
    ``time_local``, ``sys_path`` and ``distributions``, each
    ``{"name", "version", "modules"}``), the exception line as ``detail``
    and, given *request*, ``request``: ``method``, ``url``, ``query`` and
    ``form`` (``[name, value]`` pairs, secret values redacted; ``form`` is
    ``null`` when the application did not parse the body), ``body_unread``,
    ``cookies`` (their names: values are never kept) and ``headers``.

    Past *size_budget* characters (the document as *serialize* writes it),
    the report is folded as every output is (see :ref:`rendering`): the
    ``exception`` member then holds ``folded``, the phrases saying what was
    left out, and ``size_budget``; a frame followed by folded frames has
    ``folded_after``.

    :param exc_data: the collected exception
    :param debug: include the exception
    :param status: the HTTP status of the response
    :param size_budget: the most characters of the serialised document; ``None``: no limit
    :param serialize: how the document is written (to measure it); one compact line by default
    :param request: the request's redacted data (debug only)
    """
    if not debug:
        return _problem_document(exc_data, debug=False, status=status, size_budget=None)
    # fit_report() returns the output of the last report it rendered: keep that document.
    last: list[dict[str, object]] = []

    def measure(data: CollectedException) -> str:
        shown = None if SECTIONS_FOLDED in data.folded else request
        last[:] = [
            _problem_document(
                data, debug=True, status=status, size_budget=size_budget, request=shown
            )
        ]
        return serialize(last[0])

    fit_report(exc_data, size_budget, measure, sections=request is not None)
    return last[0]


def _request_member(request: RequestInfo) -> dict[str, object]:
    form = request.form
    return {
        "method": request.method,
        "url": request.url,
        "query": [list(pair) for pair in request.query],
        "form": None if form is None else [[name, value] for name, value in form],
        "body_unread": request.body_unread,
        "cookies": list(request.cookie_names),
        "headers": [list(pair) for pair in request.headers],
    }


def _problem_document(
    exc_data: CollectedException,
    *,
    debug: bool,
    status: int,
    size_budget: int | None,
    request: RequestInfo | None = None,
) -> dict[str, object]:
    summary = report_data(exc_data, SUMMARY_VIEW)
    doc: dict[str, object] = {
        "type": "about:blank",
        "title": status_title(status),
        "status": status,
        "detail": "An error occurred while handling the request; quote the identification "
        "code and occurrence when reporting it.",
        "instance": _instance(str(summary["occurrence_id"])),
        **summary,
    }
    if debug:
        doc["detail"] = clean_text(f"{exc_data.exception_type}: {exc_data.exception_value}")
        exception = exception_document(exc_data)
        if exc_data.folded and size_budget is not None:
            exception["size_budget"] = size_budget
        doc["exception"] = exception
        if request is not None:
            doc["request"] = json_safe(_request_member(request))
    return doc


def render_problem(
    exc_data: CollectedException,
    *,
    debug: bool,
    status: int = 500,
    size_budget: int | None = DEFAULT_SIZE_BUDGET,
    request: RequestInfo | None = None,
) -> RenderedPage:
    """Return :func:`problem_document` as ``application/problem+json``.

    :param exc_data: the collected exception
    :param debug: include the exception
    :param status: the HTTP status of the response
    :param size_budget: past this many characters of the body, fold the least useful parts
    :param request: the request's redacted data (its member, with *debug*)
    """

    def serialize(document: object) -> str:
        body = json.dumps(document, ensure_ascii=True, allow_nan=False, indent=1 if debug else None)
        # Inert even if a browser sniffs it as HTML: no raw <, > or & (still the same JSON).
        return body.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    body = serialize(
        problem_document(
            exc_data,
            debug=debug,
            status=status,
            size_budget=size_budget,
            serialize=serialize,
            request=request,
        )
    )
    return RenderedPage(body, PROBLEM_CONTENT_TYPE, headers=security_headers(None))
