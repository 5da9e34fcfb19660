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
import io
from collections.abc import Iterator
from typing import Any

import pytest
from test_delivery_isolation import dispatcher, environ  # noqa: F401 (a fixture)

from paste_exc.api import ExceptionReporter
from paste_exc.delivery import Dispatcher
from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.reporting import ReportingConfig, report_exception, set_process_config


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
