"""The request data of an ASGI scope: read once, bounded and redacted exactly as WSGI's.

A scope and the environ a WSGI server would make of the same request give the
same :class:`RequestInfo` (its WSGI-only variables aside); ``report_exception``
and the extras providers get the scope as ``ctx``; nothing of the middleware's
configuration is put where a report could show it.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
from typing import Any

import pytest
from asgi_helpers import drive, http_scope, middleware

from paste_exc import ExtrasProvider, report_exception
from paste_exc.model.bounds import HEADERS_LIMIT
from paste_exc.model.request import RequestInfo
from paste_exc.report.dispatch import ENVIRON_KEY, HANDLE_REPR
from paste_exc.respond.access import as_request
from paste_exc.respond.asgi.scope import cgi_environ, is_scope, request_info
from paste_exc.respond.wsgi.environ import request_info as wsgi_request_info

TOKEN = "dbg-" + "Q7zX" * 8
SECRETS = ("qtok-111", "sess-222", "auth-333", "key-444", TOKEN)


def scope_with_secrets(**extra: Any) -> dict[str, Any]:
    return http_scope(
        "/shop/checkout/caf\u00e9",
        method="POST",
        scheme="https",
        root_path="/shop",
        query_string=f"page=2&api_token=qtok-111&paste_exc_debug={TOKEN}".encode(),
        headers=[
            (b"host", b"shop.example"),
            (b"cookie", b"sessionid=sess-222"),
            (b"cookie", f"paste_exc_debug={TOKEN}".encode()),
            (b"authorization", b"Bearer auth-333"),
            (b"x-api-key", b"key-444"),
            (b"referer", f"https://shop.example/?paste_exc_debug={TOKEN}".encode()),
            (b"user-agent", b"pytest"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", b"21"),
        ],
        client=("192.0.2.7", 50123),
        server=("10.0.0.5", 443),
        **extra,
    )


def the_same_request_as_wsgi() -> dict[str, Any]:
    """The environ a WSGI server makes of :func:`scope_with_secrets` (PEP 3333 strings)."""
    return {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "/shop",
        "PATH_INFO": "/checkout/caf\u00e9".encode().decode("latin-1"),
        "QUERY_STRING": f"page=2&api_token=qtok-111&paste_exc_debug={TOKEN}",
        "SERVER_NAME": "10.0.0.5",
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.7",
        "REMOTE_PORT": "50123",
        "HTTPS": "on",
        "HTTP_HOST": "shop.example",
        "HTTP_COOKIE": f"sessionid=sess-222; paste_exc_debug={TOKEN}",
        "HTTP_AUTHORIZATION": "Bearer auth-333",
        "HTTP_X_API_KEY": "key-444",
        "HTTP_REFERER": f"https://shop.example/?paste_exc_debug={TOKEN}",
        "HTTP_USER_AGENT": "pytest",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": "21",
        "wsgi.url_scheme": "https",
    }


def test_a_scope_reads_as_the_same_request_over_wsgi() -> None:
    asgi = request_info(scope_with_secrets())
    wsgi = wsgi_request_info(the_same_request_as_wsgi())
    # Everything but the second group of variables, which names the transport's own.
    assert dataclasses.replace(asgi, wsgi_variables=()) == dataclasses.replace(
        wsgi, wsgi_variables=()
    )
    assert (
        asgi.url
        == "https://shop.example/shop/checkout/caf%C3%A9?page=2&api_token=[REDACTED]&paste_exc_debug=[REDACTED]"
    )
    assert (asgi.script_name, asgi.method, asgi.client_address) == ("/shop", "POST", "192.0.2.7")
    assert asgi.https
    assert asgi.body_unread
    assert ("Authorization", "[REDACTED]") in asgi.headers
    assert asgi.cookie_names == ("sessionid", "paste_exc_debug")
    assert dict(asgi.wsgi_variables)["type"] == "http"
    assert dict(asgi.wsgi_variables)["asgi"] == {"version": "3.0", "spec_version": "2.4"}


def test_no_secret_survives_in_the_request_data() -> None:
    text = repr(request_info(scope_with_secrets()))
    for secret in SECRETS:
        assert secret not in text


@pytest.mark.parametrize("path", ["/shop/checkout", "/checkout"], ids=["uvicorn", "hypercorn"])
def test_the_root_path_is_in_the_url_whether_or_not_the_server_put_it_in_path(path: str) -> None:
    info = request_info(http_scope(path, root_path="/shop"))
    assert info.url == "http://shop.example/shop/checkout"
    assert (info.script_name, info.path_info) == ("/shop", "/checkout")


def test_headers_are_bounded_as_wsgi_bounds_them() -> None:
    headers = [(f"x-big-{n}".encode(), b"v" * 140) for n in range(12)]
    scope = http_scope(headers=[(b"host", b"shop.example"), *headers])
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/orders",
        "QUERY_STRING": "",
        "SERVER_NAME": "shop.example",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.7",
        "REMOTE_PORT": "50123",
        "HTTP_HOST": "shop.example",
        **{f"HTTP_X_BIG_{n}": "v" * 140 for n in range(12)},
        "wsgi.url_scheme": "http",
    }
    asgi, wsgi = request_info(scope), wsgi_request_info(environ)
    assert asgi.cgi_variables == wsgi.cgi_variables
    assert asgi.headers == wsgi.headers
    assert sum(len(value) for _, value in asgi.headers) < HEADERS_LIMIT + 100  # one cut marker
    assert "more headers not shown" in str(dict(asgi.cgi_variables)["HTTP_…"])


def test_a_client_absent_or_none_is_unknown() -> None:
    scope = http_scope()
    del scope["client"]
    # The ASGI spec: a missing client defaults to None.
    assert request_info(scope).client_address == ""
    assert request_info(http_scope(client=None)).client_address == ""


def test_unreadable_headers_count_as_forwarded() -> None:
    class Hostile:
        def __iter__(self) -> Any:
            yield (b"host", b"shop.example")
            raise RuntimeError("no more")

    info = request_info(http_scope(headers=Hostile()))
    assert info.forwarded
    assert info.host == "shop.example"


def test_a_scope_is_told_from_an_environ() -> None:
    assert is_scope(http_scope())
    assert is_scope({"type": "http"})  # a test harness's scope without "asgi"
    assert not is_scope({"REQUEST_METHOD": "GET", "PATH_INFO": "/"})
    assert not is_scope(RequestInfo())
    assert as_request(scope_with_secrets()) == request_info(scope_with_secrets())
    assert cgi_environ(http_scope())["PATH_INFO"] == "/orders"


# -- report_exception, extras providers, the scope ------------------------------------


class ScopeSeen(ExtrasProvider):
    def __init__(self) -> None:
        self.contexts: list[object] = []

    def get_extras(self, ctx: Any, reporter: Any) -> dict[str, object] | None:
        self.contexts.append(ctx)
        return {"seen": True}


def test_report_exception_with_the_scope_reaches_the_middlewares_reporters() -> None:
    provider = ScopeSeen()
    seen: list[dict[str, Any]] = []

    async def app_(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope)
        try:
            raise KeyError("handled by the application")
        except KeyError:
            report_exception(scope, "a handled error", logger=False)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    app, capture = middleware(app_, extras_providers=[provider])
    scope = scope_with_secrets()
    sent = drive(app, scope)
    assert sent[0]["status"] == 204
    assert capture.exception_types == ["KeyError"]
    report = capture.last
    assert report.message == "a handled error"
    assert report.environ is scope
    assert provider.contexts == [scope]
    assert report.exc_data.request_url == request_info(scope).url
    text = repr(report.exc_data)
    for secret in SECRETS:
        assert secret not in text


def test_the_report_of_a_failing_request_carries_the_scopes_request_data() -> None:
    async def app_(scope: Any, receive: Any, send: Any) -> None:
        raise ValueError("fails")

    provider = ScopeSeen()
    app, capture = middleware(app_, extras_providers=[provider])
    scope = scope_with_secrets()
    drive(app, scope)
    exc_data = capture.last.exc_data
    assert exc_data.request_method == "POST"
    assert exc_data.request_url == request_info(scope).url
    groups = {title for (_importance, title) in exc_data.extra_data}
    assert {"CGI Variables", "ASGI Variables"} <= groups
    assert provider.contexts == [scope]


def test_nothing_of_the_configuration_is_in_the_scope(tmp_path: Any) -> None:
    log_name = "errors-" + "7" * 12 + ".log"

    async def app_(scope: Any, receive: Any, send: Any) -> None:
        raise ValueError("fails")

    app, capture = middleware(app_, error_log=str(tmp_path / log_name))
    scope = http_scope()
    drive(app, scope)
    added = {key: value for key, value in scope.items() if key not in http_scope()}
    assert list(added) == [ENVIRON_KEY]
    assert repr(added[ENVIRON_KEY]) == HANDLE_REPR
    assert copy.deepcopy(scope)[ENVIRON_KEY] is added[ENVIRON_KEY]
    assert (tmp_path / log_name).exists()  # the report went there
    for text in (repr(scope), str(scope), repr(capture.last.exc_data.extra_data)):
        assert log_name not in text
        assert "CapturingReporter" not in text


def test_report_exception_with_a_scope_outside_the_middleware() -> None:
    captured: list[RequestInfo | None] = []

    async def run() -> None:
        scope = scope_with_secrets()
        try:
            raise OSError("disk")
        except OSError:
            report_exception(scope, "outside", logger=False)
        captured.append(as_request(scope))

    asyncio.run(run())
    assert captured[0] == request_info(scope_with_secrets())


def test_a_hostile_scope_gives_what_could_be_read_and_no_debug() -> None:
    class Hostile(dict[str, Any]):
        def get(self, key: str, default: Any = None) -> Any:
            raise RuntimeError("no")

        def items(self) -> Any:
            raise RuntimeError("no")

    info = request_info(Hostile(type="http"))
    assert info.forwarded
    assert info.client_address == ""  # never taken for an in-process client
    assert info.method is None


def test_a_websocket_handshake_reads_as_a_get() -> None:
    scope = http_scope("/ws", type="websocket", scheme="wss")
    del scope["method"]
    info = request_info(scope)
    assert (info.method, info.url, info.https) == ("GET", "wss://shop.example/ws", True)
