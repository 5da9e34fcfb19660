"""Debug output is unlocked by the debug token, never by an address alone.

Unit tests drive the middleware in process; the end-to-end tests run waitress
on 127.0.0.1, the server ``paste-exc serve`` and ``make demo`` use.
"""

from __future__ import annotations

import copy
import http.client
import io
import json
import logging
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

with warnings.catch_warnings():  # webob imports the deprecated cgi module (Python 3.11)
    warnings.simplefilter("ignore", DeprecationWarning)
    from webtest.http import StopableWSGIServer

from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.respond import access as debugaccess
from paste_exc.respond.access import unlock_response, unlock_suffix, unlock_url

TOKEN = "unit-test-token-0123456789abcdef"
OTHER = "wrong-token-0123456789abcdefghij"
MESSAGE = "the failure with a secret inside"


@pytest.fixture
def path() -> type[ErrorMiddleware]:
    """The middleware class the tests build."""
    return ErrorMiddleware


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """A fresh once-a-minute throttle for the withheld notice, on a clock of our own."""
    fake = Clock()
    monkeypatch.setattr(
        debugaccess, "_withheld", debugaccess._Throttle(debugaccess.WITHHELD_NOTICE_INTERVAL, fake)
    )
    return fake


class Server:
    """A server's start_response: records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[tuple[str, str]]]] = []

    def __call__(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        self.calls.append((status, headers))
        return lambda data: None

    @property
    def status(self) -> str:
        return self.calls[-1][0]

    @property
    def headers(self) -> dict[str, str]:
        return dict(self.calls[-1][1])


def environ(**extra: Any) -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/page",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8080",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }
    env.update(extra)
    return env


def call(middleware: Any, env: dict[str, Any]) -> tuple[Server, bytes]:
    server = Server()
    body = middleware(env, server)
    try:
        return server, b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()


def failing(environ: dict[str, Any], start_response: Any) -> Any:
    raise ValueError(MESSAGE)


class Recording:
    """An application that records the environ it got and answers 200."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.seen.append(dict(environ))
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-App", "yes")])
        return [b"from the app"]


def streaming(environ: dict[str, Any], start_response: Any) -> Any:
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])

    def body() -> Iterator[bytes]:
        yield b"<html><body><p>first part</p>"
        raise ValueError(MESSAGE)

    return body()


COOKIE = f"paste_exc_debug={TOKEN}"


# -- which clients see debug output ------------------------------------------


@pytest.mark.parametrize(
    ("extra", "debug"),
    [
        ({"HTTP_COOKIE": COOKIE}, True),
        ({"HTTP_COOKIE": COOKIE, "REMOTE_ADDR": "203.0.113.9"}, True),
        ({"HTTP_COOKIE": COOKIE, "HTTP_X_FORWARDED_FOR": "8.8.8.8"}, True),
        ({}, False),
        ({"HTTP_X_FORWARDED_FOR": "8.8.8.8"}, False),
        ({"REMOTE_ADDR": "::1"}, False),
        ({"REMOTE_ADDR": "172.17.0.1"}, False),
        ({"HTTP_COOKIE": f"paste_exc_debug={OTHER}"}, False),
    ],
)
def test_the_debug_page_needs_the_token(
    path: type[ErrorMiddleware], extra: dict[str, Any], debug: bool
) -> None:
    middleware = path(failing, debug=True, debug_token=TOKEN)
    server, body = call(middleware, environ(**extra))
    assert server.status.startswith("500")
    assert (MESSAGE.encode() in body) is debug
    assert ("Traceback" in body.decode() or "traceback" in body.decode()) is debug


def test_an_in_process_client_without_remote_addr_sees_debug(path: type[ErrorMiddleware]) -> None:
    env = environ()
    del env["REMOTE_ADDR"]
    middleware = path(failing, debug=True, debug_token=TOKEN)
    _, body = call(middleware, env)
    assert MESSAGE.encode() in body


@pytest.mark.parametrize(
    ("accept", "xhr", "media"),
    [
        ("application/json", False, "application/problem+json"),
        ("text/plain", False, "text/plain"),
        ("text/html", True, "text/html"),
    ],
)
def test_every_debug_rendering_needs_the_token(
    path: type[ErrorMiddleware], accept: str, xhr: bool, media: str
) -> None:
    middleware = path(failing, debug=True, debug_token=TOKEN)
    extra: dict[str, Any] = {"HTTP_ACCEPT": accept}
    if xhr:
        extra["HTTP_X_REQUESTED_WITH"] = "XMLHttpRequest"
    with_token, shown = call(middleware, environ(HTTP_COOKIE=COOKIE, **extra))
    _, hidden = call(middleware, environ(**extra))
    assert with_token.headers["Content-Type"].startswith(media)
    assert MESSAGE.encode() in shown
    assert MESSAGE.encode() not in hidden
    if media == "application/problem+json":
        assert "exception" not in json.dumps(json.loads(hidden))
    if xhr:
        assert b"<!DOCTYPE" not in shown  # the fragment, not the page


def test_the_appended_report_needs_the_token(path: type[ErrorMiddleware]) -> None:
    middleware = path(streaming, debug=True, debug_token=TOKEN)
    _, shown = call(middleware, environ(HTTP_COOKIE=COOKIE))
    _, hidden = call(middleware, environ())
    assert shown.startswith(b"<html><body><p>first part</p>")
    assert hidden.startswith(b"<html><body><p>first part</p>")
    assert MESSAGE.encode() in shown
    assert MESSAGE.encode() not in hidden


def test_debug_allow_loopback_restores_the_address_rule(path: type[ErrorMiddleware]) -> None:
    middleware = path(failing, debug=True, debug_token=TOKEN, debug_allow="127.0.0.0/8, ::1")
    assert MESSAGE.encode() in call(middleware, environ())[1]
    assert MESSAGE.encode() in call(middleware, environ(REMOTE_ADDR="::1"))[1]
    forwarded = environ(HTTP_X_FORWARDED_FOR="8.8.8.8")
    assert MESSAGE.encode() not in call(middleware, forwarded)[1]
    assert MESSAGE.encode() not in call(middleware, environ(REMOTE_ADDR="10.0.0.1"))[1]


def test_debug_allow_star_still_shows_everyone(path: type[ErrorMiddleware]) -> None:
    middleware = path(failing, debug=True, debug_allow="*")
    remote = environ(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="8.8.8.8")
    assert MESSAGE.encode() in call(middleware, remote)[1]


# -- unlocking ----------------------------------------------------------------


def test_the_unlock_parameter_redirects_and_sets_the_cookie(path: type[ErrorMiddleware]) -> None:
    app = Recording()
    middleware = path(app, debug=True, debug_token=TOKEN)
    query = f"a=1&paste_exc_debug={TOKEN}&b=two%20words&c=3"
    server, body = call(middleware, environ(QUERY_STRING=query))
    assert app.seen == []
    assert server.status == "303 See Other"
    assert server.headers["Location"] == "/page?a=1&b=two%20words&c=3"
    assert body == b""
    cookie = [value for name, value in server.calls[0][1] if name == "Set-Cookie"]
    assert len(cookie) == 1
    attributes = [part.strip() for part in cookie[0].split(";")]
    assert attributes[0] == f"paste_exc_debug={TOKEN}"
    assert set(attributes[1:]) == {"Path=/", "HttpOnly", "SameSite=Strict"}
    assert server.headers["Cache-Control"] == "no-store"
    # The redirected request, carrying the cookie, sees debug pages.
    debug_middleware = path(failing, debug=True, debug_token=TOKEN)
    _, page = call(debug_middleware, environ(HTTP_COOKIE=cookie[0].split(";")[0]))
    assert MESSAGE.encode() in page


@pytest.mark.parametrize(
    ("extra", "location", "cookie_path", "secure"),
    [
        ({"QUERY_STRING": f"paste_exc_debug={TOKEN}"}, "/page", "/", False),
        ({"QUERY_STRING": f"paste_exc_debug={TOKEN}", "PATH_INFO": ""}, "/", "/", False),
        (
            {"QUERY_STRING": f"x=1&paste_exc_debug={TOKEN}", "SCRIPT_NAME": "/shop"},
            "/shop/page?x=1",
            "/shop",
            False,
        ),
        (
            {"QUERY_STRING": f"paste_exc_debug={TOKEN}", "wsgi.url_scheme": "https"},
            "/page",
            "/",
            True,
        ),
        (
            {"QUERY_STRING": f"paste_exc_debug={TOKEN}&paste_exc_debug={OTHER}&z=9"},
            "/page?z=9",
            "/",
            False,
        ),
        (
            {"QUERY_STRING": f"paste_exc_debug={TOKEN}", "PATH_INFO": "//evil.example/x"},
            None,
            "/",
            False,
        ),
        (
            {"QUERY_STRING": f"paste_exc_debug={TOKEN}", "PATH_INFO": "/a b\r\nX: y"},
            None,
            "/",
            False,
        ),
        (
            {"QUERY_STRING": f"paste_exc_debug={TOKEN}", "PATH_INFO": "/\\evil.example"},
            None,
            "/",
            False,
        ),
    ],
)
def test_unlock_locations_and_cookie_attributes(
    path: type[ErrorMiddleware],
    extra: dict[str, Any],
    location: str | None,
    cookie_path: str,
    secure: bool,
) -> None:
    middleware = path(Recording(), debug=True, debug_token=TOKEN)
    server, _ = call(middleware, environ(**extra))
    assert server.status == "303 See Other"
    sent = server.headers["Location"]
    if location is not None:
        assert sent == location
    # Always a path on this host: no scheme, no "//host", no header splitting.
    assert sent.startswith("/")
    assert not sent.startswith("//")
    assert "\\" not in sent
    assert not any(ch in sent for ch in "\r\n ")
    cookie = server.headers["Set-Cookie"]
    assert f"Path={cookie_path};" in cookie + ";"
    assert ("; Secure" in cookie) is secure


@pytest.mark.parametrize(
    "query",
    [
        f"paste_exc_debug={OTHER}",
        "paste_exc_debug=",
        f"paste_exc_debug={TOKEN[:-1]}",
        f"paste_exc_debug={TOKEN}x",
        f"xpaste_exc_debug={TOKEN}",
        f"a=1&paste_exc_debug={OTHER}&b=2",
        f"paste_exc_debugx={TOKEN}",
    ],
)
def test_a_wrong_token_is_ignored(path: type[ErrorMiddleware], query: str) -> None:
    app = Recording()
    middleware = path(app, debug=True, debug_token=TOKEN)
    server, body = call(middleware, environ(QUERY_STRING=query))
    plain_server, plain_body = call(middleware, environ(QUERY_STRING="a=1"))
    # The application got the request unchanged...
    assert app.seen[0]["QUERY_STRING"] == query
    assert "HTTP_COOKIE" not in app.seen[0]
    # ...and the response is the application's, exactly as for any request.
    assert server.calls == plain_server.calls
    assert body == plain_body == b"from the app"


def test_a_wrong_token_on_a_failing_page_says_nothing_of_tokens(
    path: type[ErrorMiddleware],
) -> None:
    middleware = path(failing, debug=True, debug_token=TOKEN)
    wrong, wrong_body = call(middleware, environ(QUERY_STRING=f"paste_exc_debug={OTHER}"))
    plain, plain_body = call(middleware, environ())
    for server, body in ((wrong, wrong_body), (plain, plain_body)):
        assert server.status.startswith("500")
        assert MESSAGE.encode() not in body
        text = (body.decode() + json.dumps(server.calls[0][1])).lower()
        assert "token" not in text
        assert "paste_exc_debug" not in text
        assert "set-cookie" not in text
    assert [name for name, _ in wrong.calls[0][1]] == [name for name, _ in plain.calls[0][1]]


def test_no_unlocking_with_debug_off(path: type[ErrorMiddleware]) -> None:
    app = Recording()
    middleware = path(app, debug=False, debug_token=TOKEN)
    assert middleware.debug_token is None
    server, body = call(middleware, environ(QUERY_STRING=f"paste_exc_debug={TOKEN}"))
    assert server.status == "200 OK"
    assert body == b"from the app"
    assert app.seen[0]["QUERY_STRING"] == f"paste_exc_debug={TOKEN}"


def test_an_outer_middleware_steps_aside_for_nothing(path: type[ErrorMiddleware]) -> None:
    """paste.throw_errors set (an outer handler answers errors): the request passes on."""
    app = Recording()
    middleware = path(app, debug=True, debug_token=TOKEN)
    env = environ(QUERY_STRING=f"paste_exc_debug={TOKEN}", **{"paste.throw_errors": True})
    server, _ = call(middleware, env)
    assert server.status == "200 OK"
    assert len(app.seen) == 1


def test_a_copy_keeps_the_token_and_unlocks(path: type[ErrorMiddleware]) -> None:
    middleware = path(Recording(), debug=True, debug_token=TOKEN)
    duplicate = copy.copy(middleware)
    assert duplicate.debug_token == TOKEN
    server, _ = call(duplicate, environ(QUERY_STRING=f"paste_exc_debug={TOKEN}"))
    assert server.status == "303 See Other"


def test_unlock_response_reads_only_the_query_string() -> None:
    assert unlock_response({"QUERY_STRING": f"paste_exc_debug={TOKEN}"}, TOKEN) is not None
    assert unlock_response({"PATH_INFO": f"/paste_exc_debug={TOKEN}"}, TOKEN) is None
    assert unlock_response({"HTTP_COOKIE": f"paste_exc_debug={TOKEN}"}, TOKEN) is None
    assert unlock_response({"QUERY_STRING": None}, TOKEN) is None


def test_unlock_urls() -> None:
    assert unlock_suffix(TOKEN) == f"/?paste_exc_debug={TOKEN}"
    assert unlock_suffix(TOKEN, "/shop") == f"/shop/?paste_exc_debug={TOKEN}"
    assert unlock_url("127.0.0.1", 8080, TOKEN) == f"http://127.0.0.1:8080/?paste_exc_debug={TOKEN}"
    assert unlock_url("0.0.0.0", 80, TOKEN).startswith("http://127.0.0.1:80/?")
    assert unlock_url("::1", 81, TOKEN).startswith("http://[::1]:81/?")


# -- telling the developer -----------------------------------------------------


def notices(env: dict[str, Any]) -> list[str]:
    return [line for line in env["wsgi.errors"].getvalue().splitlines() if "withheld" in line]


def test_a_withheld_page_is_logged_with_the_unlock_suffix(
    path: type[ErrorMiddleware], caplog: pytest.LogCaptureFixture, clock: Clock
) -> None:
    caplog.set_level(logging.WARNING, logger="paste_exc")
    middleware = path(failing, debug=True, debug_token=TOKEN)
    first = environ(REMOTE_ADDR="172.17.0.1")
    _, body = call(middleware, first)
    assert MESSAGE.encode() not in body
    assert TOKEN.encode() not in body
    [line] = notices(first)
    assert "debug page was withheld" in line
    assert f"/?paste_exc_debug={TOKEN}" in line
    assert "172.17.0.1" in line
    logged = [r for r in caplog.records if r.name == "paste_exc" and "withheld" in r.getMessage()]
    assert len(logged) == 1
    assert f"?paste_exc_debug={TOKEN}" in logged[0].getMessage()
    # At most once a minute.
    clock.now += 59
    second = environ()
    call(middleware, second)
    assert notices(second) == []
    clock.now += 1
    third = environ(SCRIPT_NAME="/shop")
    call(middleware, third)
    [line] = notices(third)
    assert f"/shop/?paste_exc_debug={TOKEN}" in line
    assert len([r for r in caplog.records if "withheld" in r.getMessage()]) == 2


def test_a_withheld_appended_report_is_logged(path: type[ErrorMiddleware]) -> None:
    middleware = path(streaming, debug=True, debug_token=TOKEN)
    env = environ()
    call(middleware, env)
    assert len(notices(env)) == 1


@pytest.mark.parametrize(
    ("options", "extra"),
    [
        ({"debug": False}, {}),
        ({"debug": True, "debug_token": TOKEN}, {"HTTP_COOKIE": COOKIE}),
        ({"debug": True, "debug_token": TOKEN}, {"REMOTE_ADDR": None}),
    ],
)
def test_nothing_is_logged_when_nothing_is_withheld(
    path: type[ErrorMiddleware], options: dict[str, Any], extra: dict[str, Any]
) -> None:
    env = environ(**extra)
    if extra.get("REMOTE_ADDR", "") is None:
        del env["REMOTE_ADDR"]
    call(path(failing, **options), env)
    assert notices(env) == []


def test_the_notice_survives_a_hostile_remote_addr(path: type[ErrorMiddleware]) -> None:
    env = environ(REMOTE_ADDR="1.2.3.4\r\nforged log line <script>")
    call(path(failing, debug=True, debug_token=TOKEN), env)
    [line] = notices(env)
    assert "\r" not in line
    assert "<script>" not in line


# -- end to end: waitress on 127.0.0.1 -------------------------------------------


def app(environ: dict[str, Any], start_response: Any) -> Any:
    if environ["PATH_INFO"] == "/ok":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"healthy"]
    raise ValueError(MESSAGE)


@pytest.fixture(scope="module")
def waitress_port() -> Iterator[int]:
    """``ErrorMiddleware(app, debug=True)`` under waitress, as the issue measured it."""
    server = StopableWSGIServer.create(ErrorMiddleware(app, debug=True), host="127.0.0.1")
    try:
        yield int(server.adj.port)
    finally:
        server.shutdown()


def get(
    port: int, target: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", target, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Forwarded-For": "8.8.8.8"},
        {"Forwarded": "for=8.8.8.8"},
        {"X-Real-IP": "8.8.8.8"},
        {},
    ],
)
def test_waitress_loopback_client_gets_no_debug_page(
    waitress_port: int, headers: dict[str, str]
) -> None:
    status, _, body = get(waitress_port, "/fail", headers)
    assert status == 500
    assert MESSAGE.encode() not in body
    assert b"Traceback" not in body


def test_waitress_unlock_then_debug_page(waitress_port: int) -> None:
    from paste_exc.respond.token import resolve_debug_token

    token = resolve_debug_token(None).value
    status, headers, _ = get(waitress_port, f"/fail?x=1&paste_exc_debug={token}")
    assert status == 303
    assert headers["Location"] == "/fail?x=1"
    cookie = headers["Set-Cookie"].split(";")[0]
    assert cookie == f"paste_exc_debug={token}"
    # Through a proxy too: the cookie, not the address, is what counts.
    status, _, body = get(
        waitress_port, "/fail?x=1", {"Cookie": cookie, "X-Forwarded-For": "8.8.8.8"}
    )
    assert status == 500
    assert MESSAGE.encode() in body
    status, _, body = get(waitress_port, f"/ok?paste_exc_debug={token}x")
    assert (status, body) == (200, b"healthy")


def test_the_token_reaches_no_report_and_no_page(path: type[ErrorMiddleware]) -> None:
    middleware = path(
        failing,
        debug=True,
        debug_token=TOKEN,
        show_exceptions_in_wsgi_errors=True,
        reporters={"capture": {"backend": "paste_exc.testing:CapturingReporter"}},
    )
    env = environ(HTTP_COOKIE=f"theme=dark; {COOKIE}")
    _, page = call(middleware, env)
    assert MESSAGE.encode() in page  # the debug page, with the request's data
    assert TOKEN.encode() not in page
    assert TOKEN not in env["wsgi.errors"].getvalue()
    [report] = middleware.reporting.reporters["capture"].reports  # type: ignore[attr-defined]
    assert TOKEN not in repr(report.exc_data)


def test_the_notice_throttle_follows_time_monotonic(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [5000.0]
    monkeypatch.setattr(debugaccess, "_withheld", debugaccess._Throttle(60.0))
    monkeypatch.setattr(debugaccess.time, "monotonic", lambda: now[0])
    errors = io.StringIO()
    middleware = ErrorMiddleware(failing, debug=True, debug_token=TOKEN)
    for step in (0, 30, 29.9, 0.1, 10):
        now[0] += step
        call(middleware, environ(**{"wsgi.errors": errors}))
    assert len(notices({"wsgi.errors": errors})) == 2  # at 5000 and at 5060
