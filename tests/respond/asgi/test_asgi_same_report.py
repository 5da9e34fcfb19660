"""The WSGI and the ASGI middleware make the same report of the same failing code.

One function, :func:`checkout`, fails under both (called by a one-line WSGI app
through WebTest and a one-line ASGI app through httpx, with the same request);
the two reports are the same, ids aside: the exception, every frame of the
function (source, line, locals), the request's method, URL, query parameters
and the CGI variables both transports have, and the shape (the middleware's
frame hidden, then the app's, then the function's).
"""

from __future__ import annotations

import asyncio
import dataclasses
import warnings
from typing import Any

import httpx

from paste_exc import ASGIErrorMiddleware, CapturingReporter, CollectedException, ErrorMiddleware
from paste_exc.format.formatter import format_text

with warnings.catch_warnings():  # webob imports the deprecated cgi module (Python 3.11)
    warnings.simplefilter("ignore", DeprecationWarning)
    from webtest import TestApp


def checkout(query: str) -> int:
    items = int(query.partition("=")[2])
    prices = {"apple": 3}
    api_key = "sk-live-" + "5" * 20  # a secret-named local: redacted in both
    return prices["pear"] * items + len(api_key)


def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    return [str(checkout(environ["QUERY_STRING"])).encode()]


async def asgi_app(scope: Any, receive: Any, send: Any) -> None:
    checkout(scope["query_string"].decode("latin-1"))


OPTIONS = {"show_locals": True, "report_message": "Exception while handling a request"}
HEADERS = {"Accept": "text/html", "User-Agent": "same-agent", "Cookie": "sessionid=s-1"}


def wsgi_report() -> CollectedException:
    capture = CapturingReporter()
    app = ErrorMiddleware(wsgi_app, reporters={"capture": capture}, **OPTIONS)
    environ = {"paste.throw_errors": False, "HTTP_HOST": "shop.example", "REMOTE_ADDR": "192.0.2.7"}
    TestApp(app).get(
        "/checkout?items=3", headers=HEADERS, extra_environ=environ, status=500, expect_errors=True
    )
    assert capture.last.message == OPTIONS["report_message"]
    return capture.last.exc_data


def asgi_report() -> CollectedException:
    capture = CapturingReporter()
    app = ASGIErrorMiddleware(asgi_app, reporters={"capture": capture}, **OPTIONS)

    async def run() -> None:
        transport = httpx.ASGITransport(app=app, client=("192.0.2.7", 50123))
        async with httpx.AsyncClient(transport=transport, base_url="http://shop.example") as http:
            assert (await http.get("/checkout?items=3", headers=HEADERS)).status_code == 500

    asyncio.run(run())
    assert capture.last.message == OPTIONS["report_message"]
    return capture.last.exc_data


def _frame(frame: Any) -> Any:
    return dataclasses.replace(frame, tbid=None)


def test_the_same_failing_code_makes_the_same_report() -> None:
    wsgi, asgi = wsgi_report(), asgi_report()
    # The exception.
    for name in ("exception_type", "exception_value", "exception_formatted", "exception_module"):
        assert getattr(asgi, name) == getattr(wsgi, name), name
    assert asgi.cause == wsgi.cause
    assert asgi.context == wsgi.context
    # The shape: the middleware's frame (hidden), the app's, the function's.
    assert [bool(frame.traceback_hide) for frame in asgi.frames] == [True, False, False]
    assert [bool(frame.traceback_hide) for frame in wsgi.frames] == [True, False, False]
    assert [frame.name for frame in asgi.frames[1:]] == ["asgi_app", "checkout"]
    # The failing function, to the letter: source, line, locals (redacted alike).
    assert _frame(asgi.frames[-1]) == _frame(wsgi.frames[-1])
    assert any(local.redacted for local in asgi.frames[-1].locals or ())
    # The request.
    assert (asgi.request_method, asgi.request_url) == (
        "GET",
        "http://shop.example/checkout?items=3",
    )
    assert (asgi.request_method, asgi.request_url) == (wsgi.request_method, wsgi.request_url)
    query = ("normal", "Query Parameters")
    assert asgi.extra_data[query] == wsgi.extra_data[query]
    cgi = ("extra", "CGI Variables")
    (asgi_cgi,), (wsgi_cgi,) = asgi.extra_data[cgi], wsgi.extra_data[cgi]
    shared = ("REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "REMOTE_ADDR", "HTTP_HOST")
    shared += ("HTTP_ACCEPT", "HTTP_USER_AGENT", "HTTP_COOKIE")
    assert {key: asgi_cgi[key] for key in shared} == {key: wsgi_cgi[key] for key in shared}
    assert asgi_cgi["HTTP_COOKIE"] == "[REDACTED]"


def test_the_text_reports_differ_only_in_the_ids_the_app_and_the_transport() -> None:
    wsgi, asgi = wsgi_report(), asgi_report()

    def tail(report: CollectedException) -> str:
        """The text report from the failing function's frame to the exception line."""
        text = format_text(dataclasses.replace(report, extra_data={}))
        return text[text.index("in checkout") :]

    assert tail(asgi) == tail(wsgi)
