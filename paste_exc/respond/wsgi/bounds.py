"""The bounds of the request data a report shows (WSGI): kept at this path for its importers.

Part of the respond stage. The names live in :mod:`paste_exc.respond.bounds`,
shared with the ASGI side.
"""

from __future__ import annotations

from paste_exc.respond.bounds import (
    ENVIRON_ENTRIES,
    ENVIRON_VALUE_LIMIT,
    HEADER_BUDGET_PLACEHOLDER,
    HEADERS_LIMIT,
    HIDDEN_WSGI_VARS,
    HOST_LIMIT,
    PATH_LIMIT,
    PROCESS_COMBOS,
    QUERY_LIMIT,
    QUERY_PARAMETERS,
    ROOT_LIMIT,
    bounded_text,
    cut_text,
    request_url,
)

__all__ = [
    "ENVIRON_ENTRIES",
    "ENVIRON_VALUE_LIMIT",
    "HEADERS_LIMIT",
    "HEADER_BUDGET_PLACEHOLDER",
    "HIDDEN_WSGI_VARS",
    "HOST_LIMIT",
    "PATH_LIMIT",
    "PROCESS_COMBOS",
    "QUERY_LIMIT",
    "QUERY_PARAMETERS",
    "ROOT_LIMIT",
    "bounded_text",
    "cut_text",
    "request_url",
]
