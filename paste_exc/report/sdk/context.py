"""What the SDK backends take from a report's context: extras, request headers, the query."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from paste_exc.redact.engine import REDACTED

if TYPE_CHECKING:
    from paste_exc.redact.engine import Redactor


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


#: The most characters of a query string read, and the most parameters kept.
QUERY_LIMIT = 20_480
QUERY_PARAMETERS = 500


def _query_parts(query: str) -> list[tuple[str, str, str, str]]:
    """Split *query* (bounded) into ``(raw name, decoded name, "=" or "", raw value)``."""
    parts = []
    for part in query[:QUERY_LIMIT].split("&", QUERY_PARAMETERS)[:QUERY_PARAMETERS]:
        if part:
            name, sep, value = part.partition("=")
            parts.append((name, unquote_plus(name[:200]), sep, value))
    return parts


def redact_query(query: str, redactor: Redactor) -> str:
    """Return *query* with the value of every secret-named parameter replaced.

    A parameter is secret-named by the redactor's own name rules (those of
    headers and locals), its name decoded first (``user%5Bpassword%5D`` is
    ``user[password]``). At most :data:`QUERY_LIMIT` characters and
    :data:`QUERY_PARAMETERS` parameters are kept.

    :param query: a raw query string (``a=1&token=…``)
    :param redactor: decides which names are secret
    """
    kept = []
    for raw, name, sep, value in _query_parts(query):
        if value and redactor.is_secret_name(name):
            value = REDACTED
        kept.append(f"{raw}{sep}{value}")
    return "&".join(kept)


def query_mapping(query: str) -> dict[str, str]:
    """Return the parameters of *query* (bounded as above) as decoded name → value.

    A repeated name keeps its last value (as Django's ``QueryDict`` does).
    """
    return {name: unquote_plus(value) for _, name, _, value in _query_parts(query)}
