"""Respond: the ASGI middleware that catches, reports and answers an application's errors.

Stage five of the pipeline (catch → collect → format → report → **respond**),
for ASGI 3 applications (Starlette, FastAPI, Django's ``get_asgi_application()``,
any ``async def app(scope, receive, send)``). :class:`ASGIErrorMiddleware` takes
every option of :class:`~paste_exc.errormiddleware.ErrorMiddleware` and gives
an ASGI request what a WSGI one gets: the same negotiated response, the same
debug access (by token), the same reporters and the same report.

The anchor is Starlette's ``ServerErrorMiddleware``, which also tracks whether
the response started. What it gives up and this one does not: it always
re-raises (here the report is ours, so by default the server does not log the
error a second time; ``reraise=True`` re-raises after answering), renders HTML
only when ``text/html`` is in ``Accept`` and a traceback to anyone in debug
mode (here the negotiation and the debug token rule of the WSGI side), shows no
locals, reports nowhere, and answers nothing once the response started (here
the report is appended to a body still open).

What happens to an error, by where the connection stands:

``http``, before ``http.response.start``
    the 500 response (debug page, safe page, fragment, problem JSON or text)
``http``, after the start, the body still open
    the report appended in the content type already sent (as the WSGI
    middleware does), and the body closed; a response that declared its
    ``Content-Length`` gets nothing more (the server ends it short), an
    encoded one (``gzip``) is closed with nothing appended
``http``, after the body completed (a background task)
    reported only
``websocket``, before ``websocket.accept``
    a ``websocket.close`` (the server answers the handshake with 403), reported
``websocket``, after the accept
    closed with code 1011, reported
``lifespan`` (and any other type)
    passed through untouched

A client that went away (``http.disconnect`` or ``websocket.disconnect``
received, or the server's ``send`` raising :class:`OSError`) and
:class:`asyncio.CancelledError` are no errors: never reported, always
propagated.

The event loop waits only for collecting (it needs the live traceback, and is
bounded by ``locals_time_budget``); the reporters and the rendering of the
page run in a thread (:func:`asyncio.to_thread`), so the loop serves other
requests meanwhile. Under another event loop (trio) they run in place.

.. versionadded:: 0.1
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any, Final, TypeVar

from paste_exc.config.settings import resolve_asgi_settings
from paste_exc.model.bounds import QUERY_PARAMETER
from paste_exc.model.occurrence import catch
from paste_exc.model.report import CollectedException
from paste_exc.model.request import RequestInfo
from paste_exc.report.dispatch import ENVIRON_KEY, ReportingHandle
from paste_exc.respond.access import carries_token, unlock_response
from paste_exc.respond.asgi.messages import (
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    Watch,
    send_quietly,
    send_response,
    sent_content,
)
from paste_exc.respond.asgi.scope import ScopeSupplement, cgi_environ, read_scope
from paste_exc.respond.fallback import static_response
from paste_exc.respond.responder import LiveRequest, Responder
from paste_exc.respond.token import resolve_debug_token

__all__ = ["ASGIErrorMiddleware"]

_UNLOCK_MARK: Final = QUERY_PARAMETER.encode("ascii") + b"="


_T = TypeVar("_T")


async def _off_loop(func: Callable[..., _T], *args: object, **kwargs: object) -> _T:
    """Run *func* in a thread (this context's copy: the catch is open there too).

    Outside asyncio (trio, under hypercorn's trio worker) it runs here and now:
    slower for the other requests, but answered.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return func(*args, **kwargs)
    return await asyncio.to_thread(func, *args, **kwargs)


class ASGIErrorMiddleware(Responder):
    """Catch the errors of an ASGI application, report them, and answer them.

    Usage::

        app = ASGIErrorMiddleware(asgi_app, debug=True, error_log="/var/log/app-errors.log")
        starlette_app.add_middleware(ASGIErrorMiddleware, debug=True)

    Every keyword of :class:`~paste_exc.errormiddleware.ErrorMiddleware`
    (``debug``, ``debug_token``, ``debug_allow``, ``error_email``,
    ``error_log``, ``reporters``, ``extras_providers``, ``error_message``,
    ``xmlhttp_key``, ``max_page_size``, ...; see :doc:`/configuration`), as a
    Python value or its ini string (``global_conf`` too, with Paste's
    fall-backs), and:

    ``reraise``
        re-raise the error after answering it, for a stack that wants the
        server to see it (default false: the report is ours)

    In a request, the scope holds under ``paste_exc.reporting`` an opaque
    handle (:class:`~paste_exc.report.dispatch.ReportingHandle`) that leads
    :func:`~paste_exc.respond.reporting.report_exception` called with the
    scope to this middleware's reporters, and shows nothing of them. Paste's
    lines and secondary failures go to :data:`sys.stderr` (ASGI has no
    ``wsgi.errors``).

    :param app: the ASGI 3 application
    :raises paste_exc.errors.ConfigError: for an unknown option or a bad value
    """

    def __init__(self, app: ASGIApp, **options: object) -> None:
        settings, reraise = resolve_asgi_settings(options)
        super().__init__(settings)
        #: The wrapped application.
        self.app = app
        #: Whether errors are re-raised after they are answered.
        self.reraise = reraise
        if settings.debug:
            self.debug_token = resolve_debug_token(settings.debug_token).value

    #: The token that unlocks debug output in a browser (``None`` with debug
    #: off): open any page with ``?paste_exc_debug=<token>`` once (see :ref:`security`).
    debug_token: str | None

    @property
    def application(self) -> ASGIApp:
        """The wrapped application (the name the reports give it, as for WSGI)."""
        return self.app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI 3 application interface."""
        kind = scope.get("type")
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "websocket":
            await self._websocket(scope, receive, send)
        else:  # lifespan, and what this middleware does not know: untouched
            await self.app(scope, receive, send)

    def __getstate__(self) -> dict[str, Any]:
        """For :mod:`copy` and :mod:`pickle`: the attributes but the reporting handle."""
        return {name: value for name, value in vars(self).items() if name != "reporting_handle"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update(state)
        self.reporting_handle = ReportingHandle(self)

    def _enter(self, scope: Scope) -> None:
        """Give the scope the opaque handle that leads ``report_exception`` here."""
        try:  # noqa: SIM105 (not contextlib.suppress: this runs for every request)
            scope[ENVIRON_KEY] = self.reporting_handle
        except Exception:  # noqa: BLE001, S110 (read-only: report_exception gets the process's)
            pass

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = self.debug_token
        if token is not None:
            query = scope.get("query_string")
            # As the WSGI side: only a query that may hold the parameter is looked into.
            if isinstance(query, bytes) and (_UNLOCK_MARK in query or b"%" in query):
                unlocked = unlock_response(cgi_environ(scope), token)
                if unlocked is not None:
                    await send_response(send, unlocked, sys.stderr)
                    return
        self._enter(scope)
        watch = Watch(receive, send)
        try:
            await self.app(scope, watch.receive, watch.send)
        except Exception as exc:
            # Read by the collector: the request data, and this frame shown collapsed.
            __traceback_supplement__ = (ScopeSupplement, self, scope)
            __traceback_hide__ = True
            if watch.gone:
                raise  # the client went away: no error of the application's
            await self._answer_http(exc, scope, send, watch)
            if self.reraise:
                raise

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._enter(scope)
        watch = Watch(receive, send)
        try:
            await self.app(scope, watch.receive, watch.send)
        except Exception as exc:
            __traceback_supplement__ = (ScopeSupplement, self, scope)
            __traceback_hide__ = True
            if watch.gone:
                raise
            await self._answer_websocket(exc, scope, send, watch)
            if self.reraise:
                raise

    def _live(
        self, scope: Scope, environ: dict[str, object], info: RequestInfo, stream: object
    ) -> LiveRequest:
        """What the steps need: the request's data, and whether its cookie holds the token."""
        token = self.debug_token
        try:
            holds: bool | None = token is not None and carries_token(environ, token)
        except Exception:  # noqa: BLE001 (an unreadable cookie: no debug, the safe page)
            holds = None
        return LiveRequest(info, scope, stream, holds)

    async def _answer_http(self, exc: Exception, scope: Scope, send: Send, watch: Watch) -> None:
        """Answer an error of an HTTP request by where its response stands; never raise."""
        stream = sys.stderr
        environ, info = read_scope(scope)
        with catch(exc, request=info, source=scope):
            # Now, on the loop: the traceback and the locals are live.
            exc_data = self.collect(exc, stream, "the report")
            live = self._live(scope, environ, info, stream)
            if watch.complete:
                if exc_data is not None:
                    await _off_loop(self.report_late, exc, exc_data, live, "the application")
                return
            if not watch.started:
                await self._answer_unstarted(exc, exc_data, live, send)
                return
            content_type, declared, encoded = sent_content(watch.headers)
            if exc_data is not None and (declared or encoded):
                await _off_loop(self.report_late, exc, exc_data, live, "the response body")
            if declared:
                # One byte past the declared length would corrupt the connection: the
                # server ends the response short, which the client sees as an error.
                return
            appended = b""  # text after a gzip stream would corrupt it: the body just ends
            if exc_data is not None and not encoded:
                appended = await _off_loop(self.append, exc, exc_data, live, content_type)
            body: Message = {"type": "http.response.body", "body": appended, "more_body": False}
            await send_quietly(send, [body], stream)

    async def _answer_unstarted(
        self,
        exc: Exception,
        exc_data: CollectedException | None,
        live: LiveRequest,
        send: Send,
    ) -> None:
        """Nothing was sent: the negotiated 500, reported and rendered in a thread."""
        if exc_data is None:
            response = static_response()
        else:
            rendering = self.decide(live)
            response = await _off_loop(self.answer, exc, exc_data, rendering, live)
        await send_response(send, response, live.stream)

    async def _answer_websocket(
        self, exc: Exception, scope: Scope, send: Send, watch: Watch
    ) -> None:
        """Report an error of a websocket, then close it (or end its denial response)."""
        stream = sys.stderr
        _, info = read_scope(scope)
        with catch(exc, request=info, source=scope):
            exc_data = self.collect(exc, stream, "the report")
            if exc_data is not None:
                await _off_loop(self.report_to_stream, exc, exc_data, stream, scope, shown=False)
        message: Message
        if watch.started:  # a denial response (the websocket extension) began
            if watch.complete:
                return
            message = {"type": "websocket.http.response.body", "body": b"", "more_body": False}
        elif watch.closed:
            return
        elif watch.accepted:
            message = {"type": "websocket.close", "code": 1011}
        else:
            # Before the accept: the server refuses the handshake (403).
            message = {"type": "websocket.close"}
        await send_quietly(send, [message], stream)
