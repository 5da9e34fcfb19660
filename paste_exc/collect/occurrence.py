"""Collect: the one report of a catch, collected once however many stages ask.

Part of the collect stage. The catch itself (:class:`~paste_exc.model.occurrence.Occurrence`,
:func:`~paste_exc.model.occurrence.catch`) is model data; this module collects
into it. Inside a catch of an exception, :func:`collected_data` returns that
catch's report, collecting it the first time; outside any catch each call is a
new occurrence. No report is ever kept on the exception.

.. versionadded:: 0.1
"""

from __future__ import annotations

import dataclasses
from typing import Any

from paste_exc.collect.collector import ExceptionCollector
from paste_exc.model.occurrence import Occurrence, current_occurrence
from paste_exc.model.report import CollectedException
from paste_exc.redact.engine import Redactor

__all__ = ["collect_now", "collected_data", "occurrence_report"]


def occurrence_report(
    occurrence: Occurrence,
    *,
    collect_locals: bool = False,
    redactor: Redactor | None = None,
    locals_time_budget: float | None = None,
) -> CollectedException:
    """Return *occurrence*'s report, collecting it the first time.

    Asking for ``collect_locals=True`` after a collection without locals
    collects again (without calling ``__traceback_reporter__`` reporters a
    second time) and keeps the richer report, with the same occurrence id
    and time: it is still the same occurrence.

    :param occurrence: the open catch
    :param collect_locals: whether the report must hold the frames' locals
    :param redactor: the redactor for the first collection
    :param locals_time_budget: seconds for the locals' ``repr()``
    """
    with occurrence.lock:
        report = occurrence.report
        if report is not None and (report.locals_collected or not collect_locals):
            return report
        fresh = collect_now(
            occurrence.exception,
            collect_locals=collect_locals,
            redactor=redactor,
            locals_time_budget=locals_time_budget,
            supplement=occurrence.supplement,
            run_reporters=report is None,
        )
        if report is not None:
            fresh = dataclasses.replace(
                fresh,
                occurrence_id=report.occurrence_id,
                timestamp=report.timestamp,
                date=report.date,
            )
        occurrence.report = fresh
        return fresh


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
    :func:`~paste_exc.respond.reporting.report_exception`, ``handle_exception``, the
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
        return occurrence_report(occurrence, **options)
    return collect_now(exception, **options)
