"""Read an ASGI scope, once, into the request's :class:`~paste_exc.model.request.RequestInfo`.

Part of the respond stage (ASGI). A scope is read into the CGI variables a WSGI
server would have set for the same request (:func:`cgi_environ`: latin-1
strings as PEP 3333 has them, ``SCRIPT_NAME`` the ``root_path``, ``PATH_INFO``
the path inside it, the header ``X-Foo`` as ``HTTP_X_FOO``, ``REMOTE_ADDR`` the
client), and those go through the reader both transports share
(:func:`paste_exc.respond.requestdata.read_request`): the same bounds, the same
redaction, the same debug-access rule, the same report. The scope's other keys
(``type``, ``asgi``, ``http_version``, what a framework added) are the report's
"ASGI Variables". The body is never read: nothing here calls ``receive``.

A scope without a ``client`` key is, as the ASGI spec says, one whose
``client`` is ``None`` (a server on a Unix socket): a peer that is not known,
which proves nothing (unlike a WSGI environ without ``REMOTE_ADDR``, no
in-process client stands for it: httpx's and Starlette's test clients name one).

.. versionadded:: 0.1
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Mapping
from typing import Final, TypeGuard, cast

from paste_exc.collect.request import RequestSupplement
from paste_exc.model.bounds import ENVIRON_ENTRIES, ENVIRON_VALUE_LIMIT, FORWARDING_HEADERS
from paste_exc.model.report import ExtraValue
from paste_exc.model.request import RequestInfo
from paste_exc.report.dispatch import ENVIRON_KEY
from paste_exc.respond.bounds import bounded_text
from paste_exc.respond.requestdata import Getter, inert, read_request

__all__ = ["ScopeSupplement", "cgi_environ", "is_scope", "read_scope", "request_info"]

#: The scope keys read into CGI variables (or ours): not shown again as ASGI variables.
_READ_AS_CGI: Final = frozenset(
    {"headers", "query_string", "path", "raw_path", "root_path", "method", "client", "server"}
    | {ENVIRON_KEY}
)
#: The scope keys the request data needs, read even past the first entries.
_NEEDED: Final = (
    "type",
    "method",
    "scheme",
    "http_version",
    "path",
    "root_path",
    "query_string",
    "headers",
    "client",
    "server",
)
#: Header lines whose values are read; past them only the forwarding headers and
#: the cookies still count (a proxy's header last in a long list is still seen).
_HEADERS_READ: Final = 1000
_ALWAYS_READ: Final = frozenset({*FORWARDING_HEADERS, "HTTP_COOKIE"})
_MISSING: Final = object()


def is_scope(value: object) -> TypeGuard[Mapping[str, object]]:
    """Whether *value* is an ASGI scope: a dict with ``type`` and ``asgi`` keys.

    An ``http`` or ``websocket`` scope without ``asgi`` (as test harnesses make
    them) counts too; a WSGI environ has no ``type`` key.

    :param value: a WSGI environ, an ASGI scope, or anything else
    """
    if not isinstance(value, dict):
        return False
    # dict's own methods: telling a scope from an environ reads no entry through the
    # environ's class (a WSGI environ's entries are read once, by the request reader).
    try:
        kind = dict.get(value, "type")
        return isinstance(kind, str) and (
            dict.__contains__(value, "asgi") or kind in ("http", "websocket")
        )
    except Exception:  # noqa: BLE001 (a key that cannot be compared: not a scope)
        return False


def _wsgi_text(value: object) -> str | None:
    """*value* as a WSGI string: bytes as latin-1, text as its UTF-8 bytes in latin-1."""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("latin-1")
    if isinstance(value, str):
        return str.__str__(value).encode("utf-8", "backslashreplace").decode("latin-1")
    return None


def _split_path(root: str, path: str) -> tuple[str, str]:
    """``SCRIPT_NAME`` and ``PATH_INFO``: a server may put the root into ``path`` or not."""
    if root and path.startswith(root) and (len(path) == len(root) or path[len(root)] == "/"):
        return root, path[len(root) :]
    return root, path


def _read(scope: Mapping[str, object]) -> tuple[dict[str, object], bool]:
    """The scope's first entries and the ones the request data needs, each read once.

    :returns: the values read, and whether some could not be read
    """
    values: dict[str, object] = {}
    unreadable = False
    try:
        for key, value in itertools.islice(scope.items(), ENVIRON_ENTRIES):
            if isinstance(key, str):
                values[key] = value
    except Exception:  # noqa: BLE001 (a hostile scope: the needed entries alone)
        unreadable = True
    for key in _NEEDED:
        if key not in values:
            try:
                value = scope.get(key, _MISSING)
            except Exception:  # noqa: BLE001 (unreadable: said so, never taken as missing)
                unreadable = True
                continue
            if value is not _MISSING:
                values[key] = value
    return values, unreadable


def _header_key(name: str) -> str:
    lowered = name.lower()
    if lowered == "content-type":
        return "CONTENT_TYPE"
    if lowered == "content-length":
        return "CONTENT_LENGTH"
    return "HTTP_" + name.upper().replace("-", "_")


def _headers(raw: object, environ: dict[str, object]) -> bool:
    """Add the header lines of *raw* to *environ* (repeated names joined, as servers do).

    :returns: false when the headers could not all be read
    """
    joined: dict[str, list[str]] = {}
    try:
        for index, item in enumerate(cast("Iterable[object]", raw or ())):
            name, value = cast("tuple[object, object]", item)
            key = _header_key(_wsgi_text(name) or "")
            if key == "HTTP_":
                continue
            if index < _HEADERS_READ or key in _ALWAYS_READ:
                joined.setdefault(key, []).append(_wsgi_text(value) or "")
        readable = True
    except Exception:  # noqa: BLE001 (a hostile list: what was read, counted as forwarded)
        readable = False
    for key, pieces in joined.items():
        environ[key] = ("; " if key == "HTTP_COOKIE" else ",").join(pieces)
    return readable or raw is None


def _environ(values: Mapping[str, object]) -> tuple[dict[str, object], bool]:
    """The CGI variables of the scope entries *values*; and whether the headers were readable."""
    kind = values.get("type")
    websocket = kind == "websocket"
    environ: dict[str, object] = {}
    method = values.get("method")
    if isinstance(method, str) or websocket:
        # A websocket's handshake is a GET (RFC 6455); a scope naming no method names none.
        environ["REQUEST_METHOD"] = method if isinstance(method, str) else "GET"
    root, path = _split_path(
        _wsgi_text(values.get("root_path")) or "", _wsgi_text(values.get("path")) or ""
    )
    environ["SCRIPT_NAME"], environ["PATH_INFO"] = root, path
    environ["QUERY_STRING"] = _wsgi_text(values.get("query_string")) or ""
    server = values.get("server")
    if isinstance(server, tuple | list) and len(server) == 2:
        environ["SERVER_NAME"] = _wsgi_text(server[0]) or ""
        environ["SERVER_PORT"] = str(server[1]) if isinstance(server[1], int) else ""
    version = values.get("http_version")
    if isinstance(version, str):
        environ["SERVER_PROTOCOL"] = f"HTTP/{version}"
    # The ASGI spec: a missing client defaults to None, a peer that is not known.
    client = values.get("client")
    named = isinstance(client, tuple | list) and len(client) == 2
    environ["REMOTE_ADDR"] = (_wsgi_text(client[0]) or "") if named else ""  # type: ignore[index]
    if named and isinstance(client[1], int):  # type: ignore[index]
        environ["REMOTE_PORT"] = str(client[1])  # type: ignore[index]
    scheme = values.get("scheme")
    if not isinstance(scheme, str) or not scheme:
        scheme = "ws" if websocket else "http"
    if scheme.lower() in ("https", "wss"):
        environ["HTTPS"] = "on"
    readable = _headers(values.get("headers"), environ)
    environ["wsgi.url_scheme"] = scheme
    return environ, readable


def cgi_environ(scope: Mapping[str, object]) -> dict[str, object]:
    """The CGI variables a WSGI server would set for the request of *scope*; never raises.

    Only what a request names (no ``wsgi.input``, no ``wsgi.errors``): the
    method, ``SCRIPT_NAME``/``PATH_INFO``, the query string, the server, the
    client, the headers, ``wsgi.url_scheme`` (and ``HTTPS``).

    :param scope: the request's ASGI scope (read only)
    """
    return read_scope(scope)[0]


def _variables(values: Mapping[str, object]) -> list[tuple[str, ExtraValue]]:
    """The report's "ASGI Variables": the scope's entries not shown as CGI variables."""
    shown: list[tuple[str, ExtraValue]] = []
    for key, value in values.items():
        if key in _READ_AS_CGI:
            continue
        text = bounded_text(value, ENVIRON_VALUE_LIMIT) if isinstance(value, str) else value
        shown.append((bounded_text(key, 100), inert(key, text)))
    return shown


def read_scope(scope: Mapping[str, object]) -> tuple[dict[str, object], RequestInfo]:
    """Read *scope* once: its CGI variables (for the debug cookie) and its ``RequestInfo``.

    Never raises: a hostile scope gives what could be read, and a scope whose
    headers cannot all be read counts as forwarded (no address then grants
    debug output).

    :param scope: the request's ASGI scope (read only)
    """
    values, unreadable = _read(scope)
    try:
        environ, readable = _environ(values)
    except Exception:  # noqa: BLE001 (belt and braces: nothing that names a peer)
        environ, readable = {}, False
    variables = _variables(values)

    def more(get: Getter) -> Iterable[tuple[str, ExtraValue]]:
        return variables

    info = read_request(environ, more)
    if unreadable:
        # Nothing that could not be read may pass for an in-process client.
        info = dataclasses.replace(info, forwarded=True, client_address=info.client_address or "")
    elif not readable:
        info = dataclasses.replace(info, forwarded=True)
    return environ, info


def request_info(scope: Mapping[str, object]) -> RequestInfo:
    """Read the request of *scope* into its :class:`~paste_exc.model.request.RequestInfo`.

    Bounded and redacted exactly as a WSGI request is
    (:func:`paste_exc.respond.wsgi.environ.request_info`), the URL with the
    ``root_path``; the body is never read; never raises.

    .. versionadded:: 0.1

    :param scope: the request's ASGI scope
    """
    return read_scope(scope)[1]


class ScopeSupplement(RequestSupplement):
    """Request data for reports made in an ASGI request (see :class:`RequestSupplement`).

    What the ASGI middleware names in its frames: the request's one
    ``RequestInfo``, its second group of variables titled "ASGI Variables".

    :param middleware: the middleware (its ``application`` is named in the report)
    :param environ: the request's scope (or its ``RequestInfo``)
    """

    variables_title = "ASGI Variables"

    @staticmethod
    def read(environ: object) -> RequestInfo:
        """Read the request of a report made outside the middleware's catch."""
        return request_info(environ) if isinstance(environ, Mapping) else RequestInfo()
