"""Report: ``report_exception``'s delivery, for code that caught an exception itself.

Stage four of the pipeline (catch → collect → format → **report** → respond).
The reporters that apply come from *ctx*: in a WSGI request, the environ where
the middleware stored its :class:`~paste_exc.report.dispatch.ReportingHandle`
under :data:`~paste_exc.report.dispatch.ENVIRON_KEY`; otherwise the
process-wide configuration set by :func:`~paste_exc.process.configure_reporters`
(:func:`~paste_exc.report.dispatch.set_process_config`). Delivery is
:func:`~paste_exc.report.dispatch.deliver`'s; the public function,
:func:`paste_exc.respond.reporting.report_exception`, opens the catch with the
request's data and calls :func:`report_caught`.

.. versionadded:: 0.1
"""

from __future__ import annotations

import logging
import sys

from paste_exc.report.dispatch import (
    ReportingConfig,
    ReportingHandle,
    deliver,
    describe,
    get_process_config,
    stored_reporting,
)

__all__ = ["checked_exception", "config_for", "report_caught"]


def config_for(ctx: object) -> ReportingConfig:
    """Return the configuration that applies to *ctx*.

    A mapping holding a :class:`ReportingHandle` (what the middleware stores)
    or a :class:`ReportingConfig` under :data:`ENVIRON_KEY` gives that
    configuration; anything else gives the process-wide one.
    """
    candidate = stored_reporting(ctx)
    if isinstance(candidate, ReportingHandle):
        return candidate.config
    if isinstance(candidate, ReportingConfig):
        return candidate
    return get_process_config()


def _innermost_module(exception: BaseException) -> str | None:
    tb = exception.__traceback__
    name: object = None
    seen = 0
    while tb is not None and seen < 10_000:
        name = tb.tb_frame.f_globals.get("__name__")
        tb = tb.tb_next
        seen += 1
    return name if isinstance(name, str) and name else None


def _pick_logger(
    logger: logging.Logger | str | bool, exception: BaseException, caller: str | None
) -> logging.Logger:
    if isinstance(logger, logging.Logger):
        return logger
    if isinstance(logger, str):
        return logging.getLogger(logger)
    name = _innermost_module(exception) or caller  # never raised: where it was reported
    return logging.getLogger(name or "paste_exc.reporting")


def checked_exception(exception: BaseException | None) -> BaseException:
    """The exception to report: *exception*, else the one being handled.

    :raises ValueError: no exception given and none being handled
    :raises TypeError: *exception* is not an exception
    """
    if exception is None:
        exception = sys.exc_info()[1]
        if exception is None:
            raise ValueError(
                "report_exception() needs an exception: none was given and none is being handled"
            )
    elif not isinstance(exception, BaseException):
        raise TypeError(f"exception must be an exception, got {type(exception).__name__}")
    return exception


def report_caught(
    ctx: object,
    message: str,
    exception: BaseException,
    *,
    logger: logging.Logger | str | bool = True,
    caller: str | None = None,
) -> None:
    """Log *exception* and deliver it to every reporter that applies to *ctx*.

    The report stage's half of :func:`paste_exc.report_exception`, which checks
    the arguments and opens the catch with the request's data
    (:mod:`paste_exc.respond.reporting`).

    :param ctx: the report's context (see :func:`config_for`)
    :param message: what was going on, in a sentence
    :param exception: the exception
    :param logger: as :func:`paste_exc.report_exception` takes it
    :param caller: the module that reported it, for an exception never raised
    :raises TypeError: *logger* is of another type
    """
    if not isinstance(logger, logging.Logger | str | bool):
        raise TypeError(
            f"logger must be a Logger, a logger name or a bool, got {type(logger).__name__}"
        )
    text: object = message
    if not isinstance(text, str):
        message = describe(text)
    if logger is not False:
        _pick_logger(logger, exception, caller).error(message, exc_info=exception)
    deliver(ctx, exception, message, config_for(ctx))
