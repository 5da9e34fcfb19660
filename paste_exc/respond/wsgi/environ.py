"""Read a WSGI environ, once, into the request's :class:`~paste_exc.model.request.RequestInfo`.

Part of the respond stage (WSGI). :func:`request_info` is the one place that
reads a failing request's environ for its data; the catch keeps what it read
(:func:`~paste_exc.model.occurrence.catch`), so every later stage reads the
same inert, redacted copy. The reading itself is shared with the ASGI side
(:func:`paste_exc.respond.requestdata.read_request`); this module adds what only
WSGI has: the ``wsgi.version`` when unusual, and the kind of server.
A body nobody read is never read: form fields come only from what the
application parsed or read (:mod:`paste_exc.respond.formdata`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from paste_exc.model.bounds import PROCESS_COMBOS
from paste_exc.model.report import ExtraValue
from paste_exc.model.request import RequestInfo
from paste_exc.respond.requestdata import QUERY_KEPT, Getter, inert, read_request, truthy

__all__ = ["QUERY_KEPT", "request_info"]


def _wsgi_variables(get: Getter) -> Iterable[tuple[str, ExtraValue]]:
    """Paste's last WSGI variables: an unusual ``wsgi.version``, and the kind of server."""
    version = get("wsgi.version")
    if version != (1, 0):
        yield ("wsgi.version", inert("wsgi.version", version))
    combo = (
        truthy(get("wsgi.multiprocess")),
        truthy(get("wsgi.multithread")),
        truthy(get("wsgi.run_once")),
    )
    yield ("wsgi process", PROCESS_COMBOS.get(combo, "unknown"))


def request_info(environ: Mapping[str, object]) -> RequestInfo:
    """Read the request of *environ* into its :class:`~paste_exc.model.request.RequestInfo`.

    Each environ entry is read at most once (the first
    :data:`~paste_exc.model.bounds.ENVIRON_ENTRIES` entries, then the few the
    request data needs); the body is never read.
    Everything is bounded as the report shows it and redacted with the
    default redactor; nothing refers back to the environ. Never raises: a
    hostile environ gives what could be read.

    .. versionadded:: 0.1

    :param environ: the request's WSGI environ
    """
    return read_request(environ, _wsgi_variables)
