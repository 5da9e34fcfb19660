"""The capturing reporter and the pytest plug-in users load in their own tests."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from paste_exc.testing import CapturedReport, CapturingReporter

pytest_plugins = ["pytester"]


def _raise(exc: Exception) -> Exception:
    try:
        raise exc
    except Exception as caught:
        return caught


def test_capturing_reporter_keeps_reports_in_order() -> None:
    rep = CapturingReporter()
    first = _raise(KeyError("a"))
    rep.report_exception({"PATH_INFO": "/x"}, first, "first", {"tag": 1})
    rep.report_exception(None, _raise(ValueError("b")), "second", {})
    assert len(rep) == 2
    assert rep.exception_types == ["KeyError", "ValueError"]
    report = rep.reports[0]
    assert isinstance(report, CapturedReport)
    assert report.exception is first
    assert report.message == "first"
    assert report.extra == {"tag": 1}
    assert report.environ == {"PATH_INFO": "/x"}
    assert rep.last.message == "second"
    assert rep.last.identification_code == rep.last.exc_data.identification_code
    rep.clear()
    assert rep.reports == []
    with pytest.raises(LookupError):
        _ = rep.last


def test_capturing_reporter_takes_pastes_report_too() -> None:
    from paste_exc.collector import collected_data

    rep = CapturingReporter()
    data = collected_data(_raise(OSError("disk")))
    rep.report(data)
    assert [r.exc_data for r in rep] == [data]
    assert rep.last.exception is None


def test_capturing_reporter_is_thread_safe() -> None:
    rep = CapturingReporter()
    exc = _raise(RuntimeError("threads"))

    def work() -> None:
        for _ in range(50):
            rep.report_exception(None, exc, "", {})

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(rep) == 200


def test_capturing_reporter_with_flood_window() -> None:
    rep = CapturingReporter(flood_window=60)
    exc = _raise(RuntimeError("flood"))
    for _ in range(3):
        rep.report_exception(None, exc, "", {})
    assert len(rep) == 1


def test_capturing_reporter_survives_a_broken_flood_store() -> None:
    from paste_exc.report.flood import FloodDecision, FloodStore

    class BrokenStore(FloodStore):
        def hit(self, key: str, code: str, now: float, window: float) -> FloodDecision:
            raise ConnectionError("store down")

    rep = CapturingReporter(flood_window=60, flood_store=BrokenStore())
    rep.report_exception(None, _raise(RuntimeError("store down")), "", {})
    assert len(rep) == 1


def test_capturing_reporter_counts_what_flood_control_held_back() -> None:
    from paste_exc.report.delivery import Dispatcher, reset_dispatcher
    from paste_exc.report.flood import MemoryFloodStore

    dispatcher = Dispatcher()
    previous = reset_dispatcher(dispatcher)
    try:
        rep = CapturingReporter(flood_window=60, flood_store=MemoryFloodStore())
        exc = _raise(RuntimeError("counted"))
        for _ in range(3):
            rep.report_exception(None, exc, "", {})
    finally:
        reset_dispatcher(previous)
    assert len(rep) == 1
    assert dispatcher.stats().held_back == 2


def test_capturing_reporter_is_exported_by_reporter_module() -> None:
    from paste_exc import reporter

    assert reporter.CapturingReporter is CapturingReporter


def test_plugin_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from paste_exc.report.delivery import get_dispatcher
        from paste_exc.reporter import LogReporter

        def test_reports(paste_exc_reports):
            try:
                1 / 0
            except ZeroDivisionError as exc:
                paste_exc_reports.report_exception(None, exc, "boom", {})
            assert paste_exc_reports.exception_types == ["ZeroDivisionError"]
            assert get_dispatcher().synchronous

        def test_fresh_each_time(paste_exc_reports):
            assert paste_exc_reports.reports == []

        def test_synchronous(paste_exc_synchronous):
            assert paste_exc_synchronous is get_dispatcher()
            assert paste_exc_synchronous.synchronous
        """
    )
    # No "-p paste_exc.testing": the installed pytest11 entry point loads it.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


# --- through_middleware: WebTest's paste.throw_errors no longer switches the middleware off


class CheckoutError(Exception):
    pass


def _checkout_app(environ: dict[str, object], start_response: object) -> list[bytes]:
    raise CheckoutError("card declined")


def _test_app(app: object) -> object:
    import warnings

    with warnings.catch_warnings():  # webob imports the deprecated cgi module (Python 3.11)
        warnings.simplefilter("ignore", DeprecationWarning)
        from webtest import TestApp
    return TestApp(app)


def test_webtest_switches_the_middleware_off_without_the_helper() -> None:
    from paste_exc.errormiddleware import ErrorMiddleware

    client: Any = _test_app(ErrorMiddleware(_checkout_app))
    with pytest.raises(CheckoutError):
        client.get("/checkout")


def test_through_middleware_shows_and_reports_the_error(
    paste_exc_reports: CapturingReporter,
) -> None:
    from paste_exc.errormiddleware import ErrorMiddleware
    from paste_exc.testing import through_middleware

    middleware = ErrorMiddleware(_checkout_app, debug=True)
    client: Any = _test_app(through_middleware(middleware, capture=paste_exc_reports))
    response = client.get("/checkout", status=500)
    # The debug page (a test client has no REMOTE_ADDR), with the report's occurrence id.
    assert "card declined" in response.text
    assert "CheckoutError" in response.text
    assert paste_exc_reports.exception_types == ["CheckoutError"]
    assert paste_exc_reports.last.exc_data.occurrence_id == response.headers["X-Error-Id"]
    assert paste_exc_reports.last.message
    # The same reporter again is accepted: two clients of one test.
    through_middleware(middleware, capture=paste_exc_reports)
    assert list(middleware.reporting.reporters).count("capture") == 1


def test_through_middleware_finds_the_middleware_inside_wrappers() -> None:
    from paste_exc.errormiddleware import ErrorMiddleware
    from paste_exc.testing import find_error_middleware, through_middleware

    middleware = ErrorMiddleware(_checkout_app)

    class Outer:
        def __init__(self, app: object) -> None:
            self.app = app

        def __call__(self, environ: dict[str, object], start_response: Any) -> Any:
            return self.app(environ, start_response)  # type: ignore[operator]

    class FlaskLike:
        def __init__(self) -> None:
            self.wsgi_app = middleware

    outer = Outer(Outer(FlaskLike()))
    assert find_error_middleware(outer) is middleware
    rep = CapturingReporter()
    through_middleware(outer, capture=rep)  # type: ignore[arg-type]
    assert middleware.reporting.reporters["capture"] is rep

    loop = Outer(None)
    loop.app = loop
    assert find_error_middleware(loop) is None


def test_through_middleware_capture_needs_a_middleware() -> None:
    from paste_exc.errors import ConfigError
    from paste_exc.testing import through_middleware

    with pytest.raises(ConfigError, match="capture: no ErrorMiddleware"):
        through_middleware(_checkout_app, capture=CapturingReporter())
    # Without capture any application may be wrapped (its own middleware may be deeper).
    assert through_middleware(_checkout_app).application is _checkout_app


def test_through_middleware_never_replaces_a_configured_reporter() -> None:
    from paste_exc.errormiddleware import ErrorMiddleware
    from paste_exc.errors import ConfigError
    from paste_exc.testing import through_middleware

    middleware = ErrorMiddleware(_checkout_app, reporters={"capture": {"backend": "logging"}})
    configured = middleware.reporting.reporters["capture"]
    with pytest.raises(ConfigError, match=r"name: .*'capture'"):
        through_middleware(middleware, capture=CapturingReporter())
    assert middleware.reporting.reporters["capture"] is configured
    through_middleware(middleware, capture=CapturingReporter(), name="mine")
    assert set(middleware.reporting.reporters) == {"capture", "mine"}


def test_an_inner_middleware_still_steps_aside(paste_exc_reports: CapturingReporter) -> None:
    from paste_exc.errormiddleware import ErrorMiddleware
    from paste_exc.testing import through_middleware

    inner = CapturingReporter()
    inner_middleware = ErrorMiddleware(_checkout_app)
    inner_middleware.reporting.reporters["inner"] = inner
    outer = ErrorMiddleware(inner_middleware)
    client: Any = _test_app(through_middleware(outer, capture=paste_exc_reports))
    client.get("/", status=500)
    assert len(paste_exc_reports) == 1
    assert len(inner) == 0


def test_through_middleware_keeps_what_went_to_wsgi_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from paste_exc.errormiddleware import ErrorMiddleware
    from paste_exc.testing import through_middleware

    wrapped = through_middleware(ErrorMiddleware(_checkout_app))
    client: Any = _test_app(wrapped)
    response = client.get("/", status=500)
    error_id = response.headers["X-Error-Id"]
    assert "Error - " in wrapped.errors
    assert "card declined" in wrapped.errors
    assert error_id in wrapped.errors
    assert wrapped.errors in capsys.readouterr().err


def test_find_error_middleware_survives_an_attribute_that_raises() -> None:
    from paste_exc.errormiddleware import ErrorMiddleware
    from paste_exc.testing import find_error_middleware

    middleware = ErrorMiddleware(_checkout_app)

    class Hostile:
        @property
        def wsgi_app(self) -> object:
            raise RuntimeError("no")

        app = middleware

    assert find_error_middleware(Hostile()) is middleware
