"""The background dispatcher: queue, counters, fallback, flush, fork."""

from __future__ import annotations

import dataclasses
import gc
import io
import os
import threading
import time
import warnings
import weakref
from pathlib import Path

import pytest

from paste_exc.report import delivery
from paste_exc.report.delivery import (
    Dispatcher,
    Job,
    get_dispatcher,
    reset_dispatcher,
    write_fallback,
)


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
    assert seen == ["paste_exc-delivery:report"]  # the worker of the destination "report"


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

    dispatcher.submit(Job(deliver=block, describe=lambda: "blocker", name="test"))  # one queue
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
    d.submit(dataclasses.replace(_job([], "queued-behind"), destination="slow"))
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


# -- destinations, counters, deadlines ----------------------------------------------------


def test_each_destination_has_its_own_counters_and_totals(dispatcher: Dispatcher) -> None:
    sink: list[str] = []
    dispatcher.submit(dataclasses.replace(_job(sink, "a"), destination="mail"))
    dispatcher.submit(dataclasses.replace(_failing(), destination="pager"))
    dispatcher.count("held_back", 2, destination="mail")
    assert dispatcher.flush(5.0)
    stats = dispatcher.stats()
    assert list(stats) == ["mail", "pager"]
    assert stats["mail"] == delivery.DeliveryStats(submitted=3, delivered=1, held_back=2, queued=1)
    assert (stats["pager"].submitted, stats["pager"].failed) == (1, 1)
    assert (stats.submitted, stats.delivered, stats.failed, stats.held_back) == (4, 1, 1, 2)
    assert stats.sent == stats.delivered == stats.total.delivered


def test_destination_block_counts_reporters_that_deliver_by_themselves() -> None:
    d = Dispatcher(fallback=io.StringIO())
    previous = reset_dispatcher(d)
    try:
        with delivery.destination("sentry"):
            assert delivery.current_destination() == "sentry"
        with pytest.raises(ConnectionError), delivery.destination("sentry"):
            raise ConnectionError("the SDK raised")
        with delivery.destination("mail"):  # a job inside: counted by the job, once
            d.run(_job([], "x"))
    finally:
        reset_dispatcher(previous)
    stats = d.stats()
    assert (stats["sentry"].submitted, stats["sentry"].delivered) == (2, 1)
    assert stats["sentry"].failed == 1
    assert (stats["mail"].submitted, stats["mail"].delivered) == (1, 1)
    assert delivery.current_destination() is None


def test_middleware_counts_a_plugin_reporter_under_its_name() -> None:
    from paste_exc.api import ExceptionReporter
    from paste_exc.errormiddleware import ErrorMiddleware

    class Plugin(ExceptionReporter):
        def report_exception(self, ctx: object, exception: object, message: str, extra: object):  # type: ignore[no-untyped-def]
            return None

    def app(environ: dict[str, object], start_response: object) -> list[bytes]:
        raise ValueError("plugin")

    d = Dispatcher(fallback=io.StringIO())
    previous = reset_dispatcher(d)
    try:
        middleware = ErrorMiddleware(app, reporters={"plug": Plugin()})
        environ = {"REQUEST_METHOD": "GET", "wsgi.errors": io.StringIO()}
        middleware(environ, lambda *args: None)
    finally:
        reset_dispatcher(previous)
    assert d.stats()["plug"].delivered == 1


def test_job_sees_its_deadline_and_the_callers_context(dispatcher: Dispatcher) -> None:
    import contextvars
    import time

    marker: contextvars.ContextVar[str] = contextvars.ContextVar("marker", default="")
    marker.set("from the request")
    seen: list[object] = []

    def deliver() -> None:
        seen.append(marker.get())
        seen.append(delivery.deadline())

    before = time.monotonic()
    dispatcher.submit(Job(deliver=deliver, describe=str, timeout=7.0))
    assert dispatcher.flush(5.0)
    assert seen[0] == "from the request"
    assert isinstance(seen[1], float)
    assert before + 7.0 <= seen[1] <= time.monotonic() + 7.0
    assert delivery.deadline() is None


def test_waited_job_failure_is_written_then_raised(dispatcher: Dispatcher) -> None:
    own = io.StringIO()
    with pytest.raises(ConnectionRefusedError):
        dispatcher.run(_failing("refused", fallback=own), wait=5.0)
    assert "ConnectionRefusedError: refused" in own.getvalue()
    assert "the text report" in own.getvalue()
    assert dispatcher.stats()["failing"].failed == 1


def test_waited_base_exception_comes_as_delivery_error(dispatcher: Dispatcher) -> None:
    def deliver() -> None:
        raise SystemExit(2)

    with pytest.raises(delivery.DeliveryError, match="SystemExit") as caught:
        dispatcher.run(Job(deliver=deliver, describe=lambda: "T", name="x"), wait=5.0)
    assert isinstance(caught.value.__cause__, SystemExit)


def test_waited_job_in_a_full_queue_is_dropped_and_said(dispatcher: Dispatcher) -> None:
    release = threading.Event()
    started = threading.Event()

    def block() -> None:
        started.set()
        release.wait(10)

    try:
        dispatcher.submit(Job(deliver=block, describe=str, name="q"))
        assert started.wait(5)
        dispatcher.submit(Job(deliver=str, describe=str, name="q"))
        dispatcher.submit(Job(deliver=str, describe=str, name="q"))
        with pytest.raises(delivery.DeliveryError, match="queue is full"):
            dispatcher.run(Job(deliver=str, describe=lambda: "WAITED", name="q"), wait=5.0)
    finally:
        release.set()
    assert "WAITED" in dispatcher.fallback.getvalue()  # type: ignore[union-attr]
    assert dispatcher.stats()["q"].dropped == 1


def test_flood_control_counts_what_it_holds_back_under_the_destination() -> None:
    from paste_exc.collector import CollectedException
    from paste_exc.report.flood import FloodControl, MemoryFloodStore

    d = Dispatcher(fallback=io.StringIO())
    previous = reset_dispatcher(d)
    try:
        flood = FloodControl(60, MemoryFloodStore(), key="k")
        data = CollectedException(identification_code="CODE")
        decisions = [flood.check(data, now=100.0 + n, destination="mail") for n in range(3)]
        with delivery.destination("pager"):
            flood.check(data, now=110.0)
    finally:
        reset_dispatcher(previous)
    assert [x.send for x in decisions] == [True, False, False]
    stats = d.stats()
    assert (stats["mail"].held_back, stats["mail"].submitted) == (2, 2)
    assert stats["pager"].held_back == 1


def test_reporter_options_arrive_as_ini_strings(tmp_path: Path) -> None:
    from paste_exc.report.building import build_reporters

    built = build_reporters(
        {"log": {"filename": str(tmp_path / "e.log"), "delivery_timeout": "0.5", "queue_size": "7"}}
    )
    rep = built["log"]
    assert (rep.delivery_timeout, rep.queue_size) == (0.5, 7)  # type: ignore[attr-defined]
    assert rep.deadline() == 0.5  # type: ignore[attr-defined]


def test_reporter_deadline_defaults(tmp_path: Path) -> None:
    from paste_exc.errors import ConfigError
    from paste_exc.reporter import EmailReporter, LogReporter

    assert LogReporter(filename=str(tmp_path / "e.log")).deadline() == 2.0
    assert LogReporter(filename=str(tmp_path / "e.log"), background=True).deadline() == 30.0
    email = {"to_addresses": "a@example.com", "from_address": "e@example.com"}
    assert EmailReporter(**email, smtp_timeout="9").deadline() == 9.0
    with pytest.raises(ConfigError, match="smtp_timeout"):
        EmailReporter(**email, delivery_timeout=3)
    with pytest.raises(ConfigError, match="queue_size"):
        LogReporter(filename=str(tmp_path / "e.log"), queue_size=0)


def test_exit_flush_stays_bounded_with_a_hung_destination(tmp_path: Path) -> None:
    import subprocess
    import sys
    import textwrap

    script = tmp_path / "hang.py"
    script.write_text(
        textwrap.dedent("""
        import threading
        from paste_exc.report.delivery import Job, get_dispatcher
        d = get_dispatcher()
        d.flush_timeout = 0.5
        started = threading.Event()
        def hang():
            started.set()
            threading.Event().wait()
        d.submit(Job(deliver=hang, describe=lambda: "HUNG AT EXIT", name="pager"))
        d.submit(Job(deliver=lambda: None, describe=lambda: "BEHIND IT", name="pager"))
        sent = []
        d.submit(Job(deliver=lambda: sent.append(1), describe=str, name="chat"))
        started.wait(10)
        d.flush(0.2)
        print("chat delivered:", sent)
        """)
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "chat delivered: [1]" in done.stdout
    assert "the exit flush timed out while delivering" in done.stderr
    assert "HUNG AT EXIT" in done.stderr
    assert "BEHIND IT" in done.stderr


def test_keyboard_interrupt_in_the_waiting_main_thread_is_not_swallowed() -> None:
    import signal

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("needs the main thread")
    d = Dispatcher(fallback=io.StringIO())
    entered = threading.Event()
    release = threading.Event()

    def hang() -> None:
        entered.set()
        release.wait(10)

    def interrupt() -> None:
        if entered.wait(10):
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    # A process started in the background by a shell ignores SIGINT (and Python then installs
    # no handler): give it Python's own, as an interactive run has.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    threading.Thread(target=interrupt, daemon=True).start()
    try:
        with pytest.raises(KeyboardInterrupt):
            d.run(Job(deliver=hang, describe=str, name="slow"), wait=20.0)
    finally:
        release.set()
        signal.signal(signal.SIGINT, previous)
    d.shutdown(timeout=5.0)


class _Payload:
    """Stands for a report: its traceback holds a request's frames and data."""


def _holding(payload: _Payload, *, pause: float = 0.0, fail: bool = False) -> Job:
    def deliver() -> None:
        time.sleep(pause)
        if fail:
            raise ConnectionRefusedError(repr(payload))

    return Job(deliver=deliver, describe=lambda: repr(payload), name="held", timeout=30.0)


@pytest.mark.parametrize(
    ("pause", "fail"),
    [(0.0, False), (0.0, True), (0.2, False)],
    ids=["delivered", "failed", "watched-by-the-watchdog"],
)
def test_idle_worker_and_watchdog_keep_no_report_alive(
    dispatcher: Dispatcher, pause: float, fail: bool
) -> None:
    payload = _Payload()
    alive = weakref.ref(payload)
    assert dispatcher.submit(_holding(payload, pause=pause, fail=fail))
    del payload
    assert dispatcher.flush(5.0)
    # The worker and the watchdog still wait for more work: they hold nothing of the last job.
    assert any(t.name.startswith("paste_exc-delivery") for t in threading.enumerate())
    gc.collect()
    assert alive() is None


def test_a_storm_of_waited_deliveries_does_not_wake_the_watchdog_each_time(
    dispatcher: Dispatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each delivery would else wake a third thread: only a sooner deadline wakes it."""
    sink: list[str] = []
    dispatcher.run(_job(sink, "first"), wait=5.0)  # starts the worker and the watchdog
    wakes: list[int] = []
    notify = dispatcher._watch.notify
    monkeypatch.setattr(dispatcher._watch, "notify", lambda n=1: (wakes.append(n), notify(n)))
    for number in range(20):
        dispatcher.run(_job(sink, f"report {number}"), wait=5.0)
    assert len(sink) == 21
    assert len(wakes) <= 1
    # A background job (nobody waits for it) with a sooner deadline still wakes it.
    done = threading.Event()
    assert dispatcher.submit(
        Job(deliver=lambda: done.wait(5), describe=str, name="short", timeout=0.05)
    )
    assert dispatcher.flush(10)
    assert wakes
