"""Report: the mechanics of delivery: one queue and one worker per destination.

Part of stage four (catch → collect → format → **report** → respond).
:class:`DestinationQueues` is the machinery under
:class:`paste_exc.report.delivery.Dispatcher`: the per-destination queues and worker
threads, the watchdog that writes off a background job past its deadline,
and the one place where a job's outcome is decided (once) and counted.

Every piece of shared state is guarded by one lock. A job's outcome is
*claimed* under the lock by whoever decides it first (its worker, the
watchdog, the waiting caller, the exit flush), who then writes what is to be
written and *finishes* it, which counts it: so the counters always add up
and a late return of a written-off delivery changes nothing.

.. versionadded:: 0.1
"""

from __future__ import annotations

import contextvars
import threading
import time
import weakref
from typing import IO, Final

from paste_exc.config.convert import asduration, asint
from paste_exc.report.jobs import (
    DEADLINE,
    DeliveryTimeout,
    Job,
    error_text,
    logger,
    safe_describe,
    write_fallback,
)
from paste_exc.report.tickets import DestinationState, Ticket

__all__ = [
    "DEFAULT_JOB_TIMEOUT",
    "DEFAULT_QUEUE_SIZE",
    "IDLE_EXIT",
    "MAX_ABANDONED",
    "WATCHDOG_GRACE",
    "DestinationQueues",
]

#: Default number of jobs one destination's queue holds; a job beyond it is
#: written to the fallback stream and counted as ``dropped``.
DEFAULT_QUEUE_SIZE: Final = 100
#: Default deadline of a job that names none, in seconds.
DEFAULT_JOB_TIMEOUT: Final = 30.0
#: Seconds after its deadline at which the watchdog writes off a background
#: job that did not end by itself.
WATCHDOG_GRACE: Final = 1.0
#: Seconds an idle worker (or the watchdog) waits for work before it exits.
IDLE_EXIT: Final = 30.0
#: How many threads of one destination may be left behind in a delivery that
#: missed its deadline; beyond that the stuck thread stays the worker.
MAX_ABANDONED: Final = 1


#: What a finished ticket's context is replaced by: empty, nothing held.
_RELEASED_CONTEXT: Final = contextvars.Context()


class DestinationQueues:
    """The queues, workers and watchdog of a dispatcher (see the module docstring).

    :param maxsize: how many jobs each destination's queue holds (unless the
        job says otherwise)
    :param fallback: the stream for failures of jobs without their own
    :param job_timeout: the deadline of jobs that name none
    """

    def __init__(
        self,
        maxsize: int = DEFAULT_QUEUE_SIZE,
        fallback: IO[str] | None = None,
        job_timeout: float = DEFAULT_JOB_TIMEOUT,
    ) -> None:
        self.maxsize = asint(maxsize, "maxsize", minimum=1)
        self.fallback = fallback
        self.job_timeout = asduration(job_timeout, "job_timeout", minimum=0.001)
        self._lock = threading.Lock()
        self._settled = threading.Condition(self._lock)
        self._watch = threading.Condition(self._lock)
        # By name and owner (see Job.owner): each reporter its own queue and worker.
        self._destinations: dict[tuple[str, int], DestinationState] = {}
        self._watchdog: threading.Thread | None = None
        #: When the watchdog looks next (``None``: it is not waiting yet).
        self._watch_wake: float | None = None
        self._closed = False

    # -- queues -----------------------------------------------------------

    def _timeout(self, job: Job) -> float:
        timeout = job.timeout
        return float(timeout) if timeout is not None and timeout > 0 else self.job_timeout

    def _destination(
        self, name: str, queue_size: int | None, owner: object = None
    ) -> DestinationState:
        # Called with self._lock held.
        try:
            owner_ref: weakref.ref[object] | None = None if owner is None else weakref.ref(owner)
        except TypeError:  # not weakly referable: it shares the name's queue
            owner_ref = None
        key = (name, 0 if owner_ref is None else id(owner))
        dest = self._destinations.get(key)
        if dest is not None and dest.owner is not None and dest.owner() is not owner:
            dest = None  # a reporter gone, its id taken by a new one
        if dest is None:
            self._retire_orphans()
            dest = DestinationState(name, self.maxsize, self._lock, owner_ref)
            self._destinations[key] = dest
        if queue_size is not None and queue_size >= 1:
            dest.maxsize = queue_size
        return dest

    def _retire_orphans(self) -> None:
        """Fold the counters of destinations whose reporter is gone into their name's.

        Called with self._lock held. Reporters made per call
        (:func:`~paste_exc.errormiddleware.handle_exception`) leave no state behind.
        """
        orphans = [key for key, dest in self._destinations.items() if dest.idle_orphan()]
        for key in orphans:
            orphan = self._destinations.pop(key)
            if orphan.worker is not None:  # idle: let it end now rather than at IDLE_EXIT
                orphan.worker = None
                orphan.wakeup.notify_all()
            shared = self._destinations.get((orphan.name, 0))
            if shared is None:
                shared = DestinationState(orphan.name, self.maxsize, self._lock)
                self._destinations[(orphan.name, 0)] = shared
            for counter, value in orphan.counts.items():
                shared.counts[counter] += value

    def _accept(self, ticket: Ticket) -> str | None:
        """Queue *ticket*, or say why not. Called with self._lock held."""
        dest = ticket.dest
        if self._closed:
            return "the dispatcher is shut down"
        if len(dest.queue) >= dest.maxsize:
            return f"the delivery queue is full ({dest.maxsize} reports for {dest.name!r})"
        ticket.accepted = True
        dest.queue.append(ticket)
        dest.counts["pending"] += 1
        if dest.worker is None:
            self._start_worker(dest)
        dest.wakeup.notify()
        return None

    def _start_worker(self, dest: DestinationState) -> None:
        # Called with self._lock held.
        worker = threading.Thread(
            target=self._work, args=(dest,), name=f"paste_exc-delivery:{dest.name}"[:80]
        )
        worker.daemon = True
        dest.worker = worker
        worker.start()

    # -- outcomes ---------------------------------------------------------

    def _claim(self, ticket: Ticket, outcome: str, error: BaseException | None) -> bool:
        """Decide how *ticket* ended, once; ``False`` when that was decided already.

        Called with self._lock held. The claimer writes what is to be
        written, then calls :meth:`_finish`, which counts it.
        """
        if ticket.outcome is not None:
            return False
        ticket.outcome = outcome
        ticket.error = error
        return True

    def _finish(self, ticket: Ticket) -> None:
        """Count the claimed *ticket*, let go of its context and wake whoever waits for it.

        The context copied when the job was queued holds the catch it was
        queued in (the live exception, its frames and their locals); nothing
        runs in it any more, so it is let go before anyone is told the job
        ended (a thread still stuck in it keeps its own reference).
        """
        ticket.context = _RELEASED_CONTEXT
        with self._lock:
            counts = ticket.dest.counts
            counts[ticket.outcome or "failed"] += 1
            if ticket.accepted:
                counts["pending"] -= 1
            self._settled.notify_all()
        # The request's context copy holds its catch (the live exception, its frames
        # and their locals): a finished delivery keeps none of it alive while the
        # worker waits for the next one.
        ticket.context = contextvars.Context()
        ticket.done.set()

    def _expire(self, ticket: Ticket, error: BaseException) -> bool:
        """Write *ticket* off as failed (deadline); free its queue. Called with the lock held."""
        if not self._claim(ticket, "failed", error):
            return False
        dest = ticket.dest
        if dest.running is ticket and dest.abandoned < MAX_ABANDONED:
            # Its thread is stuck in the delivery: leave it there, go on with a fresh one.
            dest.abandoned += 1
            dest.running = None
            dest.worker = None
            if dest.queue:
                self._start_worker(dest)
        return True

    def _pending(self) -> int:
        # Called with self._lock held.
        return sum(dest.counts["pending"] for dest in self._destinations.values())

    # -- running ----------------------------------------------------------

    def _next(self, dest: DestinationState, me: threading.Thread) -> Ticket | None:
        # Called with self._lock held.
        while dest.worker is me:
            while dest.queue:
                ticket = dest.queue.popleft()
                if ticket.outcome is None:
                    return ticket
            if self._closed or (not dest.wakeup.wait(IDLE_EXIT) and not dest.queue):
                break
        if dest.worker is me:
            dest.worker = None
        return None

    def _work(self, dest: DestinationState) -> None:
        me = threading.current_thread()
        while True:
            with self._lock:
                ticket = self._next(dest, me)
                if ticket is None:
                    return
                ticket.started = time.monotonic()
                dest.running = ticket
                self._arm_watchdog(ticket.started + ticket.timeout + WATCHDOG_GRACE, ticket.waited)
            error = self._call(ticket)
            with self._lock:
                if dest.running is ticket:
                    dest.running = None
                mine = dest.worker is me
                if not mine:
                    dest.abandoned -= 1
                outcome = "delivered" if error is None else "failed"
                claimed = self._claim(ticket, outcome, error)
            if claimed:
                try:
                    if error is not None:
                        self._write_failure(ticket, error)
                except BaseException:  # noqa: BLE001 - the worker must never die
                    logger.debug("paste_exc: writing a failure failed", exc_info=True)
                finally:
                    self._finish(ticket)
            if not mine:
                return
            # An idle worker keeps nothing of its last report alive: the
            # report's context and failure hold a request's frames and data.
            del ticket, error

    def _call(self, ticket: Ticket) -> BaseException | None:
        until = (ticket.started or time.monotonic()) + ticket.timeout
        deliver = ticket.job.deliver

        def call() -> None:
            DEADLINE.set(until)
            deliver()

        try:
            ticket.context.run(call)
        except BaseException as exc:  # noqa: BLE001
            # Recorded like any failure. A KeyboardInterrupt or SystemExit in
            # this thread can only come from the reporter: the interpreter
            # delivers signals to the main thread, which this is not.
            return exc
        return None

    # -- the watchdog -----------------------------------------------------

    def _arm_watchdog(self, limit: float, waited: bool) -> None:
        """Make sure the watchdog looks at a job whose deadline (with grace) is *limit*.

        Called with self._lock held. The watchdog is woken only for a job no
        caller waits for (a waiting caller writes its job off at the deadline
        itself; the watchdog still covers it at its next look) and only when
        it would otherwise look later than *limit*: in an error storm each
        delivery would else wake a third thread for nothing.
        """
        if self._watchdog is None:
            watchdog = threading.Thread(target=self._watch_loop, name="paste_exc-watchdog")
            watchdog.daemon = True
            self._watchdog = watchdog
            self._watch_wake = None
            watchdog.start()
        elif not waited and (self._watch_wake is None or limit < self._watch_wake):
            self._watch.notify()

    def _watch_loop(self) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                # The scan is its own call so that, while this thread waits,
                # none of its locals keeps a finished report alive.
                expired, soonest = self._scan(now)
                if not expired:
                    if soonest is None:
                        self._watch_wake = now + IDLE_EXIT
                        idle = not self._watch.wait(IDLE_EXIT)
                        if idle and not self._any_running():
                            self._watchdog = self._watch_wake = None
                            return
                    else:
                        self._watch_wake = soonest
                        self._watch.wait(soonest - now)
            self._settle(expired)

    def _any_running(self) -> bool:
        # Called with self._lock held.
        return any(
            dest.running is not None and dest.running.outcome is None
            for dest in self._destinations.values()
        )

    def _settle(self, expired: list[tuple[Ticket, DeliveryTimeout]]) -> None:
        """Write the failures of the jobs the watchdog wrote off, and count them."""
        for ticket, error in expired:
            try:
                self._write_failure(ticket, error)
            except BaseException:  # noqa: BLE001 - the watchdog must never die
                logger.debug("paste_exc: writing a failure failed", exc_info=True)
            finally:
                self._finish(ticket)

    def _scan(self, now: float) -> tuple[list[tuple[Ticket, DeliveryTimeout]], float | None]:
        """Write off the running jobs past their deadline; the next deadline to watch.

        Called with self._lock held.
        """
        expired: list[tuple[Ticket, DeliveryTimeout]] = []
        soonest: float | None = None
        for dest in self._destinations.values():
            ticket = dest.running
            # A waited job is written off by its caller at the deadline;
            # the watchdog covers it too, should the caller be gone.
            if ticket is None or ticket.outcome is not None:
                continue
            limit = (ticket.started or now) + ticket.timeout + WATCHDOG_GRACE
            if limit <= now:
                error = DeliveryTimeout(
                    f"the {ticket.job.name} report did not finish within its "
                    f"deadline of {ticket.timeout:g} s"
                )
                if self._expire(ticket, error):
                    expired.append((ticket, error))
            elif soonest is None or limit < soonest:
                soonest = limit
        return expired, soonest

    # -- writing off ------------------------------------------------------

    def _write_failure(self, ticket: Ticket, error: BaseException) -> None:
        job = ticket.job
        detail = error_text(error)
        logger.error("paste_exc: the %s report could not be delivered: %s", job.name, detail)
        write_fallback(
            f"paste_exc: the {job.name} report could not be delivered: {detail}\n"
            f"{safe_describe(job)}",
            job.fallback or self.fallback,
        )

    def _write_off(self, job: Job, reason: str) -> None:
        logger.warning(
            "paste_exc: %s; the %s report is written to the fallback stream", reason, job.name
        )
        write_fallback(
            f"paste_exc: {reason}; the {job.name} report was not sent:\n{safe_describe(job)}",
            job.fallback or self.fallback,
        )
