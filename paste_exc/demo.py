"""The demo application: one link per interesting failure.

``paste-exc demo`` (and ``make demo``) serves :func:`make_demo_app` wrapped in
:class:`~paste_exc.errormiddleware.ErrorMiddleware` with debug on and the text
reports appended to a log file, and prints the URL that unlocks its debug
pages in a browser (``/?paste_exc_debug=<token>``).

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Final

from paste_exc.respond.wsgi.middleware import ErrorMiddleware

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["ROUTES", "demo_app", "make_demo_app"]

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
<li><a href="/after-start">After <code>start_response</code></a> (nothing sent yet: a 500)</li>
<li><a href="/in-iterator">In the iterator</a>, after part of the page was sent
(the report is appended)</li>
<li><a href="/in-close">In <code>close()</code></a> of the response iterable</li>
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


def _plain(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    items = {"apples": 3}
    return [str(items["pears"]).encode()]


def _load_config(path: str) -> dict[str, str]:
    try:
        with open(path, encoding="utf-8") as handle:
            return {"text": handle.read()}
    except OSError as exc:
        raise RuntimeError(f"cannot load the configuration {path!r}") from exc


def _chained(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    try:
        _load_config("/nonexistent/paste-exc-demo.ini")
    except RuntimeError:
        raise KeyError("settings") from None  # context suppressed: only the KeyError
    return []


def _chained_context(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    try:
        _load_config("/nonexistent/paste-exc-demo.ini")
    except RuntimeError as exc:
        raise LookupError("no usable configuration") from exc
    return []


def _group(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    problems: list[Exception] = [ValueError("bad port"), TypeError("host must be a string")]
    inner = ExceptionGroup("database settings", [KeyError("DATABASE_URL")])
    raise ExceptionGroup("3 settings are invalid", [*problems, inner])


def _notes(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    error = ZeroDivisionError("division by zero")
    error.add_note("while computing the average basket size")
    error.add_note("hint: the shop has no orders yet")
    raise error


def _after_start(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    raise RuntimeError("failed after start_response, before any byte of the body")


def _rows() -> Iterator[bytes]:
    yield b"<!DOCTYPE html><html><head><title>Report</title></head><body><h1>Report</h1><ul>"
    for number in range(3):
        yield b"<li>row %d</li>" % number
    raise ValueError("row 3 could not be rendered")


def _in_iterator(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return _rows()


class _LeakyBody:
    """A response iterable whose ``close()`` fails."""

    def __iter__(self) -> Iterator[bytes]:
        yield b"This body was sent in full; then close() failed.\n"

    def close(self) -> None:
        raise OSError("could not release the database connection")


def _in_close(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return _LeakyBody()


def _countdown(n: int) -> int:
    return _countdown(n + 1)


def _recursion(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    _countdown(0)
    return []


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


def _supplement(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    return [_framework_dispatch(_checkout_view)]


def _secret(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    environ["demo.api_key"] = "sk_live_51Hdemo0123456789abcdef"
    password = "correct horse battery staple"  # noqa: S105 (a demo secret)
    raise PermissionError(f"login refused for alice (password of {len(password)} characters)")


def _json_client(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    # Play the part of fetch/axios asking for JSON: the middleware reads this environ.
    environ["HTTP_ACCEPT"] = "application/json"
    order = {"id": 42, "lines": []}
    raise LookupError(f"order {order['id']} has no lines to invoice")


def _healthy(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    return _html(start_response, b"<!DOCTYPE html><title>OK</title><p>All is well.</p>")


def _index(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    return _html(start_response, _INDEX)


#: Path → the view that handles it.
ROUTES: Final[dict[str, WSGIApplication]] = {
    "/": _index,
    "/plain": _plain,
    "/chained": _chained,
    "/chained-context": _chained_context,
    "/group": _group,
    "/notes": _notes,
    "/after-start": _after_start,
    "/in-iterator": _in_iterator,
    "/in-close": _in_close,
    "/recursion": _recursion,
    "/supplement": _supplement,
    "/secret": _secret,
    "/json-client": _json_client,
    "/healthy": _healthy,
}


def demo_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """The bare demo application (no middleware): dispatch on ``PATH_INFO``."""
    view = ROUTES.get(environ.get("PATH_INFO") or "/")
    if view is None:
        return _html(start_response, b"<!DOCTYPE html><title>Not found</title>", "404 Not Found")
    return view(environ, start_response)


def make_demo_app(error_log: str | None = None, **options: object) -> WSGIApplication:
    """Return the demo wrapped in the middleware (debug on, locals shown).

    The demo's own module is its application (``app_packages``): installed
    with paste_exc in ``site-packages``, its frames are still the ones shown
    first, as an application's are.

    :param error_log: the file the text reports are appended to
    :param options: further :class:`~paste_exc.errormiddleware.ErrorMiddleware` options
    """
    settings: dict[str, object] = {
        "debug": True,
        "show_locals": True,
        "app_packages": [__name__],
        **options,
    }
    return ErrorMiddleware(demo_app, error_log=error_log, **settings)  # type: ignore[arg-type]
