"""The event loop is not held: a slow debug page or a slow reporter runs in a thread.

Each test keeps one failing request's heavy step (rendering its debug page,
a synchronous reporter) waiting until a healthy request on the same loop has
been answered; the assertion is the order of the two, never a duration. Were
the step run on the loop, the healthy request could not be served until the
step gave up waiting, and the order would be the other one.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest

from paste_exc import ASGIErrorMiddleware, ExceptionReporter
from paste_exc.respond import responder

#: How long a blocked step waits before giving up (only reached when the test fails).
GIVE_UP = 10.0


async def app(scope: Any, receive: Any, send: Any) -> None:
    if scope["path"] == "/fail":
        local_value = "seen on the debug page"
        raise ValueError(local_value)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"healthy"})


class Gate:
    """A step that waits for the healthy request, and the order things happened in."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.healthy_done = threading.Event()
        self.order: list[str] = []

    def hold(self) -> None:
        self.started.set()
        self.healthy_done.wait(GIVE_UP)
        self.order.append("slow step finished")

    def healthy(self) -> None:
        self.order.append("healthy request answered")
        self.healthy_done.set()


async def serve_during(middleware: ASGIErrorMiddleware, gate: Gate) -> httpx.Response:
    """Start the failing request; once its slow step started, serve a healthy request."""
    transport = httpx.ASGITransport(app=middleware)
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.example") as client:
        failing = asyncio.create_task(client.get("/fail"))
        assert await asyncio.to_thread(gate.started.wait, GIVE_UP)
        healthy = await client.get("/healthy")
        assert healthy.text == "healthy"
        gate.healthy()
        return await failing


def test_a_slow_debug_page_does_not_hold_the_loop(monkeypatch: Any) -> None:
    gate = Gate()
    render = responder.render_debug_page

    def slow_render(*args: Any, **kwargs: Any) -> Any:
        gate.hold()
        return render(*args, **kwargs)

    monkeypatch.setattr(responder, "render_debug_page", slow_render)
    middleware = ASGIErrorMiddleware(app, debug=True, debug_allow="*")

    response = asyncio.run(serve_during(middleware, gate))
    assert gate.order == ["healthy request answered", "slow step finished"]
    assert response.status_code == 500
    assert "seen on the debug page" in response.text


class SlowReporter(ExceptionReporter):
    """A synchronous reporter (an SMTP server far away, say)."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        self.reported: list[str] = []

    def report_exception(
        self, ctx: Any, exception: BaseException, message: str, extra: Any
    ) -> None:
        self.gate.hold()
        self.reported.append(type(exception).__name__)


def test_a_slow_synchronous_reporter_does_not_hold_the_loop() -> None:
    gate = Gate()
    reporter = SlowReporter(gate)
    middleware = ASGIErrorMiddleware(app, reporters={"slow": reporter})

    response = asyncio.run(serve_during(middleware, gate))
    assert gate.order == ["healthy request answered", "slow step finished"]
    assert response.status_code == 500
    assert reporter.reported == ["ValueError"]


def test_outside_asyncio_the_heavy_steps_run_in_place() -> None:
    """Under another event loop (trio, with hypercorn's trio worker) there is no thread hop
    of asyncio's to make: the middleware's coroutine, driven by hand here, still answers."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    middleware = ASGIErrorMiddleware(app, debug=True, debug_allow="*")
    scope = {"type": "http", "method": "GET", "path": "/fail", "query_string": b"", "headers": []}
    coroutine = middleware(scope, receive, send)
    with pytest.raises(StopIteration):
        coroutine.send(None)  # no asyncio loop runs: nothing to wait for
    assert sent[0]["status"] == 500
    assert b"seen on the debug page" in sent[1]["body"]
