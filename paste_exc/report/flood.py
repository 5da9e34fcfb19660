"""Report: flood control, at most one report per identification code per window.

Part of stage four of the pipeline (catch → collect → format → **report** →
respond). A bot hitting one broken URL must not send thousands of emails:
:class:`FloodControl` lets the first occurrence of an identification code
through, holds back the others until its window ends, and the report that
opens the next window carries how many were held back and when the first and
the last of them happened.

In *digest* mode one window covers every code: at most one report per window
whatever failed, and the report that opens the next window lists every code
held back, with its count.

The state lives in a :class:`~paste_exc.report.floodstores.FloodStore`: this
process's memory by default, an SQLite file for the workers of one host
(``sqlite:///path/to/file.db``), Redis for many hosts (``redis://host/0``).

.. versionadded:: 0.1
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from paste_exc.config.convert import asduration
from paste_exc.config.reporters import asfloodstore
from paste_exc.errors import ConfigError
from paste_exc.report import delivery
from paste_exc.report.floodstores import (
    FloodDecision,
    FloodStore,
    MemoryFloodStore,
    RedisFloodStore,
    SQLiteFloodStore,
)

if TYPE_CHECKING:
    from paste_exc.model.report import CollectedException

__all__ = [
    "DEFAULT_WINDOW",
    "FloodControl",
    "FloodDecision",
    "FloodStore",
    "MemoryFloodStore",
    "RedisFloodStore",
    "SQLiteFloodStore",
    "describe_held_back",
    "process_store",
    "store_from_spec",
]

#: Default window of the email reporter, in seconds (10 minutes).
DEFAULT_WINDOW = 600.0
#: The title of the extra-data entry added to the report that opens a window.
NOTE_TITLE = "Flood control"

_process_store: MemoryFloodStore | None = None
_process_store_lock = threading.Lock()


def process_store() -> MemoryFloodStore:
    """Return this process's shared in-memory store (fresh in a forked child)."""
    global _process_store
    with _process_store_lock:
        if _process_store is None:
            _process_store = MemoryFloodStore()
        return _process_store


def _forget_process_store() -> None:
    global _process_store, _process_store_lock
    _process_store_lock = threading.Lock()
    _process_store = None


os.register_at_fork(after_in_child=_forget_process_store)


def store_from_spec(spec: object, option: str = "flood_store") -> FloodStore:
    """Build a store from its ini-file spelling.

    ``None``, ``""`` or ``"memory"``: this process's memory;
    ``sqlite:///abs/path.db`` or ``sqlite:relative.db``: an SQLite file;
    ``redis://…`` or ``rediss://…``: Redis. A store object is returned as is.
    The spelling is checked by :func:`paste_exc.config.reporters.asfloodstore`.

    :param spec: the spelling, or a store
    :param option: the option name used in errors
    """
    if isinstance(spec, FloodStore):
        return spec
    spec = asfloodstore(spec, option)
    if spec is None:
        return process_store()
    if not isinstance(spec, str):
        raise ConfigError(option, f"expected a store or a string, got {type(spec).__name__}")
    if spec.startswith("sqlite:"):
        return SQLiteFloodStore(spec[len("sqlite:") :].removeprefix("//"))
    return RedisFloodStore(spec)


def _when(stamp: float | None) -> str:
    if stamp is None:
        return "unknown"
    return time.strftime("%Y-%m-%d %H:%M:%S %z", time.localtime(stamp))


def describe_held_back(decision: FloodDecision) -> str:
    """Say in words what a window held back, or ``""`` when it held nothing.

    :param decision: the decision that opened the new window
    """
    if not decision.send or decision.held_back <= 0:
        return ""
    noun = "occurrence" if decision.held_back == 1 else "occurrences"
    text = (
        f"{decision.held_back} more {noun} held back by flood control "
        f"(first {_when(decision.first_held)}, last {_when(decision.last_held)})"
    )
    if decision.codes:
        counts = ", ".join(f"{code} ({count})" for code, count in decision.codes)
        text += f"; by identification code: {counts}"
    return text


class FloodControl:
    """At most one report per window, per identification code or in digest.

    :param window: the window in seconds; ``0`` turns flood control off
    :param store: where windows live (see :func:`store_from_spec`)
    :param digest: one window for every code instead of one per code
    :param clock: returns the current time in seconds since the epoch
    :param key: separates the windows of different destinations sharing a
        store (for example the recipients of an email reporter)
    """

    def __init__(
        self,
        window: float = DEFAULT_WINDOW,
        store: str | FloodStore | None = None,
        *,
        digest: bool = False,
        key: str = "",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.window = asduration(window, "flood_window")
        spec = asfloodstore(store, "flood_store")
        # This process's memory is looked up when used (a forked child gets its own).
        self._store = None if spec is None else store_from_spec(spec)
        self.digest = digest
        self.key = key
        self.clock = clock

    @property
    def store(self) -> FloodStore:
        """The store in use (this process's memory unless another was named)."""
        return self._store if self._store is not None else process_store()

    def check(
        self,
        exc_data: CollectedException,
        now: float | None = None,
        *,
        destination: str | None = None,
    ) -> FloodDecision:
        """Record *exc_data* and say whether it is reported.

        A report held back is counted as ``held_back`` in
        :func:`paste_exc.report.delivery.stats`, under *destination*, so the
        counters add up although it never reaches a queue.

        :param exc_data: the collected exception
        :param now: the time of the occurrence (default: now)
        :param destination: whose counter (default: the enclosing
            :func:`paste_exc.report.delivery.destination` block's, else :attr:`key`)

        .. versionchanged:: 0.1
           *destination*; held-back reports are counted here.
        """
        if self.window <= 0:
            return FloodDecision(True)
        code = exc_data.identification_code or exc_data.exception_type or "unknown"
        key = f"{self.key}|{'*' if self.digest else code}"
        moment = self.clock() if now is None else now
        decision = self.store.hit(key, code, moment, self.window)
        if not decision.send:
            name = destination or delivery.current_destination() or self.key or "flood"
            delivery.get_dispatcher().count("held_back", destination=name)
        return decision

    @staticmethod
    def annotate(exc_data: CollectedException, decision: FloodDecision) -> CollectedException:
        """Return *exc_data* with the held-back summary added as extra data.

        The summary goes in ``extra_data[("important", "Flood control")]`` so
        that every formatter shows it. Without a summary *exc_data* is
        returned unchanged.

        :param exc_data: the report that opens a new window
        :param decision: the decision of :meth:`check`
        """
        note = describe_held_back(decision)
        if not note:
            return exc_data
        extra = dict(exc_data.extra_data)
        extra[("important", NOTE_TITLE)] = [note]
        return dataclasses.replace(exc_data, extra_data=extra)
