"""One inert report per catch: built-in reporters get the report, never the live exception."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
import webtest

from paste_exc import CapturingReporter, ErrorMiddleware, ExceptionReporter, LogReporter, Reporter
from paste_exc.model.report import CollectedException
from paste_exc.report.delivery import get_dispatcher
from paste_exc.report.dispatch import ReportingConfig, deliver


class Boom(Exception):
    pass


def failing_app(environ: object, start_response: object) -> list[bytes]:
    secret_local = "kept in a frame"  # noqa: F841 (a local the live exception's frames hold)
    raise Boom("the application failed")


class Plugin(ExceptionReporter):
    def __init__(self) -> None:
        self.seen: list[BaseException] = []

    def report_exception(
        self,
        ctx: Mapping[str, object] | None,
        exception: BaseException,
        message: str,
        extra: dict[str, object],
    ) -> None:
        self.seen.append(exception)


class Spy(LogReporter):
    """A built-in reporter that records what it was handed."""

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self.collected: list[CollectedException] = []

    def report_collected(
        self, ctx: Mapping[str, object] | None, exc_data: CollectedException, message: str = ""
    ) -> None:
        self.collected.append(exc_data)
        super().report_collected(ctx, exc_data, message)


@pytest.fixture
def no_live_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a built-in reporter was handed the live exception")

    monkeypatch.setattr(Reporter, "report_exception", refuse)


def raised() -> Boom:
    try:
        failing_app({}, None)
    except Boom as exc:
        return exc
    raise AssertionError("not raised")


@pytest.mark.usefixtures("no_live_exception")
def test_the_middleware_hands_built_ins_the_report(tmp_path: Path) -> None:
    log = tmp_path / "errors.log"
    middleware = ErrorMiddleware(failing_app, error_log=str(log), debug=False)
    app = webtest.TestApp(middleware)
    app.get("/", status=500, expect_errors=True, extra_environ={"paste.throw_errors": False})
    assert get_dispatcher().flush(10)
    assert "Boom: the application failed" in log.read_text()


@pytest.mark.usefixtures("no_live_exception")
def test_the_dispatcher_collects_once_for_every_built_in(tmp_path: Path) -> None:
    first = Spy(filename=str(tmp_path / "a.log"))
    second = Spy(filename=str(tmp_path / "b.log"))
    plugin = Plugin()
    exception = raised()
    failures = deliver(None, exception, "", ReportingConfig({"a": first, "b": second, "p": plugin}))
    assert failures == []
    assert get_dispatcher().flush(10)
    [one] = first.collected
    [other] = second.collected
    assert one is other  # one report for the catch
    assert isinstance(one, CollectedException)
    assert plugin.seen == [exception]  # asphalt's interface keeps the live exception


def test_the_capturing_reporter_keeps_the_live_exception_on_purpose() -> None:
    capture = CapturingReporter()
    exception = raised()
    assert deliver(None, exception, "", ReportingConfig({"c": capture})) == []
    assert capture.last.exception is exception


def test_a_direct_call_still_collects(tmp_path: Path) -> None:
    spy = Spy(filename=str(tmp_path / "direct.log"))
    spy.report_exception(None, raised(), "", {})
    assert get_dispatcher().flush(10)
    [report] = spy.collected
    assert report.exception_type == "Boom"
    assert "the application failed" in (tmp_path / "direct.log").read_text()
