"""Report: delivery of reports, one worker per destination, each with a deadline.

Stage four of the pipeline (catch → collect → format → **report** → respond).
A *destination* is one configured reporter: each entry of ``reporters``, and
each built-in made from Paste's options (``error_email`` → ``email``,
``error_log`` → ``log``). Reporters hand each report to the process-wide
:class:`Dispatcher` as a :class:`Job`; every destination has its own bounded
queue and its own worker thread, so one slow or hung destination never
delays the reports of another.

* **Background** jobs (email, Raygun, any reporter built with
  ``background=True``) are queued and the caller goes on at once.
* **Waited** jobs (the log file, a stream, JSON lines) run on their
  destination's worker while the request waits for them, at most the job's
  deadline; after that the request goes on, the report is written to the
  fallback stream and the failure is counted.

Every job has a deadline for the whole delivery (:attr:`Job.timeout`). The
job enforces it itself where it can (the SMTP conversation, writes to pipes;
:func:`deadline` tells it when); a waiting caller gives up at the deadline,
and a watchdog thread writes off a job still running :data:`WATCHDOG_GRACE`
seconds after it, the destination's queue going on with a fresh worker.

Nothing is lost silently: a job that fails (whatever it raises, including a
:class:`BaseException` such as :class:`SystemExit` or
:class:`asyncio.CancelledError`), misses its deadline, meets a full queue, or
is still queued when the exit flush runs out of time has its reason and its
text report written to the fallback stream, and is counted (:meth:`Dispatcher.stats`).
The fallback stream is the job's own (``wsgi.errors`` of the request that
failed) or else the dispatcher's :attr:`~Dispatcher.fallback`, by default
:data:`sys.stderr` at the moment of writing.

In a process started by :func:`os.fork` the dispatcher is replaced by a fresh
one (its own queues, its own threads, counters at zero); jobs still queued in
the parent are delivered by the parent.

.. versionadded:: 0.1
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
from collections.abc import Iterator

from paste_exc.report.dispatcher import DEFAULT_FLUSH_TIMEOUT, Dispatcher
from paste_exc.report.jobs import (
    SCOPE,
    DeliveryError,
    DeliveryStats,
    DeliveryTimeout,
    Job,
    Scope,
    StatsSnapshot,
    current_destination,
    deadline,
    write_fallback,
)
from paste_exc.report.queues import (
    DEFAULT_JOB_TIMEOUT,
    DEFAULT_QUEUE_SIZE,
    IDLE_EXIT,
    MAX_ABANDONED,
    WATCHDOG_GRACE,
)

__all__ = [
    "DEFAULT_FLUSH_TIMEOUT",
    "DEFAULT_JOB_TIMEOUT",
    "DEFAULT_QUEUE_SIZE",
    "IDLE_EXIT",
    "MAX_ABANDONED",
    "WATCHDOG_GRACE",
    "DeliveryError",
    "DeliveryStats",
    "DeliveryTimeout",
    "Dispatcher",
    "Job",
    "StatsSnapshot",
    "current_destination",
    "deadline",
    "destination",
    "get_dispatcher",
    "reset_dispatcher",
    "stats",
    "synchronous_delivery",
    "write_fallback",
]


@contextlib.contextmanager
def destination(name: str) -> Iterator[None]:
    """Count what happens to one report given to one reporter under *name*.

    :func:`paste_exc.report.dispatch.deliver` wraps each reporter's call in it. Jobs
    submitted inside use *name* as their destination; a reporter that
    delivers without the dispatcher (Sentry, a plug-in) is counted as
    delivered when the block ends normally and as failed when it raises.

    :param name: the destination's name (the reporter's name in ``reporters``)
    """
    scope = Scope(name)
    token = SCOPE.set(scope)
    try:
        yield
    except BaseException:
        if not scope.touched:
            get_dispatcher().count("failed", destination=name)
        raise
    else:
        if not scope.touched:
            get_dispatcher().count("delivered", destination=name)
    finally:
        SCOPE.reset(token)


_dispatcher: Dispatcher | None = None
_dispatcher_lock = threading.Lock()


def get_dispatcher() -> Dispatcher:
    """Return the process-wide dispatcher, creating it on first use."""
    global _dispatcher
    dispatcher = _dispatcher
    if dispatcher is not None:
        return dispatcher
    with _dispatcher_lock:
        if _dispatcher is None:
            _dispatcher = Dispatcher()
        return _dispatcher


def stats() -> StatsSnapshot:
    """The counters of the process-wide dispatcher, per destination.

    .. versionadded:: 0.1
    """
    return get_dispatcher().stats()


def reset_dispatcher(dispatcher: Dispatcher | None = None) -> Dispatcher | None:
    """Replace the process-wide dispatcher; return the previous one.

    The previous one is not shut down: call its :meth:`~Dispatcher.shutdown`
    when its queue matters. Used after :func:`os.fork` and in tests.

    :param dispatcher: the new one, or ``None`` to create one on next use
    """
    global _dispatcher
    with _dispatcher_lock:
        previous, _dispatcher = _dispatcher, dispatcher
    return previous


@contextlib.contextmanager
def synchronous_delivery() -> Iterator[Dispatcher]:
    """Run every delivery in the caller's thread inside the ``with`` block."""
    dispatcher = get_dispatcher()
    previous = dispatcher.synchronous
    dispatcher.synchronous = True
    try:
        yield dispatcher
    finally:
        dispatcher.synchronous = previous


def _after_fork_in_child() -> None:
    # The parent's threads do not exist here and its lock may be held:
    # forget the whole dispatcher without touching it.
    global _dispatcher, _dispatcher_lock
    _dispatcher_lock = threading.Lock()
    _dispatcher = None


def _flush_at_exit() -> None:
    dispatcher = _dispatcher
    if dispatcher is not None:
        dispatcher.shutdown()


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(_flush_at_exit)
