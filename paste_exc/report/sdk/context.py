"""What the SDK backends take from a report's context: extras, and the request's data.

Part of the report stage. The request part of a backend's payload is built
from the catch's :class:`~paste_exc.model.request.RequestInfo` (read once,
redacted), never from the WSGI environ itself.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from paste_exc.model.occurrence import catch_request, current_occurrence
from paste_exc.model.request import RequestInfo
from paste_exc.redact.engine import REDACTED


def pick_extras(
    extra: Mapping[str, Any], accepted: frozenset[str], service: str, log: logging.Logger
) -> dict[str, Any]:
    """Return the extras the SDK call accepts; log and drop the others.

    :param extra: the merged extras of the providers
    :param accepted: the keyword arguments the SDK call takes
    :param service: the service's name, for the warning
    :param log: the backend's logger
    """
    kwargs: dict[str, Any] = {}
    for key, value in extra.items():
        if key in accepted:
            kwargs[key] = value
        else:
            log.warning("ignoring the extra %r: %s takes %s", key, service, sorted(accepted))
    return kwargs


def request_of(ctx: object, exception: BaseException) -> RequestInfo | None:
    """The request data of the report of *exception*: the catch's one :class:`RequestInfo`.

    The catch in progress read the request once (the middleware, or
    ``report_exception`` called with a WSGI environ); this stage never reads a
    live request itself. ``None`` outside a request (no method).

    :param ctx: the report's context (a WSGI environ in a request)
    :param exception: the exception reported
    """
    occurrence = current_occurrence(exception)
    request = occurrence.request if occurrence is not None else None
    if request is None and isinstance(ctx, Mapping):
        request = catch_request(ctx)
    if request is None or request.method is None:
        return None
    return request


def cookie_names(request: RequestInfo) -> dict[str, str]:
    """The request's cookies by name; their values are never kept (``[REDACTED]``)."""
    return dict.fromkeys(request.cookie_names, REDACTED)


def body_headers(request: RequestInfo) -> dict[str, str]:
    """The request headers, with CGI's ``Content-Type`` and ``Content-Length`` when set."""
    headers = dict(request.headers)
    if request.content_type:
        headers["Content-Type"] = request.content_type
    if request.content_length:
        headers["Content-Length"] = request.content_length
    return headers
