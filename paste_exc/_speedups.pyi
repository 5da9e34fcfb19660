"""Types of the optional C extension (paste_exc/_speedups.c)."""

from collections.abc import Iterable, Iterator
from typing import Any, Final, Protocol

from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

from paste_exc.reporting import ReportingHandle

THROW_ERRORS_KEY: Final[str]
REPORTING_KEY: Final[str]

class _Owner(Protocol):
    def _raised_in_iteration(self, exc: Exception, sent: bool) -> Iterable[bytes]: ...
    def _finish(self, sent: bool) -> Iterable[bytes]: ...

class CallPath:
    application: WSGIApplication
    reporting_handle: ReportingHandle
    python_call: bool
    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]: ...

class StartRecorder:
    @property
    def state(self) -> list[Any]: ...
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

class IterGuard(Iterator[bytes]):
    def __next__(self) -> bytes: ...

def recorder(state: list[Any], /) -> StartRecorder: ...
def guard(owner: _Owner, iterator: Iterator[bytes], /) -> IterGuard: ...
