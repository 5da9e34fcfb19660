"""A third-party reporter backend, found through the ``paste_exc.reporters`` group."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from paste_exc.api import ExceptionReporter
from paste_exc.errors import ConfigError

#: Every report any DemoReporter received: (label, message, exception, extra).
REPORTS: list[tuple[str, str, BaseException, dict[str, Any]]] = []


class DemoReporter(ExceptionReporter):
    """Keeps reports in :data:`REPORTS`.

    :param label: a name for this reporter (must not be empty)
    """

    def __init__(self, *, label: str = "demo") -> None:
        if not label:
            raise ConfigError("label", "must not be empty")
        self.label = label

    def report_exception(
        self,
        ctx: Mapping[str, Any] | None,
        exception: BaseException,
        message: str,
        extra: dict[str, Any],
    ) -> None:
        REPORTS.append((self.label, message, exception, extra))
