"""Report: the base class of every built-in reporter and its option coercion.

Paste's :class:`Reporter` takes its options as keywords, rejects unknown ones
with :class:`TypeError` and validates the others in :meth:`check_params`. Ours
does the same, coerces ini-file strings (``"true"``, ``"a@x, b@x"``,
``"600"``) to real types, and implements :class:`paste_exc.api.ExceptionReporter`
so every reporter can also be named as a backend.

.. versionadded:: 0.1
"""

from __future__ import annotations

import inspect
import os
import select
import time
from collections.abc import Callable, Iterable, Mapping
from typing import IO, TYPE_CHECKING, ClassVar, Final, cast

from paste_exc.api import ExceptionReporter
from paste_exc.collect.occurrence import collected_data
from paste_exc.config.reporters import REPORTER_OPTIONS, OptionTable
from paste_exc.errors import PasteExcError, log_failure
from paste_exc.format.budget import DEFAULT_SIZE_BUDGET
from paste_exc.format.documents import render_email_html
from paste_exc.format.formatter import format_text
from paste_exc.format.records import record_text
from paste_exc.report import delivery
from paste_exc.report.delivery import Job, current_destination, get_dispatcher
from paste_exc.report.flood import FloodControl, store_from_spec

if TYPE_CHECKING:
    from paste_exc.model.report import CollectedException

__all__ = [
    "DEFAULT_SYNC_TIMEOUT",
    "Reporter",
    "append_bytes",
    "given_options",
]


#: The deadline of a synchronous delivery (a log file, a stream), in seconds:
#: the longest a request waits for its destination.
DEFAULT_SYNC_TIMEOUT: Final = 2.0

_NONBLOCK: Final = getattr(os, "O_NONBLOCK", 0)


def append_bytes(filename: str | bytes, data: bytes, *, timeout: float | None = None) -> None:
    """Append *data* to *filename*, never blocking past the delivery's deadline.

    The file is opened with ``O_APPEND`` (created 0o644), so one record is one
    ``write`` that never interleaves with other writers' records, and with
    ``O_NONBLOCK``: a FIFO without a reader fails at once (``ENXIO``) instead
    of blocking in ``open()``, and a pipe whose reader stopped reading
    (``/dev/stdout`` in a container with a stalled log collector) is waited
    for only until the deadline, then :class:`TimeoutError` is raised.
    Regular files ignore ``O_NONBLOCK``; a hung network filesystem is bounded
    by the delivery's worker instead (see :mod:`paste_exc.report.delivery`).

    :param filename: the file
    :param data: the bytes of one record
    :param timeout: seconds the write may take (``None``: the deadline of the
        running delivery, else :data:`DEFAULT_SYNC_TIMEOUT`)
    """
    until = delivery.deadline() if timeout is None else None
    if until is None:
        until = time.monotonic() + (DEFAULT_SYNC_TIMEOUT if timeout is None else timeout)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | _NONBLOCK
    fd = os.open(filename, flags, 0o644)
    try:
        view = memoryview(data)
        while view:  # one write unless a pipe is full, the disk is full or a signal cut it short
            try:
                written = os.write(fd, view)
            except BlockingIOError:
                written = 0
            if not written:
                _wait_writable(fd, until, filename)
            view = view[written:]
    finally:
        os.close(fd)


def _wait_writable(fd: int, until: float, filename: str | bytes) -> None:
    left = until - time.monotonic()
    if left <= 0:
        name = os.fsdecode(filename)
        raise TimeoutError(f"{name!r} took nothing before the deadline (its reader is stalled)")
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        poller.poll(max(int(left * 1000), 1))
    else:  # pragma: no cover - platforms without poll()
        select.select([], [fd], [], left)


def given_options(init: Callable[..., None], values: dict[str, object]) -> dict[str, object]:
    """Return the named arguments of *init* whose value is not the default.

    An omitted option keeps the class attribute, so a Paste-style subclass
    that sets its defaults as class attributes still works.
    """
    given: dict[str, object] = {}
    for name, param in inspect.signature(init).parameters.items():
        if name == "self" or param.kind is param.VAR_KEYWORD or name not in values:
            continue
        value = values[name]
        if value is param.default or (
            type(value) is type(param.default) and value == param.default
        ):
            continue
        given[name] = value
    return given


class Reporter(ExceptionReporter):
    """Base class of Paste's reporters: options as keywords, ``report(exc_data)``.

    Subclasses declare their options as class attributes (the defaults) and
    deliver in :meth:`deliver`. Code written for Paste that overrides
    :meth:`report` keeps working.

    Options every reporter understands:

    ``flood_window``
        seconds during which one identification code is reported once
        (``0``: off, the default except for email)
    ``flood_store``
        where the windows live: ``memory`` (default), ``sqlite:///path`` or
        ``redis://host/db`` (see :mod:`paste_exc.report.flood`)
    ``flood_digest``
        one window for every code instead of one per code
    ``background``
        deliver on the background queue of :mod:`paste_exc.report.delivery`
    ``size_budget``
        the most characters of one report (text, HTML part or JSON line);
        past it the report is folded, the least useful parts first, and says
        so (see :ref:`rendering`). Default 1,000,000; ``None``: no limit.
        The middleware's ``max_page_size`` sets it for every reporter it
        runs that was not given one.
    ``delivery_timeout``
        the deadline of one whole delivery, in seconds: a background
        delivery still running then is written off (to the fallback stream,
        counted as failed); a synchronous one holds the request no longer
        (default: 30 for background reporters,
        :data:`DEFAULT_SYNC_TIMEOUT` (2) for the others)
    ``queue_size``
        how many reports the destination's queue holds
        (default :data:`paste_exc.report.delivery.DEFAULT_QUEUE_SIZE`)

    :raises TypeError: for an unknown keyword
    :raises ConfigError: for a missing or invalid value
    """

    #: Each option's converter (see :mod:`paste_exc.config.reporters`); a
    #: subclass names its own table. Options a Paste-style subclass adds as
    #: class attributes without a converter are set as given.
    _options: ClassVar[OptionTable] = REPORTER_OPTIONS

    flood_window: float = 0.0
    #: ``None`` (this process's memory), a store's spelling, or a store object.
    flood_store: object = None
    flood_digest: bool = False
    background: bool = False
    size_budget: int | None = DEFAULT_SIZE_BUDGET
    delivery_timeout: float | None = None
    queue_size: int | None = None
    #: Deliver in the caller's thread instead of the destination's worker
    #: (for reporters whose destination must see the caller's thread).
    inline_delivery: bool = False

    def __init__(self, **conf: object) -> None:
        cls = type(self)
        cls.check_option_names(conf)
        for name, value in conf.items():
            setattr(self, name, value)
        self._size_budget_given = "size_budget" in conf
        # Every option of the table, given or the class's default (a Paste-style
        # subclass may set its defaults as ini strings), becomes its type here.
        for name, convert in cls._options.items():
            setattr(self, name, convert(getattr(self, name), name))
        self.check_params()
        self._flood: FloodControl | None = None
        if self.flood_window > 0:
            self._flood = FloodControl(
                self.flood_window,
                store_from_spec(self.flood_store),
                digest=self.flood_digest,
                key=self.flood_key(),
            )

    @classmethod
    def check_option_names(cls, names: Iterable[str]) -> None:
        """Raise :class:`TypeError` for a name that is not one of this class's options.

        :param names: option names, as given to the constructor
        """
        for name in names:
            if name.startswith("_") or callable(getattr(cls, name, len)):
                raise TypeError(f"{cls.__name__}: unexpected keyword argument {name!r}")

    def check_params(self) -> None:
        """Validate and coerce the options; raise :class:`ConfigError` naming one."""

    def default_size_budget(self, size_budget: int | None) -> None:
        """Use *size_budget* unless this reporter was given its own (the middleware's hook).

        :param size_budget: the budget, in characters, or ``None`` for no limit
        """
        if not getattr(self, "_size_budget_given", False):
            self.size_budget = size_budget

    def flood_key(self) -> str:
        """Return what separates this destination's flood windows from others'."""
        return type(self).__name__

    def destination_name(self) -> str:
        """The name this reporter's counters and queue go under.

        Its name in ``reporters`` (or ``email`` / ``log`` for Paste's options)
        when called through the middleware or
        :func:`~paste_exc.respond.reporting.report_exception`; else :meth:`flood_key`.
        """
        return current_destination() or self.flood_key()

    def deadline(self) -> float:
        """The deadline of one whole delivery, in seconds (``delivery_timeout``)."""
        if self.delivery_timeout is not None:
            return self.delivery_timeout
        return delivery.DEFAULT_JOB_TIMEOUT if self.background else DEFAULT_SYNC_TIMEOUT

    def format_date(self, exc_data: CollectedException) -> str:
        """Return the report's date in the locale's format (Paste's ``%c``)."""
        return time.strftime("%c", exc_data.date)

    def format_html(self, exc_data: CollectedException, **kw: object) -> str:
        """Return the HTML report (the email's HTML part)."""
        kw.setdefault("size_budget", getattr(self, "size_budget", DEFAULT_SIZE_BUDGET))
        return render_email_html(exc_data, **kw)

    def format_text(self, exc_data: CollectedException, **kw: object) -> str:
        """Return the text report."""
        kw.setdefault("size_budget", getattr(self, "size_budget", DEFAULT_SIZE_BUDGET))
        return format_text(exc_data, **kw)

    # -- the two entry points -------------------------------------------

    def report_exception(
        self,
        ctx: Mapping[str, object] | None,
        exception: BaseException,
        message: str,
        extra: dict[str, object],
    ) -> None:
        """Report *exception* (the :class:`~paste_exc.api.ExceptionReporter` entry).

        For callers holding the live exception; the dispatcher collects once and
        calls :meth:`report_collected`: a built-in never holds the exception.

        :param ctx: the WSGI environ, or ``None`` outside a request
        :param exception: the exception to report
        :param message: what was going on
        :param extra: data from the extras providers (unused by the built-ins)
        """
        self.report_collected(ctx, collected_data(exception), message)

    def report_collected(
        self, ctx: Mapping[str, object] | None, exc_data: CollectedException, message: str = ""
    ) -> None:
        """Report an already collected (inert) report: what the dispatcher calls.

        In a request whose environ says ``wsgi.run_once`` (CGI) the delivery
        is synchronous; failures of background deliveries go to the request's
        ``wsgi.errors``.

        :param ctx: the WSGI environ, or ``None`` outside a request
        :param exc_data: the report
        :param message: what was going on
        """
        fallback: IO[str] | None = None
        run_once = False
        if isinstance(ctx, Mapping):
            errors = ctx.get("wsgi.errors")
            if hasattr(errors, "write"):
                fallback = cast("IO[str]", errors)
            run_once = bool(ctx.get("wsgi.run_once"))
        if type(self).report is not Reporter.report:
            # A Paste-style subclass that delivers in report(): honour it.
            self.report(exc_data)
            return
        self.submit(exc_data, message=message, fallback=fallback, synchronous=run_once)

    def report(self, exc_data: CollectedException) -> None:
        """Report collected data (Paste's entry point)."""
        self.submit(exc_data)

    def submit(
        self,
        exc_data: CollectedException,
        *,
        message: str = "",
        fallback: IO[str] | None = None,
        synchronous: bool = False,
    ) -> bool:
        """Apply flood control, then deliver on this destination's worker.

        Returns ``False`` when flood control held the report back. A
        background reporter's delivery is queued and its failure is written,
        with the text report, to *fallback*. Any other delivery is waited
        for, at most :meth:`deadline` seconds: its failure is written to
        *fallback* too, then raised (after the deadline:
        :class:`~paste_exc.report.delivery.DeliveryTimeout`, and the request goes on).

        :param exc_data: the collected exception
        :param message: what was going on
        :param fallback: the stream for failures (``None``: stderr)
        :param synchronous: wait for the delivery even for a background reporter
        """
        name = self.destination_name()
        admitted = self.admit(exc_data, destination=name)
        if admitted is None:
            return False
        job = Job(
            deliver=lambda: self.deliver(admitted, message),
            describe=lambda: record_text(
                admitted, self.format_text(admitted, show_hidden_frames=True)
            ),
            name=current_destination() or type(self).__name__,
            fallback=fallback,
            destination=name,
            timeout=self.deadline(),
            queue_size=self.queue_size,
            owner=self,
        )
        dispatcher = get_dispatcher()
        if self.background and not synchronous:
            dispatcher.submit(job)
        elif self.inline_delivery:
            dispatcher.run(job)
        else:
            dispatcher.run(job, wait=self.deadline())
        return True

    def admit(
        self, exc_data: CollectedException, *, destination: str | None = None
    ) -> CollectedException | None:
        """Apply flood control: ``None`` when the report is held back (and counted).

        A report that opens a new window comes back with the held-back
        summary added (:meth:`~paste_exc.report.flood.FloodControl.annotate`). A
        store that fails lets the report through, logged, never lost.

        :param exc_data: the collected exception
        :param destination: whose ``held_back`` counter to raise
            (default: :meth:`destination_name`)
        """
        if self._flood is None:
            return exc_data
        try:
            decision = self._flood.check(
                exc_data, destination=destination or self.destination_name()
            )
        except Exception:  # noqa: BLE001 (a broken store must not lose the report: logged)
            import logging

            log_failure(
                logging.getLogger("paste_exc.flood"),
                "paste_exc: flood control failed; reporting anyway",
                level=logging.WARNING,
            )
            return exc_data
        if not decision.send:
            return None
        return FloodControl.annotate(exc_data, decision)

    def deliver(self, exc_data: CollectedException, message: str = "") -> None:
        """Send one report now, raising on failure; subclasses define it.

        :param exc_data: the collected exception (with the flood-control note)
        :param message: what was going on
        """
        raise PasteExcError(f"{type(self).__name__} defines neither report() nor deliver()")

    def __repr__(self) -> str:
        # Numbers and switches only: addresses, file names, users and passwords
        # are configuration a report must not show (a frame may hold a reporter).
        shown = []
        for name in sorted(vars(self)):
            value = getattr(self, name)
            if name.startswith("_") or name == "exc_data":
                continue
            if isinstance(value, bool | int | float) and "password" not in name:
                shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"
