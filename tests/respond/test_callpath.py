"""The middleware's call path: start_response, the body guard, copies, no leaks.

The healthy request passes through with the least work (a list or tuple body
unwrapped, the headers recorded by one bound method); every error is answered
or passed on as Paste's middleware does.
"""

from __future__ import annotations

import copy
import gc
import io
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import Closing

from paste_exc.collector import CollectedException
from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.report.caught import config_for
from paste_exc.report.dispatch import ENVIRON_KEY
from paste_exc.testing import CapturingReporter

CAPTURE = {"capture": {"backend": "paste_exc.testing:CapturingReporter"}}
HEADERS = [("Content-Type", "text/plain")]


@pytest.fixture
def path() -> type[ErrorMiddleware]:
    """The middleware class the call tests run (a subclass in some of them)."""
    return ErrorMiddleware


class Server:
    """A server's start_response: records every call, refuses a second one without exc_info."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[tuple[str, str]], Any]] = []
        self.written: list[bytes] = []

    def __call__(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        if self.calls and exc_info is None:
            raise AssertionError("start_response called twice without exc_info")
        self.calls.append((status, headers, exc_info))
        return self.written.append


def environ(**extra: Any) -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/page",
        "QUERY_STRING": "q=1",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }
    env.update(extra)
    return env


def run(app_iter: Any) -> list[bytes]:
    """Iterate and close a response body as a server does."""
    try:
        return list(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()


def captured(middleware: ErrorMiddleware) -> CapturingReporter:
    reporter = middleware.reporting.reporters["capture"]
    assert isinstance(reporter, CapturingReporter)
    return reporter


def shown_frames(exc_data: CollectedException) -> list[str | None]:
    """Names of the frames a report shows; the middleware's own are marked hidden."""
    assert exc_data.frames[0].traceback_hide is True
    return [frame.name for frame in exc_data.frames if not frame.traceback_hide]


def started(body: Any) -> Callable[[dict[str, Any], Any], Any]:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        start_response("200 OK", HEADERS)
        return body

    return app


# -- the call -------------------------------------------------------------------


def test_healthy_list_passes_through_and_environ_is_marked(path: type[ErrorMiddleware]) -> None:
    body = [b"hello"]
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        seen.update(environ)
        start_response("200 OK", HEADERS)
        return body

    middleware = path(app)
    server = Server()
    assert middleware(environ(), server) is body
    assert server.calls == [("200 OK", HEADERS, None)]
    assert seen["paste.throw_errors"] is True
    assert seen[ENVIRON_KEY] is middleware.reporting_handle
    assert config_for(seen) is middleware.reporting


def test_keyword_call_and_dict_subclass_environ(path: type[ErrorMiddleware]) -> None:
    class Environ(dict[str, Any]):
        pass

    middleware = path(started([b"ok"]))
    server = Server()
    assert run(middleware(environ=environ(), start_response=server)) == [b"ok"]
    assert run(middleware(Environ(environ()), Server())) == [b"ok"]
    with pytest.raises(TypeError):
        middleware(environ())  # type: ignore[call-arg]


def test_throw_errors_hands_the_raw_start_response_to_the_app(
    path: type[ErrorMiddleware],
) -> None:
    received: list[Any] = []

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        received.append(start_response)
        raise KeyError("not caught")

    server = Server()
    with pytest.raises(KeyError):
        path(app)(environ(**{"paste.throw_errors": 1}), server)
    assert received == [server]


def test_hostile_throw_errors_value_raises_its_error(path: type[ErrorMiddleware]) -> None:
    class Hostile:
        def __bool__(self) -> bool:
            raise RuntimeError("no truth")

    with pytest.raises(RuntimeError, match="no truth"):
        path(started([b"x"]))(environ(**{"paste.throw_errors": Hostile()}), Server())


@pytest.mark.parametrize("error", [KeyboardInterrupt, SystemExit, GeneratorExit])
def test_base_exceptions_pass_through_unreported(
    path: type[ErrorMiddleware], error: type[BaseException]
) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        raise error()

    middleware = path(app, reporters=CAPTURE)
    with pytest.raises(error):
        middleware(environ(), Server())
    assert captured(middleware).reports == []


def test_error_before_start_gives_500_without_exc_info_and_keeps_request_data(
    path: type[ErrorMiddleware],
) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        raise ValueError("before start")

    middleware = path(app, reporters=CAPTURE)
    server = Server()
    body = run(middleware(environ(), server))
    ((status, _headers, exc_info),) = server.calls
    assert status.startswith("500")
    assert exc_info is None
    assert body
    assert b"<html" in body[0].lower()
    (report,) = captured(middleware).reports
    assert report.exc_data.request_url == "http://127.0.0.1/page?q=1"
    assert shown_frames(report.exc_data) == ["app"]  # the middleware's frame is hidden


def test_error_after_start_passes_exc_info(path: type[ErrorMiddleware]) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        start_response("200 OK", HEADERS)
        raise ValueError("after start")

    server = Server()
    run(path(app)(environ(), server))
    assert [call[0][:3] for call in server.calls] == ["200", "500"]
    assert server.calls[1][2][1].args == ("after start",)


def test_expected_exception_is_reraised(path: type[ErrorMiddleware]) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        raise LookupError("expected")

    middleware = path(app, reporters=CAPTURE)
    env = environ(**{"paste.expected_exceptions": [LookupError]})
    with pytest.raises(LookupError, match="expected"):
        middleware(env, Server())
    assert captured(middleware).reports == []


def test_application_attribute_is_read_per_call(path: type[ErrorMiddleware]) -> None:
    middleware = path(started([b"one"]))
    assert run(middleware(environ(), Server())) == [b"one"]
    middleware.application = started([b"two"])
    assert run(middleware(environ(), Server())) == [b"two"]
    del middleware.application  # answered like any failure of the application call
    server = Server()
    run(middleware(environ(), server))
    assert server.calls[0][0].startswith("500")


def test_subclass_overrides_are_honoured(path: type[ErrorMiddleware]) -> None:
    wrapped: list[Any] = []

    class Sub(path):  # type: ignore[valid-type,misc]
        def make_catching_iter(self, app_iter: Any, environ: Any, state: Any) -> Any:
            wrapped.append(app_iter)
            return super().make_catching_iter(app_iter, environ, state)

    class Outer(path):  # type: ignore[valid-type,misc]
        def __call__(self, environ: Any, start_response: Any) -> Any:
            environ["outer"] = True
            return super().__call__(environ, start_response)

    body = Closing([b"a", b"b"])
    assert run(Sub(started(body))(environ(), Server())) == [b"a", b"b"]
    assert wrapped == [body]
    env = environ()
    assert run(Outer(started([b"x"]))(env, Server())) == [b"x"]
    assert env["outer"] is True


def test_a_copy_serves_like_the_original(path: type[ErrorMiddleware]) -> None:
    middleware = path(started([b"ok"]), debug=False)
    duplicate = copy.copy(middleware)
    assert duplicate.application is middleware.application
    assert duplicate.reporting is middleware.reporting
    assert duplicate.debug_mode is False
    assert run(duplicate(environ(), Server())) == [b"ok"]


# -- the body ---------------------------------------------------------------------


def test_body_is_passed_on_and_closed_once(path: type[ErrorMiddleware]) -> None:
    body = Closing([b"a", b"", b"b"])
    assert run(path(started(body))(environ(), Server())) == [b"a", b"", b"b"]
    assert body.closed == 1


def test_error_before_any_chunk_was_sent_gives_500(path: type[ErrorMiddleware]) -> None:
    body = Closing([b"", b"x"], fail_at=1)  # an empty chunk sends nothing
    server = Server()
    chunks = run(path(started(body), reporters=CAPTURE)(environ(), server))
    assert [call[0][:3] for call in server.calls] == ["200", "500"]
    assert server.calls[1][2] is not None  # the app had started: exc_info given
    assert chunks[0] == b""
    assert b"html" in chunks[1].lower()
    assert body.closed == 1


def test_error_after_a_chunk_was_sent_is_appended(path: type[ErrorMiddleware]) -> None:
    body = Closing([b"first", b"second"], fail_at=1)
    server = Server()
    middleware = path(started(body), reporters=CAPTURE)
    chunks = run(middleware(environ(), server))
    assert [call[0][:3] for call in server.calls] == ["200"]
    assert chunks[0] == b"first"
    assert b"500 Internal Server Error" in b"".join(chunks[1:])
    assert body.closed == 1
    (report,) = captured(middleware).reports
    assert report.exc_data.request_url == "http://127.0.0.1/page?q=1"
    assert shown_frames(report.exc_data) == ["__iter__"]


def test_non_bytes_chunks_are_judged_by_their_truth(path: type[ErrorMiddleware]) -> None:
    class Chunk(bytes):
        def __bool__(self) -> bool:
            raise RuntimeError("hostile chunk")

    body = Closing([Chunk(b"x"), b"y"])
    server = Server()
    middleware = path(started(body), reporters=CAPTURE)
    chunks = run(middleware(environ(), server))
    assert chunks[0] == b"x"
    assert [call[0][:3] for call in server.calls] == ["200", "500"]
    assert captured(middleware).exception_types == ["RuntimeError"]
    assert body.closed == 1


def test_server_closing_early_closes_the_body_once(path: type[ErrorMiddleware]) -> None:
    body = Closing([b"a", b"b", b"c"])
    app_iter = path(started(body))(environ(), Server())
    iterator = iter(app_iter)
    assert next(iterator) == b"a"
    app_iter.close()  # type: ignore[attr-defined]
    del iterator
    gc.collect()
    app_iter.close()  # type: ignore[attr-defined]
    assert body.closed == 1


def test_iter_failing_is_answered(path: type[ErrorMiddleware]) -> None:
    class NoIter:
        def __iter__(self) -> Iterator[bytes]:
            raise OSError("cannot iterate")

    server = Server()
    chunks = run(path(started(NoIter()))(environ(), server))
    assert server.calls[-1][0].startswith("500")
    assert b"html" in chunks[0].lower()


def test_interrupt_while_iterating_passes_through(path: type[ErrorMiddleware]) -> None:
    def body() -> Iterator[bytes]:
        yield b"a"
        raise KeyboardInterrupt

    app_iter = path(started(body()), reporters=CAPTURE)(environ(), Server())
    iterator = iter(app_iter)
    assert next(iterator) == b"a"
    with pytest.raises(KeyboardInterrupt):
        next(iterator)
    assert list(iterator) == []


# -- no references left behind ----------------------------------------------------


def test_many_requests_leave_no_objects_behind(path: type[ErrorMiddleware]) -> None:
    marker = object()

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        start_response("200 OK", HEADERS)
        if environ["PATH_INFO"] == "/fail":
            raise ValueError("fail")
        if environ["PATH_INFO"] == "/gen":
            return iter([b"a", b"b"])
        return [b"ok"]

    middleware = path(app, reporters=CAPTURE)
    server = Server
    for _ in range(20):  # warm caches before counting
        for page in ("/", "/gen", "/fail"):
            run(middleware(environ(PATH_INFO=page, marker=marker), server()))
    captured(middleware).clear()
    gc.collect()
    names = {"StartRecorder", "IterGuard", "CatchingIter"}
    # What earlier tests left (a test that keeps a caught exception, say) is theirs, not ours.
    earlier = [o for o in gc.get_objects() if type(o).__name__ in names]
    base_refs = sys.getrefcount(marker)
    base_objects = len(gc.get_objects())
    for _ in range(300):
        for page in ("/", "/gen", "/fail"):
            run(middleware(environ(PATH_INFO=page, marker=marker), server()))
    captured(middleware).clear()
    gc.collect()
    assert sys.getrefcount(marker) == base_refs
    assert len(gc.get_objects()) - base_objects < 50
    left = [o for o in gc.get_objects() if type(o).__name__ in names]
    assert not [o for o in left if not any(o is e for e in earlier)]
