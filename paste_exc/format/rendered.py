"""Format: what every document carries: the rendered result, its headers and the occurrence.

Part of the format stage.  :class:`RenderedPage` is what each function of
:mod:`paste_exc.format.documents` returns; the helpers here give every document the
same security headers, the same occurrence line (id and date) and the same
status wording, and make sure its text encodes.
"""

from __future__ import annotations

import http
import secrets
from dataclasses import dataclass

from paste_exc.model.report import CollectedException
from paste_exc.model.values import local_time

__all__ = ["RenderedPage", "new_nonce", "occurrence", "status_title"]


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """A document ready to send: body text, its content type, the CSP nonce and headers.

    ``headers`` holds the security headers of every response (see
    :func:`paste_exc.format.headers.security_headers`), the ``Content-Security-Policy``
    naming :attr:`nonce`, for a caller serving the document itself; the
    middleware builds a response's whole header list with
    :func:`paste_exc.format.headers.response_headers`.
    """

    body: str
    content_type: str
    nonce: str | None = None
    headers: tuple[tuple[str, str], ...] = ()

    def body_bytes(self) -> bytes:
        """Return the body encoded as UTF-8 (the charset every content type here names)."""
        return self.body.encode("utf-8", "replace")


def new_nonce() -> str:
    """Return a fresh, unguessable CSP nonce (URL-safe base64, 128 bits)."""
    return secrets.token_urlsafe(16)


def status_title(status: int) -> str:
    """Return the reason phrase of *status*, or a generic one for an unknown code.

    :param status: an HTTP status code
    """
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Server Error" if 500 <= status <= 599 else "Error"


def occurrence(exc_data: CollectedException) -> dict[str, str]:
    """Return ``occurrence_id``, ``date`` (local time, for people) and ``date_iso``.

    The date comes from the collector's ``timestamp``, else from its ``date``
    tuple; both are empty when neither makes a valid date.

    :param exc_data: the collected exception
    """
    date = date_iso = ""
    moment = local_time(exc_data)
    if moment is not None:
        date = moment.strftime("%Y-%m-%d %H:%M:%S %Z")
        date_iso = moment.isoformat(timespec="seconds")
    occurrence_id = exc_data.occurrence_id if isinstance(exc_data.occurrence_id, str) else ""
    return {"occurrence_id": occurrence_id or "unknown", "date": date, "date_iso": date_iso}
