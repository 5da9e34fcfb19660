"""Debug access: how a browser proves it holds the debug token, and how it gets it.

Part of the respond stage (catch → collect → format → report → **respond**).
An address can never prove who is asking (behind a proxy on the same host
every client is ``127.0.0.1``); a secret can. With ``debug`` on:

* :func:`carries_token`: the request's cookie ``paste_exc_debug`` holds the
  token (compared in constant time);
* :func:`unlock_response`: a request whose query string has
  ``paste_exc_debug=<token>`` gets a ``303`` to the same URL without that
  parameter and the cookie (``HttpOnly``, ``SameSite=Strict``, ``Path`` the
  application's root, ``Secure`` when the request came over https:
  ``wsgi.url_scheme`` or CGI's ``HTTPS`` variable says so). A wrong
  token is ignored: the application gets the request unchanged, and nothing
  in any response says that a token exists;
* :func:`note_withheld`: when a debug page is withheld from a client without
  the token, the first time in a process and then at most once a minute, a
  line to ``wsgi.errors`` and the ``paste_exc`` logger gives the URL suffix
  that unlocks a browser. Whoever reads the server log can therefore unlock.

Where the token comes from is :mod:`paste_exc.respond.token`.

.. versionadded:: 0.1
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Final
from urllib.parse import quote, unquote_to_bytes

from paste_exc.format.headers import CONTENT_TYPES, Headers, response_headers
from paste_exc.model.bounds import COOKIE_NAME, QUERY_PARAMETER
from paste_exc.model.occurrence import catch_request
from paste_exc.model.request import RequestInfo
from paste_exc.respond.asgi.scope import cgi_environ, is_scope, request_info as scope_info
from paste_exc.respond.wsgi.environ import request_info

__all__ = [
    "UNREADABLE",
    "WITHHELD_NOTICE_INTERVAL",
    "Request",
    "as_request",
    "carries_token",
    "note_withheld",
    "unlock_response",
    "unlock_suffix",
    "unlock_url",
]

log = logging.getLogger("paste_exc")

#: Seconds between two "debug page withheld" lines of one process.
WITHHELD_NOTICE_INTERVAL: Final = 60.0

_PARAMETER_PREFIX: Final = QUERY_PARAMETER + "="
_PARAMETER_NAME: Final = QUERY_PARAMETER.encode("ascii")
# What stays unescaped when a request's path and query are written back into
# a Location header: RFC 3986 pchar and the query's "/" and "?"; "%" keeps the
# query's existing escapes. Everything else (controls, spaces, non-ASCII,
# backslashes) is percent-encoded, so no header can be split.
_PATH_SAFE: Final = "/:@!$&'()*+,;=~"
_QUERY_SAFE: Final = _PATH_SAFE + "?%"
# A cookie attribute ends at ";"; "," is left out for old cookie parsers.
_COOKIE_PATH_SAFE: Final = "/:@!$&'()*+=~"
_ADDRESS_KEEP: Final = re.compile(r"[^0-9A-Za-z.:%_-]")


#: A request as this stage takes it: its data, or a WSGI environ or an ASGI scope to read it from.
Request = RequestInfo | Mapping[str, object]


#: What stands for a request that could not be read: a peer that is not named
#: and a forwarded request, so that no rule grants it debug output.
UNREADABLE: Final = RequestInfo(client_address="", forwarded=True)


def as_request(request: Request) -> RequestInfo:
    """*request*'s :class:`RequestInfo`; never raises.

    The open catch's copy when it read this environ or scope (once per catch),
    else the environ or scope read now and not kept. A request that cannot be
    read is :data:`UNREADABLE`.
    """
    if isinstance(request, RequestInfo):
        return request
    known = catch_request(request)
    if known is not None:
        return known
    try:
        return scope_info(request) if is_scope(request) else request_info(request)
    except Exception:  # noqa: BLE001 (request_info guards; belt and braces)
        return UNREADABLE


def _as_bytes(text: str) -> bytes:
    """A WSGI string's bytes (PEP 3333: latin-1), whatever the server put in it."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")


def _matches(candidate: bytes, token: bytes) -> bool:
    return hmac.compare_digest(candidate, token)


def carries_token(environ: Mapping[str, object], token: str) -> bool:
    """Whether the request's cookie ``paste_exc_debug`` holds *token*.

    Every cookie of that name counts (a browser sends one per matching path);
    the comparison takes the same time wherever the first difference is.

    :param environ: the request's environ (or ASGI scope)
    :param token: the debug token
    """
    if is_scope(environ):
        environ = cgi_environ(environ)
    header = environ.get("HTTP_COOKIE")
    if not isinstance(header, str) or COOKIE_NAME not in header:
        return False
    expected = token.encode("ascii")
    found = False
    for pair in header.split(";"):
        name, sep, value = pair.partition("=")
        if sep and name.strip() == COOKIE_NAME:
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            # No early exit: every cookie of the name is compared.
            found = _matches(_as_bytes(value), expected) or found
    return found


def _application_root(environ: Mapping[str, object]) -> str:
    """``SCRIPT_NAME``, percent-encoded, or ``/``: the cookie's ``Path``."""
    return _root_of(environ.get("SCRIPT_NAME"))


def _root_of(script_name: object) -> str:
    if not isinstance(script_name, str) or not script_name.strip("/"):
        return "/"
    return quote(_as_bytes(script_name.rstrip("/")), safe=_COOKIE_PATH_SAFE)


def _location(environ: Mapping[str, object], kept: list[str]) -> str:
    """The request's path and the *kept* query pieces, as a Location header value."""
    path = ""
    for key in ("SCRIPT_NAME", "PATH_INFO"):
        value = environ.get(key)
        if isinstance(value, str):
            path += value
    location = quote(_as_bytes(path), safe=_PATH_SAFE)
    # Always one leading "/": "//host/..." would send the browser to another host.
    location = "/" + location.lstrip("/")
    query = "&".join(quote(_as_bytes(piece), safe=_QUERY_SAFE) for piece in kept)
    return f"{location}?{query}" if query else location


def _decoded(piece: str) -> bytes:
    """A query piece as a form parser reads it: ``+`` is a space, escapes decoded."""
    return unquote_to_bytes(piece.replace("+", " "))


def _over_https(environ: Mapping[str, object]) -> bool:
    """Whether the request came over https: ``wsgi.url_scheme``, or CGI's ``HTTPS``."""
    scheme = environ.get("wsgi.url_scheme")
    https = environ.get("HTTPS")
    return (isinstance(scheme, str) and scheme.lower() == "https") or (
        isinstance(https, str) and https.lower() in ("on", "1", "yes", "true")
    )


def unlock_response(environ: Mapping[str, object], token: str) -> tuple[str, Headers, bytes] | None:
    """The ``303`` that unlocks this browser, when the query string carries *token*.

    ``None`` (the request goes on to the application unchanged) when the query
    string has no ``paste_exc_debug`` parameter holding *token*. Otherwise a
    ``303 See Other`` to the same path with the other parameters, in their
    order, and every ``paste_exc_debug`` parameter removed, setting the cookie.

    :param environ: the request's environ, or the :func:`~paste_exc.respond.asgi.scope.cgi_environ`
        of an ASGI scope (read only)
    :param token: the debug token
    """
    query = environ.get("QUERY_STRING")
    # A name may come percent-encoded (``paste%5Fexc%5Fdebug``): it is the same parameter.
    if not isinstance(query, str) or (_PARAMETER_PREFIX not in query and "%" not in query):
        return None
    expected = token.encode("ascii")
    kept: list[str] = []
    found = False
    for piece in query.split("&"):
        name, sep, value = piece.partition("=")
        if sep and _decoded(name) == _PARAMETER_NAME:
            found = _matches(_decoded(value), expected) or found
        else:
            kept.append(piece)
    if not found:
        return None
    cookie = f"{COOKIE_NAME}={token}; Path={_application_root(environ)}; HttpOnly; SameSite=Strict"
    if _over_https(environ):
        cookie += "; Secure"
    more = (("Location", _location(environ, kept)), ("Set-Cookie", cookie))
    headers = response_headers(CONTENT_TYPES["redirect"], 0, more=more)
    return "303 See Other", headers, b""


def unlock_suffix(token: str, root: str = "/") -> str:
    """The path and query that unlock a browser: ``/?paste_exc_debug=<token>``.

    :param token: the debug token
    :param root: the application's root path (``SCRIPT_NAME``)
    """
    root = "/" + root.strip("/")
    if root != "/":
        root += "/"
    return f"{root}?{QUERY_PARAMETER}={token}"


def unlock_url(host: str, port: int, token: str, *, scheme: str = "http") -> str:
    """The address to open to unlock the debug pages of a server on *host*:*port*.

    A wildcard *host* (``0.0.0.0``, ``::``, empty) is written ``127.0.0.1``;
    an IPv6 address gets its brackets.

    :param host: the address the server listens on
    :param port: its port
    :param token: the debug token
    :param scheme: ``http`` or ``https``
    """
    if host in ("", "0.0.0.0", "::", "[::]"):  # noqa: S104 (only compared)
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}{unlock_suffix(token)}"


class _Throttle:
    """True the first time, then at most once per *interval* seconds (thread-safe).

    :param clock: where the time comes from (default: :func:`time.monotonic`,
        looked up at each call)
    """

    def __init__(self, interval: float, clock: Callable[[], float] | None = None) -> None:
        self.interval = interval
        self.clock = clock
        self._next: float | None = None
        self._lock = threading.Lock()

    def ready(self) -> bool:
        now = self.clock() if self.clock is not None else time.monotonic()
        with self._lock:
            if self._next is not None and now < self._next:
                return False
            self._next = now + self.interval
            return True

    def reset(self) -> None:
        with self._lock:
            self._next = None


_withheld = _Throttle(WITHHELD_NOTICE_INTERVAL)
if hasattr(os, "register_at_fork"):  # a forked worker is a process of its own: it tells too
    os.register_at_fork(after_in_child=lambda: _withheld.reset())


def note_withheld(request: Request, token: str, stream: object = None) -> None:
    """Say that a debug page was withheld, and how to unlock; at most once a minute.

    Written to the request's ``wsgi.errors`` (*stream*; given an environ, its
    own) and, as a warning, to the ``paste_exc`` logger; never raises.

    :param request: the request whose client lacks the token (or its environ)
    :param token: the debug token (the line carries it)
    :param stream: where the server's error log is
    """
    if not _withheld.ready():
        return
    if not isinstance(request, RequestInfo):
        stream = request.get("wsgi.errors")
    info = as_request(request)
    remote = info.client_address
    client = _ADDRESS_KEEP.sub("", remote)[:64] if remote is not None else "unknown"
    root = _root_of(info.script_name)
    text = (
        f"a debug page was withheld from a client without the debug token "
        f"(REMOTE_ADDR {client or 'empty'}); to unlock debug pages in that browser, open "
        f"this application with the URL suffix {unlock_suffix(token, root)} (it sets a "
        f"cookie). Whoever can read this log can do the same. Next notice in a minute "
        f"at the earliest."
    )
    with contextlib.suppress(Exception):  # a broken stream: the logger still has it
        stream.write(f"paste_exc: {text}\n")  # type: ignore[attr-defined]
        # A server's buffered stream (uWSGI's sys.stderr) would hold the line.
        stream.flush()  # type: ignore[attr-defined]
    with contextlib.suppress(Exception):  # logging never breaks a response
        log.warning("%s", text)
