"""A file destination that blocks never holds the request for more than its deadline.

An ``error_log`` that is a FIFO without a reader, a pipe whose reader stopped
reading (``/dev/stdout`` in a container with a stalled log collector) and a
stream whose ``write()`` hangs (a hung network filesystem) each hung the
request before; now the request goes on after ``delivery_timeout`` at most,
the report is written to the fallback stream and the failure is counted.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.report.delivery import Dispatcher, reset_dispatcher
from paste_exc.reporter import FileReporter, JSONLinesReporter, LogReporter

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")


@pytest.fixture
def dispatcher() -> Iterator[Dispatcher]:
    fresh = Dispatcher(fallback=io.StringIO(), flush_timeout=5.0)
    previous = reset_dispatcher(fresh)
    yield fresh
    reset_dispatcher(previous)
    fresh.shutdown(timeout=2.0)


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    """A FIFO; at teardown a reader opens it, so a writer stuck in open() is freed."""
    path = tmp_path / "errors.fifo"
    os.mkfifo(path)
    yield path
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        drain(fd)
        os.close(fd)


def drain(fd: int) -> None:
    with contextlib.suppress(BlockingIOError):
        while os.read(fd, 1 << 16):
            pass


@contextlib.contextmanager
def full_pipe(path: Path) -> Iterator[None]:
    """Open *path* (a FIFO) for reading, never read, and fill the pipe to the brim."""
    reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    writer = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    try:
        with contextlib.suppress(BlockingIOError):
            while True:
                os.write(writer, b"x" * 4096)
        yield
    finally:
        os.close(writer)
        drain(reader)  # frees a writer still blocked in write()
        os.close(reader)


def failing_app(environ: dict[str, Any], start_response: Any) -> Any:
    raise ValueError("the log is stuck")


def call(app: Any, errors: io.StringIO) -> bytes:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.errors": errors,
        "wsgi.input": io.BytesIO(),
    }
    statuses: list[str] = []
    body = b"".join(app(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    assert statuses == ["500 Internal Server Error"]
    return body


def bounded(func: Callable[[], object], limit: float = 10.0) -> None:
    """Run *func* in a thread; fail when it has not returned after *limit* seconds."""
    done = threading.Event()
    failure: list[BaseException] = []

    def target() -> None:
        try:
            func()
        except BaseException as exc:
            failure.append(exc)
        finally:
            done.set()

    threading.Thread(target=target, daemon=True).start()
    assert done.wait(limit), "the request is held by its log destination"
    if failure:
        raise failure[0]


def test_error_log_fifo_without_reader_does_not_hang_the_request(
    dispatcher: Dispatcher, fifo: Path
) -> None:
    errors = io.StringIO()
    app = ErrorMiddleware(failing_app, error_log=str(fifo))
    bounded(lambda: call(app, errors))
    written = errors.getvalue()
    assert "ValueError: the log is stuck" in written  # the report is kept
    assert "reporter 'log' (LogReporter) failed" in written  # and the failure said
    assert dispatcher.stats()["log"].failed == 1


def test_stalled_pipe_reader_holds_the_request_at_most_the_deadline(
    dispatcher: Dispatcher, fifo: Path
) -> None:
    errors = io.StringIO()
    healthy = io.StringIO()
    app = ErrorMiddleware(
        failing_app,
        reporters={
            "stuck": {"backend": "log", "filename": str(fifo), "delivery_timeout": 0.5},
            "console": FileReporter(file=healthy),
        },
    )
    with full_pipe(fifo):
        bounded(lambda: call(app, errors))
        stats = dispatcher.stats()
    assert (stats["stuck"].failed, stats["stuck"].delivered) == (1, 0)
    assert stats["console"].delivered == 1
    written = errors.getvalue()
    # Another destination took the report, yet the stuck one's copy is kept here.
    assert "the stuck report could not be delivered" in written
    assert "ValueError: the log is stuck" in written
    assert "ValueError: the log is stuck" in healthy.getvalue()


class HangingStream(io.StringIO):
    """A stream whose write() blocks until released (a hung network filesystem)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.entered = threading.Event()

    def write(self, text: str) -> int:
        self.entered.set()
        self.release.wait(30)
        return super().write(text)


def test_hanging_stream_is_written_off_and_later_requests_do_not_wait(
    dispatcher: Dispatcher,
) -> None:
    errors = io.StringIO()
    stream = HangingStream()
    app = ErrorMiddleware(
        failing_app,
        reporters={"nfs": FileReporter(file=stream, delivery_timeout=0.5)},
    )
    try:
        for _ in range(3):
            bounded(lambda: call(app, errors))
        assert stream.entered.is_set()
        stats = dispatcher.stats()["nfs"]
        assert (stats.failed, stats.delivered, stats.submitted) == (3, 0, 3)
        assert errors.getvalue().count("ValueError: the log is stuck") >= 3
    finally:
        stream.release.set()
    assert dispatcher.flush(5)
    assert dispatcher.stats()["nfs"].failed == 3  # the late write changes nothing


@pytest.mark.parametrize("kind", ["log", "jsonlines"])
def test_reporters_fail_at_once_on_a_fifo_without_reader(
    dispatcher: Dispatcher, fifo: Path, kind: str
) -> None:
    rep = (
        LogReporter(filename=str(fifo)) if kind == "log" else JSONLinesReporter(filename=str(fifo))
    )
    errors = io.StringIO()

    def report() -> None:
        try:
            raise KeyError("fifo")
        except KeyError as exc:
            rep.report_exception({"wsgi.errors": errors}, exc, "", {})

    with pytest.raises(OSError) as caught:
        bounded(report)
    assert caught.value.errno == errno.ENXIO
    assert "KeyError" in errors.getvalue()


def test_a_fifo_with_a_reader_still_gets_the_report(dispatcher: Dispatcher, fifo: Path) -> None:
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        try:
            raise KeyError("read back")
        except KeyError as exc:
            LogReporter(filename=str(fifo)).report_exception(None, exc, "", {})
        data = os.read(reader, 1 << 20)
    finally:
        os.close(reader)
    assert b"KeyError: 'read back'" in data
    assert dispatcher.stats().delivered == 1


def test_delivery_timeout_is_checked(tmp_path: Path) -> None:
    from paste_exc.errors import ConfigError

    with pytest.raises(ConfigError, match="delivery_timeout"):
        LogReporter(filename=str(tmp_path / "x.log"), delivery_timeout="soon")
    with pytest.raises(ConfigError, match="delivery_timeout"):
        LogReporter(filename=str(tmp_path / "x.log"), delivery_timeout=0)
    assert LogReporter(filename=str(tmp_path / "x.log"), delivery_timeout="1.5").delivery_timeout
