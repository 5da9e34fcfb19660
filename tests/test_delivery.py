"""The background dispatcher: queue, counters, fallback, flush, fork."""

from __future__ import annotations

import io
import os
import threading
import warnings

import pytest

from paste_exc import delivery
from paste_exc.delivery import Dispatcher, Job, get_dispatcher, reset_dispatcher, write_fallback


def _job(sink: list[str], text: str = "report", *, fallback: io.StringIO | None = None) -> Job:
    return Job(
        deliver=lambda: sink.append(text),
        describe=lambda: f"TEXT {text}",
        name="test",
        fallback=fallback,
    )


def _failing(message: str = "boom", *, fallback: io.StringIO | None = None) -> Job:
    def deliver() -> None:
        raise ConnectionRefusedError(message)

    return Job(
        deliver=deliver, describe=lambda: "the text report", name="failing", fallback=fallback
    )


@pytest.fixture
def dispatcher() -> Dispatcher:
    stream = io.StringIO()
    d = Dispatcher(maxsize=2, flush_timeout=5.0, fallback=stream)
    yield d
    d.shutdown(timeout=1.0)


def test_background_job_is_delivered_and_counted(dispatcher: Dispatcher) -> None:
    sink: list[str] = []
    assert dispatcher.submit(_job(sink))
    assert dispatcher.flush(5.0)
    assert sink == ["report"]
    stats = dispatcher.stats()
    assert (stats.queued, stats.sent, stats.failed, stats.dropped, stats.pending) == (1, 1, 0, 0, 0)


def test_job_runs_on_another_thread(dispatcher: Dispatcher) -> None:
    seen: list[str] = []
    job = Job(deliver=lambda: seen.append(threading.current_thread().name), describe=str)
    dispatcher.submit(job)
    dispatcher.flush(5.0)
    assert seen == ["paste_exc-delivery"]


def test_failure_goes_to_fallback_with_the_text(dispatcher: Dispatcher) -> None:
    dispatcher.submit(_failing("no server"))
    dispatcher.flush(5.0)
    written = dispatcher.fallback.getvalue()  # type: ignore[union-attr]
    assert "failing report could not be delivered" in written
    assert "ConnectionRefusedError: no server" in written
    assert "the text report" in written
    assert dispatcher.stats().failed == 1
    assert dispatcher.stats().sent == 0


def test_failure_goes_to_the_jobs_own_stream(dispatcher: Dispatcher) -> None:
    own = io.StringIO()
    dispatcher.submit(_failing(fallback=own))
    dispatcher.flush(5.0)
    assert "the text report" in own.getvalue()
    assert dispatcher.fallback.getvalue() == ""  # type: ignore[union-attr]


def test_full_queue_writes_to_fallback_and_counts(dispatcher: Dispatcher) -> None:
    release = threading.Event()
    started = threading.Event()

    def block() -> None:
        started.set()
        release.wait(10)

    dispatcher.submit(Job(deliver=block, describe=lambda: "blocker"))
    assert started.wait(5)
    sink: list[str] = []
    assert dispatcher.submit(_job(sink, "one"))
    assert dispatcher.submit(_job(sink, "two"))
    assert not dispatcher.submit(_job(sink, "three"))
    written = dispatcher.fallback.getvalue()  # type: ignore[union-attr]
    assert "queue is full" in written
    assert "TEXT three" in written
    assert dispatcher.stats().dropped == 1
    release.set()
    dispatcher.flush(5.0)
    assert sink == ["one", "two"]
    assert dispatcher.stats().sent == 3


def test_synchronous_mode_runs_inline_and_raises() -> None:
    d = Dispatcher(synchronous=True, fallback=io.StringIO())
    sink: list[str] = []
    d.submit(_job(sink))
    assert sink == ["report"]
    with pytest.raises(ConnectionRefusedError):
        d.submit(_failing())
    assert (d.stats().sent, d.stats().failed, d.stats().queued) == (1, 1, 0)


def test_synchronous_delivery_context_manager() -> None:
    previous = reset_dispatcher(Dispatcher())
    try:
        with delivery.synchronous_delivery() as d:
            sink: list[str] = []
            d.submit(_job(sink))
            assert sink == ["report"]
            assert d.synchronous
        assert not get_dispatcher().synchronous
    finally:
        reset_dispatcher(previous)


def test_shutdown_timeout_writes_unsent_jobs_to_fallback() -> None:
    stream = io.StringIO()
    d = Dispatcher(maxsize=5, flush_timeout=0.2, fallback=stream)
    release = threading.Event()
    started = threading.Event()

    def hang() -> None:
        started.set()
        release.wait(10)

    d.submit(Job(deliver=hang, describe=lambda: "HUNG REPORT", name="slow"))
    assert started.wait(5)
    d.submit(_job([], "queued-behind"))
    stats = d.shutdown()
    release.set()
    written = stream.getvalue()
    assert "HUNG REPORT" in written
    assert "TEXT queued-behind" in written
    assert stats.dropped == 2
    assert not d.submit(_job([], "late"))
    assert "TEXT late" in stream.getvalue()


def test_shutdown_flushes_in_time() -> None:
    d = Dispatcher(fallback=io.StringIO())
    sink: list[str] = []
    for n in range(5):
        d.submit(_job(sink, str(n)))
    stats = d.shutdown(timeout=5.0)
    assert sink == ["0", "1", "2", "3", "4"]
    assert stats.sent == 5
    assert stats.dropped == 0


def test_counters_reject_unknown_names(dispatcher: Dispatcher) -> None:
    dispatcher.count("held_back", 3)
    assert dispatcher.stats().held_back == 3
    with pytest.raises(KeyError):
        dispatcher.count("nonsense")


def test_maxsize_must_be_positive() -> None:
    with pytest.raises(ValueError, match="maxsize"):
        Dispatcher(maxsize=0)


def test_describe_failure_never_crashes(dispatcher: Dispatcher) -> None:
    def bad_describe() -> str:
        raise RuntimeError("cannot format")

    dispatcher.submit(Job(deliver=_failing().deliver, describe=bad_describe, name="x"))
    dispatcher.flush(5.0)
    assert "could not be formatted" in dispatcher.fallback.getvalue()  # type: ignore[union-attr]


def test_write_fallback_uses_stderr_when_stream_is_broken(
    capsys: pytest.CaptureFixture[str],
) -> None:
    closed = io.StringIO()
    closed.close()
    assert write_fallback("lost report", closed)
    assert "lost report\n" in capsys.readouterr().err


def test_get_dispatcher_is_process_wide() -> None:
    assert get_dispatcher() is get_dispatcher()


def test_forked_child_gets_its_own_dispatcher() -> None:
    parent = get_dispatcher()
    parent.submit(Job(deliver=lambda: None, describe=str))  # the parent's thread is running
    parent.flush(5.0)
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: report through its own dispatcher
        status = 1
        try:
            os.close(read_end)
            child = get_dispatcher()
            sink: list[str] = []
            child.submit(
                Job(deliver=lambda: sink.append(threading.current_thread().name), describe=str)
            )
            done = child.flush(5.0)
            ok = child is not parent and done and child.stats().sent == 1 and sink
            os.write(write_end, b"ok" if ok else b"bad")
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        answer = pipe.read()
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    assert answer == b"ok"
