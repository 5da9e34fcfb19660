"""The ASGI contract, message by message, with asgiref's ApplicationCommunicator.

Where the response stands decides the answer: the 500 before the start, the
report appended while the body is open, a report only once the body is
complete; a websocket is closed (403 before the accept, 1011 after); lifespan
passes untouched; a client gone and a cancellation are no errors.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgi_helpers import (
    Message,
    body,
    drive,
    drive_async,
    headers_of,
    http_scope,
    middleware,
    start,
    websocket_scope,
)

from paste_exc.errors import ConfigError


class Boom(Exception):
    pass


async def fails_before_start(scope: Any, receive: Any, send: Any) -> None:
    raise Boom("before the start")


def test_an_error_before_the_start_gets_the_500_and_a_report() -> None:
    app, capture = middleware(fails_before_start)
    sent = drive(app, http_scope())
    assert [message["type"] for message in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 500
    headers = headers_of(sent[0])
    assert headers["content-type"].startswith("text/html")
    assert headers["x-content-type-options"] == "nosniff"
    assert int(headers["content-length"]) == len(sent[1]["body"])
    assert sent[1]["more_body"] is False
    assert b"Internal Server Error" in sent[1]["body"]
    assert capture.exception_types == ["Boom"]
    assert capture.last.message == "Exception while handling an ASGI request"


async def starts_then_fails(scope: Any, receive: Any, send: Any) -> None:
    await send(start(b"text/plain; charset=utf-8"))
    raise Boom("after the start")


def test_start_then_fail_appends_the_report_in_the_type_sent_and_closes_the_body() -> None:
    app, capture = middleware(starts_then_fails)
    sent = drive(app, http_scope())
    assert [message["type"] for message in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 200  # already sent: the status cannot change
    assert sent[1]["more_body"] is False
    appended = sent[1]["body"].decode()
    assert "<" not in appended  # plain text, as the body sent
    assert capture.last.exc_data.identification_code in appended
    assert capture.exception_types == ["Boom"]


async def fails_in_the_body(scope: Any, receive: Any, send: Any) -> None:
    await send(start())
    await send(body(b"<html><body><p>first part</p>", more=True))
    raise Boom("in the body")


def test_fail_in_body_appends_an_html_block_and_closes_the_body() -> None:
    app, capture = middleware(fails_in_the_body)
    sent = drive(app, http_scope())
    assert [message.get("more_body") for message in sent] == [None, True, False]
    appended = sent[2]["body"].decode()
    assert 'class="pe-appended"' in appended
    assert capture.last.exc_data.identification_code in appended
    assert capture.exception_types == ["Boom"]


async def declares_its_length_then_fails(scope: Any, receive: Any, send: Any) -> None:
    await send(start(b"text/html", (b"content-length", b"100")))
    await send(body(b"x" * 10, more=True))
    raise Boom("a body of declared length")


def test_a_body_of_declared_length_gets_nothing_more_and_is_reported() -> None:
    """One byte past Content-Length would corrupt the connection: the server ends it short."""
    app, capture = middleware(declares_its_length_then_fails)
    sent = drive(app, http_scope())
    assert [message.get("more_body") for message in sent] == [None, True]
    assert capture.exception_types == ["Boom"]


async def fails_in_a_gzip_body(scope: Any, receive: Any, send: Any) -> None:
    await send(start(b"text/html", (b"content-encoding", b"gzip")))
    await send(body(b"\x1f\x8b compressed", more=True))
    raise Boom("in an encoded body")


def test_an_encoded_body_is_closed_with_nothing_appended_and_is_reported() -> None:
    """Text after a gzip stream would corrupt it: the body just ends."""
    app, capture = middleware(fails_in_a_gzip_body)
    sent = drive(app, http_scope())
    assert sent[-1] == body(b"")
    assert [message.get("more_body") for message in sent] == [None, True, False]
    assert capture.exception_types == ["Boom"]


async def fails_after_complete(scope: Any, receive: Any, send: Any) -> None:
    await send(start())
    await send(body(b"<p>done</p>"))
    raise Boom("in a background task")


def test_fail_after_complete_is_reported_only(capsys: pytest.CaptureFixture[str]) -> None:
    app, capture = middleware(fails_after_complete)
    sent = drive(app, http_scope())
    assert sent == [start(), body(b"<p>done</p>")]
    assert capture.exception_types == ["Boom"]
    assert "after the response was sent" in capsys.readouterr().err


def test_a_disconnect_after_the_response_does_not_hide_a_later_error() -> None:
    """The exchange's normal end is no client gone: a background task's error is reported."""

    async def app_(scope: Any, receive: Any, send: Any) -> None:
        await send(start())
        await send(body(b"<p>done</p>"))
        assert (await receive())["type"] == "http.disconnect"
        raise Boom("in a background task, after the client left")

    app, capture = middleware(app_)
    sent = drive(app, http_scope(), [{"type": "http.disconnect"}])
    assert sent == [start(), body(b"<p>done</p>")]
    assert capture.exception_types == ["Boom"]


def test_reraise_answers_then_raises() -> None:
    app, capture = middleware(fails_before_start, reraise="true")
    with pytest.raises(Boom):
        drive(app, http_scope())
    sent = drive_async.last_sent  # type: ignore[attr-defined]
    assert sent[0]["status"] == 500
    assert capture.exception_types == ["Boom"]


def test_reraise_is_validated_by_name() -> None:
    with pytest.raises(ConfigError, match="reraise"):
        middleware(fails_before_start, reraise="sometimes")


# -- websocket -------------------------------------------------------------------


async def ws_fails_before_accept(scope: Any, receive: Any, send: Any) -> None:
    assert (await receive())["type"] == "websocket.connect"
    raise Boom("before the accept")


async def ws_fails_after_accept(scope: Any, receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": "hello"})
    raise Boom("after the accept")


def test_websocket_error_before_accept_closes_the_handshake_and_reports() -> None:
    app, capture = middleware(ws_fails_before_accept)
    sent = drive(app, websocket_scope(), [{"type": "websocket.connect"}])
    assert sent == [{"type": "websocket.close"}]  # the server answers the handshake with 403
    assert capture.exception_types == ["Boom"]


def test_websocket_error_after_accept_closes_with_1011_and_reports() -> None:
    app, capture = middleware(ws_fails_after_accept)
    sent = drive(app, websocket_scope(), [{"type": "websocket.connect"}])
    assert sent[-1] == {"type": "websocket.close", "code": 1011}
    assert [message["type"] for message in sent[:2]] == ["websocket.accept", "websocket.send"]
    assert capture.exception_types == ["Boom"]


def test_websocket_disconnect_is_no_error() -> None:
    async def app_(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        await receive()  # the client goes
        raise ConnectionError("the socket went away")

    app, capture = middleware(app_)
    inputs = [{"type": "websocket.connect"}, {"type": "websocket.disconnect", "code": 1001}]
    with pytest.raises(ConnectionError):
        drive(app, websocket_scope(), inputs)
    assert drive_async.last_sent == [{"type": "websocket.accept"}]  # type: ignore[attr-defined]
    assert capture.reports == []


# -- lifespan -------------------------------------------------------------------


def test_lifespan_passes_through_untouched() -> None:
    seen: list[Any] = []

    async def app_(scope: Any, receive: Any, send: Any) -> None:
        seen.extend([scope, receive, send])
        assert (await receive())["type"] == "lifespan.startup"
        await send({"type": "lifespan.startup.failed", "message": "no database"})
        raise Boom("startup")

    app, capture = middleware(app_)
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}

    async def run() -> None:
        receive = asyncio.Queue[Message]()
        await receive.put({"type": "lifespan.startup"})
        sent: list[Message] = []

        async def send(message: Message) -> None:
            sent.append(message)

        with pytest.raises(Boom):  # the server's to handle, as without the middleware
            await app(scope, receive.get, send)
        assert seen == [scope, receive.get, send]  # the very objects
        assert sent == [{"type": "lifespan.startup.failed", "message": "no database"}]

    asyncio.run(run())
    assert scope == {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    assert capture.reports == []


# -- a client gone, a cancellation ------------------------------------------------


def test_an_error_after_http_disconnect_propagates_unreported() -> None:
    async def app_(scope: Any, receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "http.disconnect"
        raise Boom("the client went away")

    app, capture = middleware(app_)
    with pytest.raises(Boom):
        drive(app, http_scope(), [{"type": "http.disconnect"}])
    assert drive_async.last_sent == []  # type: ignore[attr-defined]
    assert capture.reports == []


def test_a_send_failing_for_a_client_gone_propagates_unreported() -> None:
    class ClientDisconnected(OSError):
        """What uvicorn raises from send() on a closed connection."""

    async def app_(scope: Any, receive: Any, send: Any) -> None:
        await send(start())
        await send(body(b"part", more=True))  # the server refuses: the client is gone

    app, capture = middleware(app_)

    async def run() -> None:
        calls: list[Message] = []

        async def send(message: Message) -> None:
            calls.append(message)
            if message["type"] == "http.response.body":
                raise ClientDisconnected

        async def receive() -> Message:
            raise AssertionError("the body is never read")

        with pytest.raises(ClientDisconnected):
            await app(http_scope(), receive, send)
        assert [message["type"] for message in calls] == [
            "http.response.start",
            "http.response.body",
        ]

    asyncio.run(run())
    assert capture.reports == []


def test_cancellation_propagates_unreported() -> None:
    started = asyncio.Event

    async def run() -> None:
        ready = started()

        async def app_(scope: Any, receive: Any, send: Any) -> None:
            ready.set()
            await asyncio.sleep(3600)

        app, capture = middleware(app_)

        async def receive() -> Message:
            return {"type": "http.request", "body": b""}

        async def send(message: Message) -> None:
            raise AssertionError(f"nothing is sent: {message}")

        task = asyncio.create_task(app(http_scope(), receive, send))
        await ready.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert capture.reports == []

    asyncio.run(run())


def test_a_cancelled_error_raised_by_the_app_propagates_unreported() -> None:
    async def app_(scope: Any, receive: Any, send: Any) -> None:
        raise asyncio.CancelledError

    app, capture = middleware(app_)

    async def run() -> None:
        async def send(message: Message) -> None:
            raise AssertionError(f"nothing is sent: {message}")

        with pytest.raises(asyncio.CancelledError):
            await app(http_scope(), None, send)

    asyncio.run(run())
    assert capture.reports == []


def test_the_body_is_never_read() -> None:
    async def app_(scope: Any, receive: Any, send: Any) -> None:
        raise Boom("without reading the body")

    app, capture = middleware(app_, debug=True, debug_allow="*")

    async def run() -> list[Message]:
        sent: list[Message] = []

        async def receive() -> Message:
            raise AssertionError("the middleware read the body")

        async def send(message: Message) -> None:
            sent.append(message)

        scope = http_scope(method="POST")
        scope["headers"] += [(b"content-type", b"text/plain"), (b"content-length", b"4")]
        await app(scope, receive, send)
        return sent

    sent = asyncio.run(run())
    assert sent[0]["status"] == 500
    assert capture.exception_types == ["Boom"]
