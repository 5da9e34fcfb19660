"""One slow, hung or raising destination never holds the reports of another.

A tarpitting SMTP server (tests/smtp_tarpit.py) sends its greeting one byte
every 0.3 s: each read comes well within ``smtp_timeout``, so only a deadline
for the whole conversation ends it.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from smtp_tarpit import GREETING, Tarpit
from test_reporter_email import Mailbox, start_server

from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.report.delivery import Dispatcher, Job, reset_dispatcher
from paste_exc.reporter import Reporter


@pytest.fixture
def dispatcher() -> Iterator[Dispatcher]:
    """A fresh process-wide dispatcher whose own fallback is a StringIO."""
    fresh = Dispatcher(fallback=io.StringIO(), flush_timeout=10.0)
    previous = reset_dispatcher(fresh)
    yield fresh
    reset_dispatcher(previous)
    fresh.shutdown(timeout=5.0)


def failing_app(environ: dict[str, Any], start_response: Any) -> Any:
    raise ValueError("tarpitted request")


def environ(errors: io.StringIO) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/tarpit",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.errors": errors,
        "wsgi.input": io.BytesIO(),
    }


def request(app: Any, errors: io.StringIO) -> bytes:
    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        assert status.startswith("500")

    return b"".join(app(environ(errors), start_response))


def email_options(port: int, **more: object) -> dict[str, object]:
    return {
        "backend": "email",
        "to_addresses": "ops@example.com",
        "from_address": "errors@example.com",
        "smtp_server": f"127.0.0.1:{port}",
        "flood_window": 0,
        **more,
    }


# -- one destination never holds another ---------------------------------------------------


def test_tarpitted_email_never_holds_the_other_destination(dispatcher: Dispatcher) -> None:
    errors = io.StringIO()
    fast = start_server(Mailbox())
    try:
        with Tarpit() as tarpit:
            app = ErrorMiddleware(
                failing_app,
                reporters={
                    # the slow one first: with one delivery thread the fast one waits behind it
                    "slow": email_options(tarpit.port, smtp_timeout=3),
                    "fast": email_options(fast.port),
                },
            )
            request(app, errors)
            assert tarpit.connected.wait(10)
            assert len(fast.mailbox.wait_for(1, timeout=10)) == 1, "the fast report waited"
            # It arrived while the tarpit was still dripping its greeting.
            assert not tarpit.hung_up.is_set()
            assert tarpit.sent < len(GREETING)
            # The slow one ends at its deadline, long before the greeting would.
            assert tarpit.hung_up.wait(15)
            assert dispatcher.flush(10)
            assert tarpit.sent < len(GREETING)
    finally:
        fast.controller.stop()
    written = errors.getvalue()
    assert "the slow report could not be delivered" in written
    assert "TimeoutError" in written
    assert "ValueError: tarpitted request" in written  # the report itself, kept
    stats = dispatcher.stats()
    assert (stats["slow"].failed, stats["slow"].delivered, stats["slow"].pending) == (1, 0, 0)
    assert (stats["fast"].delivered, stats["fast"].failed) == (1, 0)


def test_hung_background_job_fails_at_its_deadline_and_frees_its_queue(
    dispatcher: Dispatcher,
) -> None:
    release = threading.Event()
    after = threading.Event()
    other = threading.Event()
    dispatcher.submit(
        Job(
            deliver=lambda: release.wait(30),
            describe=lambda: "THE HUNG REPORT",
            name="hung",
            destination="pager",
            timeout=0.5,
        )
    )
    dispatcher.submit(Job(deliver=after.set, describe=str, destination="pager"))
    dispatcher.submit(Job(deliver=other.set, describe=str, destination="chat"))
    try:
        assert other.wait(10)  # another destination is not held at all
        assert after.wait(15)  # the hung job's own queue goes on once it is written off
        # Its delivery is counted (and the written-off one written) just after: wait for that.
        assert dispatcher.flush(10)
        written = dispatcher.fallback.getvalue()  # type: ignore[union-attr]
        assert "THE HUNG REPORT" in written
        assert "deadline" in written
        stats = dispatcher.stats()
        assert (stats["pager"].failed, stats["pager"].delivered) == (1, 1)
        assert stats["chat"].delivered == 1
    finally:
        release.set()
    assert dispatcher.flush(10)
    assert dispatcher.stats()["pager"].failed == 1  # the late return is not counted again


# -- BaseException in the background ------------------------------------------------------


class ReporterShutdown(BaseException):
    """A custom BaseException a reporter might raise."""


BASE_EXCEPTIONS = [
    asyncio.CancelledError("cancelled in the reporter"),
    SystemExit(3),
    KeyboardInterrupt(),
    ReporterShutdown("custom"),
    GeneratorExit(),
]


@pytest.fixture(autouse=True)
def _forget_what_the_errors_were_raised_through() -> Iterator[None]:
    """A raised module-level exception keeps its frames (and their requests) alive."""
    yield
    for error in BASE_EXCEPTIONS:
        error.__traceback__ = error.__context__ = None


@pytest.mark.parametrize("error", BASE_EXCEPTIONS, ids=lambda e: type(e).__name__)
def test_base_exception_is_recorded_and_the_queue_goes_on(
    dispatcher: Dispatcher, error: BaseException
) -> None:
    delivered = threading.Event()

    def raising() -> None:
        raise error

    own = io.StringIO()
    dispatcher.submit(
        Job(
            deliver=raising,
            describe=lambda: "THE LOST REPORT",
            name="raising",
            destination="pager",
            fallback=own,
        )
    )
    dispatcher.submit(Job(deliver=delivered.set, describe=str, destination="pager"))
    assert delivered.wait(10), "the queue stopped behind the BaseException"
    assert dispatcher.flush(10)
    written = own.getvalue()
    assert "THE LOST REPORT" in written
    assert type(error).__name__ in written
    stats = dispatcher.stats()["pager"]
    assert (stats.failed, stats.delivered, stats.pending) == (1, 1, 0)


class Raising(Reporter):
    """A background reporter whose delivery raises a BaseException."""

    background = True
    error: Any = None

    def deliver(self, exc_data: Any, message: str = "") -> None:
        raise self.error


@pytest.mark.parametrize("error", BASE_EXCEPTIONS, ids=lambda e: type(e).__name__)
def test_base_exception_of_a_reporter_reaches_wsgi_errors(
    dispatcher: Dispatcher, error: BaseException
) -> None:
    errors = io.StringIO()
    calls: list[str] = []

    class Healthy(Reporter):
        background = True

        def deliver(self, exc_data: Any, message: str = "") -> None:
            calls.append(exc_data.exception_type)

    app = ErrorMiddleware(
        failing_app, reporters={"raising": Raising(error=error), "healthy": Healthy()}
    )
    request(app, errors)
    request(app, errors)
    assert dispatcher.flush(10)
    written = errors.getvalue()
    assert written.count("the raising report could not be delivered") == 2
    assert type(error).__name__ in written
    assert "ValueError: tarpitted request" in written
    assert calls == ["ValueError", "ValueError"]
    stats = dispatcher.stats()
    assert (stats["raising"].failed, stats["healthy"].delivered) == (2, 2)


def test_worker_survives_a_base_exception_from_describe(dispatcher: Dispatcher) -> None:
    def deliver() -> None:
        raise RuntimeError("down")

    def describe() -> str:
        raise KeyboardInterrupt

    delivered = threading.Event()
    dispatcher.submit(Job(deliver=deliver, describe=describe, destination="pager"))
    dispatcher.submit(Job(deliver=delivered.set, describe=str, destination="pager"))
    assert delivered.wait(10)
    assert "could not be formatted" in dispatcher.fallback.getvalue()  # type: ignore[union-attr]


def test_a_delivery_error_cannot_forge_a_record_on_the_fallback_stream(
    dispatcher: Dispatcher,
) -> None:
    """The error of a failed delivery is one line: its text cannot end or start a record."""
    from paste_exc.reporter import parse_log_records

    forged = (
        "refused\n" + "-" * 60 + "\n=== paste_exc report time=2020-01-01T00:00:00Z "
        "identification_code=E-FAKE occurrence_id=forged\nFile 'x.py', line 1"
    )
    errors = io.StringIO()
    app = ErrorMiddleware(failing_app, reporters={"raising": Raising(error=OSError(forged))})
    request(app, errors)
    assert dispatcher.flush(10)
    records = parse_log_records(errors.getvalue())
    assert [record.occurrence_id for record in records if record.occurrence_id == "forged"] == []
    assert all(record.identification_code != "E-FAKE" for record in records)
    assert "-" * 60 + "\n=== paste_exc report" not in errors.getvalue().split("refused", 1)[1][:200]
