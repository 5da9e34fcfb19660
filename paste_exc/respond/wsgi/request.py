"""The request data a report carries: the middleware's ``__traceback_supplement__``.

Part of the respond stage. :class:`Supplement` is what
:class:`~paste_exc.errormiddleware.ErrorMiddleware` names in its frames; the
collector calls it only when something failed. It shows, in Paste's shape, the
request's one :class:`~paste_exc.model.request.RequestInfo`
(:func:`~paste_exc.respond.wsgi.environ.request_info`: read once per catch,
without consuming a request body the application did not read, redacted).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final
from urllib.parse import unquote_plus

from paste_exc.collect.occurrence import request_data
from paste_exc.model.request import RequestInfo
from paste_exc.respond.wsgi.bounds import (
    ENVIRON_ENTRIES,
    ENVIRON_VALUE_LIMIT,
    HEADERS_LIMIT,
    HOST_LIMIT,
    PATH_LIMIT,
    PROCESS_COMBOS,
    QUERY_LIMIT,
    QUERY_PARAMETERS,
    request_url,
)
from paste_exc.respond.wsgi.environ import request_info

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = [
    "ENVIRON_ENTRIES",
    "ENVIRON_VALUE_LIMIT",
    "HEADERS_LIMIT",
    "HOST_LIMIT",
    "PATH_LIMIT",
    "PROCESS_COMBOS",
    "QUERY_LIMIT",
    "QUERY_PARAMETERS",
    "Supplement",
    "request_info",
    "request_url",
]


_BODY_UNREAD: Final = "(the body was not read by the application; not shown)"


class Supplement:
    """Request data for reports, in Paste's supplement shape.

    ``source_url`` is the request URL (secrets in the query string redacted),
    ``request_method`` the HTTP method (our extension attribute, copied by the
    collector to ``request_method``/``request_url``), and :meth:`extraData`
    returns the CGI variables, WSGI variables, query and form fields and the
    ``paste.config`` configuration, all redacted. All of it comes from the
    request's one :class:`~paste_exc.model.request.RequestInfo` (read once
    per catch, see :func:`~paste_exc.collect.occurrence.request_data`).

    :param middleware: the middleware (its ``application`` is named in the report)
    :param environ: the request's environ (or its ``RequestInfo``)
    """

    #: Paste's table: ``(multiprocess, multithread, run_once)`` → the kind of server.
    process_combos: Final = PROCESS_COMBOS

    def __init__(self, middleware: object, environ: WSGIEnvironment | RequestInfo) -> None:
        self.middleware = middleware
        self.environ = environ
        self.request: RequestInfo = request_data(environ) or RequestInfo()
        self.source_url = self.request.url
        self.request_method = self.request.method

    def _query_fields(self) -> dict[object, object] | None:
        """The first :data:`QUERY_PARAMETERS` parameters of the bounded query string."""
        request = self.request
        fields: dict[object, object] = {}
        pieces = request.query_string[:QUERY_LIMIT].split("&", QUERY_PARAMETERS)[:QUERY_PARAMETERS]
        for piece in pieces:
            if piece:
                name, _, value = piece.partition("=")
                fields[unquote_plus(name)] = unquote_plus(value)
        if request.query_length > QUERY_LIMIT:
            fields["…"] = (
                f"[the query string is cut to {QUERY_LIMIT} of {request.query_length:,} characters]"
            )
        return fields or None

    def extraData(self) -> dict[tuple[str, str], object]:
        """Return the request data grouped under ``(importance, title)`` keys."""
        request = self.request
        data: dict[tuple[str, str], object] = {}
        wsgi_vars: dict[object, object] = dict(request.wsgi_variables)
        wsgi_vars["application"] = getattr(self.middleware, "application", None)
        # Inert, redacted values: the collector copies them once more with the
        # redactor it was given.
        data[("extra", "CGI Variables")] = dict(request.cgi_variables)
        data[("extra", "WSGI Variables")] = wsgi_vars
        query = self._query_fields()
        if query:
            data[("normal", "Query Parameters")] = query
        if request.form:
            data[("normal", "Form Fields")] = dict(request.form)
        elif request.body_unread:
            data[("normal", "Form Fields")] = (
                "(the body was not read by the application; not shown)"
            )
        if request.configuration is not None:
            data[("extra", "Configuration")] = dict(request.configuration)
        return data
