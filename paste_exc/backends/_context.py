"""What the SDK backends take from a report's context: extras and request headers."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any


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


def request_headers(environ: Mapping[Any, Any]) -> dict[str, str]:
    """Return the ``HTTP_*`` entries of a WSGI environ as ``Header-Name: value``.

    :param environ: the WSGI environ
    """
    return {
        key[5:].replace("_", "-").title(): str(value)
        for key, value in environ.items()
        if isinstance(key, str) and key.startswith("HTTP_")
    }
