"""WSGI mechanics of the middleware: tracking ``start_response`` and guarding the body.

Part of the respond stage. Kept apart from the middleware so the hot path is
small and easy to read:

* :func:`record_start` (bound to a two-item list per request) records the
  headers the application gave ``start_response``: one bound-method object
  per request, no class instance;
* :class:`CatchingIter` guards an application iterable that may raise while
  iterating or in ``close()``; its ``__iter__`` is a plain generator (one
  resumption per chunk).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Protocol

from paste_exc.respond.wsgi.request import Supplement

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from types import TracebackType

    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    ExcInfo = tuple[type[BaseException], BaseException, TracebackType]

__all__ = [
    "CatchingIter",
    "ResponseStartChecker",
    "StartState",
    "record_start",
]


#: ``[server start_response, headers the application sent or None]``.
StartState = list[Any]


def record_start(
    state: StartState,
    status: str,
    headers: list[tuple[str, str]],
    exc_info: ExcInfo | None = None,
) -> Any:
    """The ``start_response`` the application sees: record, then forward.

    Bound per request with :class:`types.MethodType` to its *state* list.
    """
    state[1] = headers
    if exc_info is None:
        return state[0](status, headers)
    return state[0](status, headers, exc_info)


class ResponseStartChecker:
    """Paste's ``start_response`` wrapper that remembers whether it was called.

    Kept for code written against Paste; the middleware itself uses the cheaper
    :func:`record_start`.

    :param start_response: the server's ``start_response``
    """

    def __init__(self, start_response: StartResponse) -> None:
        self.start_response = start_response
        self.response_started = False
        self.status: str | None = None
        self.headers: list[tuple[str, str]] | None = None

    def __call__(
        self, status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None, /
    ) -> Callable[[bytes], object]:
        """Record the status and headers, then call the server's ``start_response``."""
        self.response_started = True
        self.status, self.headers = status, headers
        if exc_info is None:
            return self.start_response(status, headers)
        return self.start_response(status, headers, exc_info)


class _CheckerState(list[Any]):
    """The per-request state read from a Paste :class:`ResponseStartChecker`.

    ``state[0]`` calls the checker (which forwards to the server),
    ``state[1]`` is the headers the application sent, or ``None`` before it did.
    """

    def __init__(self, checker: ResponseStartChecker) -> None:
        super().__init__([checker, None])
        self.checker = checker

    def __getitem__(self, index: Any) -> Any:
        if index == 1:
            checker = self.checker
            return checker.headers if checker.response_started else None
        return super().__getitem__(index)


class _Responder(Protocol):
    """What :class:`CatchingIter` needs from the middleware."""

    @property
    def application(self) -> object: ...

    def _answer_error(
        self,
        exc: Exception,
        environ: WSGIEnvironment,
        state: StartState,
        *,
        sent: bool,
    ) -> list[bytes]: ...

    def _report_only(self, exc: Exception, environ: WSGIEnvironment, what: str) -> None: ...


class CatchingIter:
    """Wrap an application iterable: catch errors while iterating and in ``close()``.

    ``close()`` of the wrapped iterable is called exactly once on every path:
    right after the last chunk (so an error in it still reaches the response),
    after an error, or when the server calls :meth:`close` early.

    :param app_iter: the application's iterable
    :param environ: the request's environ
    :param start_checker: what tells whether the response started: the
        middleware's per-request state (see :func:`record_start`) or, as in
        Paste, a :class:`ResponseStartChecker` the application was given
    :param error_middleware: the middleware that answers errors
    """

    __slots__ = (
        "_closed",
        "_iterator",
        "app_iterable",
        "environ",
        "error_middleware",
        "start_checker",
        "state",
    )

    def __init__(
        self,
        app_iter: Iterable[bytes],
        environ: WSGIEnvironment,
        start_checker: StartState | ResponseStartChecker,
        error_middleware: _Responder,
    ) -> None:
        self.app_iterable = app_iter
        self.environ = environ
        self.start_checker = start_checker
        self.state: StartState = (
            _CheckerState(start_checker)
            if isinstance(start_checker, ResponseStartChecker)
            else start_checker
        )
        self.error_middleware = error_middleware
        self._closed = False
        self._iterator: Iterator[bytes] | None = None

    def next(self) -> bytes:
        """Paste's spelling of ``next(iterator)``: the next chunk of the guarded body.

        The first call starts the guarded iteration; use :func:`iter` and
        :func:`next` instead.
        """
        if self._iterator is None:
            self._iterator = iter(self)
        return next(self._iterator)

    def __iter__(self) -> Iterator[bytes]:
        sent = False
        try:
            iterator = iter(self.app_iterable)
            for chunk in iterator:
                yield chunk
                if chunk:
                    # The server asked for more, so it wrote this chunk (and the headers).
                    sent = True
                    break
            if sent:
                for chunk in iterator:
                    yield chunk
        except Exception as exc:  # noqa: BLE001 (answered by _answer)
            __traceback_supplement__ = (Supplement, self.error_middleware, self.environ)
            __traceback_hide__ = True
            yield from self._answer(exc, sent)
            return
        yield from self._finish(sent)

    def _answer(self, exc: Exception, sent: bool) -> list[bytes]:
        """Iterating raised *exc*: close the iterable, answer (or re-raise an expected error)."""
        expected = self.environ.get("paste.expected_exceptions")
        if not sent and expected is not None and _is_expected(exc, expected):
            raise exc
        close_error = self._close_app()
        body = self.error_middleware._answer_error(exc, self.environ, self.state, sent=sent)
        if close_error is not None:
            self.error_middleware._report_only(close_error, self.environ, "close()")
        return body

    def _finish(self, sent: bool) -> list[bytes]:
        """The body ended: close the iterable; the error its ``close()`` raised, if any."""
        close_error = self._close_app()
        if close_error is None:
            return []
        return self.error_middleware._answer_error(close_error, self.environ, self.state, sent=sent)

    def _close_app(self) -> Exception | None:
        """Close the application's iterable once; return what it raised."""
        if self._closed:
            return None
        self._closed = True
        close = getattr(self.app_iterable, "close", None)
        if close is None:
            return None
        try:
            close()
        except Exception as exc:  # noqa: BLE001 (reported by the caller)
            __traceback_supplement__ = (Supplement, self.error_middleware, self.environ)
            __traceback_hide__ = True
            return exc
        return None

    def close(self) -> None:
        """Called by the server: close the application's iterable if not done yet.

        An error in it cannot reach the response any more: it is reported.
        """
        error = self._close_app()
        if error is not None:
            self.error_middleware._report_only(error, self.environ, "close()")


def _is_expected(exc: BaseException, expected: object) -> bool:
    """Whether *exc* is an instance of one of the *expected* classes; never raise.

    A value that cannot be read (its truth test or iteration raises) counts as empty.
    """
    try:
        if not expected:
            return False
        classes = tuple(c for c in expected if isinstance(c, type))  # type: ignore[attr-defined]
        return isinstance(exc, classes)
    except Exception:  # noqa: BLE001 (a malformed list is ignored, not fatal)
        print("paste_exc: ignoring a malformed paste.expected_exceptions", file=sys.stderr)
        return False
