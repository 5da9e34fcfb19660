"""Attack: reporters that raise what ``except Exception`` does not catch, in the request.

A plug-in reporter (or a built-in one without ``background``) runs in the
request's thread. One that raises a :class:`BaseException` of its own
(:class:`asyncio.CancelledError` from an async client, :class:`SystemExit`
from a library calling ``sys.exit``, a custom class) is one failed
destination: the client still gets its 500 page, the other reporters still
run, and the report and the failure reach ``wsgi.errors``.
"""

from __future__ import annotations

import asyncio
import gc
import io
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_delivery_isolation import dispatcher, environ  # noqa: F401 (a fixture)

from paste_exc.api import ExceptionReporter
from paste_exc.errormiddleware import ErrorMiddleware, handle_exception
from paste_exc.report.delivery import Dispatcher
from paste_exc.report.dispatch import ReportingConfig, set_process_config
from paste_exc.reporter import Reporter
from paste_exc.respond.reporting import report_exception


class Custom(BaseException):
    pass


INLINE_ERRORS = [
    asyncio.CancelledError("cancelled"),
    SystemExit(3),
    Custom("custom"),
    GeneratorExit(),
]


@pytest.fixture(autouse=True)
def _forget_what_the_errors_were_raised_through() -> Iterator[None]:
    """A raised module-level exception keeps its frames (and their requests) alive."""
    yield
    for error in INLINE_ERRORS:
        error.__traceback__ = error.__context__ = None


class Raising(ExceptionReporter):
    def __init__(self, error: BaseException) -> None:
        self.error = error

    def report_exception(
        self, ctx: Any, exception: BaseException, message: str, extra: Any
    ) -> None:
        raise self.error


class Recording(ExceptionReporter):
    def __init__(self) -> None:
        self.seen: list[str] = []

    def report_exception(
        self, ctx: Any, exception: BaseException, message: str, extra: Any
    ) -> None:
        self.seen.append(str(exception))


def failing_app(environ: dict[str, Any], start_response: Any) -> Any:
    raise ValueError("the original failure")


@pytest.mark.parametrize("error", INLINE_ERRORS, ids=lambda e: type(e).__name__)
def test_an_inline_reporter_raising_a_base_exception_is_one_failed_destination(
    dispatcher: Dispatcher,  # noqa: F811
    error: BaseException,
) -> None:
    after = Recording()
    app = ErrorMiddleware(failing_app, reporters={"raising": Raising(error), "after": after})
    errors = io.StringIO()
    statuses: list[str] = []
    body = b"".join(
        app(environ(errors), lambda status, headers, exc_info=None: statuses.append(status))
    )
    assert statuses == ["500 Internal Server Error"]
    assert b"Internal Server Error" in body
    assert after.seen == ["the original failure"]
    written = errors.getvalue()
    assert "reporter 'raising'" in written
    assert type(error).__name__ in written
    stats = dispatcher.stats()
    assert (stats["raising"].failed, stats["after"].delivered) == (1, 1)


@pytest.mark.parametrize("error", INLINE_ERRORS, ids=lambda e: type(e).__name__)
def test_report_exception_survives_a_reporter_raising_a_base_exception(
    dispatcher: Dispatcher,  # noqa: F811
    error: BaseException,
) -> None:
    after = Recording()
    previous = set_process_config(ReportingConfig({"raising": Raising(error), "after": after}))
    try:
        try:
            raise ValueError("reported by hand")
        except ValueError as caught:
            report_exception(None, "by hand", caught, logger=False)
    finally:
        set_process_config(previous)
    assert after.seen == ["reported by hand"]


def test_keyboard_interrupt_from_a_reporter_still_stops_the_process(
    dispatcher: Dispatcher,  # noqa: F811
) -> None:
    app = ErrorMiddleware(failing_app, reporters={"raising": Raising(KeyboardInterrupt())})
    with pytest.raises(KeyboardInterrupt):
        app(environ(io.StringIO()), lambda status, headers, exc_info=None: None)


# -- two middlewares, one destination name ----------------------------------------------


class Hanging(Reporter):
    """A synchronous destination that hangs until released."""

    delivery_timeout: Any = 0.5

    def __init__(self, release: threading.Event, **conf: Any) -> None:
        super().__init__(**conf)
        self.release = release

    def deliver(self, exc_data: Any, message: str = "") -> None:
        self.release.wait(30)


class Taking(Reporter):
    """A synchronous destination that keeps what it gets."""

    def __init__(self, **conf: Any) -> None:
        super().__init__(**conf)
        self.taken: list[str] = []

    def deliver(self, exc_data: Any, message: str = "") -> None:
        self.taken.append(exc_data.exception_value)


def test_two_applications_with_a_destination_of_the_same_name_stay_apart(
    dispatcher: Dispatcher,  # noqa: F811
) -> None:
    """Two middlewares in one process (a PasteDeploy composite), each with its own
    ``audit`` destination: the one that hangs never holds the other's reports."""
    release = threading.Event()
    healthy = Taking()
    hung_app = ErrorMiddleware(failing_app, reporters={"audit": Hanging(release)})
    healthy_app = ErrorMiddleware(failing_app, reporters={"audit": healthy})
    try:
        hung_errors, healthy_errors = io.StringIO(), io.StringIO()
        for _ in range(2):  # the second one hangs the fresh worker too: stuck for good
            b"".join(hung_app(environ(hung_errors), lambda status, headers, exc_info=None: None))
        assert hung_errors.getvalue().count("could not be delivered") == 2
        for _ in range(3):
            b"".join(
                healthy_app(environ(healthy_errors), lambda status, headers, exc_info=None: None)
            )
        assert healthy.taken == ["the original failure"] * 3
        assert "could not be delivered" not in healthy_errors.getvalue()
        assert "stuck" not in healthy_errors.getvalue()
    finally:
        release.set()
    assert dispatcher.flush(10)
    # One name in the counters: the two destinations' counts, added up.
    audit = dispatcher.stats()["audit"]
    assert (audit.submitted, audit.delivered, audit.failed, audit.pending) == (5, 3, 2, 0)


def test_reporters_made_per_call_leave_no_destination_behind(
    dispatcher: Dispatcher,  # noqa: F811
    tmp_path: Path,
) -> None:
    """handle_exception() builds its reporters on every call: their queues do not pile up."""
    log = tmp_path / "errors.log"
    for _ in range(30):
        try:
            raise ValueError("in a script")
        except ValueError:
            handle_exception(sys.exc_info(), io.StringIO(), html=False, error_log=str(log))
    gc.collect()
    try:
        raise ValueError("once more")
    except ValueError:
        handle_exception(sys.exc_info(), io.StringIO(), html=False, error_log=str(log))
    assert len(dispatcher._destinations) <= 3
    counts = dispatcher.stats()["log"]
    assert (counts.submitted, counts.delivered) == (31, 31)
    assert log.read_text().count("ValueError: in a script") == 30
