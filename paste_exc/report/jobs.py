"""Report: the values of delivery: jobs, counters, errors, the running destination.

Part of stage four (catch → collect → format → **report** → respond); the
public names are re-exported by :mod:`paste_exc.report.delivery`, which documents
how they work together.

.. versionadded:: 0.1
"""

from __future__ import annotations

import contextvars
import logging
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import IO

from paste_exc.errors import PasteExcError, log_failure
from paste_exc.format.records import one_line

__all__ = [
    "DEADLINE",
    "SCOPE",
    "DeliveryError",
    "DeliveryStats",
    "DeliveryTimeout",
    "Job",
    "Scope",
    "StatsSnapshot",
    "current_destination",
    "deadline",
    "error_text",
    "safe_describe",
    "touch",
    "write_fallback",
]

logger = logging.getLogger("paste_exc.delivery")


class DeliveryError(PasteExcError):
    """A waited delivery failed in a way the caller cannot see directly.

    Raised to the caller when the job raised a :class:`BaseException` that is
    not an :class:`Exception` on its worker, or was refused (full queue, a
    destination still stuck). The report was already written to the fallback
    stream.

    .. versionadded:: 0.1
    """


class DeliveryTimeout(DeliveryError, TimeoutError):
    """A delivery did not finish within its deadline.

    .. versionadded:: 0.1
    """


@dataclass(frozen=True, slots=True)
class Job:
    """One delivery of one report to one destination.

    :param deliver: sends the report; raises on failure
    :param describe: returns the report as text, written to the fallback
        stream when the delivery fails or never happens
    :param name: a short name of the report's destination, used in messages
    :param fallback: the stream for this job's failures (``wsgi.errors``), or
        ``None`` for the dispatcher's
    :param destination: the destination whose queue, worker and counters the
        job uses; ``None``: the one of the enclosing :func:`destination`
        block, else *name*
    :param timeout: the deadline of the whole delivery in seconds, from the
        moment it starts (``None``: :data:`DEFAULT_JOB_TIMEOUT`)
    :param queue_size: how many jobs the destination's queue holds
        (``None``: the dispatcher's *maxsize*)
    :param owner: the reporter the job delivers for: two reporters under
        one *destination* name (two middlewares in one process, each with
        its ``error_log``) get a queue and a worker each, and their counters
        are added up under the name

    .. versionchanged:: 0.1
       ``destination``, ``timeout``, ``queue_size`` and ``owner``.
    """

    deliver: Callable[[], None]
    describe: Callable[[], str]
    name: str = "report"
    fallback: IO[str] | None = None
    destination: str | None = None
    timeout: float | None = None
    queue_size: int | None = None
    owner: object = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class DeliveryStats:
    """The counters of one destination (or the totals of every destination).

    ``submitted``
        reports handed to the destination, held back or not
    ``delivered``
        deliveries that succeeded
    ``failed``
        deliveries that raised or missed their deadline (or were refused
        because the destination was still stuck past a deadline)
    ``dropped``
        reports never tried: the queue was full, the dispatcher was shut
        down, or the exit flush ran out of time
    ``held_back``
        reports withheld by flood control (they never reach the queue)
    ``pending``
        reports accepted and not yet finished (queued or being delivered)
    ``queued``
        reports accepted by a background queue (a subset of ``submitted``)

    At every moment ``submitted == delivered + failed + dropped + held_back + pending``.
    """

    submitted: int = 0
    delivered: int = 0
    failed: int = 0
    dropped: int = 0
    held_back: int = 0
    pending: int = 0
    queued: int = 0

    @property
    def sent(self) -> int:
        """``delivered``, under its former name."""
        return self.delivered

    def __add__(self, other: DeliveryStats) -> DeliveryStats:
        return DeliveryStats(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )


class StatsSnapshot(Mapping[str, DeliveryStats]):
    """The counters at one moment: destination name → :class:`DeliveryStats`.

    The attributes (``submitted``, ``delivered``, ``failed``, ``dropped``,
    ``held_back``, ``pending``, ``queued``, ``sent``) are the totals over
    every destination, also available as :attr:`total`.

    .. versionadded:: 0.1
    """

    __slots__ = ("_by_name", "total")

    def __init__(self, by_name: Mapping[str, DeliveryStats]) -> None:
        self._by_name = dict(by_name)
        total = DeliveryStats()
        for counts in self._by_name.values():
            total = total + counts
        self.total = total

    def __getitem__(self, name: str) -> DeliveryStats:
        return self._by_name[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def __repr__(self) -> str:
        return f"StatsSnapshot({self._by_name!r})"

    @property
    def submitted(self) -> int:
        """Reports handed to every destination."""
        return self.total.submitted

    @property
    def delivered(self) -> int:
        """Deliveries that succeeded."""
        return self.total.delivered

    @property
    def sent(self) -> int:
        """``delivered``, under its former name."""
        return self.total.delivered

    @property
    def failed(self) -> int:
        """Deliveries that failed."""
        return self.total.failed

    @property
    def dropped(self) -> int:
        """Reports never tried."""
        return self.total.dropped

    @property
    def held_back(self) -> int:
        """Reports withheld by flood control."""
        return self.total.held_back

    @property
    def pending(self) -> int:
        """Reports accepted and not yet finished."""
        return self.total.pending

    @property
    def queued(self) -> int:
        """Reports accepted by a background queue."""
        return self.total.queued


# -- the destination and deadline of the code running now ------------------------------


@dataclass(slots=True)
class Scope:
    name: str
    touched: bool = False


SCOPE: contextvars.ContextVar[Scope | None] = contextvars.ContextVar(
    "paste_exc_destination", default=None
)
DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "paste_exc_deadline", default=None
)


def current_destination() -> str | None:
    """The name of the destination of the enclosing :func:`destination` block, if any."""
    scope = SCOPE.get()
    return scope.name if scope is not None else None


def deadline() -> float | None:
    """The :func:`time.monotonic` moment the delivery running here must end by, if any.

    Reporters that can bound their own I/O (a write to a pipe, a network
    call) read it to stop in time.
    """
    return DEADLINE.get()


def touch() -> Scope | None:
    scope = SCOPE.get()
    if scope is not None:
        scope.touched = True
    return scope


# -- writing to the fallback stream ------------------------------------------------------


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
        except Exception:  # noqa: BLE001 (a closed or broken stream: logged, the next one)
            log_failure(
                logger, "paste_exc: fallback stream %r failed", candidate, level=logging.DEBUG
            )
            continue
        return True
    return False


def safe_describe(job: Job) -> str:
    try:
        return job.describe()
    except BaseException as exc:  # noqa: BLE001 - the fallback must never raise
        return f"(the {job.name} report could not be formatted: {error_text(exc)})"


def error_text(exc: BaseException) -> str:
    try:
        detail = str(exc)
    except BaseException:  # noqa: BLE001 - a hostile __str__
        detail = "(str() failed)"
    name = type(exc).__name__
    # One line: the error text sits beside records, and must not end or forge one.
    return one_line(f"{name}: {detail[:2000]}" if detail else name)
