"""Report: background delivery of reports that can block.

Stage four of the pipeline (catch → collect → format → **report** → respond).
Reporters that talk to the network (SMTP, HTTP services) hand a :class:`Job`
to the process-wide :class:`Dispatcher`: a bounded queue served by one daemon
thread, so the request that failed never waits for a mail server.

Nothing is lost silently:

* when the queue is full, the job's text is written to the fallback stream and
  counted as ``dropped``;
* when a delivery raises, the error and the job's text are written to the
  fallback stream and counted as ``failed``;
* at interpreter exit the queue is flushed for at most
  :attr:`Dispatcher.flush_timeout` seconds; what is still unsent is written to
  the fallback stream and counted as ``dropped``.

The fallback stream is the job's own (``wsgi.errors`` of the request that
failed) or else the dispatcher's :attr:`~Dispatcher.fallback`, by default
:data:`sys.stderr` at the moment of writing.

In a process started by :func:`os.fork` the dispatcher is replaced by a fresh
one (its own queue, its own thread, counters at zero); jobs still queued in
the parent are delivered by the parent.

.. versionadded:: 0.1
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

__all__ = [
    "DeliveryStats",
    "Dispatcher",
    "Job",
    "get_dispatcher",
    "reset_dispatcher",
    "synchronous_delivery",
    "write_fallback",
]

logger = logging.getLogger("paste_exc.delivery")

#: Default number of jobs the queue holds before new ones are written to the
#: fallback stream instead.
DEFAULT_QUEUE_SIZE = 1000
#: Default number of seconds the exit flush waits for the queue to empty.
DEFAULT_FLUSH_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class Job:
    """One delivery to run off the caller's thread.

    :param deliver: sends the report; raises on failure
    :param describe: returns the report as text, written to the fallback
        stream when the delivery fails or never happens
    :param name: a short name of the destination, used in messages
    :param fallback: the stream for this job's failures (``wsgi.errors``), or
        ``None`` for the dispatcher's
    """

    deliver: Callable[[], None]
    describe: Callable[[], str]
    name: str = "report"
    fallback: IO[str] | None = None


@dataclass(frozen=True, slots=True)
class DeliveryStats:
    """A snapshot of a dispatcher's counters.

    ``queued`` counts jobs accepted by the queue, ``sent`` deliveries that
    succeeded (in the background or synchronously), ``failed`` deliveries
    that raised, ``dropped`` jobs written to the fallback stream because the
    queue was full or the exit flush ran out of time, ``held_back`` reports
    withheld by flood control, ``pending`` jobs not yet finished.
    """

    queued: int = 0
    sent: int = 0
    failed: int = 0
    dropped: int = 0
    held_back: int = 0
    pending: int = 0


def write_fallback(text: str, stream: IO[str] | None = None) -> bool:
    """Write *text* to *stream*, or to :data:`sys.stderr` when that fails.

    Never raises. Returns ``True`` when one of the two streams took the text.

    :param text: what to write (a newline is added when missing)
    :param stream: the preferred stream, or ``None`` for :data:`sys.stderr`
    """
    if not text.endswith("\n"):
        text += "\n"
    candidates = [s for s in (stream, sys.stderr, sys.__stderr__) if s is not None]
    for candidate in candidates:
        try:
            candidate.write(text)
            candidate.flush()
        except Exception:  # a closed or broken stream: try the next one
            logger.debug("paste_exc: fallback stream %r failed", candidate, exc_info=True)
            continue
        return True
    return False


def _safe_describe(job: Job) -> str:
    try:
        return job.describe()
    except Exception as exc:  # noqa: BLE001 - the fallback must never raise
        return f"(the {job.name} report could not be formatted: {exc!r})"


class Dispatcher:
    """A bounded queue of delivery jobs served by one daemon thread.

    The thread starts with the first job. Use :func:`get_dispatcher` for the
    process-wide instance; build your own only in tests.

    :param maxsize: how many jobs the queue holds
    :param flush_timeout: seconds :meth:`shutdown` waits for the queue
    :param fallback: the stream for failures of jobs without their own, or
        ``None`` for :data:`sys.stderr`
    :param synchronous: run every job in the caller's thread (scripts, CGI,
        tests); failures then propagate to the caller
    """

    def __init__(
        self,
        maxsize: int = DEFAULT_QUEUE_SIZE,
        flush_timeout: float = DEFAULT_FLUSH_TIMEOUT,
        fallback: IO[str] | None = None,
        *,
        synchronous: bool = False,
    ) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.flush_timeout = flush_timeout
        self.fallback = fallback
        self.synchronous = synchronous
        self._queue: queue.Queue[Job | None] = queue.Queue(maxsize)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._current: Job | None = None
        self._closed = False
        self._counts = {"queued": 0, "sent": 0, "failed": 0, "dropped": 0, "held_back": 0}

    # -- counters ---------------------------------------------------------

    def count(self, name: str, amount: int = 1) -> None:
        """Add *amount* to the counter *name* (``held_back`` is for flood control).

        :param name: one of the :class:`DeliveryStats` counters except ``pending``
        :param amount: how much to add
        """
        with self._lock:
            if name not in self._counts:
                raise KeyError(name)
            self._counts[name] += amount

    def stats(self) -> DeliveryStats:
        """Return a snapshot of the counters."""
        with self._lock:
            return DeliveryStats(pending=self._queue.unfinished_tasks, **self._counts)

    # -- submitting -------------------------------------------------------

    def submit(self, job: Job) -> bool:
        """Queue *job*; return ``True`` when it was queued or delivered.

        In synchronous mode the job runs now and its exception, if any,
        propagates (after being counted). When the queue is full or the
        dispatcher is shut down, the job's text goes to the fallback stream
        and ``False`` is returned.

        :param job: the delivery to run
        """
        if self.synchronous:
            self.run(job)
            return True
        with self._lock:
            closed = self._closed
            if not closed:
                self._ensure_thread()
        if closed:
            self._drop(job, "the dispatcher is shut down")
            return False
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            self._drop(job, "the delivery queue is full")
            return False
        self.count("queued")
        return True

    def run(self, job: Job) -> None:
        """Run *job* in the caller's thread now, counting it; its failure propagates.

        :param job: the delivery to run
        """
        self._run(job, isolate=False)

    def _ensure_thread(self) -> None:
        # Called with self._lock held.
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._work, name="paste_exc-delivery", daemon=True
            )
            self._thread.start()

    def _drop(self, job: Job, reason: str) -> None:
        self.count("dropped")
        logger.warning(
            "paste_exc: %s; the %s report is written to the fallback stream", reason, job.name
        )
        write_fallback(
            f"paste_exc: {reason}; the {job.name} report was not sent:\n{_safe_describe(job)}",
            job.fallback or self.fallback,
        )

    # -- running ----------------------------------------------------------

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            try:
                if job is None:
                    return
                self._current = job
                self._run(job, isolate=True)
            finally:
                self._current = None
                self._queue.task_done()

    def _run(self, job: Job, *, isolate: bool) -> None:
        try:
            job.deliver()
        except Exception as exc:
            self.count("failed")
            if not isolate:
                raise
            logger.error("paste_exc: the %s report could not be delivered: %r", job.name, exc)
            write_fallback(
                f"paste_exc: the {job.name} report could not be delivered: "
                f"{type(exc).__name__}: {exc}\n{_safe_describe(job)}",
                job.fallback or self.fallback,
            )
        else:
            self.count("sent")

    # -- flushing ---------------------------------------------------------

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued job is finished; ``True`` when they are.

        :param timeout: seconds to wait at most (``None``: :attr:`flush_timeout`)
        """
        limit = self.flush_timeout if timeout is None else timeout
        deadline = time.monotonic() + max(limit, 0.0)
        done = self._queue.all_tasks_done
        with done:
            while self._queue.unfinished_tasks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                done.wait(remaining)
        return True

    def shutdown(self, timeout: float | None = None) -> DeliveryStats:
        """Flush, stop accepting jobs, write what is left to the fallback stream.

        Registered with :mod:`atexit` for the process-wide dispatcher.

        :param timeout: seconds the flush may take (``None``: :attr:`flush_timeout`)
        """
        with self._lock:
            self._closed = True
        if not self.flush(timeout):
            current = self._current
            if current is not None:
                self._drop(current, "the exit flush timed out while delivering")
            while True:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is not None:
                    self._drop(job, "the exit flush timed out")
                self._queue.task_done()
        else:
            with contextlib.suppress(queue.Full):
                self._queue.put_nowait(None)
        return self.stats()


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
    # The parent's thread does not exist here and its lock may be held:
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
