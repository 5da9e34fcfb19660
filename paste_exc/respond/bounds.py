"""The bounds of the request data a report shows, and the request URL rebuilt from them.

Part of the respond stage, shared by the transports: the WSGI environ and the
CGI variables an ASGI scope is read into (:mod:`paste_exc.respond.asgi.scope`)
are cut the same way. What is shown of a request is small, and it is cut
*before* any redaction pattern runs on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final
from urllib.parse import quote

from paste_exc.model.bounds import HOST_LIMIT, PATH_LIMIT, QUERY_LIMIT
from paste_exc.redact.saferepr import MARKER

__all__ = ["bounded_text", "cut_text", "request_url"]


#: What :func:`urllib.parse.quote` keeps in a path (as WebOb's ``Request.url``).
_PATH_SAFE: Final = "/~!$&'()*+,;=:@"
_DEFAULT_PORTS: Final = {"http": "80", "https": "443"}


def bounded_text(value: object, limit: int) -> str:
    """A bounded piece of a request: a string cut to *limit* (other values: empty)."""
    if type(value) is str and len(value) <= limit:
        return value  # the common case: a plain string within its bound
    if not isinstance(value, str):
        return ""
    return cut_text(str.__str__(value[:limit]), len(value), limit)


def cut_text(value: str, original_length: int, limit: int) -> str:
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
    return cut_text(quoted, len(quoted) + length - len(piece), len(quoted))


def request_url(environ: Mapping[str, object]) -> str:
    """Rebuild the request URL (with the query string) from *environ*; never raise.

    As WebOb's ``Request.url`` would, from bounded pieces: the host to
    :data:`HOST_LIMIT`, the path to :data:`PATH_LIMIT` and the query string
    to :data:`QUERY_LIMIT` characters, each cut piece marked with how much was
    cut. Nothing longer is ever read.
    """
    try:
        scheme = bounded_text(environ.get("wsgi.url_scheme"), 16) or "http"
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
            port = bounded_text(environ.get("SERVER_PORT"), 10) or None
        host_text = cut_text(str.__str__(host[:HOST_LIMIT]), length, HOST_LIMIT) if host else ""
        if port == _DEFAULT_PORTS.get(scheme):
            port = None
        url = f"{scheme}://{host_text}" + (f":{port}" if port else "")
        url += _quote_path(environ)
        query = environ.get("QUERY_STRING")
        if isinstance(query, str) and query:
            url += "?" + cut_text(query[:QUERY_LIMIT], len(query), QUERY_LIMIT)
        return url
    except Exception:  # noqa: BLE001 (a hostile environ: the path alone, or "/")
        path = bounded_text(environ.get("SCRIPT_NAME"), PATH_LIMIT) + bounded_text(
            environ.get("PATH_INFO"), PATH_LIMIT
        )
        return path or "/"
