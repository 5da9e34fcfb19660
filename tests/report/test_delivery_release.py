"""A destination's worker keeps nothing of a finished delivery while it waits for the next.

An idle worker waits up to ``IDLE_EXIT`` (30 s) for its next report. Whatever
it still holds of the last one (its job, the job's context) keeps that
request's exception alive, and with it the request's frames and their locals:
the environ, the request body, whatever the application had in hand.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest

from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.report.delivery import Dispatcher, reset_dispatcher


class Held:
    """A local of the failing frame (weakref-able)."""


@pytest.fixture
def dispatcher() -> Iterator[Dispatcher]:
    fresh = Dispatcher()
    previous = reset_dispatcher(fresh)
    try:
        yield fresh
    finally:
        reset_dispatcher(previous)
        fresh.shutdown(5)


def _fail_holding(references: list[weakref.ref[Held]]) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        held = Held()
        references.append(weakref.ref(held))
        raise LookupError("held")

    return app


def _request(app: Any, tmp_path: Any) -> None:
    environ: dict[str, Any] = {}
    setup_testing_defaults(environ)
    middleware = ErrorMiddleware(app, error_log=str(tmp_path / "errors.log"))
    list(middleware(environ, lambda status, headers, exc_info=None: None))


def _report_in_background(app: Any, config: Any, deliver: Any) -> None:
    """Catch and report in a frame of its own: once it returns, only the delivery holds on.

    (Collecting the locals of a frame that is still running leaves a snapshot
    of them on that frame, the caught exception among them, for as long as
    the frame runs: the test's own frame must not be the catching one.)
    """
    try:
        app({}, None)
    except LookupError as error:
        deliver(None, error, "", config)


@pytest.mark.parametrize("background", [False, True])
def test_an_idle_worker_holds_no_finished_report(
    dispatcher: Dispatcher, tmp_path: Any, background: bool
) -> None:
    from paste_exc.report.dispatch import ReportingConfig, deliver
    from paste_exc.reporter import LogReporter

    references: list[weakref.ref[Held]] = []
    app = _fail_holding(references)
    if background:
        reporter = LogReporter(filename=str(tmp_path / "bg.log"), background=True)
        _report_in_background(app, ReportingConfig(reporters={"bg": reporter}), deliver)
    else:
        _request(app, tmp_path)
    assert dispatcher.flush(10)
    gc.collect()
    assert references
    assert references[0]() is None, "a finished delivery kept the failing frame's locals"
