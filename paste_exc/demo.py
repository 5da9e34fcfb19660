"""The demo application: one link per interesting failure, for WSGI and for ASGI.

``paste-exc demo`` (and ``make demo``) serves :func:`make_demo_app` wrapped in
:class:`~paste_exc.errormiddleware.ErrorMiddleware` with debug on and the text
reports appended to a log file, and prints the URL that unlocks its debug
pages in a browser (``/?paste_exc_debug=<token>``). ``paste-exc demo --asgi``
serves its twin, :func:`make_demo_asgi_app`: the same routes and the same
failures as a plain ASGI application (no framework: uvicorn is all it needs)
behind :class:`~paste_exc.ASGIErrorMiddleware`.

The failures themselves are transport-free functions; each transport's views
only call them, or fail where only that transport can (after the response
started, in the body, after the body).

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, MutableMapping
from typing import TYPE_CHECKING, Final

from paste_exc.respond.asgi.messages import ASGIApp, Receive, Scope, Send
from paste_exc.respond.asgi.middleware import ASGIErrorMiddleware
from paste_exc.respond.wsgi.middleware import ErrorMiddleware

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = [
    "ASGI_ROUTES",
    "ROUTES",
    "demo_app",
    "demo_asgi_app",
    "make_demo_app",
    "make_demo_asgi_app",
]

#: A failure of the demo: it gets the request's mutable mapping (a WSGI environ or an
#: ASGI scope) and raises.
Failure = Callable[[MutableMapping[str, object]], object]

_INDEX: Final = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>paste_exc demo</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em}
code,pre{background:#f3f3f3;padding:0 .3em}li{margin:.3em 0}</style></head>
<body><h1>paste_exc demo</h1>
<p>Each link fails in its own way. A browser that opened the unlock URL printed in the
terminal sees the debug page; any other client gets the safe page. The text reports go
to the log file named in the terminal.</p>
<ul>
<li><a href="/plain">A plain exception</a> in the application</li>
<li><a href="/chained-context">A chained exception</a> (<code>raise ... from ...</code>),
and <a href="/chained">one with its context suppressed</a></li>
<li><a href="/group">An exception group</a>, nested</li>
<li><a href="/notes">An exception with notes</a></li>
<li><a href="/after-start">After the response started</a>: after
<code>start_response</code> nothing was sent yet (a 500); after ASGI's
<code>http.response.start</code> the status line was (the report is appended)</li>
<li><a href="/in-iterator">In the body</a>, after part of the page was sent
(the report is appended)</li>
<li><a href="/in-close">After the body was sent in full</a> (in <code>close()</code> of
the response iterable; under ASGI, after the last body message): reported only</li>
<li><a href="/recursion">Deep recursion</a> (folded frames)</li>
<li><a href="/supplement">Supplements and hidden frames</a>
(<code>__traceback_supplement__</code>, <code>__traceback_info__</code>,
<code>__traceback_hide__</code>)</li>
<li><a href="/secret?api_token=sk_live_51Hdemo0123456789abcdef">A secret</a>
in the environ, the query string and a local (all redacted)</li>
<li><a href="/json-client">A JSON client</a> (this link plays one by asking for
<code>application/json</code>): it gets a problem document</li>
<li><a href="/healthy">A healthy page</a></li>
</ul>
<p>From a real JSON client:
<code>curl -H 'Accept: application/json' http://HOST/plain</code>;
a plain-text client gets text: <code>curl -H 'Accept: text/plain' http://HOST/plain</code>.</p>
</body></html>
"""


def _html(start_response: StartResponse, body: bytes, status: str = "200 OK") -> list[bytes]:
    start_response(
        status, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]


# --- the failures, transport-free


def _plain(request: MutableMapping[str, object]) -> object:
    items = {"apples": 3}
    return items["pears"]


def _load_config(path: str) -> dict[str, str]:
    try:
        with open(path, encoding="utf-8") as handle:
            return {"text": handle.read()}
    except OSError as exc:
        raise RuntimeError(f"cannot load the configuration {path!r}") from exc


def _chained(request: MutableMapping[str, object]) -> object:
    try:
        _load_config("/nonexistent/paste-exc-demo.ini")
    except RuntimeError:
        raise KeyError("settings") from None  # context suppressed: only the KeyError
    return None


def _chained_context(request: MutableMapping[str, object]) -> object:
    try:
        _load_config("/nonexistent/paste-exc-demo.ini")
    except RuntimeError as exc:
        raise LookupError("no usable configuration") from exc
    return None


def _group(request: MutableMapping[str, object]) -> object:
    problems: list[Exception] = [ValueError("bad port"), TypeError("host must be a string")]
    inner = ExceptionGroup("database settings", [KeyError("DATABASE_URL")])
    raise ExceptionGroup("3 settings are invalid", [*problems, inner])


def _notes(request: MutableMapping[str, object]) -> object:
    error = ZeroDivisionError("division by zero")
    error.add_note("while computing the average basket size")
    error.add_note("hint: the shop has no orders yet")
    raise error


def _countdown(n: int) -> int:
    return _countdown(n + 1)


def _recursion(request: MutableMapping[str, object]) -> object:
    return _countdown(0)


class _CheckoutSupplement:
    def __init__(self, basket: str) -> None:
        self.object = basket
        self.source_url = "/supplement"
        self.warnings = ["the basket was restored from an old session"]

    def getInfo(self) -> str:
        return "checking out a basket of 2 items"


def _framework_dispatch(view: Callable[[], bytes]) -> bytes:
    __traceback_hide__ = True
    return view()


def _checkout_view() -> bytes:
    __traceback_supplement__ = (_CheckoutSupplement, "basket#42")
    __traceback_info__ = "customer 1007, step 3 of 4"
    total = sum([19.99, 5.0])
    raise ArithmeticError(f"the total {total} does not match the payment")


def _supplement(request: MutableMapping[str, object]) -> object:
    return _framework_dispatch(_checkout_view)


def _secret(request: MutableMapping[str, object]) -> object:
    request["demo.api_key"] = "sk_live_51Hdemo0123456789abcdef"
    password = "correct horse battery staple"  # noqa: S105 (a demo secret)
    raise PermissionError(f"login refused for alice (password of {len(password)} characters)")


def _invoice(request: MutableMapping[str, object]) -> object:
    order = {"id": 42, "lines": []}
    raise LookupError(f"order {order['id']} has no lines to invoice")


def _rows() -> Iterator[bytes]:
    yield b"<!DOCTYPE html><html><head><title>Report</title></head><body><h1>Report</h1><ul>"
    for number in range(3):
        yield b"<li>row %d</li>" % number
    raise ValueError("row 3 could not be rendered")


def _release_connection() -> None:
    raise OSError("could not release the database connection")


#: Path → the failure that happens there before anything is sent, in both transports.
_AT_ONCE: Final[dict[str, Failure]] = {
    "/plain": _plain,
    "/chained": _chained,
    "/chained-context": _chained_context,
    "/group": _group,
    "/notes": _notes,
    "/recursion": _recursion,
    "/supplement": _supplement,
    "/secret": _secret,
}
_HEALTHY: Final = b"<!DOCTYPE html><title>OK</title><p>All is well.</p>"
_NOT_FOUND: Final = b"<!DOCTYPE html><title>Not found</title>"


# --- WSGI


def _wsgi_view(failure: Failure) -> WSGIApplication:
    def view(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        failure(environ)
        return []

    return view


def _after_start(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    raise RuntimeError("failed after start_response, before any byte of the body")


def _in_iterator(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return _rows()


class _LeakyBody:
    """A response iterable whose ``close()`` fails."""

    def __iter__(self) -> Iterator[bytes]:
        yield b"This body was sent in full; then close() failed.\n"

    def close(self) -> None:
        _release_connection()


def _in_close(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return _LeakyBody()


def _json_client(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    # Play the part of fetch/axios asking for JSON: the middleware reads this environ.
    environ["HTTP_ACCEPT"] = "application/json"
    _invoice(environ)
    return []


#: Path → the WSGI view that handles it.
ROUTES: Final[dict[str, WSGIApplication]] = {
    "/": lambda environ, start_response: _html(start_response, _INDEX),
    **{path: _wsgi_view(failure) for path, failure in _AT_ONCE.items()},
    "/after-start": _after_start,
    "/in-iterator": _in_iterator,
    "/in-close": _in_close,
    "/json-client": _json_client,
    "/healthy": lambda environ, start_response: _html(start_response, _HEALTHY),
}


def demo_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """The bare demo application (no middleware): dispatch on ``PATH_INFO``."""
    view = ROUTES.get(environ.get("PATH_INFO") or "/")
    if view is None:
        return _html(start_response, _NOT_FOUND, "404 Not Found")
    return view(environ, start_response)


def make_demo_app(error_log: str | None = None, **options: object) -> WSGIApplication:
    """Return the demo wrapped in the middleware (debug on, locals shown).

    The demo's own module is its application (``app_packages``): installed
    with paste_exc in ``site-packages``, its frames are still the ones shown
    first, as an application's are.

    :param error_log: the file the text reports are appended to
    :param options: further :class:`~paste_exc.errormiddleware.ErrorMiddleware` options
    """
    return ErrorMiddleware(demo_app, error_log=error_log, **_demo_options(options))  # type: ignore[arg-type]


def _demo_options(options: dict[str, object]) -> dict[str, object]:
    return {"debug": True, "show_locals": True, "app_packages": [__name__], **options}


# --- ASGI: the twin


def _start(content_type: bytes, status: int = 200, length: int | None = None) -> dict[str, object]:
    headers = [(b"content-type", content_type)]
    if length is not None:
        headers.append((b"content-length", str(length).encode("ascii")))
    return {"type": "http.response.start", "status": status, "headers": headers}


async def _send_page(send: Send, body: bytes, status: int = 200) -> None:
    await send(_start(b"text/html; charset=utf-8", status, len(body)))
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _asgi_view(failure: Failure) -> ASGIApp:
    async def view(scope: Scope, receive: Receive, send: Send) -> None:
        failure(scope)

    return view


async def _asgi_after_start(scope: Scope, receive: Receive, send: Send) -> None:
    await send(_start(b"text/html; charset=utf-8"))
    raise RuntimeError("failed after http.response.start, before any byte of the body")


async def _asgi_in_body(scope: Scope, receive: Receive, send: Send) -> None:
    await send(_start(b"text/html; charset=utf-8"))
    for chunk in _rows():
        await send({"type": "http.response.body", "body": chunk, "more_body": True})


async def _asgi_after_body(scope: Scope, receive: Receive, send: Send) -> None:
    await send(_start(b"text/plain; charset=utf-8"))
    body = b"This body was sent in full; then releasing the connection failed.\n"
    await send({"type": "http.response.body", "body": body, "more_body": False})
    _release_connection()  # as a background task would, once the client has its answer


async def _asgi_json_client(scope: Scope, receive: Receive, send: Send) -> None:
    # Play the part of fetch/axios asking for JSON: the middleware reads the scope's headers.
    headers = scope.get("headers")
    kept = [(n, v) for n, v in headers if n != b"accept"] if isinstance(headers, list) else []
    scope["headers"] = [*kept, (b"accept", b"application/json")]
    _invoice(scope)


async def _asgi_index(scope: Scope, receive: Receive, send: Send) -> None:
    await _send_page(send, _INDEX)


async def _asgi_healthy(scope: Scope, receive: Receive, send: Send) -> None:
    await _send_page(send, _HEALTHY)


#: Path → the ASGI view that handles it (the same paths as :data:`ROUTES`).
ASGI_ROUTES: Final[dict[str, ASGIApp]] = {
    "/": _asgi_index,
    **{path: _asgi_view(failure) for path, failure in _AT_ONCE.items()},
    "/after-start": _asgi_after_start,
    "/in-iterator": _asgi_in_body,
    "/in-close": _asgi_after_body,
    "/json-client": _asgi_json_client,
    "/healthy": _asgi_healthy,
}


async def _lifespan(receive: Receive, send: Send) -> None:
    """Nothing to start or stop: say so to the server."""
    while True:
        message = await receive()
        if message.get("type") == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message.get("type") == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def demo_asgi_app(scope: Scope, receive: Receive, send: Send) -> None:
    """The bare ASGI twin of :func:`demo_app` (no middleware): dispatch on the path."""
    if scope.get("type") == "lifespan":
        await _lifespan(receive, send)
        return
    if scope.get("type") != "http":
        await send({"type": "websocket.close"})  # no websocket in the demo
        return
    view = ASGI_ROUTES.get(str(scope.get("path") or "/"))
    if view is None:
        await _send_page(send, _NOT_FOUND, 404)
        return
    await view(scope, receive, send)


def make_demo_asgi_app(error_log: str | None = None, **options: object) -> ASGIErrorMiddleware:
    """Return the ASGI demo wrapped in :class:`~paste_exc.ASGIErrorMiddleware` (debug on).

    The options are :func:`make_demo_app`'s.

    .. versionadded:: 0.1
    """
    return ASGIErrorMiddleware(demo_asgi_app, error_log=error_log, **_demo_options(options))
