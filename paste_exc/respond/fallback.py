"""Respond: the answers that cannot fail.

The static page sent when even the minimal page cannot be built, the text
written when rendering fails, and writing to ``wsgi.errors`` (flushed; logged
when the stream is broken).
"""

from __future__ import annotations

import contextlib
import logging
import traceback
import uuid
from typing import TYPE_CHECKING, Final

from paste_exc.errors import log_failure
from paste_exc.format.headers import CONTENT_TYPES, Headers, response_headers
from paste_exc.format.records import (
    SEPARATOR,
    escape_body,
)
from paste_exc.redact.saferepr import safe_str

if TYPE_CHECKING:
    pass

log = logging.getLogger("paste_exc.errormiddleware")

STATUS_500: Final = "500 Internal Server Error"

__all__ = ["STATIC_BODY", "STATUS_500", "emergency_text", "static_response", "write_errors"]
#: The page sent when building the real one failed: constant, nothing to escape.
STATIC_BODY: Final = (
    b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
    b"<title>500 Internal Server Error</title></head><body>"
    b"<h1>Internal Server Error</h1>"
    b"<p>An error occurred while handling this request, and another while reporting it. "
    b"Both have been logged.</p></body></html>\n"
)


def write_errors(stream: object, text: str) -> None:
    """Write *text* to an error stream (``wsgi.errors``) and flush it; never raise.

    A stream that cannot be written falls back to logging. The flush matters:
    a server may hand a stream with a buffer of its own (uWSGI's
    :data:`sys.stderr` writing to its log file is not line-buffered), where the
    text would wait, and be lost with a worker killed before the buffer fills.
    """
    try:
        stream.write(text)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 (a broken or full stream: logged by log_failure)
        with contextlib.suppress(Exception):  # nowhere left to write to
            log_failure(log, "could not write to the error stream; the text was:\n%s", text)
        return
    with contextlib.suppress(Exception):  # written; a stream without flush() keeps it
        stream.flush()  # type: ignore[attr-defined]


def _format_exception(exc: BaseException) -> str:
    try:
        return "".join(traceback.format_exception(exc))
    except Exception:  # noqa: BLE001
        return f"{type(exc).__name__}: {safe_str(exc, 2000)}\n"


def emergency_text(exc: BaseException, secondary: BaseException, stage: str) -> str:
    """Describe a failure of the error handling itself, with the original error.

    Its lines are escaped as a record's (no line of a message can read as a
    record boundary), then 60 dashes.
    """
    text = (
        f"paste_exc: {stage} failed; the client got a minimal 500 page.\n"
        f"The original error:\n{_format_exception(exc)}"
        f"The failure while {stage}:\n{_format_exception(secondary)}"
    )
    return f"{escape_body(text.rstrip(chr(10)))}\n{SEPARATOR}\n"


def static_response(error_id: str = "", body: bytes = STATIC_BODY) -> tuple[str, Headers, bytes]:
    """A 500 response of an HTML page made elsewhere, with the headers of every response.

    :param error_id: the occurrence id (a fresh one when empty)
    :param body: the page: :data:`STATIC_BODY` (the page when building the real
        one failed), or what an overridden ``exception_handler()`` returned
    """
    headers = response_headers(
        CONTENT_TYPES["static page"], len(body), error_id=error_id or uuid.uuid4().hex
    )
    return STATUS_500, headers, body
