"""Catch: process-wide hooks that report what nobody caught.

Part of stage one of the pipeline (**catch** → collect → format → report →
respond). Three hooks, each installed over the handler it replaces and
chaining to it:

* :func:`install_asyncio_handler` — an event loop's exception handler;
  reports the exceptions of callbacks and of tasks nobody awaited, and passes
  every other context (such as "Task was destroyed but it is pending") on;
* :func:`install_excepthook` — :data:`sys.excepthook`;
* :func:`install_threading_excepthook` — :data:`threading.excepthook`.

Each reports through :func:`paste_exc.respond.reporting.report_exception` with
``ctx=None``, so the process-wide configuration (see
:func:`~paste_exc.report.dispatch.configure_reporters`) applies. Removing a hook
restores the one it replaced; if another hook was installed on top of ours in
the meantime, ours is switched off instead (it then only passes calls on), so
the other one's chain stays intact.

.. versionadded:: 0.1
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, TypeVar

from paste_exc.api import ExceptionReporter
from paste_exc.config.convert import asbool
from paste_exc.errors import log_failure
from paste_exc.report.building import build_extras_providers, build_reporters
from paste_exc.report.dispatch import ReportingConfig, set_process_config
from paste_exc.respond.reporting import report_exception

__all__ = [
    "AsyncioExceptionHandler",
    "ExceptHook",
    "ThreadingExceptHook",
    "configure_reporters",
    "install_asyncio_handler",
    "install_excepthook",
    "install_threading_excepthook",
    "remove_asyncio_handler",
    "remove_excepthook",
    "remove_threading_excepthook",
]

log = logging.getLogger("paste_exc.handlers")

AsyncioHandler = Callable[[asyncio.AbstractEventLoop, dict[str, object]], object]
SysHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]
ThreadHook = Callable[[threading.ExceptHookArgs], object]

#: The handler installed per loop, and the hooks installed, so removal finds
#: them even when another hook was installed on top.
_asyncio_installed: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncioExceptionHandler]
_asyncio_installed = weakref.WeakKeyDictionary()
_hooks: dict[str, ExceptHook | ThreadingExceptHook] = {}


def _report(message: str, exception: BaseException, *, logger: bool) -> bool:
    try:
        report_exception(None, message, exception, logger=logger)
    except Exception:  # noqa: BLE001 (logged by log_failure)
        log_failure(log, "reporting an uncaught exception failed")
        return False
    return True


class AsyncioExceptionHandler:
    """An event-loop exception handler that reports, then chains.

    :param previous: the handler it replaced (``None``: the loop's default)
    """

    def __init__(self, previous: AsyncioHandler | None) -> None:
        self.previous = previous
        self.active = True

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
        exception = context.get("exception")
        if self.active and isinstance(exception, Exception):
            message = context.get("message")
            if not isinstance(message, str) or not message:
                message = "Unhandled exception in the event loop"
            if _report(message, exception, logger=True):
                return
        self.pass_on(loop, context)

    def pass_on(self, loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
        """Give *context* to the replaced handler, or to the loop's default one."""
        if self.previous is not None:
            self.previous(loop, context)
        else:
            loop.default_exception_handler(context)


def install_asyncio_handler(
    loop: asyncio.AbstractEventLoop | None = None,
) -> AsyncioExceptionHandler:
    """Install the reporting exception handler on *loop* (default: the running loop).

    Installing twice on the same loop returns the handler already there.

    :raises RuntimeError: no loop given and none running
    """
    if loop is None:
        loop = asyncio.get_running_loop()
    current = loop.get_exception_handler()
    if isinstance(current, AsyncioExceptionHandler) and current.active:
        return current
    handler = AsyncioExceptionHandler(current)
    loop.set_exception_handler(handler)
    _asyncio_installed[loop] = handler
    return handler


def remove_asyncio_handler(loop: asyncio.AbstractEventLoop | None = None) -> bool:
    """Remove the reporting handler from *loop*; return whether one was installed.

    :raises RuntimeError: no loop given and none running
    """
    if loop is None:
        loop = asyncio.get_running_loop()
    ours = _asyncio_installed.pop(loop, None)
    if ours is None:
        return False
    current: object = loop.get_exception_handler()
    if current is ours:
        loop.set_exception_handler(ours.previous)
    else:  # another handler was installed on top of ours: keep its chain
        ours.active = False
    return True


class ExceptHook:
    """A :data:`sys.excepthook` that reports, then calls the hook it replaced.

    The replaced hook prints the traceback as before, so the report itself is
    not logged a second time. :class:`KeyboardInterrupt` and other
    non-:class:`Exception` exceptions are passed on unreported.
    """

    def __init__(self, previous: SysHook) -> None:
        self.previous = previous
        self.active = True

    def __call__(
        self,
        exc_type: type[BaseException],
        exc_value: BaseException,
        exc_tb: TracebackType | None,
    ) -> None:
        if self.active and isinstance(exc_value, Exception):
            _report("Uncaught exception", exc_value, logger=False)
        self.previous(exc_type, exc_value, exc_tb)


def install_excepthook() -> ExceptHook:
    """Install :class:`ExceptHook` as :data:`sys.excepthook` (once)."""
    return _install_hook(sys, ExceptHook)


def remove_excepthook() -> bool:
    """Restore the hook :func:`install_excepthook` replaced; return whether ours was found."""
    return _remove_hook(sys)


class ThreadingExceptHook:
    """A :data:`threading.excepthook` that reports, then calls the hook it replaced."""

    def __init__(self, previous: ThreadHook) -> None:
        self.previous = previous
        self.active = True

    def __call__(self, args: threading.ExceptHookArgs) -> None:
        exception = args.exc_value
        if self.active and isinstance(exception, Exception):
            thread = args.thread
            name = thread.name if thread is not None else "unknown"
            _report(f"Uncaught exception in thread {name}", exception, logger=False)
        self.previous(args)


def install_threading_excepthook() -> ThreadingExceptHook:
    """Install :class:`ThreadingExceptHook` as :data:`threading.excepthook` (once)."""
    return _install_hook(threading, ThreadingExceptHook)


def remove_threading_excepthook() -> bool:
    """Restore the hook :func:`install_threading_excepthook` replaced."""
    return _remove_hook(threading)


_Hook = TypeVar("_Hook", ExceptHook, ThreadingExceptHook)


def _install_hook(module: Any, kind: type[_Hook]) -> _Hook:
    """Put a *kind* hook in ``module.excepthook``, wrapping the one there (once).

    :param module: :mod:`sys` or :mod:`threading`
    :param kind: the hook class for that module
    """
    current = module.excepthook
    if isinstance(current, kind) and current.active:
        return current
    hook = kind(current)
    module.excepthook = hook
    _hooks[module.__name__] = hook
    return hook


def _remove_hook(module: Any) -> bool:
    """Undo :func:`_install_hook`; a hook installed on top of ours keeps its chain."""
    ours = _hooks.pop(module.__name__, None)
    if ours is None:
        return False
    if module.excepthook is ours:
        module.excepthook = ours.previous
    else:
        ours.active = False
    return True


def configure_reporters(
    reporters: Mapping[str, Mapping[str, object] | ExceptionReporter] | None = None,
    install_default_handler: bool = True,
    *,
    extras_providers: Iterable[object] | str | None = None,
    **default_args: object,
) -> ReportingConfig:
    """Configure the process-wide reporters (asphalt's ``ExceptionReporterComponent``).

    Either one reporter from keyword arguments (``backend`` names it, as does
    the reporter), or several through *reporters*, each merged over
    *default_args*. The result becomes the process-wide configuration used when
    ``ctx`` is ``None``, and is returned.

    :param reporters: reporter name → ``{"backend": ..., **options}``, or →
        a ready-made :class:`~paste_exc.api.ExceptionReporter`
    :param install_default_handler: when called from a running event loop,
        install :func:`install_asyncio_handler` on it
    :param extras_providers: providers (objects, classes or references)
    :param default_args: options shared by every reporter, or the options of
        the single reporter when *reporters* is not given
    :raises ConfigError: see :func:`~paste_exc.report.building.build_reporters`
    """
    if reporters is None:
        if default_args:
            backend = default_args.get("backend", "default")
            name = backend if isinstance(backend, str) else "default"
            reporters, default_args = {name: dict(default_args)}, {}
        else:
            reporters = {}
    config = ReportingConfig(
        build_reporters(reporters, default_args),
        build_extras_providers(extras_providers),
    )
    set_process_config(config)
    if asbool(install_default_handler, "install_default_handler"):
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:
            install_asyncio_handler(loop)
    return config
