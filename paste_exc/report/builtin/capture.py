"""Report: a reporter that keeps reports in memory, for tests.

.. versionadded:: 0.1
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from paste_exc.collect.occurrence import collected_data
from paste_exc.report.builtin.base import Reporter

if TYPE_CHECKING:
    from paste_exc.model.report import CollectedException

__all__ = ["CapturedReport", "CapturingReporter"]


@dataclass(frozen=True, slots=True)
class CapturedReport:
    """One report a :class:`CapturingReporter` received.

    ``exception`` is the live exception when the report came through
    :meth:`~CapturingReporter.report_exception`, ``None`` when it came
    through Paste's ``report(exc_data)``.
    """

    exc_data: CollectedException
    message: str = ""
    extra: dict[str, object] = field(default_factory=dict)
    exception: BaseException | None = None
    environ: Mapping[str, object] | None = None

    @property
    def exception_type(self) -> str:
        """The exception class's name."""
        return self.exc_data.exception_type

    @property
    def identification_code(self) -> str:
        """The identification code of the report."""
        return self.exc_data.identification_code


class CapturingReporter(Reporter):
    """Keep every report in :attr:`reports`, in order, in memory (thread-safe).

    Use it in your own tests, directly or through the ``paste_exc_reports``
    pytest fixture of :mod:`paste_exc.testing`. Flood control is off unless
    ``flood_window`` is given.
    """

    def check_params(self) -> None:
        self._lock = threading.Lock()
        self._reports: list[CapturedReport] = []

    @property
    def reports(self) -> list[CapturedReport]:
        """A copy of the reports received so far."""
        with self._lock:
            return list(self._reports)

    @property
    def exception_types(self) -> list[str]:
        """The exception type names of the reports, in order."""
        return [report.exception_type for report in self.reports]

    @property
    def last(self) -> CapturedReport:
        """The latest report; :class:`LookupError` when there is none."""
        with self._lock:
            if not self._reports:
                raise LookupError("no exception was reported")
            return self._reports[-1]

    def clear(self) -> None:
        """Forget every report received so far."""
        with self._lock:
            self._reports.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._reports)

    def __iter__(self) -> Iterator[CapturedReport]:
        return iter(self.reports)

    def report_exception(
        self,
        ctx: Mapping[str, object] | None,
        exception: BaseException,
        message: str,
        extra: dict[str, object],
    ) -> None:
        exc_data = self.admit(collected_data(exception))
        if exc_data is None:
            return
        report = CapturedReport(exc_data, message, dict(extra), exception, ctx)
        with self._lock:
            self._reports.append(report)

    def deliver(self, exc_data: CollectedException, message: str = "") -> None:
        with self._lock:
            self._reports.append(CapturedReport(exc_data, message))
