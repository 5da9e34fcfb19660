"""Report: the state of delivery: a queued job's ticket, and one destination's queue.

Part of stage four (catch → collect → format → **report** → respond). A
:class:`Ticket` follows one job from the queue to its outcome; a
:class:`DestinationState` holds one destination's queue, worker and counters.
Both are plain state: :class:`~paste_exc.report.queues.DestinationQueues`
reads and changes them under its one lock.

.. versionadded:: 0.1
"""

from __future__ import annotations

import contextvars
import threading
import weakref
from collections import deque

from paste_exc.report.jobs import Job

__all__ = ["DestinationState", "Ticket"]


class Ticket:
    """One job's journey: where it queues, how it ended, who waits for it."""

    __slots__ = (
        "accepted",
        "context",
        "dest",
        "done",
        "error",
        "job",
        "outcome",
        "started",
        "timeout",
        "waited",
    )

    def __init__(
        self, job: Job, dest: DestinationState, timeout: float, *, waited: bool = False
    ) -> None:
        self.job = job
        #: A caller waits for it, and writes it off itself at its deadline.
        self.waited = waited
        self.dest = dest
        self.timeout = timeout
        self.accepted = False
        self.context = contextvars.copy_context()
        self.done = threading.Event()
        self.outcome: str | None = None
        self.error: BaseException | None = None
        self.started: float | None = None


class DestinationState:
    """One destination's queue, worker and counters (guarded by the dispatcher's lock)."""

    __slots__ = (
        "abandoned",
        "counts",
        "maxsize",
        "name",
        "owner",
        "queue",
        "running",
        "wakeup",
        "worker",
    )

    def __init__(
        self,
        name: str,
        maxsize: int,
        lock: threading.Lock,
        owner: weakref.ref[object] | None = None,
    ) -> None:
        self.name = name
        #: The reporter it delivers for (``None``: every job of the name without one).
        self.owner = owner
        self.maxsize = maxsize
        self.queue: deque[Ticket] = deque()
        self.worker: threading.Thread | None = None
        self.running: Ticket | None = None
        self.abandoned = 0
        self.wakeup = threading.Condition(lock)
        self.counts = dict.fromkeys(
            ("submitted", "delivered", "failed", "dropped", "held_back", "pending", "queued"), 0
        )

    def idle_orphan(self) -> bool:
        """Whether its reporter is gone and nothing of it is left to deliver."""
        return (
            self.owner is not None
            and self.owner() is None
            and not self.queue
            and self.running is None
        )

    def stuck(self) -> bool:
        """Whether the worker is still inside a delivery already written off."""
        return self.running is not None and self.running.outcome is not None
