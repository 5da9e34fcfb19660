"""The ASGI middleware's options, and its place in Starlette's and FastAPI's stacks.

Every option of the WSGI middleware is taken and validated the same way (a bad
value raises at construction, naming the option); ``app.add_middleware`` puts
it inside Starlette's own ``ServerErrorMiddleware``, which then never sees an
error: ours answers it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from asgi_helpers import TOKEN, drive, websocket_scope
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from paste_exc import ASGIErrorMiddleware, CapturingReporter
from paste_exc.errors import ConfigError


async def bare(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError("not called")


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("debug", "maybe"),
        ("max_page_size", "huge"),
        ("debug_token", "short"),
        ("debug_allow", "not-a-network"),
        ("locals_time_budget", "-1"),
        ("show_locals", "perhaps"),
        ("reporters", {"x": {"backend": "no-such-backend"}}),
        ("colour", "blue"),
    ],
)
def test_a_bad_option_raises_at_construction_naming_it(option: str, value: object) -> None:
    with pytest.raises(ConfigError) as raised:
        ASGIErrorMiddleware(bare, **{option: value})
    assert option in str(raised.value)


def test_the_wsgi_middlewares_options_are_taken_as_ini_strings_too() -> None:
    middleware = ASGIErrorMiddleware(
        bare,
        debug="true",
        debug_token=TOKEN,
        debug_allow="127.0.0.1/32",
        show_locals="false",
        max_page_size="200000",
        xmlhttp_key="xhr",
        error_message="Sorry.",
        report_message="An ASGI error",
        reraise="no",
    )
    settings = middleware.settings
    assert (settings.debug, settings.show_locals, settings.max_page_size) == (True, False, 200000)
    assert (settings.xmlhttp_key, settings.error_message) == ("xhr", "Sorry.")
    assert settings.report_message == "An ASGI error"
    assert middleware.debug_token == TOKEN
    assert middleware.reraise is False
    assert middleware.application is bare


def test_global_conf_falls_back_as_for_wsgi() -> None:
    middleware = ASGIErrorMiddleware(
        bare, global_conf={"debug": "true", "admin_email": "ops@example.com"}
    )
    assert middleware.settings.debug is True
    assert middleware.settings.error_email == ("ops@example.com",)
    with pytest.raises(ConfigError, match="global_conf"):
        ASGIErrorMiddleware(bare, global_conf="debug=true")


def _starlette(capture: CapturingReporter, **options: Any) -> Starlette:
    async def boom(request: Any) -> Any:
        raise LookupError("in a route")

    async def streams(request: Any) -> Any:
        async def chunks() -> Any:
            yield "first line\n"
            raise LookupError("in the stream")

        return StreamingResponse(chunks(), media_type="text/plain")

    async def background(request: Any) -> Any:
        def later() -> None:
            raise LookupError("in a background task")

        return PlainTextResponse("done", background=BackgroundTask(later))

    async def socket(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hello")
        raise LookupError("in a websocket")

    routes = [
        Route("/boom", boom),
        Route("/stream", streams),
        Route("/background", background),
        WebSocketRoute("/ws", socket),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(ASGIErrorMiddleware, reporters={"capture": capture}, **options)
    return app


def _get(app: Any, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    async def run() -> httpx.Response:
        # raise_app_exceptions: an error that escaped to the server would fail the request.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
        async with httpx.AsyncClient(transport=transport, base_url="http://shop.example") as http:
            return await http.get(path, headers=headers or {})

    return asyncio.run(run())


def test_starlette_add_middleware_answers_a_routes_error() -> None:
    capture = CapturingReporter()
    app = _starlette(capture, debug=True, debug_token=TOKEN)
    response = _get(app, "/boom", {"Cookie": f"paste_exc_debug={TOKEN}"})
    assert response.status_code == 500
    assert "in a route" in response.text  # the debug page, to the token's holder
    assert response.headers["x-content-type-options"] == "nosniff"
    safe = _get(app, "/boom")
    assert "in a route" not in safe.text
    assert capture.exception_types == ["LookupError", "LookupError"]


def test_starlette_streaming_error_is_appended_to_the_text_sent() -> None:
    capture = CapturingReporter()
    response = _get(_starlette(capture), "/stream")
    assert response.status_code == 200
    assert response.text.startswith("first line\n")
    assert capture.last.exc_data.identification_code in response.text
    assert "<" not in response.text


def test_starlette_background_task_error_is_reported_only() -> None:
    capture = CapturingReporter()
    response = _get(_starlette(capture), "/background")
    assert (response.status_code, response.text) == (200, "done")
    assert capture.exception_types == ["LookupError"]
    assert "background" in capture.last.exc_data.exception_value


def test_starlette_websocket_error_after_accept_closes_with_1011() -> None:
    capture = CapturingReporter()
    sent = drive(_starlette(capture), websocket_scope(), [{"type": "websocket.connect"}])
    assert [message["type"] for message in sent] == [
        "websocket.accept",
        "websocket.send",
        "websocket.close",
    ]
    assert sent[-1]["code"] == 1011
    assert capture.exception_types == ["LookupError"]


def test_fastapi_add_middleware_answers_with_problem_json() -> None:
    capture = CapturingReporter()
    app = FastAPI()

    @app.get("/items/{item}")
    async def item(item: int) -> dict[str, int]:
        return {"price": {1: 3}[item]}

    app.add_middleware(ASGIErrorMiddleware, debug=True, reporters={"capture": capture})
    assert _get(app, "/items/1").json() == {"price": 3}
    response = _get(app, "/items/2", {"Accept": "application/json"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 500
    assert capture.exception_types == ["KeyError"]
