"""Report: the dispatcher: submit, run, count, flush and shut down delivery jobs.

Part of stage four (catch → collect → format → **report** → respond).
:class:`Dispatcher` is the public face of the per-destination queues of
:class:`~paste_exc.report.queues.DestinationQueues`: background jobs are
queued, waited jobs run on their destination's worker for at most their
deadline, and every outcome is counted. :mod:`paste_exc.report.delivery`
holds the process-wide instance (see its docstring for the whole story).

.. versionadded:: 0.1
"""

from __future__ import annotations

import time
from typing import IO, Final

from paste_exc.config.convert import asbool, asduration
from paste_exc.report.jobs import (
    DEADLINE,
    DeliveryError,
    DeliveryStats,
    DeliveryTimeout,
    Job,
    StatsSnapshot,
    error_text,
    touch,
)
from paste_exc.report.queues import (
    DEFAULT_JOB_TIMEOUT,
    DEFAULT_QUEUE_SIZE,
    DestinationQueues,
)
from paste_exc.report.tickets import DestinationState, Ticket

__all__ = ["DEFAULT_FLUSH_TIMEOUT", "Dispatcher"]


#: Default number of seconds the exit flush waits for every queue to empty.
DEFAULT_FLUSH_TIMEOUT: Final = 5.0


_OUTCOMES: Final = ("delivered", "failed", "dropped", "held_back")


class Dispatcher(DestinationQueues):
    """Per-destination bounded queues, each served by its own daemon thread.

    A destination's worker starts with its first job and exits after
    :data:`IDLE_EXIT` idle seconds. Use :func:`get_dispatcher` for the
    process-wide instance; build your own only in tests.

    :param maxsize: how many jobs each destination's queue holds (unless the
        job says otherwise)
    :param flush_timeout: seconds :meth:`shutdown` waits for the queues
    :param fallback: the stream for failures of jobs without their own, or
        ``None`` for :data:`sys.stderr`
    :param synchronous: run every job in the caller's thread (scripts, tests);
        failures then propagate to the caller
    :param job_timeout: the deadline of jobs that name none
    """

    def __init__(
        self,
        maxsize: int = DEFAULT_QUEUE_SIZE,
        flush_timeout: float = DEFAULT_FLUSH_TIMEOUT,
        fallback: IO[str] | None = None,
        *,
        synchronous: bool = False,
        job_timeout: float = DEFAULT_JOB_TIMEOUT,
    ) -> None:
        super().__init__(maxsize, fallback, job_timeout)
        self.flush_timeout = asduration(flush_timeout, "flush_timeout")
        self.synchronous = asbool(synchronous, "synchronous")

    # -- counters ---------------------------------------------------------

    def count(self, name: str, amount: int = 1, *, destination: str | None = None) -> None:
        """Record *amount* reports that ended as *name* without a job.

        For flood control (``held_back``) and reporters that deliver by
        themselves; each also counts as ``submitted``.

        :param name: ``delivered`` (or ``sent``), ``failed``, ``dropped`` or ``held_back``
        :param amount: how many
        :param destination: whose counters (``None``: the enclosing
            :func:`destination` block's, else ``report``)
        """
        name = "delivered" if name == "sent" else name
        if name not in _OUTCOMES:
            raise KeyError(name)
        scope = touch()
        label = destination or (scope.name if scope is not None else "report")
        with self._lock:
            counts = self._destination(label, None).counts
            counts[name] += amount
            counts["submitted"] += amount

    def stats(self) -> StatsSnapshot:
        """Return a snapshot of every destination's counters (and their totals).

        Destinations of one name (two reporters called ``log`` in two
        middlewares) are counted together under it.
        """
        with self._lock:
            totals: dict[str, DeliveryStats] = {}
            for dest in self._destinations.values():
                counts = DeliveryStats(**dest.counts)
                previous = totals.get(dest.name)
                totals[dest.name] = counts if previous is None else previous + counts
            return StatsSnapshot(totals)

    # -- submitting -------------------------------------------------------

    def submit(self, job: Job) -> bool:
        """Queue *job* on its destination; return ``True`` when it was accepted.

        In synchronous mode the job runs now and its exception, if any,
        propagates (after being counted). When the queue is full or the
        dispatcher is shut down, the job's text goes to the fallback stream
        and ``False`` is returned.

        :param job: the delivery to run
        """
        if self.synchronous:
            self.run(job)
            return True
        label = self._label(job)
        with self._lock:
            dest = self._destination(label, job.queue_size, job.owner)
            ticket = Ticket(job, dest, self._timeout(job))
            dest.counts["submitted"] += 1
            refused = self._accept(ticket)
            if refused is None:
                dest.counts["queued"] += 1
            else:
                dest.counts["dropped"] += 1
        if refused is not None:
            self._write_off(job, refused)
            return False
        return True

    def run(self, job: Job, *, wait: float | None = None) -> None:
        """Deliver *job* now, counting it; its failure propagates to the caller.

        Without *wait* (or in synchronous mode) the job runs in the caller's
        thread. With *wait* it runs on its destination's worker and the
        caller waits at most *wait* seconds: after that, or when the
        destination is still stuck in an earlier delivery past its deadline,
        the report is written to the fallback stream, counted as failed, and
        :class:`DeliveryTimeout` is raised. A failure within the wait is
        written to the fallback stream too, then raised (a
        :class:`BaseException` that is not an :class:`Exception` comes as
        :class:`DeliveryError`).

        :param job: the delivery to run
        :param wait: seconds the caller waits at most
        """
        label = self._label(job)
        refused: DeliveryError | None = None
        with self._lock:
            dest = self._destination(label, job.queue_size, job.owner)
            dest.counts["submitted"] += 1
            if wait is None or self.synchronous or self._closed:
                ticket = None
            else:
                ticket = Ticket(job, dest, wait, waited=True)
                if dest.stuck():
                    refused = DeliveryTimeout(
                        f"the {label} destination is still stuck in an earlier delivery "
                        "past its deadline"
                    )
                    dest.counts["failed"] += 1
                else:
                    reason = self._accept(ticket)
                    if reason is not None:
                        refused = DeliveryError(reason)
                        dest.counts["dropped"] += 1
        if ticket is None:
            self._run_inline(dest, job)
            return
        if refused is not None:
            self._write_off(job, str(refused))
            raise refused
        self._wait_for(ticket, ticket.timeout)

    def _wait_for(self, ticket: Ticket, wait: float) -> None:
        job = ticket.job
        if not ticket.done.wait(wait):
            late = DeliveryTimeout(
                f"the {job.name} report was not delivered within {wait:g} s "
                "(delivery_timeout); the request went on without it"
            )
            with self._lock:
                claimed = self._expire(ticket, late)
            if claimed:
                try:
                    self._write_failure(ticket, late)
                finally:
                    self._finish(ticket)
            else:  # the worker is writing its outcome this very moment
                ticket.done.wait(1.0)
        if ticket.outcome == "delivered":
            return
        error = ticket.error
        if error is None:  # still being written by the worker, or dropped at exit
            raise DeliveryError(f"the {job.name} report was not delivered")
        if isinstance(error, Exception):
            raise error
        raise DeliveryError(
            f"the {job.name} reporter raised {error_text(error)}; the report was "
            "written to the fallback stream"
        ) from error

    def _run_inline(self, dest: DestinationState, job: Job) -> None:
        token = DEADLINE.set(time.monotonic() + self._timeout(job))
        try:
            job.deliver()
        except BaseException:
            with self._lock:
                dest.counts["failed"] += 1
            raise
        finally:
            DEADLINE.reset(token)
        with self._lock:
            dest.counts["delivered"] += 1

    def _label(self, job: Job) -> str:
        scope = touch()
        return job.destination or (scope.name if scope is not None else None) or job.name

    # -- flushing ---------------------------------------------------------

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every accepted job is finished; ``True`` when they are.

        :param timeout: seconds to wait at most (``None``: :attr:`flush_timeout`)
        """
        limit = self.flush_timeout if timeout is None else timeout
        until = time.monotonic() + max(limit, 0.0)
        with self._settled:
            while self._pending():
                remaining = until - time.monotonic()
                if remaining <= 0:
                    return False
                self._settled.wait(remaining)
        return True

    def shutdown(self, timeout: float | None = None) -> StatsSnapshot:
        """Flush, stop accepting jobs, write what is left to the fallback stream.

        Registered with :mod:`atexit` for the process-wide dispatcher. It
        takes at most *timeout* seconds plus the time to write the unsent
        reports to their fallback streams. Waited jobs submitted afterwards
        run in the caller's thread.

        :param timeout: seconds the flush may take (``None``: :attr:`flush_timeout`)
        """
        with self._lock:
            self._closed = True
            for dest in self._destinations.values():
                dest.wakeup.notify_all()
        left: list[tuple[Ticket, str]] = []
        if not self.flush(timeout):
            with self._lock:
                for dest in self._destinations.values():
                    running = dest.running
                    if running is not None and self._claim(running, "dropped", None):
                        left.append((running, "the exit flush timed out while delivering"))
                    while dest.queue:
                        ticket = dest.queue.popleft()
                        if self._claim(ticket, "dropped", None):
                            left.append((ticket, "the exit flush timed out"))
        for ticket, reason in left:
            try:
                self._write_off(ticket.job, reason)
            finally:
                self._finish(ticket)
        return self.stats()
