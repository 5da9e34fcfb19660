"""Model: one catch of one exception, and what every stage of that catch shares.

Part of the model stage. A *catch* is one handling of an exception: the
middleware answering a failed request, one
:func:`~paste_exc.respond.reporting.report_exception` call, one
:func:`~paste_exc.errormiddleware.handle_exception` call, one process-wide hook.
Each catch is its own :class:`Occurrence`: one report (a new occurrence id),
collected once however many reporters and formats use it, and the request's
one :class:`~paste_exc.model.request.RequestInfo`, read once by the transport
that knows the request. Nothing is kept on the exception, so the same exception
object caught again (a module-level singleton,
:meth:`concurrent.futures.Future.result`, a cached failed initialisation) is a
new occurrence.

:func:`catch` opens an occurrence for the code that runs inside it (a context
variable, so threads and asyncio tasks of other requests never see it). The
stages that hold the report and the request pass them along explicitly; the
context is for what receives only the live exception: reporters with asphalt's
``report_exception(ctx, exception, message, extra)`` signature, Paste's
``__traceback_supplement__`` objects, and
:func:`~paste_exc.collector.collected_data`, which collects into the open
occurrence (:mod:`paste_exc.collect.occurrence`).

.. versionadded:: 0.1
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Iterator

from paste_exc.model.report import CollectedException
from paste_exc.model.request import RequestInfo

__all__ = ["Occurrence", "catch", "catch_request", "current_occurrence"]


class Occurrence:
    """One catch of one exception: the report and the request its stages share.

    :param exception: the exception caught
    :param report: the report, when the catch has already collected it
    :param request: the request the exception was caught in, already read
    :param source: what *request* was read from (a WSGI environ), so that a
        supplement given that object finds the same :class:`RequestInfo`
    :param supplement: a ``(factory, *args)`` request supplement for a report
        whose frames carry no request data (``report_exception`` called with
        a WSGI environ)
    :param parent: the occurrence this catch happens inside, if any
    """

    __slots__ = ("exception", "lock", "parent", "report", "request", "source", "supplement")

    def __init__(
        self,
        exception: BaseException,
        *,
        report: CollectedException | None = None,
        request: RequestInfo | None = None,
        source: object = None,
        supplement: object = None,
        parent: Occurrence | None = None,
    ) -> None:
        self.exception = exception
        #: The report collected so far (``None`` before anything asked for it).
        self.report = report
        self.request = request
        self.source = source
        self.supplement = supplement
        self.parent = parent
        #: Held while the report is collected, so two reporters collect once.
        self.lock = threading.Lock()

    def adopt(
        self,
        report: CollectedException | None,
        request: RequestInfo | None,
        source: object,
        supplement: object,
    ) -> None:
        """Take what an inner ``catch`` of the same exception brings and this one lacks."""
        if report is not None and self.report is None:
            self.report = report
        if request is not None and self.request is None:
            self.request, self.source = request, source
        if supplement is not None and self.supplement is None:
            self.supplement = supplement

    def __repr__(self) -> str:
        state = "collected" if self.report is not None else "not collected yet"
        return f"<Occurrence of {type(self.exception).__name__}: {state}>"


_current: contextvars.ContextVar[Occurrence | None] = contextvars.ContextVar(
    "paste_exc_occurrence", default=None
)


def current_occurrence(exception: BaseException) -> Occurrence | None:
    """Return the open catch of *exception* in this context, or ``None``."""
    occurrence = _current.get()
    while occurrence is not None:
        if occurrence.exception is exception:
            return occurrence
        occurrence = occurrence.parent
    return None


def catch_request(source: object) -> RequestInfo | None:
    """The :class:`RequestInfo` an open catch read from *source*, or ``None``.

    The catches open in this context are asked innermost out, so the page, the
    negotiation, every reporter and backend read one redacted copy. A
    :class:`RequestInfo` is its own answer.

    :param source: a request's live form (a WSGI environ), or its data
    """
    if isinstance(source, RequestInfo):
        return source
    occurrence = _current.get()
    while occurrence is not None:
        if occurrence.request is not None and occurrence.source is source:
            return occurrence.request
        occurrence = occurrence.parent
    return None


@contextlib.contextmanager
def catch(
    exception: BaseException,
    *,
    report: CollectedException | None = None,
    request: RequestInfo | None = None,
    source: object = None,
    supplement: object = None,
) -> Iterator[Occurrence]:
    """Open the catch of *exception* for the code run inside the ``with`` block.

    Inside a catch of the same exception (the middleware's catch calling
    :func:`~paste_exc.report.dispatch.deliver`), that catch is used and given
    what it lacks of *report*, *request* and *supplement*: one catch, one
    occurrence.

    :param exception: the exception caught
    :param report: the report, when the caller has already collected it
    :param request: the request's data, when the caller has read it
    :param source: what *request* was read from
    :param supplement: the request supplement (see :class:`Occurrence`)
    """
    existing = current_occurrence(exception)
    if existing is not None:
        existing.adopt(report, request, source, supplement)
        yield existing
        return
    occurrence = Occurrence(
        exception,
        report=report,
        request=request,
        source=source,
        supplement=supplement,
        parent=_current.get(),
    )
    token = _current.set(occurrence)
    try:
        yield occurrence
    finally:
        _current.reset(token)
