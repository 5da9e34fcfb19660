"""Scopes, a communicator run and small ASGI apps for the ASGI middleware's tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from asgiref.testing import ApplicationCommunicator

from paste_exc import ASGIErrorMiddleware, CapturingReporter

Message = dict[str, Any]
App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
TOKEN = "asgi-test-token-0123456789abcdef"


def http_scope(path: str = "/orders", **extra: Any) -> dict[str, Any]:
    """An http scope as uvicorn makes one (a client on the network, HTML wanted)."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"shop.example"), (b"accept", b"text/html")],
        "client": ("192.0.2.7", 50123),
        "server": ("shop.example", 80),
    }
    scope.update(extra)
    return scope


def websocket_scope(**extra: Any) -> dict[str, Any]:
    scope = http_scope("/ws", **extra)
    scope["type"] = "websocket"
    scope["scheme"] = "ws"
    del scope["method"]
    scope["subprotocols"] = []
    return scope


def middleware(app: App, **options: Any) -> tuple[ASGIErrorMiddleware, CapturingReporter]:
    """*app* wrapped, reporting to a capturing reporter only."""
    capture = CapturingReporter()
    options.setdefault("reporters", {"capture": capture})
    return ASGIErrorMiddleware(app, **options), capture


async def drive_async(
    app: Any, scope: dict[str, Any], inputs: Iterable[Message] = ()
) -> list[Message]:
    """Run *app* on *scope* to its end (its exception raised) and return what it sent."""
    communicator = ApplicationCommunicator(app, scope)
    for message in inputs:
        await communicator.send_input(message)
    try:
        await communicator.wait(timeout=20)
    finally:
        sent = []
        while not communicator.output_queue.empty():
            sent.append(communicator.output_queue.get_nowait())
        drive_async.last_sent = sent  # type: ignore[attr-defined]
    return sent


def drive(app: Any, scope: dict[str, Any], inputs: Iterable[Message] = ()) -> list[Message]:
    return asyncio.run(drive_async(app, scope, inputs))


def start(content_type: bytes = b"text/html; charset=utf-8", *more: tuple[bytes, bytes]) -> Message:
    return {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"content-type", content_type), *more],
    }


def body(data: bytes, more: bool = False) -> Message:
    return {"type": "http.response.body", "body": data, "more_body": more}


def headers_of(message: Message) -> dict[str, str]:
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in message["headers"]}
