"""The request data a report carries: the middleware's ``__traceback_supplement__``.

Part of the respond stage. :class:`Supplement` is what
:class:`~paste_exc.errormiddleware.ErrorMiddleware` names in its frames; the
collector calls it only when something failed. Everything is read through
WebOb without consuming a request body the application did not read, and every
mapping goes through the redaction engine.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final
from urllib.parse import quote, unquote_plus

from paste_exc.redact.engine import default_redactor
from paste_exc.redact.saferepr import MARKER, truncate_text

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
    "request_url",
]

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


#: What is shown of a request is small, and it is cut *before* any redaction pattern
#: runs on it: a request of megabytes costs the report no more than a plain one.
#: The host, the path (``SCRIPT_NAME`` + ``PATH_INFO``) and the query string of the
#: URL, each in characters.
HOST_LIMIT: Final = 100
PATH_LIMIT: Final = 150
QUERY_LIMIT: Final = 150
#: One environ value (a header, a CGI variable), in characters.
ENVIRON_VALUE_LIMIT: Final = 150
#: All the header values (``HTTP_*``) shown together, in characters: past this,
#: the further headers are only counted (:data:`HEADER_BUDGET_PLACEHOLDER`).
HEADERS_LIMIT: Final = 600
#: The most environ entries read, and the most query parameters shown.
ENVIRON_ENTRIES: Final = 100
QUERY_PARAMETERS: Final = 50
HEADER_BUDGET_PLACEHOLDER: Final = "[{count:,} more headers not shown: past the size limit]"

#: What :func:`urllib.parse.quote` keeps in a path (as WebOb's ``Request.url``).
_PATH_SAFE: Final = "/~!$&'()*+,;=:@"
_DEFAULT_PORTS: Final = {"http": "80", "https": "443"}


def _text(value: object, limit: int) -> str:
    """A bounded piece of a request: a string cut to *limit* (other values: empty)."""
    if not isinstance(value, str):
        return ""
    return _cut(str.__str__(value[:limit]), len(value), limit)


def _cut(value: str, original_length: int, limit: int) -> str:
    """*value* (a piece of at most *limit* characters) with the marker of what was cut."""
    if original_length <= limit:
        return value
    return f"{value[:limit]}{MARKER}{original_length - limit} more characters]"


def _quote_path(environ: Mapping[str, object]) -> str:
    path = ""
    length = 0
    for key in ("SCRIPT_NAME", "PATH_INFO"):
        value = environ.get(key)
        if isinstance(value, str):
            length += len(value)
            path += value[: PATH_LIMIT + 1]
    piece = path[:PATH_LIMIT]
    try:
        raw = piece.encode("latin-1")  # PEP 3333: the bytes, as latin-1 text
    except UnicodeEncodeError:
        raw = piece.encode("utf-8", "backslashreplace")
    quoted = quote(raw, safe=_PATH_SAFE)
    return _cut(quoted, len(quoted) + length - len(piece), len(quoted))


def request_url(environ: WSGIEnvironment) -> str:
    """Rebuild the request URL (with the query string) from *environ*; never raise.

    As WebOb's ``Request.url`` would, from bounded pieces: the host to
    :data:`HOST_LIMIT`, the path to :data:`PATH_LIMIT` and the query string
    to :data:`QUERY_LIMIT` characters, each cut piece marked with how much was
    cut. Nothing longer is ever read.
    """
    try:
        scheme = _text(environ.get("wsgi.url_scheme"), 16) or "http"
        host = environ.get("HTTP_HOST")
        port: str | None = None
        if isinstance(host, str) and host:
            length = len(host)
            host = host[: HOST_LIMIT + 1]
            if length <= HOST_LIMIT and ":" in host and host[-1] != "]":
                host, port = host.rsplit(":", 1)
        else:
            host = environ.get("SERVER_NAME")
            if not isinstance(host, str):
                host = ""
            length = len(host)
            port = _text(environ.get("SERVER_PORT"), 10) or None
        host_text = _cut(str.__str__(host[:HOST_LIMIT]), length, HOST_LIMIT) if host else ""
        if port == _DEFAULT_PORTS.get(scheme):
            port = None
        url = f"{scheme}://{host_text}" + (f":{port}" if port else "")
        url += _quote_path(environ)
        query = environ.get("QUERY_STRING")
        if isinstance(query, str) and query:
            url += "?" + _cut(query[:QUERY_LIMIT], len(query), QUERY_LIMIT)
        return url
    except Exception:  # noqa: BLE001 (a hostile environ: the path alone, or "/")
        path = _text(environ.get("SCRIPT_NAME"), PATH_LIMIT) + _text(
            environ.get("PATH_INFO"), PATH_LIMIT
        )
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
            items: dict[object, object] = {
                _text(str(key), 100): _text(value, ENVIRON_VALUE_LIMIT)
                if isinstance(value, str)
                else value
                for key, value in itertools.islice(fields.items(), QUERY_PARAMETERS)
            }
        except Exception:  # noqa: BLE001
            return None
        return items or None

    def _query_fields(self) -> dict[object, object] | None:
        """The first :data:`QUERY_PARAMETERS` parameters of the bounded query string."""
        query = self.environ.get("QUERY_STRING")
        if not isinstance(query, str) or not query:
            return None
        fields: dict[object, object] = {}
        pieces = query[:QUERY_LIMIT].split("&", QUERY_PARAMETERS)[:QUERY_PARAMETERS]
        for piece in pieces:
            if piece:
                name, _, value = piece.partition("=")
                fields[unquote_plus(name)] = unquote_plus(value)
        if len(query) > QUERY_LIMIT:
            fields["…"] = f"[the query string is cut to {QUERY_LIMIT} of {len(query):,} characters]"
        return fields or None

    def extraData(self) -> dict[tuple[str, str], object]:
        """Return the request data grouped under ``(importance, title)`` keys."""
        environ = self.environ
        data: dict[tuple[str, str], object] = {}
        cgi_vars: dict[object, object] = {}
        wsgi_vars: dict[object, object] = {}
        headers_left = HEADERS_LIMIT
        headers_unshown = 0
        try:
            entries = list(itertools.islice(environ.items(), ENVIRON_ENTRIES))
        except Exception:  # noqa: BLE001 (a hostile environ: no variables)
            entries = []
        for key, value in entries:
            name = _text(key, 100)
            if not name:
                continue
            if name.upper() == name:
                if not value:
                    continue
                if isinstance(value, str):
                    value = _text(value, ENVIRON_VALUE_LIMIT)
                    if name.startswith("HTTP_"):
                        if headers_left <= 0:
                            headers_unshown += 1
                            continue
                        if len(value) > headers_left:
                            value = truncate_text(value, headers_left)
                        headers_left -= len(value)
                cgi_vars[name] = value
            elif name not in _HIDDEN_WSGI_VARS:
                wsgi_vars[name] = (
                    _text(value, ENVIRON_VALUE_LIMIT) if isinstance(value, str) else value
                )
        if headers_unshown:
            cgi_vars["HTTP_…"] = HEADER_BUDGET_PLACEHOLDER.format(count=headers_unshown)
        unread = _length(environ) - len(entries)
        if unread > 0:
            cgi_vars["…"] = f"[{unread:,} more environ entries not read]"
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
            data[("extra", "Configuration")] = dict(
                itertools.islice(config.items(), ENVIRON_ENTRIES)
            )
        return data


def _length(environ: Mapping[str, object]) -> int:
    try:
        length = len(environ)
    except Exception:  # noqa: BLE001
        return 0
    return length if isinstance(length, int) else 0
