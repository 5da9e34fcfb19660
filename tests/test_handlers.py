"""paste_exc.process: asyncio, sys and threading hooks that report and chain."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import threading
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import Any

import pytest

from paste_exc.api import ExceptionReporter
from paste_exc.errors import ConfigError
from paste_exc.process import (
    AsyncioExceptionHandler,
    configure_reporters,
    install_asyncio_handler,
    install_excepthook,
    install_threading_excepthook,
    remove_asyncio_handler,
    remove_excepthook,
    remove_threading_excepthook,
)
from paste_exc.report.dispatch import ReportingConfig, set_process_config


class Recorder(ExceptionReporter):
    def __init__(self) -> None:
        self.calls: list[tuple[BaseException, str]] = []

    def report_exception(
        self,
        ctx: Mapping[str, Any] | None,
        exception: BaseException,
        message: str,
        extra: dict[str, Any],
    ) -> None:
        self.calls.append((exception, message))


@pytest.fixture(autouse=True)
def keep_process_config() -> Iterator[None]:
    previous = set_process_config(ReportingConfig())
    yield
    set_process_config(previous)


@pytest.fixture
def recorder() -> Recorder:
    reporter = Recorder()
    set_process_config(ReportingConfig({"r": reporter}))
    return reporter


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def _previous_handler(seen: list[dict[str, Any]]) -> Any:
    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        seen.append(context)

    return handler


# -- asyncio --------------------------------------------------------------


def test_callback_exception_is_reported_not_passed_on(
    recorder: Recorder, loop: asyncio.AbstractEventLoop, caplog: pytest.LogCaptureFixture
) -> None:
    passed: list[dict[str, Any]] = []
    loop.set_exception_handler(_previous_handler(passed))
    install_asyncio_handler(loop)

    def callback() -> None:
        raise RuntimeError("in a callback")

    loop.call_soon(callback)
    with caplog.at_level(logging.ERROR):
        loop.run_until_complete(asyncio.sleep(0))
    ((exception, message),) = recorder.calls
    assert str(exception) == "in a callback"
    assert "Exception in callback" in message
    assert passed == []
    # logged on the module that raised (this test module)
    assert any(r.name == __name__ and r.exc_info for r in caplog.records)


def test_never_awaited_task_is_reported(
    recorder: Recorder, loop: asyncio.AbstractEventLoop
) -> None:
    install_asyncio_handler(loop)

    async def fails() -> None:
        raise KeyError("nobody awaited me")

    task = loop.create_task(fails())
    loop.run_until_complete(asyncio.sleep(0.01))
    assert task.done()
    del task
    gc.collect()
    ((exception, message),) = recorder.calls
    assert isinstance(exception, KeyError)
    assert message == "Task exception was never retrieved"


def test_contexts_without_exception_go_to_the_previous_handler(
    recorder: Recorder, loop: asyncio.AbstractEventLoop
) -> None:
    passed: list[dict[str, Any]] = []
    loop.set_exception_handler(_previous_handler(passed))
    install_asyncio_handler(loop)
    context = {"message": "Task was destroyed but it is pending!"}
    loop.call_exception_handler(context)
    assert passed == [context]
    assert recorder.calls == []


def test_contexts_without_exception_go_to_the_default_handler(
    recorder: Recorder, loop: asyncio.AbstractEventLoop, caplog: pytest.LogCaptureFixture
) -> None:
    install_asyncio_handler(loop)
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        loop.call_exception_handler({"message": "Task was destroyed but it is pending!"})
    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == [
        "Task was destroyed but it is pending!"
    ]
    assert recorder.calls == []


def test_base_exceptions_are_passed_on(recorder: Recorder, loop: asyncio.AbstractEventLoop) -> None:
    passed: list[dict[str, Any]] = []
    loop.set_exception_handler(_previous_handler(passed))
    install_asyncio_handler(loop)
    loop.call_exception_handler({"message": "stop", "exception": KeyboardInterrupt()})
    assert len(passed) == 1
    assert recorder.calls == []


def test_install_twice_and_remove_restores_the_previous(
    loop: asyncio.AbstractEventLoop,
) -> None:
    previous = _previous_handler([])
    loop.set_exception_handler(previous)
    handler = install_asyncio_handler(loop)
    assert install_asyncio_handler(loop) is handler
    assert handler.previous is previous
    assert remove_asyncio_handler(loop) is True
    assert loop.get_exception_handler() is previous
    assert remove_asyncio_handler(loop) is False


def test_remove_under_another_handler_keeps_its_chain(
    recorder: Recorder, loop: asyncio.AbstractEventLoop
) -> None:
    passed: list[dict[str, Any]] = []
    loop.set_exception_handler(_previous_handler(passed))
    ours = install_asyncio_handler(loop)

    def on_top(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        ours(loop, context)

    loop.set_exception_handler(on_top)
    assert remove_asyncio_handler(loop) is True
    assert loop.get_exception_handler() is on_top
    loop.call_exception_handler({"message": "boom", "exception": ValueError("x")})
    assert recorder.calls == []
    assert len(passed) == 1


def test_configure_from_async_code_installs_on_the_running_loop(
    loop: asyncio.AbstractEventLoop,
) -> None:
    async def configure() -> object:
        configure_reporters(install_default_handler=True)
        return asyncio.get_running_loop().get_exception_handler()

    assert isinstance(loop.run_until_complete(configure()), AsyncioExceptionHandler)
    configure_reporters(install_default_handler=True)  # no running loop: nothing to install
    assert loop.get_exception_handler() is not None


def test_configure_without_default_handler_installs_nothing(
    loop: asyncio.AbstractEventLoop,
) -> None:
    async def configure() -> object:
        configure_reporters(install_default_handler=False)
        return asyncio.get_running_loop().get_exception_handler()

    assert loop.run_until_complete(configure()) is None


def test_an_ini_false_installs_no_default_handler(loop: asyncio.AbstractEventLoop) -> None:
    async def configure() -> object:
        configure_reporters(install_default_handler="false")  # type: ignore[arg-type]
        return asyncio.get_running_loop().get_exception_handler()

    assert loop.run_until_complete(configure()) is None


def test_a_bad_install_default_handler_is_named() -> None:
    with pytest.raises(ConfigError, match=r"^install_default_handler: expected a boolean"):
        configure_reporters(install_default_handler="sometimes")  # type: ignore[arg-type]


# -- sys.excepthook ---------------------------------------------------------


SysHookCall = tuple[type[BaseException], BaseException, TracebackType | None]


@pytest.fixture
def sys_previous(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[SysHookCall]]:
    calls: list[SysHookCall] = []

    def previous(t: type[BaseException], v: BaseException, tb: TracebackType | None) -> None:
        calls.append((t, v, tb))

    monkeypatch.setattr(sys, "excepthook", previous)
    yield calls
    remove_excepthook()


def test_excepthook_reports_then_chains(
    recorder: Recorder, sys_previous: list[SysHookCall]
) -> None:
    hook = install_excepthook()
    assert install_excepthook() is hook
    try:
        raise LookupError("uncaught")
    except LookupError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert [(type(e), m) for e, m in recorder.calls] == [(LookupError, "Uncaught exception")]
    assert len(sys_previous) == 1
    assert sys_previous[0][0] is LookupError


def test_excepthook_passes_keyboard_interrupt_unreported(
    recorder: Recorder, sys_previous: list[SysHookCall]
) -> None:
    install_excepthook()
    sys.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert recorder.calls == []
    assert len(sys_previous) == 1


def test_remove_excepthook_restores_or_deactivates(
    recorder: Recorder, sys_previous: list[SysHookCall]
) -> None:
    original = sys.excepthook
    install_excepthook()
    assert remove_excepthook() is True
    assert sys.excepthook is original
    assert remove_excepthook() is False

    ours = install_excepthook()

    def on_top(t: type[BaseException], v: BaseException, tb: TracebackType | None) -> None:
        ours(t, v, tb)

    sys.excepthook = on_top
    assert remove_excepthook() is True
    assert sys.excepthook is on_top
    sys.excepthook(ValueError, ValueError("x"), None)
    assert recorder.calls == []
    assert len(sys_previous) == 1


# -- threading.excepthook ---------------------------------------------------


@pytest.fixture
def thread_previous(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    calls: list[Any] = []
    monkeypatch.setattr(threading, "excepthook", calls.append)
    yield calls
    remove_threading_excepthook()


def test_threading_excepthook_reports_then_chains(
    recorder: Recorder, thread_previous: list[Any]
) -> None:
    hook = install_threading_excepthook()
    assert install_threading_excepthook() is hook

    def work() -> None:
        raise OSError("in a thread")

    thread = threading.Thread(target=work, name="worker-7")
    thread.start()
    thread.join()
    ((exception, message),) = recorder.calls
    assert isinstance(exception, OSError)
    assert message == "Uncaught exception in thread worker-7"
    assert len(thread_previous) == 1
    assert thread_previous[0].exc_value is exception


def test_remove_threading_excepthook_restores(thread_previous: list[Any]) -> None:
    original = threading.excepthook
    install_threading_excepthook()
    assert threading.excepthook is not original
    assert remove_threading_excepthook() is True
    assert threading.excepthook is original
    assert remove_threading_excepthook() is False
