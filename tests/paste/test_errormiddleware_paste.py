"""Paste's own expectations, restated: paste.lint inside, paste.fixture outside."""

from __future__ import annotations

import html
import inspect
import re
from typing import Any

from paste import lint
from paste.fixture import TestApp

from paste_exc.errormiddleware import ErrorMiddleware


def page_text(body: str) -> str:
    return html.unescape(re.sub(r"<.*?>", "", body, flags=re.S))


def run(app: Any) -> Any:
    middleware = ErrorMiddleware(lint.middleware(app), {}, debug=True)

    def outside(environ: dict[str, Any], start_response: Any) -> Any:
        environ["paste.throw_errors"] = False  # paste.fixture sets it
        return middleware(environ, start_response)

    return TestApp(outside).get("/", expect_errors=True)


def no_arguments() -> None:
    """Not a WSGI application at all."""


def raises_value_error(environ: dict[str, Any], start_response: Any) -> Any:
    raise ValueError("plain failure")


def streams_then_fails(environ: dict[str, Any], start_response: Any) -> Any:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return numbered_chunks()


def numbered_chunks() -> Any:
    yield b"one "
    yield b"two "
    raise ValueError("chunk three is missing")


def test_wrong_signature_shows_lint_frame_and_ours() -> None:
    response = run(no_arguments)
    assert "<html" in response.body.decode()
    text = page_text(response.body.decode())
    assert "no_arguments() takes 0 positional arguments but 2 were given" in text
    assert "iterator = application(environ, start_response_wrapper)" in text
    assert "paste.lint" in text
    assert "paste_exc.errormiddleware" in text


def test_frame_heading_names_module_line_and_function() -> None:
    response = run(raises_value_error)
    text = page_text(response.body.decode())
    raise_line = inspect.getsourcelines(raises_value_error)[1] + 1
    assert "ValueError: plain failure" in text
    assert f"{__name__}:{raise_line} in raises_value_error" in text


def test_streamed_failure_appended_to_plain_text_body() -> None:
    response = run(streams_then_fails)
    body = response.body.decode()
    assert body.startswith("one two ")
    assert "chunk three is missing" in body
    assert "numbered_chunks" in body
