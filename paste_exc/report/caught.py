"""Report: :func:`report_exception`, for code that caught an exception itself.

Stage four of the pipeline (catch → collect → format → **report** → respond).
The reporters that apply come from *ctx*: in a WSGI request, the environ where
the middleware stored its :class:`~paste_exc.report.dispatch.ReportingHandle`
under :data:`~paste_exc.report.dispatch.ENVIRON_KEY`; otherwise the
process-wide configuration set by :func:`~paste_exc.process.configure_reporters`
(:func:`~paste_exc.report.dispatch.set_process_config`). Delivery is
:func:`~paste_exc.report.dispatch.deliver`'s.

.. versionadded:: 0.1
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping

from paste_exc.report.dispatch import (
    ReportingConfig,
    ReportingHandle,
    deliver,
    describe,
    get_process_config,
    stored_reporting,
)

__all__ = ["config_for", "report_exception"]


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


def _pick_logger(logger: logging.Logger | str | bool, exception: BaseException) -> logging.Logger:
    if isinstance(logger, logging.Logger):
        return logger
    if isinstance(logger, str):
        return logging.getLogger(logger)
    name = _innermost_module(exception)
    if name is None:  # never raised: log where report_exception was called
        name = sys._getframe(2).f_globals.get("__name__") or "paste_exc.reporting"
    return logging.getLogger(name)


def report_exception(
    ctx: Mapping[str, object] | None,
    message: str,
    exception: BaseException | None = None,
    *,
    logger: logging.Logger | str | bool = True,
) -> None:
    """Report an exception to every reporter that applies to *ctx*, and log it.

    :param ctx: the WSGI environ in a request; otherwise ``None`` (the
        process-wide configuration) or any mapping
    :param message: what was going on, in a sentence
    :param exception: the exception; defaults to the one being handled
    :param logger: ``True`` logs *message* with the exception at ``ERROR`` on the
        logger named after the module where the exception was raised (its
        innermost frame); a :class:`logging.Logger` or a logger name is used as
        given; ``False`` logs nothing
    :raises ValueError: no exception given and none being handled
    :raises TypeError: *logger* is of another type
    """
    if exception is None:
        exception = sys.exc_info()[1]
        if exception is None:
            raise ValueError(
                "report_exception() needs an exception: none was given and none is being handled"
            )
    elif not isinstance(exception, BaseException):
        raise TypeError(f"exception must be an exception, got {type(exception).__name__}")
    if not isinstance(logger, logging.Logger | str | bool):
        raise TypeError(
            f"logger must be a Logger, a logger name or a bool, got {type(logger).__name__}"
        )
    text: object = message
    if not isinstance(text, str):
        message = describe(text)
    if logger is not False:
        _pick_logger(logger, exception).error(message, exc_info=exception)
    deliver(ctx, exception, message, config_for(ctx))
