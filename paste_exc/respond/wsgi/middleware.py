"""Respond: the WSGI middleware that catches, reports and answers an application's errors.

Stage five of the pipeline (catch → collect → format → report → **respond**).
:class:`ErrorMiddleware` wraps the application call, every step of the
iterable it returns and its ``close()``; :func:`handle_exception` is the same
entry for scripts; :func:`make_error_middleware` is the PasteDeploy
``error_catcher`` filter. Names and signatures are Paste's.
"""

from __future__ import annotations

import logging
from types import MethodType
from typing import TYPE_CHECKING, Any

from paste_exc.config.settings import NoDefault, resolve_settings
from paste_exc.model.occurrence import current_occurrence
from paste_exc.report.dispatch import ENVIRON_KEY, ReportingHandle
from paste_exc.respond.access import unlock_response
from paste_exc.respond.fallback import emergency_text, static_response, write_errors
from paste_exc.respond.token import resolve_debug_token
from paste_exc.respond.wsgi.iterable import (
    CatchingIter,
    ResponseStartChecker,
    StartState,
    _is_expected,
    record_start,
)
from paste_exc.respond.wsgi.request import Supplement
from paste_exc.respond.wsgi.responder import WSGIResponder

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from types import TracebackType

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
from paste_exc.respond.script import _exc_info

__all__ = ["ErrorMiddleware"]

log = logging.getLogger("paste_exc.errormiddleware")

#: Where :meth:`ErrorMiddleware.exception_handler` leaves the response it built.
_LAST_RESPONSE_KEY = "paste_exc.errormiddleware.response"


class ErrorMiddleware(WSGIResponder):
    """Catch the errors of a WSGI application, report them, and answer with a 500 page.

    Usage::

        app = ErrorMiddleware(wsgi_app, debug=True, error_log="/var/log/app-errors.log")

    Paste's settings (same names, same defaults, same ``global_conf`` fall-backs;
    every one also accepts its ini string):

    ``debug``
        show the debug page, to a browser holding the debug token only (see
        :ref:`security`); the attribute :attr:`debug_token` has it
    ``error_email``
        address(es) to email reports to (a list, or a string separated by
        commas and/or spaces); falls back to ``admin_email``,
        ``webmaster_email``, ``sysadmin_email`` of ``global_conf``
    ``error_log``
        a file to append text reports to
    ``show_exceptions_in_wsgi_errors``
        write the whole text report to ``wsgi.errors``
    ``from_address``, ``smtp_server``, ``smtp_username``, ``smtp_password``, ``smtp_use_tls``
        the email reports' settings (and ``error_subject_prefix``)
    ``error_message``
        the message of the page shown when debug is off
    ``xmlhttp_key``
        a query parameter (default ``_``) whose non-empty value marks an
        XMLHttpRequest, which gets a minimal fragment instead of a page

    Our own keywords (see :doc:`configuration`): ``debug_token``, ``debug_allow``,
    ``show_locals``, ``show_hidden_frames``, ``trim_source_paths``,
    ``error_template``, ``max_page_size``, ``reporters`` (and
    ``reporters.NAME.KEY``), ``extras_providers``, ``report_message``,
    ``locals_time_budget``.

    Environ keys: ``paste.throw_errors`` (true: the middleware steps aside; it
    sets it for what runs inside) and ``paste.expected_exceptions`` (instances
    of these classes are re-raised while nothing of the response was sent).

    :raises paste_exc.errors.ConfigError: for an unknown option or a bad value
    """

    def __init__(
        self,
        application: WSGIApplication,
        global_conf: Mapping[str, object] | None = None,
        debug: object = NoDefault,
        error_email: str | Iterable[str] | None = None,
        error_log: str | None = None,
        show_exceptions_in_wsgi_errors: object = NoDefault,
        from_address: str | None = None,
        smtp_server: str | None = None,
        smtp_username: str | None = None,
        smtp_password: str | None = None,
        smtp_use_tls: bool | str = False,
        error_subject_prefix: str | None = None,
        error_message: str | None = None,
        xmlhttp_key: str | None = None,
        **our_options: object,
    ) -> None:
        settings = resolve_settings(
            global_conf,
            {
                "debug": debug,
                "error_email": error_email,
                "error_log": error_log,
                "show_exceptions_in_wsgi_errors": show_exceptions_in_wsgi_errors,
                "from_address": from_address,
                "smtp_server": smtp_server,
                "smtp_username": smtp_username,
                "smtp_password": smtp_password,
                "smtp_use_tls": smtp_use_tls,
                "error_subject_prefix": error_subject_prefix,
                "error_message": error_message,
                "xmlhttp_key": xmlhttp_key,
                **our_options,
            },
        )
        super().__init__(settings)
        self.application = application
        if settings.debug:
            self.debug_token = resolve_debug_token(settings.debug_token).value

    # Paste's attribute names, read from the settings.
    @property
    def debug_mode(self) -> bool:
        """Whether debug output is on (Paste's attribute)."""
        return self.settings.debug

    #: The token that unlocks debug output in a browser (``None`` with debug
    #: off): open any page with ``?paste_exc_debug=<token>`` once (see :ref:`security`).
    debug_token: str | None

    @property
    def error_email(self) -> list[str]:
        """The report addresses (Paste's attribute)."""
        return list(self.settings.error_email)

    @property
    def error_log(self) -> str | None:
        """The report log file (Paste's attribute)."""
        return self.settings.error_log

    @property
    def xmlhttp_key(self) -> str:
        """The XMLHttpRequest query parameter (Paste's attribute)."""
        return self.settings.xmlhttp_key

    @property
    def error_message(self) -> str | None:
        """The message of the safe page (Paste's attribute)."""
        return self.settings.error_message

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI application interface."""
        if "paste.throw_errors" in environ and environ["paste.throw_errors"]:  # noqa: RUF019 (fast)
            return self.application(environ, start_response)
        if self.debug_token is not None:
            unlocked = unlock_response(environ, self.debug_token)
            if unlocked is not None:
                start_response(unlocked[0], unlocked[1])
                return [unlocked[2]]
        environ["paste.throw_errors"] = True
        environ[ENVIRON_KEY] = self.reporting_handle
        state: StartState = [start_response, None]
        try:
            app_iter = self.application(environ, MethodType(record_start, state))
        except Exception as exc:  # noqa: BLE001 (answered below)
            # Read by the collector: the request data, and this frame shown collapsed.
            __traceback_supplement__ = (Supplement, self, environ)
            __traceback_hide__ = True
            return self._call_failed(exc, environ, state)
        cls = app_iter.__class__
        if cls is list or cls is tuple:
            return app_iter
        return self.make_catching_iter(app_iter, environ, state)

    def __getstate__(self) -> dict[str, Any]:
        """For :mod:`copy` and :mod:`pickle`: the attributes but the reporting handle."""
        return {name: value for name, value in vars(self).items() if name != "reporting_handle"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update(state)
        # A handle of its own: the copy's reporting is read through it.
        self.reporting_handle = ReportingHandle(self)

    def make_catching_iter(
        self,
        app_iter: Iterable[bytes],
        environ: WSGIEnvironment,
        sr_checker: StartState | ResponseStartChecker,
    ) -> Iterable[bytes]:
        """Wrap *app_iter* unless it cannot raise while iterating.

        Lists, tuples and what ``wsgi.file_wrapper`` returned pass through
        unwrapped (servers keep their sendfile path).

        :param sr_checker: the request's start state, or (Paste's) a
            :class:`ResponseStartChecker` (see :class:`CatchingIter`)
        """
        if isinstance(app_iter, list | tuple):
            return app_iter
        file_wrapper = environ.get("wsgi.file_wrapper")
        if isinstance(file_wrapper, type) and isinstance(app_iter, file_wrapper):
            return app_iter
        return CatchingIter(app_iter, environ, sr_checker, self)

    def _call_failed(
        self, exc: Exception, environ: WSGIEnvironment, state: StartState
    ) -> Iterable[bytes]:
        """The application call raised: answer with a 500 (or re-raise an expected error)."""
        expected = environ.get("paste.expected_exceptions")
        if expected is not None and _is_expected(exc, expected):
            raise exc
        return self._answer_error(exc, environ, state, sent=False)

    def _answer_error(
        self, exc: Exception, environ: WSGIEnvironment, state: StartState, *, sent: bool
    ) -> list[bytes]:
        """Answer an error: a 500 if nothing of the body was sent, else append the report.

        ``start_response`` gets ``exc_info`` only when the application had called it.
        One catch: the 500 page and a report appended after all share one report.
        """
        with self.request_catch(exc, environ):
            return self._answer(exc, environ, state, sent=sent)

    def _answer(
        self, exc: Exception, environ: WSGIEnvironment, state: StartState, *, sent: bool
    ) -> list[bytes]:
        reported = False
        if not sent:
            status, headers, body = self.error_response(exc, environ)
            try:
                if state[1] is not None:
                    state[0](status, headers, _exc_info(exc))
                else:
                    state[0](status, headers)
            except Exception:  # noqa: BLE001 (the server had sent the headers: append instead)
                reported = True  # by error_response() above
            else:
                return [body]
        content_type = _content_type(state[1])
        appended = self.appended_body(exc, environ, content_type, report=not reported)
        return [appended] if appended else []

    def exception_handler(
        self,
        exc_info: tuple[type[BaseException], BaseException, TracebackType | None],
        environ: WSGIEnvironment,
    ) -> str:
        """Report *exc_info* and return the body of its error response (Paste's method).

        A subclass may override it, as with Paste: its returned string (or
        bytes) becomes the body of the ``500`` response sent before the
        response started (``text/html``, with the security headers; reporting
        is then up to the override, e.g. by calling this method through
        ``super()``). A body already being sent still gets our appended report.
        """
        exc = exc_info[1]
        if not isinstance(exc, Exception):
            return ""
        status, headers, body = WSGIResponder.error_response(self, exc, environ)
        # For an override that returns this very page: keep its headers (the CSP nonce).
        environ[_LAST_RESPONSE_KEY] = (status, headers, body)
        return body.decode("utf-8", "replace")

    def error_response(
        self, exc: Exception, environ: WSGIEnvironment
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        """Collect, report and render *exc* (through an overridden :meth:`exception_handler`)."""
        with self.request_catch(exc, environ):
            if type(self).exception_handler is ErrorMiddleware.exception_handler:
                return WSGIResponder.error_response(self, exc, environ)
            return self._overridden_response(exc, environ)

    def _overridden_response(
        self, exc: Exception, environ: WSGIEnvironment
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        """The response built from a subclass's :meth:`exception_handler`; never raise."""
        try:
            result: object = self.exception_handler(_exc_info(exc), environ)
            ours = environ.pop(_LAST_RESPONSE_KEY, None)
            if isinstance(result, bytes):
                body = result
            elif isinstance(result, str):
                body = result.encode("utf-8", "replace")
            else:
                raise TypeError(
                    f"exception_handler() must return str or bytes, not {type(result).__name__}"
                )
            if isinstance(ours, tuple) and len(ours) == 3 and ours[2] == body:
                return ours
            occurrence = current_occurrence(exc)
            collected = occurrence.report if occurrence is not None else None
            error_id = collected.occurrence_id if collected is not None else ""
        except Exception as secondary:  # noqa: BLE001 (the minimal page, never a crash)
            environ.pop(_LAST_RESPONSE_KEY, None)
            write_errors(
                environ.get("wsgi.errors"),
                emergency_text(exc, secondary, "running the overridden exception_handler()"),
            )
            return static_response()
        return static_response(error_id if isinstance(error_id, str) else "", body)


def _content_type(headers: list[tuple[str, str]] | None) -> str:
    for name, value in headers or ():
        if isinstance(name, str) and name.lower() == "content-type" and isinstance(value, str):
            return value
    return ""


# Shown under its public path, as in Paste: in reprs (the debug page's ``self``), in docs.
ErrorMiddleware.__module__ = "paste_exc.errormiddleware"
