"""Read a request's CGI variables, once, into its :class:`~paste_exc.model.request.RequestInfo`.

Part of the respond stage, shared by the transports. :func:`read_request` is the
one place that reads a failing request for its data: a WSGI environ as it is
(:func:`paste_exc.respond.wsgi.environ.request_info`), an ASGI scope through the
CGI variables it is read into (:func:`paste_exc.respond.asgi.scope.request_info`),
so both are bounded, redacted and shown the same way. The catch keeps what it
read (:func:`~paste_exc.model.occurrence.catch`), so every later stage reads the
same inert, redacted copy. The body is never read: form fields come only from
what the application already parsed.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Final
from urllib.parse import unquote_plus

from paste_exc.model.bounds import (
    ACCEPT_LIMIT,
    COOKIE_NAME,
    ENVIRON_ENTRIES,
    ENVIRON_VALUE_LIMIT,
    FORWARDING_HEADERS,
    HEADER_BUDGET_PLACEHOLDER,
    HEADERS_LIMIT,
    HIDDEN_WSGI_VARS,
    HOST_LIMIT,
    QUERY_PARAMETER,
    QUERY_READ_LIMIT,
    ROOT_LIMIT,
)
from paste_exc.model.plain import plain_copy
from paste_exc.model.report import ExtraRepr, ExtraValue
from paste_exc.model.request import RequestInfo
from paste_exc.redact.engine import REDACTED, default_redactor
from paste_exc.redact.saferepr import safe_repr, truncate_text
from paste_exc.respond.bounds import bounded_text as _text, request_url
from paste_exc.respond.formdata import form_fields

__all__ = ["QUERY_KEPT", "Getter", "MoreVariables", "inert", "read_request", "truthy"]


#: The environ entries the request data needs beyond the first :data:`ENVIRON_ENTRIES`.
_NEEDED: Final = (
    "REQUEST_METHOD",
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "wsgi.url_scheme",
    "HTTPS",
    "REMOTE_ADDR",
    "HTTP_ACCEPT",
    "HTTP_X_REQUESTED_WITH",
    "HTTP_COOKIE",
    "CONTENT_TYPE",
    "CONTENT_LENGTH",
    "wsgi.version",
    "wsgi.multiprocess",
    "wsgi.multithread",
    "wsgi.run_once",
    "webob._parsed_post_vars",
    "webob.is_body_seekable",
    "wsgi.input",
    "paste.config",
)
_FORWARDING_KEYS: Final = frozenset(FORWARDING_HEADERS)
#: The most query parameters kept for the reporters and backends.
QUERY_KEPT: Final = 500
_MISSING: Final = object()


_Entries = list[tuple[object, object]]


def _read(environ: Mapping[str, object]) -> tuple[dict[object, object], _Entries, set[str]]:
    """The environ's first entries and the ones the request data needs: each read once.

    :returns: the values read, the first entries, and the needed keys whose read raised
    """
    try:
        entries: _Entries = list(itertools.islice(environ.items(), ENVIRON_ENTRIES))
    except Exception:  # noqa: BLE001 (a hostile environ: the needed entries alone)
        entries = []
    values: dict[object, object] = {}
    for key, value in entries:
        with contextlib.suppress(Exception):  # an unhashable key: that entry alone
            values[key] = value
    unreadable: set[str] = set()
    for key in _NEEDED:
        if key not in values:
            try:
                value = environ.get(key, _MISSING)
            except Exception:  # noqa: BLE001 (unreadable: said so, never taken as missing)
                unreadable.add(key)
                continue
            if value is not _MISSING:
                values[key] = value
    return values, entries, unreadable


def _was_forwarded(environ: Mapping[str, object], values: Mapping[object, object]) -> bool:
    """A forwarding header's key in the environ, in any spelling, even empty (keys only)."""
    if any(name in values for name in FORWARDING_HEADERS):
        return True
    try:
        return any(
            isinstance(key, str)
            and key[:5].upper() == "HTTP_"
            and key.upper().replace("-", "_") in _FORWARDING_KEYS
            for key in environ
        )
    except Exception:  # noqa: BLE001 (unreadable keys: counted as forwarded, the safe side)
        return True


#: The debug token as a browser may carry it outside its cookie: the unlock
#: parameter in a query string or a ``Referer``. Its value is never kept.
_TOKEN_PARAMETER: Final = re.compile(re.escape(QUERY_PARAMETER) + r"(=|%3D)[^&;#\s]*", re.I)


def _secret(name: str) -> bool:
    return name.lower() in (QUERY_PARAMETER, COOKIE_NAME) or default_redactor.is_secret_name(name)


def _without_token(text: str) -> str:
    if QUERY_PARAMETER not in text.lower():
        return text
    return _TOKEN_PARAMETER.sub(lambda match: f"{QUERY_PARAMETER}{match[1]}{REDACTED}", text)


def inert(name: object, value: object) -> ExtraValue:
    """*value* of the entry *name*, made inert and redacted (a secret name: ``[REDACTED]``)."""
    if isinstance(name, str) and _secret(name):
        return ExtraRepr(REDACTED)
    if isinstance(value, str):
        value = _without_token(value)
    return plain_copy(value, default_redactor, 1)


#: How many ``(name, value)`` entries are remembered as clean (see :func:`_inert_entry`).
_CLEAN_ENTRIES_KEPT: Final = 4096
_clean_entries: set[tuple[str, str]] = set()


def _inert_entry(name: str, value: object) -> ExtraValue:
    """:func:`inert` for one request entry, remembering the entries that came out unchanged.

    In an error storm the same headers and CGI values come with every request;
    an entry once found clean (not secret, nothing redacted or cut) is taken as
    it is. Only clean entries are kept, so the set never holds a secret.
    """
    if type(value) is not str:
        return inert(name, value)
    entry = (name, value)
    if entry in _clean_entries:
        return value
    result = inert(name, value)
    if type(result) is str and result == value:
        if len(_clean_entries) >= _CLEAN_ENTRIES_KEPT:
            _clean_entries.clear()  # a flood of distinct values must not grow it
        _clean_entries.add(entry)
    return result


#: The two headers WSGI gives without ``HTTP_`` (PEP 3333): a POST's headers include them.
_BODY_HEADERS = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})


def _header_name(key: str) -> str:
    return key.removeprefix("HTTP_").replace("_", "-").title()


def _query_pairs(query: str) -> tuple[tuple[str, str], ...]:
    """The parameters of *query* (bounded), decoded, secret-named values redacted."""
    pairs = []
    pieces = query[:QUERY_READ_LIMIT].split("&", QUERY_KEPT)[:QUERY_KEPT]
    for piece in pieces:
        if piece:
            raw_name, _, raw_value = piece.partition("=")
            name = unquote_plus(raw_name[:200])
            value = unquote_plus(raw_value)
            if value and _secret(name):
                value = REDACTED
            pairs.append((name, value))
    return tuple(pairs)


def _redacted_query(query: str) -> str:
    """*query* (bounded) with the value of every secret-named parameter replaced."""
    kept = []
    for piece in query[:QUERY_READ_LIMIT].split("&", QUERY_KEPT)[:QUERY_KEPT]:
        name, sep, value = piece.partition("=")
        if value and _secret(unquote_plus(name[:200])):
            value = REDACTED
        kept.append(f"{name}{sep}{value}")
    return "&".join(kept)


def _variables(
    entries: _Entries, total: int, query: str
) -> tuple[list[tuple[str, ExtraValue]], list[tuple[str, ExtraValue]], list[tuple[str, str]]]:
    """Paste's CGI and WSGI variables, and the headers, from the environ's first entries.

    :param query: the query string as shown (secret-named values redacted)
    """
    cgi_vars: list[tuple[str, ExtraValue]] = []
    wsgi_vars: list[tuple[str, ExtraValue]] = []
    headers: list[tuple[str, str]] = []
    headers_left = HEADERS_LIMIT
    headers_unshown = 0
    for key, value in entries:
        name = _text(key, 100)
        if not name:
            continue
        if name.upper() == name:
            if not truthy(value):
                continue
            if isinstance(value, str):
                if name == "QUERY_STRING":
                    value = query
                value = _text(value, ENVIRON_VALUE_LIMIT)
                if name.startswith("HTTP_"):
                    if headers_left <= 0:
                        headers_unshown += 1
                        continue
                    if len(value) > headers_left:
                        value = truncate_text(value, headers_left)
                    headers_left -= len(value)
            shown_value = _inert_entry(name, value)
            cgi_vars.append((name, shown_value))
            if name.startswith("HTTP_") or name in _BODY_HEADERS:
                headers.append((_header_name(name), str(shown_value)))
        elif name not in HIDDEN_WSGI_VARS:
            if isinstance(value, str):
                value = _text(value, ENVIRON_VALUE_LIMIT)
            wsgi_vars.append((name, _inert_entry(name, value)))
    if headers_unshown:
        cgi_vars.append(("HTTP_…", HEADER_BUDGET_PLACEHOLDER.format(count=headers_unshown)))
    unread = total - len(entries)
    if unread > 0:
        cgi_vars.append(("…", f"[{unread:,} more environ entries not read]"))
    return cgi_vars, wsgi_vars, headers


def truthy(value: object) -> bool:
    """Whether *value* is true; a value whose truth cannot be told counts as true."""
    try:
        return bool(value)
    except Exception:  # noqa: BLE001 (a value whose truth cannot be told is shown)
        return True


def _configuration(values: Mapping[object, object]) -> tuple[tuple[str, ExtraValue], ...] | None:
    config = values.get("paste.config")
    if not isinstance(config, Mapping):
        return None
    try:
        return tuple(
            (name := _text(key, 100) or safe_repr(key, 100), inert(name, value))
            for key, value in itertools.islice(config.items(), ENVIRON_ENTRIES)
        )
    except Exception:  # noqa: BLE001 (a hostile configuration: not shown)
        return None


#: Reads one value the request data read (``None`` when the request has none).
Getter = Callable[[str], object]
#: What a transport adds to the second group of variables (Paste's "WSGI Variables").
MoreVariables = Callable[[Getter], Iterable[tuple[str, ExtraValue]]]


def _nothing_more(get: Getter) -> Iterable[tuple[str, ExtraValue]]:
    return ()


def read_request(
    environ: Mapping[str, object], more_variables: MoreVariables = _nothing_more
) -> RequestInfo:
    """Read the request of *environ* (CGI variables) into its ``RequestInfo``.

    Each entry is read at most once (the first
    :data:`~paste_exc.model.bounds.ENVIRON_ENTRIES` entries, then the few the
    request data needs); the body is never read.
    Everything is bounded as the report shows it and redacted with the
    default redactor; nothing refers back to *environ*. Never raises: a
    hostile environ gives what could be read.

    :param environ: the request's WSGI environ, or the CGI variables of another transport
    :param more_variables: the transport's own entries of the second group of
        variables, given a reader of the values already read
    """
    values, entries, unreadable = _read(environ)
    get = values.get
    query = get("QUERY_STRING")
    query = query if isinstance(query, str) else ""
    redacted_query = _redacted_query(query)
    shown = {**values, "QUERY_STRING": redacted_query} if query else values
    cgi_vars, wsgi_vars, headers = _variables(entries, _length(environ), redacted_query)
    wsgi_vars.extend(more_variables(get))
    method = get("REQUEST_METHOD")
    cookie = get("HTTP_COOKIE")
    cookie_names: list[str] = []
    if isinstance(cookie, str):
        for pair in cookie[:QUERY_READ_LIMIT].split(";")[:QUERY_KEPT]:
            name, sep, _ = pair.strip().partition("=")
            if sep and name:
                cookie_names.append(_text(name, 100))
    remote = get("REMOTE_ADDR", _MISSING)
    scheme = _text(get("wsgi.url_scheme"), 16) or "http"
    https = get("HTTPS")
    accept = get("HTTP_ACCEPT")
    requested_with = get("HTTP_X_REQUESTED_WITH")
    host = get("HTTP_HOST")
    form = form_fields(values, inert)
    length = get("CONTENT_LENGTH")
    return RequestInfo(
        method=_text(method, 100) if isinstance(method, str) else None,
        url=default_redactor.redact_text(_without_token(request_url(shown))),  # type: ignore[arg-type]
        scheme=scheme,
        host=_text(host if isinstance(host, str) and host else get("SERVER_NAME"), HOST_LIMIT),
        server_name=_text(get("SERVER_NAME"), HOST_LIMIT),
        server_port=_text(get("SERVER_PORT"), 10),
        script_name=_text(get("SCRIPT_NAME"), ROOT_LIMIT),
        path_info=_text(get("PATH_INFO"), ROOT_LIMIT),
        query_string=redacted_query,
        query_length=len(query),
        query=_query_pairs(query),
        headers=tuple(headers),
        cookie_names=tuple(cookie_names),
        form=form,
        body_unread=form is None and length not in (None, "", "0"),
        # Absent means an in-process client; unreadable must not: it names no usable peer.
        client_address=None
        if remote is _MISSING and "REMOTE_ADDR" not in unreadable
        else _text(remote, 64),
        forwarded=_was_forwarded(environ, values),
        accept=_text(accept, ACCEPT_LIMIT) if isinstance(accept, str) else None,
        requested_with=_text(requested_with, 32) if isinstance(requested_with, str) else None,
        https=scheme == "https" or (isinstance(https, str) and https.lower() in ("on", "1")),
        content_type=_text(get("CONTENT_TYPE"), ENVIRON_VALUE_LIMIT),
        content_length=_text(length, 32),
        cgi_variables=tuple(cgi_vars),
        wsgi_variables=tuple(wsgi_vars),
        configuration=_configuration(values),
    )


def _length(environ: Mapping[str, object]) -> int:
    try:
        length = len(environ)
    except Exception:  # noqa: BLE001
        return 0
    return length if isinstance(length, int) else 0
