"""Helpers for testing code that reports exceptions, and a pytest plug-in.

:class:`CapturingReporter` keeps reports in memory. :func:`through_middleware`
makes an application under WebTest answer and report its errors through its
:class:`~paste_exc.errormiddleware.ErrorMiddleware`: WebTest sets
``paste.throw_errors`` on every request, which tells the middleware to step
aside and let the exception reach the test. As a pytest plug-in
(``-p paste_exc.testing``, or automatically once paste_exc is installed) this
module provides two fixtures:

``paste_exc_reports``
    a fresh :class:`CapturingReporter`; give it to your middleware or
    reporting configuration and assert on ``paste_exc_reports.reports``.
``paste_exc_synchronous``
    makes every delivery of the process-wide dispatcher synchronous for the
    test, so a background reporter (email) has delivered when the request
    returns; yields the :class:`~paste_exc.report.delivery.Dispatcher`.

Example::

    def test_boom(paste_exc_reports):
        app = through_middleware(ErrorMiddleware(boom_app), capture=paste_exc_reports)
        TestApp(app).get("/", status=500)
        assert paste_exc_reports.exception_types == ["ZeroDivisionError"]

.. versionadded:: 0.1
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import pytest

from paste_exc.api import ExceptionReporter
from paste_exc.errors import ConfigError
from paste_exc.report.builtin.capture import CapturedReport, CapturingReporter
from paste_exc.report.delivery import Dispatcher, synchronous_delivery
from paste_exc.respond.wsgi.middleware import ErrorMiddleware

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = [
    "THROW_ERRORS_KEY",
    "CapturedReport",
    "CapturingReporter",
    "ThroughMiddleware",
    "find_error_middleware",
    "paste_exc_reports",
    "paste_exc_synchronous",
    "through_middleware",
]

#: The environ key test clients set to tell every error middleware to step aside.
THROW_ERRORS_KEY = "paste.throw_errors"

#: The attributes that lead from a wrapper to the application it wraps: Flask's
#: ``wsgi_app``, Paste's and ours ``application``, WebTest's and many others' ``app``.
_WRAPPED_ATTRIBUTES = ("wsgi_app", "application", "app")
#: How many wrappers :func:`find_error_middleware` looks through.
_MAX_DEPTH = 20


def find_error_middleware(application: object) -> ErrorMiddleware | None:
    """The first :class:`~paste_exc.errormiddleware.ErrorMiddleware` in *application*'s chain.

    *application* itself, else what its ``wsgi_app`` (Flask), ``application``
    or ``app`` attribute holds, and so on down, at most 20 wrappers deep;
    ``None`` when none is found.

    :param application: a WSGI application, possibly wrapping others

    .. versionadded:: 0.1
    """
    seen: set[int] = set()
    current = application
    for _ in range(_MAX_DEPTH):
        if isinstance(current, ErrorMiddleware):
            return current
        if id(current) in seen:
            return None
        seen.add(id(current))
        for name in _WRAPPED_ATTRIBUTES:
            # A bound method (Flask's app.wsgi_app before it is wrapped) leads nowhere;
            # an attribute that cannot be read neither.
            try:
                inner = getattr(current, name, None)
            except Exception:  # noqa: BLE001, S112 (a property of the application that raises)
                continue
            if inner is not None and inner is not current and not hasattr(inner, "__self__"):
                current = inner
                break
        else:
            return None
    return None


class _ErrorsStream:
    """``wsgi.errors`` for :class:`ThroughMiddleware`: kept, and copied to :data:`sys.stderr`."""

    def __init__(self, kept: list[str], lock: threading.Lock) -> None:
        self._kept = kept
        self._lock = lock

    def write(self, text: str) -> int:
        with self._lock:
            self._kept.append(text)
        sys.stderr.write(text)  # looked up at each write: pytest's capture sees it
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        sys.stderr.flush()


class ThroughMiddleware:
    """A WSGI application: *application*, called without ``paste.throw_errors``.

    What is written to ``wsgi.errors`` during its requests (the middleware's
    ``Error - ...`` line, the application's own lines) is kept in
    :attr:`errors` and copied to :data:`sys.stderr`, where pytest shows it
    beside a failing test, instead of going to WebTest's stream: WebTest
    fails every request that wrote there ("Application had errors logged").
    See :func:`through_middleware`.

    :param application: the application under test

    .. versionadded:: 0.1
    """

    def __init__(self, application: WSGIApplication) -> None:
        self.application = application
        self._written: list[str] = []
        self._lock = threading.Lock()
        self._stream = _ErrorsStream(self._written, self._lock)

    @property
    def errors(self) -> str:
        """Everything written to ``wsgi.errors`` so far, in order."""
        with self._lock:
            return "".join(self._written)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ.pop(THROW_ERRORS_KEY, None)
        environ["wsgi.errors"] = self._stream
        return self.application(environ, start_response)

    def __repr__(self) -> str:
        return f"<ThroughMiddleware {type(self.application).__name__}>"


def through_middleware(
    application: WSGIApplication,
    *,
    capture: ExceptionReporter | None = None,
    name: str = "capture",
) -> ThroughMiddleware:
    """Make *application* show and report its errors through its error middleware under test.

    WebTest's :class:`~webtest.TestApp` sets ``paste.throw_errors`` on every
    request; :class:`~paste_exc.errormiddleware.ErrorMiddleware` (like
    Paste's) then steps aside and the exception reaches the test, so neither
    the error page nor any reporter is exercised. Wrap the application you
    give to ``TestApp`` (the middleware itself, or anything around it) and the
    key is removed before the application sees the request: the middleware
    answers ``500`` with its page, its problem document or its text, and
    reports. What is written to ``wsgi.errors`` is kept in the wrapper's
    :attr:`~ThroughMiddleware.errors` (WebTest would fail the request for it).

    :param application: the application under test, with an
        ``ErrorMiddleware`` in it
    :param capture: a reporter (typically the ``paste_exc_reports`` fixture) to
        add to that middleware's reporters, under *name*; the middleware is
        found by :func:`find_error_middleware`
    :param name: the reporter name for *capture*
    :raises ConfigError: *capture* given, and no middleware found in
        *application*, or another reporter already holds *name*

    .. versionadded:: 0.1
    """
    if capture is not None:
        middleware = find_error_middleware(application)
        if middleware is None:
            raise ConfigError(
                "capture",
                "no ErrorMiddleware found in the application (looked through its "
                "wsgi_app, application and app attributes); wrap it first",
            )
        reporters = middleware.reporting.reporters
        if reporters.get(name, capture) is not capture:
            raise ConfigError("name", f"the middleware already has a reporter named {name!r}")
        reporters[name] = capture
    return ThroughMiddleware(application)


@pytest.fixture
def paste_exc_synchronous() -> Iterator[Dispatcher]:
    """Deliver every report in the calling thread during the test."""
    with synchronous_delivery() as dispatcher:
        yield dispatcher


@pytest.fixture
def paste_exc_reports(paste_exc_synchronous: Dispatcher) -> CapturingReporter:
    """A fresh :class:`CapturingReporter`, with synchronous delivery."""
    return CapturingReporter()
