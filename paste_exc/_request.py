"""The request data a report carries: the middleware's ``__traceback_supplement__``.

Part of the respond stage. :class:`Supplement` is what
:class:`~paste_exc.errormiddleware.ErrorMiddleware` names in its frames; the
collector calls it only when something failed. Everything is read through
WebOb without consuming a request body the application did not read, and every
mapping goes through the redaction engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from paste_exc._saferepr import safe_str
from paste_exc.redact import default_redactor

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = ["PROCESS_COMBOS", "Supplement", "request_url"]

#: The environ keys Paste left out of the WSGI variables (noise, or shown elsewhere).
_HIDDEN_WSGI_VARS: Final = frozenset(
    {
        "paste.config",
        "wsgi.errors",
        "wsgi.input",
        "wsgi.multithread",
        "wsgi.multiprocess",
        "wsgi.run_once",
        "wsgi.version",
        "wsgi.url_scheme",
        "paste_exc.reporting",
        "webob._parsed_post_vars",
        "webob._parsed_query_vars",
        "webob.adhoc_attrs",
    }
)

#: (multiprocess, multithread, run_once) → what kind of server that is.
PROCESS_COMBOS: Final[Mapping[tuple[bool, bool, bool], str]] = {
    (False, False, False): "Non-concurrent server",
    (False, True, False): "Multithreaded",
    (True, False, False): "Multiprocess",
    (True, True, False): "Multi process AND threads (?)",
    (False, False, True): "Non-concurrent CGI",
    (False, True, True): "Multithread CGI (?)",
    (True, False, True): "CGI",
    (True, True, True): "Multi thread/process CGI (?)",
}


def request_url(environ: WSGIEnvironment) -> str:
    """Rebuild the request URL (with the query string) from *environ*; never raise."""
    try:
        from webob import Request

        return str(Request(environ).url)
    except Exception:  # noqa: BLE001, S110 (a broken environ: the stdlib fallback)
        pass
    try:
        from wsgiref.util import request_uri

        return request_uri(environ)
    except Exception:  # noqa: BLE001
        path = safe_str(environ.get("SCRIPT_NAME", "")) + safe_str(environ.get("PATH_INFO", ""))
        return path or "/"


def _secret_free_url(url: str) -> str:
    return default_redactor.redact_text(url)


class Supplement:
    """Request data for reports, in Paste's supplement shape.

    ``source_url`` is the request URL (secrets in the query string redacted),
    ``request_method`` the HTTP method (our extension attribute, copied by the
    collector to ``request_method``/``request_url``), and :meth:`extraData`
    returns the CGI variables, WSGI variables, query and form fields and the
    ``paste.config`` configuration, all redacted.

    :param middleware: the middleware (its ``application`` is named in the report)
    :param environ: the request's environ
    """

    #: Paste's table: ``(multiprocess, multithread, run_once)`` → the kind of server.
    process_combos: Final = PROCESS_COMBOS

    def __init__(self, middleware: object, environ: WSGIEnvironment) -> None:
        self.middleware = middleware
        self.environ = environ
        self.source_url = _secret_free_url(request_url(environ))
        method = environ.get("REQUEST_METHOD")
        self.request_method = method if isinstance(method, str) else None

    def _form_fields(self) -> dict[object, object] | str | None:
        """The form fields, only when the application already parsed the body."""
        parsed = self.environ.get("webob._parsed_post_vars")
        if not isinstance(parsed, tuple) or len(parsed) != 2:
            if self.environ.get("CONTENT_LENGTH") not in (None, "", "0"):
                return "(the body was not read by the application; not shown)"
            return None
        fields = parsed[0]
        try:
            items: dict[object, object] = {str(k): v for k, v in fields.items()}
        except Exception:  # noqa: BLE001
            return None
        return items or None

    def _query_fields(self) -> dict[object, object] | None:
        query = self.environ.get("QUERY_STRING")
        if not isinstance(query, str) or not query:
            return None
        from urllib.parse import parse_qsl

        pairs = parse_qsl(query[:65536], keep_blank_values=True)
        fields: dict[object, object] = dict(pairs[:1000])
        return fields

    def extraData(self) -> dict[tuple[str, str], object]:
        """Return the request data grouped under ``(importance, title)`` keys."""
        environ = self.environ
        data: dict[tuple[str, str], object] = {}
        cgi_vars: dict[object, object] = {}
        wsgi_vars: dict[object, object] = {}
        for name, value in list(environ.items()):
            if name.upper() == name:
                if value:
                    cgi_vars[name] = value
            elif name not in _HIDDEN_WSGI_VARS:
                wsgi_vars[name] = value
        version = environ.get("wsgi.version")
        if version != (1, 0):
            wsgi_vars["wsgi.version"] = version
        combo = (
            bool(environ.get("wsgi.multiprocess")),
            bool(environ.get("wsgi.multithread")),
            bool(environ.get("wsgi.run_once")),
        )
        wsgi_vars["wsgi process"] = PROCESS_COMBOS.get(combo, "unknown")
        wsgi_vars["application"] = getattr(self.middleware, "application", None)
        # Raw values: the collector makes them inert (bounded reprs) and redacts
        # them, once, with the redactor it was given.
        data[("extra", "CGI Variables")] = cgi_vars
        data[("extra", "WSGI Variables")] = wsgi_vars
        query = self._query_fields()
        if query:
            data[("normal", "Query Parameters")] = query
        form = self._form_fields()
        if form:
            data[("normal", "Form Fields")] = form
        config = environ.get("paste.config")
        if isinstance(config, Mapping):
            data[("extra", "Configuration")] = dict(config)
        return data
