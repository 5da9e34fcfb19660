"""What the SDK backends share: asphalt's entry point, the extras, the request's data.

Part of the report stage. :class:`SDKReporter` is the one
``report_exception(ctx, exception, message, extra)`` of the Sentry and Raygun
backends: it collects (the catch's one report), keeps the extras the SDK call
accepts, and hands an :class:`SDKReport` to the backend's
:meth:`~SDKReporter.send_report`. The request part of a backend's payload is
built from the catch's :class:`~paste_exc.model.request.RequestInfo` (read
once, redacted), never from the WSGI environ itself.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from paste_exc.api import ExceptionReporter
from paste_exc.collect.occurrence import collected_data
from paste_exc.model.occurrence import catch_request, current_occurrence
from paste_exc.model.report import CollectedException
from paste_exc.model.request import RequestInfo
from paste_exc.model.values import report_fields
from paste_exc.redact.engine import REDACTED


def pick_extras(
    extra: Mapping[str, Any], accepted: frozenset[str], service: str, log: logging.Logger
) -> dict[str, Any]:
    """Return the extras the SDK call accepts; log and drop the others.

    :param extra: the merged extras of the providers
    :param accepted: the keyword arguments the SDK call takes
    :param service: the service's name, for the warning
    :param log: the backend's logger
    """
    kwargs: dict[str, Any] = {}
    for key, value in extra.items():
        if key in accepted:
            kwargs[key] = value
        else:
            log.warning("ignoring the extra %r: %s takes %s", key, service, sorted(accepted))
    return kwargs


def request_of(ctx: object, exception: BaseException) -> RequestInfo | None:
    """The request data of the report of *exception*: the catch's one :class:`RequestInfo`.

    The catch in progress read the request once (the middleware, or
    ``report_exception`` called with a WSGI environ); this stage never reads a
    live request itself. ``None`` outside a request (no method).

    :param ctx: the report's context (a WSGI environ in a request)
    :param exception: the exception reported
    """
    occurrence = current_occurrence(exception)
    request = occurrence.request if occurrence is not None else None
    if request is None and isinstance(ctx, Mapping):
        request = catch_request(ctx)
    if request is None or request.method is None:
        return None
    return request


def cookie_names(request: RequestInfo) -> dict[str, str]:
    """The request's cookies by name; their values are never kept (``[REDACTED]``)."""
    return dict.fromkeys(request.cookie_names, REDACTED)


def body_headers(request: RequestInfo) -> dict[str, str]:
    """The request headers, with CGI's ``Content-Type`` and ``Content-Length`` when set."""
    headers = dict(request.headers)
    if request.content_type:
        headers["Content-Type"] = request.content_type
    if request.content_length:
        headers["Content-Length"] = request.content_length
    return headers


@dataclass(frozen=True, slots=True)
class SDKReport:
    """One report as an SDK backend sends it.

    :param ctx: the report's context (a WSGI environ in a request)
    :param exception: the live exception (the SDKs build their own payload from it)
    :param message: what was going on
    :param exc_data: the catch's one collected report
    :param kwargs: the extras the SDK call accepts
    :param request: the request's data, ``None`` outside a request
    """

    ctx: Mapping[str, object] | None
    exception: BaseException
    message: str
    exc_data: CollectedException
    kwargs: dict[str, Any]
    request: RequestInfo | None

    def custom_data(self, fields: Mapping[str, object] | None = None) -> dict[str, object]:
        """The ``paste_exc`` part of the payload: the message, the header line's fields, the ids.

        :param fields: the header line's fields, when the backend changed them
        """
        exc_data = self.exc_data
        return {
            "message": self.message,
            **(report_fields(exc_data) if fields is None else fields),
            "identification_code": exc_data.identification_code,
            "occurrence_id": exc_data.occurrence_id,
        }


class SDKReporter(ExceptionReporter):
    """The asphalt entry point of an SDK backend, which gets the live exception it needs."""

    #: The service's name, for the warning about an extra it does not take.
    service: ClassVar[str]
    #: The keyword arguments the SDK call takes.
    accepted_extras: ClassVar[frozenset[str]]
    #: The backend's logger.
    log: ClassVar[logging.Logger]

    def report_exception(
        self,
        ctx: Mapping[str, object] | None,
        exception: BaseException,
        message: str,
        extra: dict[str, object],
    ) -> None:
        """Send *exception* to the service (see the backend's class docstring)."""
        self.send_report(
            SDKReport(
                ctx=ctx,
                exception=exception,
                message=message,
                exc_data=collected_data(exception),
                kwargs=pick_extras(extra, self.accepted_extras, self.service, self.log),
                request=request_of(ctx, exception),
            )
        )

    @abstractmethod
    def send_report(self, report: SDKReport) -> None:
        """Send *report* (or queue it for sending)."""
