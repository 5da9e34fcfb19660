"""Respond: :func:`report_exception`, for code that caught an exception itself.

Part of the respond stage, because it is where a WSGI environ or an ASGI scope
given as *ctx* is read: once, into the catch's
:class:`~paste_exc.model.request.RequestInfo`
(:func:`~paste_exc.respond.wsgi.environ.request_info`,
:func:`~paste_exc.respond.asgi.scope.request_info`), which the SDK
backends' request part and, inside a middleware's request, the report's
request data (the middleware's :class:`~paste_exc.errormiddleware.Supplement`)
are made from. The reporters that apply come from *ctx* as
:func:`~paste_exc.report.caught.config_for` says; delivery is the report
stage's (:func:`~paste_exc.report.caught.report_caught`).

.. versionadded:: 0.1
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping

from paste_exc.model.occurrence import catch
from paste_exc.report.caught import checked_exception, report_caught
from paste_exc.report.dispatch import ReportingHandle, stored_reporting
from paste_exc.respond.access import as_request
from paste_exc.respond.asgi.scope import ScopeSupplement, is_scope
from paste_exc.respond.wsgi.request import Supplement

__all__ = ["report_exception"]


def report_exception(
    ctx: Mapping[str, object] | None,
    message: str,
    exception: BaseException | None = None,
    *,
    logger: logging.Logger | str | bool = True,
) -> None:
    """Report an exception to every reporter that applies to *ctx*, and log it.

    :param ctx: the WSGI environ or the ASGI scope in a request; otherwise
        ``None`` (the process-wide configuration) or any mapping
    :param message: what was going on, in a sentence
    :param exception: the exception; defaults to the one being handled
    :param logger: ``True`` logs *message* with the exception at ``ERROR`` on the
        logger named after the module where the exception was raised (its
        innermost frame); a :class:`logging.Logger` or a logger name is used as
        given; ``False`` logs nothing
    :raises ValueError: no exception given and none being handled
    :raises TypeError: *logger* is of another type
    """
    exception = checked_exception(exception)
    caller = sys._getframe(1).f_globals.get("__name__")
    request = as_request(ctx) if isinstance(ctx, Mapping) else None
    handle = stored_reporting(ctx)
    # Inside a middleware's request, the report carries the request's data as the
    # middleware's own reports do (its frames, unlike the application's, say so).
    factory = ScopeSupplement if is_scope(ctx) else Supplement
    supplement = (factory, handle.owner, ctx) if isinstance(handle, ReportingHandle) else None
    with catch(exception, request=request, source=ctx, supplement=supplement):
        report_caught(
            ctx,
            message,
            exception,
            logger=logger,
            caller=caller if isinstance(caller, str) else None,
        )
