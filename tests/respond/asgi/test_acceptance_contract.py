"""Acceptance (issue 16): what an error gets by where its connection stands (asgiref).

Black box, with asgiref's ``ApplicationCommunicator``: start-then-fail (the
report appended in the content type already sent, as the WSGI middleware
appends it, and the body closed), fail after the body completed (reported
only), ``reraise``, a websocket failing before and after its accept, lifespan
passed through exactly (its errors not swallowed), a client that went away and
a cancellation (never reported, always propagated), and the body never read by
the middleware.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from asgi_helpers import TOKEN, body, drive, drive_async, http_scope, middleware, start
from asgiref.testing import ApplicationCommunicator

from paste_exc import ASGIErrorMiddleware, CapturingReporter, ErrorMiddleware

MESSAGE = "contract failure 91c2"


def _ids_out(data: bytes) -> bytes:
    data = re.sub(rb"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", b"ID", data)
    data = re.sub(rb"E-[A-Z0-9]{5}", b"CODE", data)
    return re.sub(rb"\d{4}-\d\d-\d\dT[\d:.]+Z", b"TIME", data)


def _wsgi_appended(content_type: str | None) -> bytes:
    """What the WSGI middleware appends to a body of *content_type* failing midway."""

    def app(environ: Any, start_response: Any) -> Iterator[bytes]:
        headers = [("Content-Type", content_type)] if content_type else []
        start_response("200 OK", headers)
        yield b"part1"
        raise RuntimeError(MESSAGE)

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/orders",
        "SERVER_NAME": "shop.example",
        "SERVER_PORT": "80",
        "HTTP_HOST": "shop.example",
        "REMOTE_ADDR": "192.0.2.7",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }
    chunks = list(ErrorMiddleware(app)(environ, lambda *a: None))
    assert chunks[0] == b"part1"
    return b"".join(chunks[1:])


@pytest.mark.parametrize(
    "content_type",
    [
        "text/html; charset=utf-8",
        "text/plain",
        "application/json",
        "text/csv",
        "image/png",
        "application/octet-stream",
        None,
    ],
)
def test_after_the_start_the_report_is_appended_in_the_type_sent_and_the_body_closed(
    content_type: str | None,
) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-type", content_type.encode())] if content_type else []
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send(body(b"part1", more=True))
        raise RuntimeError(MESSAGE)

    mw, capture = middleware(app)
    sent = drive(mw, http_scope(headers=[(b"host", b"shop.example")]))
    assert [m["type"] for m in sent] == ["http.response.start"] + ["http.response.body"] * 2
    assert sent[0]["status"] == 200  # what was sent stays sent
    assert sent[1]["body"] == b"part1"
    assert sent[2]["more_body"] is False  # closed
    assert len(capture.reports) == 1
    assert _ids_out(sent[2]["body"]) == _ids_out(_wsgi_appended(content_type))
    if content_type and content_type.startswith("text/html"):
        assert sent[2]["body"].lstrip().startswith(b"<")
    if content_type in ("image/png", "application/octet-stream"):
        assert sent[2]["body"] == b""  # nothing textual in a binary body


def test_the_appended_report_shows_the_error_only_to_a_debug_client() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send(start(b"text/plain"))
        await send(body(b"rows\n", more=True))
        raise RuntimeError(MESSAGE)

    mw, _ = middleware(app, debug=True, debug_token=TOKEN)
    anonymous = drive(mw, http_scope())
    assert MESSAGE.encode() not in anonymous[-1]["body"]
    cookie = [(b"host", b"x"), (b"cookie", b"paste_exc_debug=" + TOKEN.encode())]
    unlocked = drive(mw, http_scope(headers=cookie))
    assert MESSAGE.encode() in unlocked[-1]["body"]
    assert unlocked[-1]["more_body"] is False


def test_a_start_with_no_body_yet_gets_the_appended_report() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send(start(b"text/plain"))
        raise RuntimeError(MESSAGE)

    mw, capture = middleware(app)
    sent = drive(mw, http_scope())
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[1]["more_body"] is False
    assert b"paste_exc report" in sent[1]["body"]
    assert len(capture.reports) == 1


def test_after_the_body_completed_the_error_is_reported_only(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send(start())
        await send(body(b"done"))
        raise RuntimeError(MESSAGE)

    mw, capture = middleware(app)
    sent = drive(mw, http_scope())
    assert sent == [start(), body(b"done")]
    assert [str(r.exception) for r in capture.reports] == [MESSAGE]
    assert "after the response was sent" in capsys.readouterr().err


def test_by_default_nothing_is_re_raised() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError(MESSAGE)

    mw, _ = middleware(app)
    sent = drive(mw, http_scope())  # drive raises what the application call raised
    assert sent[0]["status"] == 500


@pytest.mark.parametrize("stage", ["before-start", "in-body", "after-complete"])
def test_reraise_answers_first_then_raises_the_same_exception(stage: str) -> None:
    error = RuntimeError(MESSAGE)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if stage != "before-start":
            await send(start(b"text/plain"))
            await send(body(b"x", more=stage == "in-body"))
        raise error

    mw, capture = middleware(app, reraise="true")
    with pytest.raises(RuntimeError) as raised:
        drive(mw, http_scope())
    assert raised.value is error
    sent = drive_async.last_sent  # type: ignore[attr-defined]
    assert sent[-1]["type"] == "http.response.body"
    assert sent[-1]["more_body"] is False
    if stage == "before-start":
        assert sent[0]["status"] == 500
    assert len(capture.reports) == 1


def test_reraise_false_is_taken_as_its_ini_string() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError(MESSAGE)

    mw, _ = middleware(app, reraise="false")
    assert drive(mw, http_scope())[0]["status"] == 500


# -- websockets ------------------------------------------------------------------


def ws_scope() -> dict[str, Any]:
    return {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "path": "/ws",
        "raw_path": b"/ws",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"shop.example")],
        "client": ("192.0.2.7", 5),
        "server": ("shop.example", 80),
        "subprotocols": [],
    }


CONNECT = {"type": "websocket.connect"}


def test_a_websocket_failing_before_accept_is_closed_and_reported() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert await receive() == CONNECT
        raise RuntimeError(MESSAGE)

    mw, capture = middleware(app)
    sent = drive(mw, ws_scope(), [CONNECT])
    assert len(sent) == 1
    assert sent[0]["type"] == "websocket.close"  # the server answers the handshake with 403
    assert [str(r.exception) for r in capture.reports] == [MESSAGE]


def test_a_websocket_failing_after_accept_is_closed_with_1011_and_reported() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": "hello"})
        raise RuntimeError(MESSAGE)

    mw, capture = middleware(app, debug=True, debug_allow="*")
    sent = drive(mw, ws_scope(), [CONNECT])
    assert sent[:2] == [{"type": "websocket.accept"}, {"type": "websocket.send", "text": "hello"}]
    assert sent[2]["type"] == "websocket.close"
    assert sent[2]["code"] == 1011
    assert len(sent) == 3  # no report sent down the socket, debug or not
    assert len(capture.reports) == 1


def test_a_websocket_closed_by_the_app_then_failing_is_only_reported() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": 1000})
        raise RuntimeError(MESSAGE)

    mw, capture = middleware(app)
    sent = drive(mw, ws_scope(), [CONNECT])
    assert sent == [{"type": "websocket.accept"}, {"type": "websocket.close", "code": 1000}]
    assert len(capture.reports) == 1


def test_a_websocket_with_reraise_closes_then_raises() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        raise RuntimeError(MESSAGE)

    mw, capture = middleware(app, reraise=True)
    with pytest.raises(RuntimeError, match=MESSAGE):
        drive(mw, ws_scope(), [CONNECT])
    assert drive_async.last_sent[-1] == {"type": "websocket.close", "code": 1011}  # type: ignore[attr-defined]
    assert len(capture.reports) == 1


def test_a_websocket_disconnect_is_no_error() -> None:
    class Gone(Exception):
        pass

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        message = await receive()
        assert message["type"] == "websocket.disconnect"
        raise Gone

    mw, capture = middleware(app)
    with pytest.raises(Gone):
        drive(mw, ws_scope(), [CONNECT, {"type": "websocket.disconnect", "code": 1001}])
    assert capture.reports == []


# -- lifespan --------------------------------------------------------------------


def test_lifespan_messages_pass_exactly_and_the_scope_is_untouched() -> None:
    seen: list[Any] = []
    scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
    original = dict(scope)

    async def app(s: Any, receive: Any, send: Any) -> None:
        seen.append(s)
        while True:
            message = await receive()
            seen.append(message)
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete", "extra": 1})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return

    mw, capture = middleware(app)

    async def run() -> list[Any]:
        communicator = ApplicationCommunicator(mw, scope)
        await communicator.send_input({"type": "lifespan.startup", "x": "y"})
        first = await communicator.receive_output(5)
        await communicator.send_input({"type": "lifespan.shutdown"})
        second = await communicator.receive_output(5)
        await communicator.wait(5)
        return [first, second]

    out = asyncio.run(run())
    assert out == [
        {"type": "lifespan.startup.complete", "extra": 1},
        {"type": "lifespan.shutdown.complete"},
    ]
    assert seen[0] is scope
    assert scope == original  # nothing added to a lifespan scope
    assert seen[1:] == [{"type": "lifespan.startup", "x": "y"}, {"type": "lifespan.shutdown"}]
    assert capture.reports == []


def test_the_lifespan_callables_are_the_servers_own() -> None:
    got: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        got.extend([receive, send])

    async def receive() -> dict[str, Any]:
        return {"type": "lifespan.startup"}

    async def send(message: Any) -> None:
        pass

    mw, _ = middleware(app)
    asyncio.run(mw({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send))
    assert got == [receive, send]


@pytest.mark.parametrize("error", [RuntimeError("startup failed"), SystemExit(3)])
def test_a_lifespan_error_is_not_swallowed_nor_reported(error: BaseException) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        raise error

    mw, capture = middleware(app)
    with pytest.raises(type(error)):
        drive(mw, {"type": "lifespan", "asgi": {"version": "3.0"}}, [{"type": "lifespan.startup"}])
    assert drive_async.last_sent == []  # type: ignore[attr-defined]
    assert capture.reports == []


# -- disconnects and cancellation ------------------------------------------------


class ClientGone(Exception):
    """What a framework raises after reading ``http.disconnect`` (Starlette's ClientDisconnect)."""


@pytest.mark.parametrize("started", [False, True])
def test_an_error_after_http_disconnect_propagates_unreported(started: bool) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if started:
            await send(start())
        message = await receive()
        assert message["type"] == "http.disconnect"
        raise ClientGone

    mw, capture = middleware(app)
    with pytest.raises(ClientGone):
        drive(mw, http_scope(), [{"type": "http.disconnect"}])
    assert capture.reports == []
    assert [m["type"] for m in drive_async.last_sent] == (
        ["http.response.start"] if started else []
    )  # type: ignore[attr-defined]


def test_a_send_to_a_closed_connection_propagates_unreported() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send(start())

    mw, capture = middleware(app)

    async def closed_send(message: Any) -> None:
        raise OSError("the client closed the connection")

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    with pytest.raises(OSError, match="closed"):
        asyncio.run(mw(http_scope(), receive, closed_send))
    assert capture.reports == []


def test_cancellation_propagates_unreported_and_sends_nothing() -> None:
    entered = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        entered.set()
        await asyncio.sleep(3600)

    mw, capture = middleware(app)
    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(3600)
        raise AssertionError

    async def run() -> None:
        task = asyncio.ensure_future(mw(http_scope(), receive, send))
        await entered.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
    assert sent == []
    assert capture.reports == []


@pytest.mark.parametrize("started", [False, True])
def test_a_cancelled_error_raised_by_the_app_propagates_unreported(started: bool) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if started:
            await send(start())
        raise asyncio.CancelledError

    mw, capture = middleware(app)
    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        raise AssertionError

    # Not through ApplicationCommunicator: its wait() takes a CancelledError as the end.
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(mw(http_scope(), receive, send))
    assert capture.reports == []
    assert len(sent) == int(started)


def test_a_cancellation_while_the_page_renders_propagates() -> None:
    rendering = asyncio.Event()

    class Slow(CapturingReporter):
        def report_exception(self, *args: Any, **kwargs: Any) -> None:
            rendering_loop.call_soon_threadsafe(rendering.set)
            released.wait(10)
            super().report_exception(*args, **kwargs)

    import threading

    released = threading.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError(MESSAGE)

    mw = ASGIErrorMiddleware(app, reporters={"slow": Slow()})
    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        raise AssertionError

    async def run() -> None:
        global rendering_loop
        rendering_loop = asyncio.get_running_loop()
        task = asyncio.ensure_future(mw(http_scope(), receive, send))
        await rendering.wait()
        task.cancel()
        try:
            with pytest.raises(asyncio.CancelledError):
                await task
        finally:
            released.set()

    asyncio.run(run())
    assert sent == []


rendering_loop: asyncio.AbstractEventLoop


# -- the body is the application's ----------------------------------------------


def test_the_middleware_never_calls_receive_and_the_app_gets_every_body_message() -> None:
    chunks = [
        {"type": "http.request", "body": b"a" * 10, "more_body": True},
        {"type": "http.request", "body": b"b" * 10, "more_body": True},
        {"type": "http.request", "body": b"c", "more_body": False},
    ]
    calls: list[str] = []

    async def receive() -> dict[str, Any]:
        calls.append("receive")
        return chunks[calls.count("receive") - 1]

    got: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        calls.append("app")
        for _ in range(3):
            got.append(await receive())
        raise RuntimeError(MESSAGE)

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    mw, _ = middleware(app, debug=True, debug_allow="*")
    asyncio.run(mw(http_scope(method="POST"), receive, send))
    assert calls == ["app", "receive", "receive", "receive"]
    assert got == chunks
    assert sent[0]["status"] == 500


@pytest.mark.parametrize(
    "query", [b"", b"paste_exc_debug=" + b"w" * 32, b"paste_exc_debug=" + TOKEN.encode()]
)
def test_no_receive_when_the_app_never_reads(query: bytes) -> None:
    async def receive() -> dict[str, Any]:
        raise AssertionError("the middleware read the body")

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError(MESSAGE)

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    mw, capture = middleware(app, debug=True, debug_token=TOKEN)
    asyncio.run(mw(http_scope(method="POST", query_string=query), receive, send))
    assert sent[0]["status"] in (303, 500)
    assert all(str(r.exception) == MESSAGE for r in capture.reports)


@pytest.mark.parametrize("error", [FileNotFoundError("config.yml"), ConnectionRefusedError("db")])
def test_an_oserror_of_the_app_is_an_error_not_a_disconnect(error: OSError) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise error

    mw, capture = middleware(app)
    sent = drive(mw, http_scope())
    assert sent[0]["status"] == 500
    assert [r.exception for r in capture.reports] == [error]


def test_an_error_message_is_the_safe_pages_as_over_wsgi() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError(MESSAGE)

    custom = "Our shop is resting; try again soon."
    mw, _ = middleware(app, error_message=custom)
    page = drive(mw, http_scope())[1]["body"]
    assert custom.encode() in page
    assert MESSAGE.encode() not in page
