"""Helpers for testing code that reports exceptions, and a pytest plug-in.

:class:`CapturingReporter` keeps reports in memory. As a pytest plug-in
(``-p paste_exc.testing``, or automatically once paste_exc is installed) this
module provides two fixtures:

``paste_exc_reports``
    a fresh :class:`CapturingReporter`; give it to your middleware or
    reporting configuration and assert on ``paste_exc_reports.reports``.
``paste_exc_synchronous``
    makes every delivery of the process-wide dispatcher synchronous for the
    test, so a background reporter (email) has delivered when the request
    returns; yields the :class:`~paste_exc.delivery.Dispatcher`.

Example::

    def test_boom(paste_exc_reports):
        app = ErrorMiddleware(boom_app)
        app.reporting.reporters["capture"] = paste_exc_reports
        TestApp(app).get("/", status=500)
        assert paste_exc_reports.exception_types == ["ZeroDivisionError"]

.. versionadded:: 0.1
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from paste_exc._capture import CapturedReport, CapturingReporter
from paste_exc.delivery import Dispatcher, synchronous_delivery

__all__ = ["CapturedReport", "CapturingReporter", "paste_exc_reports", "paste_exc_synchronous"]


@pytest.fixture
def paste_exc_synchronous() -> Iterator[Dispatcher]:
    """Deliver every report in the calling thread during the test."""
    with synchronous_delivery() as dispatcher:
        yield dispatcher


@pytest.fixture
def paste_exc_reports(paste_exc_synchronous: Dispatcher) -> CapturingReporter:
    """A fresh :class:`CapturingReporter`, with synchronous delivery."""
    return CapturingReporter()
