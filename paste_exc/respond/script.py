"""Respond: Paste's ``handle_exception`` for scripts and code outside a request.

One exception is collected, reported and, when asked, written as text or HTML
to an error stream, with the same settings the middleware takes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TextIO

from paste_exc.config.convert import asbool
from paste_exc.config.settings import resolve_settings
from paste_exc.errors import ConfigError
from paste_exc.model.occurrence import catch
from paste_exc.respond.responder import Responder

if TYPE_CHECKING:
    from collections.abc import Iterable
    from types import TracebackType

    from _typeshed import OptExcInfo

__all__ = ["handle_exception"]


def _exc_info(
    exc: BaseException,
) -> tuple[type[BaseException], BaseException, TracebackType | None]:
    return (type(exc), exc, exc.__traceback__)


def handle_exception(
    exc_info: OptExcInfo,
    error_stream: TextIO | None,
    html: bool = True,
    debug_mode: bool = False,
    error_email: str | Iterable[str] | None = None,
    error_log: str | None = None,
    show_exceptions_in_wsgi_errors: bool = False,
    error_email_from: str = "errors@localhost",
    smtp_server: str = "localhost",
    smtp_username: str | None = None,
    smtp_password: str | None = None,
    smtp_use_tls: bool = False,
    error_subject_prefix: str = "",
    error_message: str | None = None,
    simple_html_error: bool = False,
    *,
    debug: object = None,
    from_address: str | None = None,
    **options: object,
) -> str | None:
    """Report an exception outside a web request; return its HTML page when *html*.

    Use like::

        try:
            do_stuff()
        except Exception:
            handle_exception(sys.exc_info(), sys.stderr, html=False, error_log="errors.log")
            raise  # to report without catching

    *error_stream* gets Paste's line ``Error - <class 'ValueError'>: message``
    followed by ``paste_exc: occurrence_id=… identification_code=…`` (or the
    whole text report with *show_exceptions_in_wsgi_errors*); the text report
    as a record when nothing else took it; and one line per reporter that
    failed. With *html*, the debug page (*debug_mode*), the fragment
    (*debug_mode* and *simple_html_error*) or the safe page with
    *error_message* is returned.

    The middleware's names for the same settings are accepted too:
    *debug* beside *debug_mode*, *from_address* beside *error_email_from*,
    and every other :class:`ErrorMiddleware` keyword (``reporters``,
    ``show_locals``, ``max_page_size``, ...) in *options*.

    :raises paste_exc.errors.ConfigError: for a bad or unknown option, or
        for both names of one setting given with different values
    :raises TypeError: when *exc_info* holds no exception
    """
    exc = exc_info[1] if isinstance(exc_info, tuple) and len(exc_info) == 3 else None
    if not isinstance(exc, BaseException):
        raise TypeError("handle_exception() needs a sys.exc_info() tuple holding an exception")
    debug_mode = _one_setting("debug", debug, "debug_mode", debug_mode, False)
    error_email_from = _one_setting(
        "from_address", from_address, "error_email_from", error_email_from, "errors@localhost"
    )
    settings = resolve_settings(
        None,
        {
            **options,
            "debug": debug_mode,
            "error_email": error_email,
            "error_log": error_log,
            "show_exceptions_in_wsgi_errors": show_exceptions_in_wsgi_errors,
            "from_address": error_email_from,
            "smtp_server": smtp_server,
            "smtp_username": smtp_username,
            "smtp_password": smtp_password,
            "smtp_use_tls": smtp_use_tls,
            "error_subject_prefix": error_subject_prefix,
            "error_message": error_message,
        },
    )
    responder = Responder(settings)
    with catch(exc):
        exc_data = responder.collect(exc, error_stream, "the report")
        if exc_data is None:
            return None
        page = responder.script_page(exc_data, simple=simple_html_error) if html else None
        responder.report_to_stream(
            exc, exc_data, error_stream, None, shown=page is not None and settings.debug
        )
    return page


def _one_setting(name: str, value: Any, paste_name: str, paste_value: Any, default: Any) -> Any:
    """The value of a setting given by the middleware's *name* and/or Paste's *paste_name*.

    :raises paste_exc.errors.ConfigError: when both are given, differently
    """
    if value is None:
        return paste_value
    if paste_value != default:
        same = value == paste_value
        if name == "debug":
            same = asbool(value, name) == asbool(paste_value, paste_name)
        if not same:
            raise ConfigError(
                name, f"given with {paste_name}, which says otherwise; give one of the two"
            )
    return value
