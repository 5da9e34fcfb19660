"""Model: the bounds of the request data a report keeps, and the names it treats specially.

Part of the model stage. What is kept of a request is small, and it is cut
*before* any redaction pattern runs on it: a request of megabytes costs a report
no more than a plain one. The transports that read requests
(:mod:`paste_exc.respond.requestdata`), the negotiation and the collector's
request supplement all read these bounds, so a request is cut the same way
wherever it is read.

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = [
    "ACCEPT_LIMIT",
    "COOKIE_NAME",
    "ENVIRON_ENTRIES",
    "ENVIRON_VALUE_LIMIT",
    "FORM_BODY_LIMIT",
    "FORWARDING_HEADERS",
    "HEADERS_LIMIT",
    "HEADER_BUDGET_PLACEHOLDER",
    "HIDDEN_WSGI_VARS",
    "HOST_LIMIT",
    "PATH_LIMIT",
    "PROCESS_COMBOS",
    "QUERY_LIMIT",
    "QUERY_PARAMETER",
    "QUERY_PARAMETERS",
    "QUERY_READ_LIMIT",
    "ROOT_LIMIT",
]

#: The cookie that carries the debug token.
COOKIE_NAME: Final = "paste_exc_debug"
#: The query parameter that unlocks a browser (sets the cookie).
QUERY_PARAMETER: Final = "paste_exc_debug"

#: The environ keys Paste left out of the WSGI variables (noise, or shown elsewhere).
HIDDEN_WSGI_VARS: Final = frozenset(
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
#: ``SCRIPT_NAME`` and ``PATH_INFO`` as kept apart from the URL (the debug
#: cookie's ``Path`` is the application's root), in characters.
ROOT_LIMIT: Final = 1024
#: The most bytes of a body the application read (through WebOb) that are parsed
#: again for its form fields; a longer body's fields are not shown.
FORM_BODY_LIMIT: Final = 65_536
HEADER_BUDGET_PLACEHOLDER: Final = "[{count:,} more headers not shown: past the size limit]"

#: Request headers that show a proxy forwarded the request (CGI names): with
#: any of them present, ``REMOTE_ADDR`` is the proxy's, not the client's.
FORWARDING_HEADERS: Final = (
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_VIA",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_X_CLIENT_IP",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_SERVER",
    "HTTP_X_CLUSTER_CLIENT_IP",
    "HTTP_FASTLY_CLIENT_IP",
    "HTTP_X_ORIGINAL_FORWARDED_FOR",
)

#: The most characters of an ``Accept`` header, ``X-Requested-With`` header and query
#: string read: a header of megabytes costs no more than a plain one.
ACCEPT_LIMIT: Final = 1024
QUERY_READ_LIMIT: Final = 8192
