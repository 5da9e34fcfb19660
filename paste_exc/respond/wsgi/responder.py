"""The WSGI face of the responder: its steps called with a request's environ.

Part of the respond stage (WSGI). :class:`WSGIResponder` reads what the
transport-neutral :class:`~paste_exc.respond.responder.Responder` steps need
from an environ (its :class:`~paste_exc.model.request.RequestInfo`, once per
catch; the debug cookie; ``wsgi.errors``) and keeps the environ-based methods
:class:`~paste_exc.errormiddleware.ErrorMiddleware` and its iterable call.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from paste_exc.model.occurrence import Occurrence, catch
from paste_exc.respond.access import as_request, carries_token
from paste_exc.respond.fallback import static_response
from paste_exc.respond.responder import LiveRequest, Responder

if TYPE_CHECKING:
    from collections.abc import Mapping

    from _typeshed.wsgi import WSGIEnvironment

    from paste_exc.format.headers import Headers

__all__ = ["WSGIResponder"]


class WSGIResponder(Responder):
    """The guarded steps of :class:`~paste_exc.respond.responder.Responder`, given an environ."""

    def request_catch(
        self, exc: BaseException, environ: Mapping[str, object]
    ) -> contextlib.AbstractContextManager[Occurrence]:
        """The catch of *exc* in the request of *environ*, the request read once for it.

        Inside a catch of *exc* that read this environ (the middleware's), that
        catch and its :class:`~paste_exc.model.request.RequestInfo` are used.
        """
        return catch(exc, request=as_request(environ), source=environ)

    def holds_token(self, environ: Mapping[str, object]) -> bool:
        """Whether the live request's cookie holds the debug token (never kept in a report)."""
        token = self.debug_token
        return token is not None and carries_token(environ, token)

    def show_debug(self, environ: WSGIEnvironment) -> bool:
        """Whether this request's client may see debug output."""
        return self.debug_shown(self.live_request(environ, environ.get("wsgi.errors")))

    def live_request(self, environ: Mapping[str, object], stream: object) -> LiveRequest:
        """What the steps need of the request of *environ*: its data (read once), its cookie."""
        try:
            holds: bool | None = self.holds_token(environ)
        except Exception:  # noqa: BLE001 (an unreadable cookie: no debug, the safe page)
            holds = None
        return LiveRequest(as_request(environ), environ, stream, holds)

    def _report_only(self, exc: Exception, environ: WSGIEnvironment, what: str) -> None:
        """Report an error that can no longer reach the response (e.g. in ``close()``)."""
        stream = environ.get("wsgi.errors")
        with self.request_catch(exc, environ):
            exc_data = self.collect(exc, stream, f"an error in {what}")
            if exc_data is not None:
                self.report_late(exc, exc_data, self.live_request(environ, stream), what)

    def error_response(
        self, exc: Exception, environ: WSGIEnvironment
    ) -> tuple[str, Headers, bytes]:
        """Collect, report and render *exc*: the 500 status, headers and body; never raise."""
        with self.request_catch(exc, environ):
            stream = environ.get("wsgi.errors")
            exc_data = self.collect(exc, stream, "the report")
            if exc_data is None:
                return static_response()
            # The request's data, read once for this catch (the report's supplement read
            # it already, or reads this one): negotiation, reporters and backends share it.
            live = self.live_request(environ, stream)
            return self.answer(exc, exc_data, self.decide(live), live)

    def appended_body(
        self, exc: Exception, environ: WSGIEnvironment, content_type: str, *, report: bool = True
    ) -> bytes:
        """Report *exc* and return what to append to a body already being sent; never raise.

        :param report: false when *exc* was already reported (by :meth:`error_response`)
        """
        with self.request_catch(exc, environ):
            stream = environ.get("wsgi.errors")
            exc_data = self.collect(exc, stream, "the report")
            if exc_data is None:
                return b""
            live = self.live_request(environ, stream)
            return self.append(exc, exc_data, live, content_type, report=report)
