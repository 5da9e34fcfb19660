"""Collect: one catch of one exception, and the one report every stage of that catch shares.

Part of the collect stage. A *catch* is one handling of an exception: the
middleware answering a failed request, one :func:`~paste_exc.report.caught.report_exception`
call, one :func:`~paste_exc.errormiddleware.handle_exception` call, one
process-wide hook. Each catch is its own occurrence: it collects its own
report (a new occurrence id, its own request data), once, however many
reporters and formats use it, and no report is ever kept on the exception, so
the same exception object caught again (a module-level singleton,
:meth:`concurrent.futures.Future.result`, a cached failed initialisation) is
collected again.

:func:`catch` opens an :class:`Occurrence` for the code that runs inside it
(a context variable, so threads and asyncio tasks of other requests never see
it); :func:`~paste_exc.collector.collected_data` called there for the same
exception returns that occurrence's report. The stages that hold the report
pass it along explicitly; the context is for reporters with asphalt's
``report_exception(ctx, exception, message, extra)`` signature, which receive
only the live exception.

.. versionadded:: 0.1
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import threading
from collections.abc import Callable, Iterator
from typing import Any

from paste_exc.collect.collector import ExceptionCollector
from paste_exc.model.report import CollectedException
from paste_exc.model.request import RequestInfo
from paste_exc.redact.engine import Redactor

__all__ = [
    "Occurrence",
    "catch",
    "collected_data",
    "current_occurrence",
    "register_request_reader",
    "request_data",
]


class Occurrence:
    """One catch of one exception: the report its reporters and formats share.

    :param exception: the exception caught
    :param report: the report, when the catch has already collected it
    :param supplement: a ``(factory, *args)`` request supplement for an
        exception whose frames carry no request data (``report_exception``
        called with a WSGI environ)
    :param parent: the occurrence this catch happens inside, if any
    """

    __slots__ = (
        "_lock",
        "_report",
        "_request_source",
        "exception",
        "parent",
        "request",
        "supplement",
    )

    def __init__(
        self,
        exception: BaseException,
        *,
        report: CollectedException | None = None,
        supplement: object = None,
        parent: Occurrence | None = None,
    ) -> None:
        self.exception = exception
        self.supplement = supplement
        self.parent = parent
        self._report = report
        self._lock = threading.Lock()
        #: The request data of this catch (see :func:`request_data`), once built.
        self.request: RequestInfo | None = None
        self._request_source: object = None

    @property
    def report(self) -> CollectedException | None:
        """The report collected so far (``None`` before anything asked for it)."""
        return self._report

    def collected(
        self,
        *,
        collect_locals: bool = False,
        redactor: Redactor | None = None,
        locals_time_budget: float | None = None,
    ) -> CollectedException:
        """Return this occurrence's report, collecting it the first time.

        Asking for ``collect_locals=True`` after a collection without locals
        collects again (without calling ``__traceback_reporter__`` reporters a
        second time) and keeps the richer report, with the same occurrence id
        and time: it is still the same occurrence.

        :param collect_locals: whether the report must hold the frames' locals
        :param redactor: the redactor for the first collection
        :param locals_time_budget: seconds for the locals' ``repr()``
        """
        with self._lock:
            report = self._report
            if report is not None and (report.locals_collected or not collect_locals):
                return report
            fresh = collect_now(
                self.exception,
                collect_locals=collect_locals,
                redactor=redactor,
                locals_time_budget=locals_time_budget,
                supplement=self.supplement,
                run_reporters=report is None,
            )
            if report is not None:
                fresh = dataclasses.replace(
                    fresh,
                    occurrence_id=report.occurrence_id,
                    timestamp=report.timestamp,
                    date=report.date,
                )
            self._report = fresh
            return fresh

    def __repr__(self) -> str:
        state = "collected" if self._report is not None else "not collected yet"
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


@contextlib.contextmanager
def catch(
    exception: BaseException,
    *,
    report: CollectedException | None = None,
    supplement: object = None,
) -> Iterator[Occurrence]:
    """Open the catch of *exception* for the code run inside the ``with`` block.

    Inside a catch of the same exception (the middleware's catch calling
    :func:`~paste_exc.report.dispatch.deliver`), that catch is used and given
    *report* if it has none yet: one catch, one occurrence.

    :param exception: the exception caught
    :param report: the report, when the caller has already collected it
    :param supplement: the request supplement (see :class:`Occurrence`)
    """
    existing = current_occurrence(exception)
    if existing is not None:
        if report is not None and existing.report is None:
            existing._report = report
        if existing.supplement is None:
            existing.supplement = supplement
        yield existing
        return
    occurrence = Occurrence(exception, report=report, supplement=supplement, parent=_current.get())
    token = _current.set(occurrence)
    try:
        yield occurrence
    finally:
        _current.reset(token)


#: Turns a request's live form (a WSGI environ) into its :class:`RequestInfo`;
#: set by the transport (:mod:`paste_exc.respond.wsgi.environ`), which this
#: stage must not import.
_request_reader: Callable[[object], RequestInfo | None] | None = None


def register_request_reader(reader: Callable[[object], RequestInfo | None]) -> None:
    """Say how :func:`request_data` reads a request it has not seen yet.

    :param reader: given a request's environ, returns its :class:`RequestInfo`
        (``None``: not a request it knows)
    """
    global _request_reader
    _request_reader = reader


def request_data(source: object) -> RequestInfo | None:
    """Return the :class:`RequestInfo` of the request *source*, read once per catch.

    The catches open in this context are asked first (innermost out): one that
    already read *source* gives the same object, so the page, the negotiation,
    every reporter and backend read one redacted copy and the environ is read
    once. Otherwise it is read now and kept on the innermost catch (outside any
    catch it is read and not kept). Never raises: an unreadable request gives
    ``None``.

    :param source: the request's environ
    """
    if isinstance(source, RequestInfo):
        return source
    innermost = occurrence = _current.get()
    while occurrence is not None:
        if occurrence._request_source is source and occurrence.request is not None:
            return occurrence.request
        occurrence = occurrence.parent
    reader = _request_reader
    if reader is None or source is None:
        return None
    try:
        info = reader(source)
    except Exception:  # noqa: BLE001 (the reader guards; a report goes out without the request)
        return None
    if innermost is not None and innermost.request is None and info is not None:
        innermost.request, innermost._request_source = info, source
    return info


def collect_now(
    exception: BaseException,
    *,
    collect_locals: bool = False,
    redactor: Redactor | None = None,
    locals_time_budget: float | None = None,
    supplement: object = None,
    run_reporters: bool = True,
) -> CollectedException:
    """Collect *exception* from its ``__traceback__``, as a new occurrence."""
    collector = ExceptionCollector(
        collect_locals=collect_locals, redactor=redactor, locals_time_budget=locals_time_budget
    )
    try:
        tb = exception.__traceback__
    except Exception:  # noqa: BLE001 (a hostile exception: no frames)
        tb = None
    return collector.collect(
        type(exception), exception, tb, run_reporters=run_reporters, supplement=supplement
    )


def collected_data(
    exception: BaseException,
    *,
    collect_locals: bool = False,
    redactor: Redactor | None = None,
    locals_time_budget: float | None = None,
) -> CollectedException:
    """Return the report of *exception* for the catch in progress.

    Inside a catch of *exception* (the middleware answering a request,
    :func:`~paste_exc.report.caught.report_exception`, ``handle_exception``, the
    process-wide hooks), every reporter, formatter and middleware that asks
    gets that catch's one report, so the traceback is walked once per catch.
    Outside any catch, each call collects a new report: a new occurrence.
    Nothing is stored on the exception, so the same exception object caught
    again (a module-level singleton, ``Future.result()``, a cached failure) is
    a new occurrence with its own id and request data.

    Asking with ``collect_locals=True`` after a collection without locals
    collects again (without calling ``__traceback_reporter__`` reporters a
    second time) and keeps the richer report, with the same occurrence id.

    .. versionchanged:: 0.1
       The report is no longer cached on the exception.

    :param exception: the exception (its ``__traceback__`` is used)
    :param collect_locals: whether the report must hold the frames' locals
    :param redactor: the redactor for a first collection
    :param locals_time_budget: seconds for the locals' ``repr()`` (see
        :class:`ExceptionCollector`)
    """
    options: dict[str, Any] = {
        "collect_locals": collect_locals,
        "redactor": redactor,
        "locals_time_budget": locals_time_budget,
    }
    occurrence = current_occurrence(exception)
    if occurrence is not None:
        return occurrence.collected(**options)
    return collect_now(exception, **options)
