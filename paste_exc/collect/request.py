"""Collect: a request's data in Paste's supplement shape, from its one RequestInfo.

Part of the collect stage. :class:`RequestSupplement` is what a
``__traceback_supplement__`` names for a request (the WSGI middleware's frames
name its subclass :class:`paste_exc.errormiddleware.Supplement`): the
collector calls it when something failed, and it shows the request's one
:class:`~paste_exc.model.request.RequestInfo`, the one the catch in progress
holds (:func:`~paste_exc.model.occurrence.catch_request`). Only outside such a
catch does it read the request itself, through :meth:`RequestSupplement.read`,
which the transport's subclass provides.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import unquote_plus

from paste_exc.model.bounds import PROCESS_COMBOS, QUERY_LIMIT, QUERY_PARAMETERS
from paste_exc.model.occurrence import catch_request
from paste_exc.model.report import REPR_LIMIT, ExtraRepr
from paste_exc.model.request import RequestInfo
from paste_exc.redact.engine import Redactor, default_redactor
from paste_exc.redact.saferepr import safe_repr

__all__ = ["RequestSupplement"]


_BODY_UNREAD: Final = "(the body was not read by the application; not shown)"


class RequestSupplement:
    """Request data for reports, in Paste's supplement shape.

    ``source_url`` is the request URL (secrets in the query string redacted),
    ``request_method`` the HTTP method (our extension attribute, copied by the
    collector to ``request_method``/``request_url``), and :meth:`extraData`
    returns the CGI variables, WSGI variables, query and form fields and the
    ``paste.config`` configuration, all redacted. All of it comes from the
    request's one :class:`~paste_exc.model.request.RequestInfo`.

    :param middleware: the middleware (its ``application`` is named in the report)
    :param environ: the request's live form (a WSGI environ), or its ``RequestInfo``
    """

    #: Paste's table: ``(multiprocess, multithread, run_once)`` → the kind of server.
    process_combos: Final = PROCESS_COMBOS
    #: The redactor every value of :meth:`extraData` has been through (the request
    #: readers', :data:`~paste_exc.redact.engine.default_redactor`): a collector with
    #: the same one keeps the values as they are, one with another redacts them again.
    redacted_by: Redactor = default_redactor
    #: The title of the request's second group of variables (the ASGI side's says ASGI).
    variables_title: str = "WSGI Variables"

    def __init__(self, middleware: object, environ: object) -> None:
        self.middleware = middleware
        self.environ = environ
        self.request: RequestInfo = catch_request(environ) or self.read(environ)
        self.source_url = self.request.url
        self.request_method = self.request.method

    @staticmethod
    def read(environ: object) -> RequestInfo:
        """Read a request no catch has read; this class knows no transport: no data."""
        return RequestInfo()

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
        application = getattr(self.middleware, "application", None)
        wsgi_vars["application"] = ExtraRepr(
            self.redacted_by.redact_text(safe_repr(application, REPR_LIMIT))
        )
        # Every value inert and redacted (the RequestInfo's, the application's repr).
        data[("extra", "CGI Variables")] = dict(request.cgi_variables)
        data[("extra", self.variables_title)] = wsgi_vars
        query = self._query_fields()
        if query:
            data[("normal", "Query Parameters")] = query
        if request.form:
            data[("normal", "Form Fields")] = dict(request.form)
        elif request.body_unread:
            data[("normal", "Form Fields")] = _BODY_UNREAD
        if request.configuration is not None:
            data[("extra", "Configuration")] = dict(request.configuration)
        return data
