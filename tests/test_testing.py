"""The capturing reporter and the pytest plug-in users load in their own tests."""

from __future__ import annotations

import threading

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
    from paste_exc.flood import FloodDecision, FloodStore

    class BrokenStore(FloodStore):
        def hit(self, key: str, code: str, now: float, window: float) -> FloodDecision:
            raise ConnectionError("store down")

    rep = CapturingReporter(flood_window=60, flood_store=BrokenStore())
    rep.report_exception(None, _raise(RuntimeError("store down")), "", {})
    assert len(rep) == 1


def test_capturing_reporter_counts_what_flood_control_held_back() -> None:
    from paste_exc.delivery import Dispatcher, reset_dispatcher
    from paste_exc.flood import MemoryFloodStore

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
        from paste_exc.delivery import get_dispatcher
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
