"""Acceptance (issue 16): the scope, the request data, the reporters' ctx and the event loop.

Black box: nothing of the configuration reaches the scope or a report (every
key the middleware adds, its ``repr``/``str``/``pickle``/``deepcopy``; the
debug page's frames and their locals, the text and JSON reports); the
request data comes from the scope (method, URL with the ``root_path``,
headers, query, client, scheme); ``report_exception(scope, ...)`` and the
extras providers get the scope as ``ctx``; and while one request's report is
being made, another request on the same loop is answered.
"""

from __future__ import annotations

import asyncio
import copy
import json
import pickle
import threading
from typing import Any

import httpx
import pytest
from asgi_helpers import TOKEN, drive, http_scope

from paste_exc import (
    ASGIErrorMiddleware,
    CapturingReporter,
    ExceptionReporter,
    ExtrasProvider,
    format_text,
    report_exception,
)
from paste_exc.respond import responder

MESSAGE = "scope failure 3b7e"

# Built at run time, so that no source line shown on a page holds them.
EMAIL = "-".join(["ops", "team"]) + "@" + "corp.example"
SMTP_USER = "smtp" + "-" + "robot"
SMTP_PASSWORD = "pw" + "-" + "9f8e7d"
SECRET_TOKEN = "tok" + "-" + "0a1b2c3d4e5f6a7b8c9d"
LOG_NAME = "errors" + "-" + "4d2c" + ".log"


def secrets_of(tmp_path: Any) -> list[str]:
    return [EMAIL, SMTP_USER, SMTP_PASSWORD, SECRET_TOKEN, LOG_NAME, str(tmp_path)]


def configured(
    app: Any, tmp_path: Any, **more: Any
) -> tuple[ASGIErrorMiddleware, CapturingReporter]:
    capture = CapturingReporter()
    middleware = ASGIErrorMiddleware(
        app,
        debug=True,
        debug_token=SECRET_TOKEN,
        error_email=EMAIL,
        smtp_server="127.0.0.1:9",  # a closed port: the email fails fast
        smtp_username=SMTP_USER,
        smtp_password=SMTP_PASSWORD,
        error_log=str(tmp_path / LOG_NAME),
        reporters={"capture": capture},
        **more,
    )
    return middleware, capture


def unlocked_scope(**extra: Any) -> dict[str, Any]:
    cookie = b"paste_exc_debug=" + SECRET_TOKEN.encode()
    headers = [(b"host", b"shop.example"), (b"accept", b"text/html"), (b"cookie", cookie)]
    return http_scope(headers=headers, **extra)


async def failing(scope: Any, receive: Any, send: Any) -> None:
    local_scope = scope  # a frame's local holding the scope, as every framework has
    raise RuntimeError(MESSAGE + str(len(local_scope)))


def test_the_only_key_added_to_the_scope_shows_nothing(tmp_path: Any) -> None:
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.update(scope)
        raise RuntimeError(MESSAGE)

    middleware, _ = configured(app, tmp_path, debug_allow="*")
    scope = http_scope()  # no cookie: the token is nowhere in what the client sent
    before = set(scope)
    drive(middleware, scope)
    added = {key: seen[key] for key in set(seen) - before}
    assert set(added) <= {"paste_exc.reporting"}
    for key, value in {**added, "whole scope": seen}.items():
        for text in (repr(value), str(value), json.dumps(value, default=repr)):
            for secret in secrets_of(tmp_path):
                assert secret not in text, (key, secret)
        assert copy.deepcopy(value) == value or key != "whole scope"
    for value in added.values():
        assert copy.deepcopy(value) is value
        assert copy.copy(value) is value
        try:
            pickled = pickle.dumps(value)
        except (TypeError, pickle.PicklingError):
            continue  # refusing to be pickled is fine; carrying the configuration is not
        for secret in secrets_of(tmp_path):
            assert secret.encode() not in pickled


@pytest.mark.parametrize("hidden", [False, True], ids=["frames", "hidden-frames-too"])
def test_the_debug_page_and_reports_show_no_configuration(tmp_path: Any, hidden: bool) -> None:
    middleware, capture = configured(failing, tmp_path, show_hidden_frames=hidden)
    sent = drive(middleware, unlocked_scope())
    page = sent[1]["body"].decode()
    assert MESSAGE in page  # the debug page, with the locals
    assert "local_scope" in page
    collected = capture.reports[0].exc_data
    documents = {
        "page": page,
        "text": format_text(collected, show_hidden_frames=True),
        "json": json.dumps(collected.as_json_dict(), default=repr),
        "log": (tmp_path / LOG_NAME).read_text(),
    }
    for name, document in documents.items():
        for secret in [*secrets_of(tmp_path)[:4], LOG_NAME]:
            assert secret not in document, (name, secret)


def test_the_request_data_comes_from_the_scope() -> None:
    capture = CapturingReporter()
    middleware = ASGIErrorMiddleware(failing, reporters={"c": capture})
    scope = http_scope(
        "/shop/orders/7",
        method="PATCH",
        scheme="https",
        root_path="/shop",
        query_string=b"page=2&q=a%20b",
        headers=[(b"host", b"shop.example:8443"), (b"user-agent", b"Agent/1"), (b"x-k", b"v")],
        client=("2001:db8::7", 61000),
    )
    drive(middleware, scope)
    report = capture.reports[0].exc_data.as_json_dict()
    assert report["request_method"] == "PATCH"
    assert report["request_url"] == "https://shop.example:8443/shop/orders/7?page=2&q=a%20b"
    sections = {section["title"]: section["values"][0] for section in report["extra_data"]}
    cgi = sections["CGI Variables"]
    assert cgi["SCRIPT_NAME"] == "/shop"
    assert cgi["PATH_INFO"] == "/orders/7"
    assert cgi["REMOTE_ADDR"] == "2001:db8::7"
    assert cgi["HTTP_USER_AGENT"] == "Agent/1"
    assert cgi["HTTP_X_K"] == "v"
    assert cgi["HTTPS"] == "on"
    assert sections["Query Parameters"] == {"page": "2", "q": "a b"}


def test_the_root_path_is_in_the_url_when_the_server_leaves_it_out_of_path() -> None:
    capture = CapturingReporter()
    middleware = ASGIErrorMiddleware(failing, reporters={"c": capture})
    drive(middleware, http_scope("/orders", root_path="/shop"))
    assert capture.reports[0].exc_data.request_url == "http://shop.example/shop/orders"


def test_a_websocket_report_names_its_ws_url() -> None:
    capture = CapturingReporter()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError(MESSAGE)

    middleware = ASGIErrorMiddleware(app, reporters={"c": capture})
    scope = http_scope("/live", scheme="wss", type="websocket")
    del scope["method"]
    drive(middleware, scope, [{"type": "websocket.connect"}])
    assert capture.reports[0].exc_data.request_url == "wss://shop.example/live"
    assert capture.reports[0].exc_data.request_method == "GET"


class Recorder(ExceptionReporter):
    def __init__(self) -> None:
        self.calls: list[tuple[Any, BaseException, str, dict[str, object]]] = []

    def report_exception(
        self, ctx: Any, exception: BaseException, message: str, extra: dict[str, object]
    ) -> None:
        self.calls.append((ctx, exception, message, extra))


class ScopeProvider(ExtrasProvider):
    def __init__(self) -> None:
        self.contexts: list[Any] = []

    def get_extras(self, ctx: Any, reporter: ExceptionReporter) -> dict[str, object] | None:
        self.contexts.append(ctx)
        return {"path": ctx["path"]}


def test_reporters_and_extras_providers_get_the_scope_as_ctx() -> None:
    recorder, provider = Recorder(), ScopeProvider()
    middleware = ASGIErrorMiddleware(
        failing, reporters={"r": recorder}, extras_providers=[provider]
    )
    scope = http_scope()
    drive(middleware, scope)
    assert [call[0] for call in recorder.calls] == [scope]
    assert recorder.calls[0][0] is scope
    assert provider.contexts == [scope]
    assert provider.contexts[0] is scope
    assert recorder.calls[0][3] == {"path": "/orders"}


def test_report_exception_with_the_scope_reaches_the_middlewares_reporters() -> None:
    recorder, provider = Recorder(), ScopeProvider()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        try:
            raise KeyError("handled by the app")
        except KeyError:
            report_exception(scope, "the app handled it", logger=False)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    middleware = ASGIErrorMiddleware(app, reporters={"r": recorder}, extras_providers=[provider])
    scope = http_scope("/shop/x", root_path="/shop")
    sent = drive(middleware, scope)
    assert sent[0]["status"] == 200
    assert len(recorder.calls) == 1
    ctx, exception, message, extra = recorder.calls[0]
    assert ctx is scope
    assert isinstance(exception, KeyError)
    assert message == "the app handled it"
    assert provider.contexts[0] is scope
    assert extra == {"path": "/shop/x"}


# -- the event loop ------------------------------------------------------------------


def _serve_both(middleware: Any, release: threading.Event) -> tuple[httpx.Response, httpx.Response]:
    """A failing request and, while its report is made, a healthy one; both answered."""

    async def run() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=middleware, client=("192.0.2.7", 5))
        async with httpx.AsyncClient(transport=transport, base_url="http://t.example") as http:
            failing_request = asyncio.ensure_future(
                http.get("/boom", headers={"accept": "text/html"})
            )
            await asyncio.sleep(0)
            healthy = await asyncio.wait_for(http.get("/fine"), 30)
            release.set()  # only a loop left free could have answered the healthy request
            return await asyncio.wait_for(failing_request, 30), healthy

    try:
        return asyncio.run(run())
    finally:
        release.set()


async def mixed(scope: Any, receive: Any, send: Any) -> None:
    if scope["path"] == "/fine":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"fine"})
        return
    raise RuntimeError(MESSAGE)


def test_a_synchronous_reporter_does_not_hold_the_loop() -> None:
    release, entered = threading.Event(), threading.Event()

    class Blocking(ExceptionReporter):
        def report_exception(self, *args: Any) -> None:
            entered.set()
            assert release.wait(30), "the healthy request was never served"

    middleware = ASGIErrorMiddleware(mixed, reporters={"b": Blocking()})
    failed, healthy = _serve_both(middleware, release)
    assert (healthy.status_code, healthy.text) == (200, "fine")
    assert failed.status_code == 500
    assert entered.is_set()


def test_rendering_a_debug_page_does_not_hold_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    real = responder.render_debug_page

    def slow_render(*args: Any, **kwargs: Any) -> Any:
        assert release.wait(30), "the healthy request was never served"
        return real(*args, **kwargs)

    monkeypatch.setattr(responder, "render_debug_page", slow_render)
    middleware = ASGIErrorMiddleware(mixed, debug=True, debug_token=TOKEN, debug_allow="*")
    failed, healthy = _serve_both(middleware, release)
    assert (healthy.status_code, healthy.text) == (200, "fine")
    assert failed.status_code == 500
    assert MESSAGE in failed.text


def test_concurrent_failing_and_healthy_requests_each_get_their_own_answer() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        number = scope["path"].rsplit("/", 1)[1]
        if scope["path"].startswith("/fine/"):
            await asyncio.sleep(0)
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": number.encode()})
            return
        await asyncio.sleep(0)
        raise RuntimeError(f"failure number {number}.")

    capture = CapturingReporter()
    middleware = ASGIErrorMiddleware(app, debug=True, debug_allow="*", reporters={"c": capture})

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=middleware, client=("192.0.2.7", 5))
        async with httpx.AsyncClient(transport=transport, base_url="http://t.example") as http:
            requests = [
                http.get(f"/{kind}/{n}", headers={"accept": "text/plain"})
                for n in range(20)
                for kind in ("boom", "fine")
            ]
            return await asyncio.gather(*requests)

    responses = asyncio.run(run())
    for n in range(20):
        failed, healthy = responses[2 * n], responses[2 * n + 1]
        assert (healthy.status_code, healthy.text) == (200, str(n))
        assert failed.status_code == 500
        assert f"failure number {n}." in failed.text
        others = [m for m in range(20) if m != n]
        assert not any(f"failure number {m}." in failed.text for m in others)
    assert sorted(str(r.exception) for r in capture.reports) == sorted(
        f"failure number {n}." for n in range(20)
    )


def test_flood_control_holds_back_repeats_as_over_wsgi() -> None:
    """The reporters are the WSGI middleware's: one line per bug and window, over ASGI too."""
    import io

    from paste_exc import ErrorMiddleware, JSONLinesReporter

    def count_lines(run: Any) -> int:
        stream = io.StringIO()
        reporter = JSONLinesReporter(stream=stream, flood_window=600)
        run(reporter)
        return len([line for line in stream.getvalue().splitlines() if line.strip()])

    def over_asgi(reporter: Any) -> None:
        middleware = ASGIErrorMiddleware(failing_same, reporters={"j": reporter})
        for _ in range(5):
            assert drive(middleware, http_scope())[0]["status"] == 500

    def over_wsgi(reporter: Any) -> None:
        middleware = ErrorMiddleware(failing_same_wsgi, reporters={"j": reporter})
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "wsgi.errors": io.StringIO()}
        for _ in range(5):
            list(middleware(dict(environ), lambda *a: None))

    assert count_lines(over_asgi) == count_lines(over_wsgi) == 1


async def failing_same(scope: Any, receive: Any, send: Any) -> None:
    raise RuntimeError(MESSAGE)


def failing_same_wsgi(environ: Any, start_response: Any) -> list[bytes]:
    raise RuntimeError(MESSAGE)
