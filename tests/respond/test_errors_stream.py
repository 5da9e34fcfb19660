"""What the middleware writes to wsgi.errors is flushed: a buffered stream must not hold it.

uWSGI hands the application its ``sys.stderr``, which writes to the log file
with a buffer of its own (not line-buffered): a line left in it appears late,
and is lost when the worker is killed before the buffer fills.
"""

from __future__ import annotations

import io
from typing import Any
from wsgiref.util import setup_testing_defaults

from paste_exc.errormiddleware import ErrorMiddleware

TOKEN = "errors-stream-token-0123456789"


def _failing(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    raise LookupError("no such cart")


def _buffered() -> tuple[io.TextIOWrapper, io.BytesIO]:
    raw = io.BytesIO()
    return io.TextIOWrapper(raw, encoding="utf-8", line_buffering=False), raw


def _call(app: Any, stream: io.TextIOWrapper, **environ: Any) -> None:
    env: dict[str, Any] = {"wsgi.errors": stream, **environ}
    setup_testing_defaults(env)
    env["wsgi.errors"] = stream
    list(app(env, lambda status, headers, exc_info=None: None))


def test_the_error_line_reaches_a_buffered_stream_at_once() -> None:
    stream, raw = _buffered()
    _call(ErrorMiddleware(_failing), stream)
    assert b"Error - " in raw.getvalue()
    assert b"no such cart" in raw.getvalue()


def test_the_whole_report_reaches_a_buffered_stream_at_once() -> None:
    stream, raw = _buffered()
    _call(ErrorMiddleware(_failing, show_exceptions_in_wsgi_errors=True), stream)
    assert b"=== paste_exc report" in raw.getvalue()
    assert raw.getvalue().rstrip().endswith(b"-" * 60)


def test_the_unlock_notice_reaches_a_buffered_stream_at_once() -> None:
    from paste_exc.respond import access as debugaccess

    debugaccess._withheld.reset()
    stream, raw = _buffered()
    _call(ErrorMiddleware(_failing, debug=True, debug_token=TOKEN), stream, REMOTE_ADDR="10.1.2.3")
    assert f"paste_exc_debug={TOKEN}".encode() in raw.getvalue()


def test_a_stream_without_flush_still_gets_the_line() -> None:
    class NoFlush:
        def __init__(self) -> None:
            self.written: list[str] = []

        def write(self, text: str) -> None:
            self.written.append(text)

    stream = NoFlush()
    env: dict[str, Any] = {}
    setup_testing_defaults(env)
    env["wsgi.errors"] = stream
    response = ErrorMiddleware(_failing)(env, lambda status, headers, exc_info=None: None)
    assert b"".join(response)
    assert any("no such cart" in text for text in stream.written)
