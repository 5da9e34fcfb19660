"""Format: the content types and headers of every response paste_exc sends, in one table.

Part of the format stage.  Each kind of output has its content type here
(:data:`CONTENT_TYPES`), and :func:`response_headers` decides the complete
header list of a response: content type and length, what the kind adds (the
redirect's ``Location`` and cookie), the security headers
(:func:`security_headers`: a strict ``Content-Security-Policy`` naming the
page's nonce, ``X-Content-Type-Options: nosniff``, ``Cache-Control:
no-store``, ``Referrer-Policy: no-referrer``) and the ``X-Error-Id``, each
name once.  A response is built from this list alone; nothing merges headers
from elsewhere, so what the application had set before it failed never mixes
in.  A report appended to a body already being sent has no headers of its
own: the application's are on the wire.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from typing import Final

__all__ = [
    "CONTENT_TYPES",
    "HTML_CONTENT_TYPE",
    "PROBLEM_CONTENT_TYPE",
    "TEXT_CONTENT_TYPE",
    "Headers",
    "content_security_policy",
    "response_headers",
    "security_headers",
]

Headers = list[tuple[str, str]]

HTML_CONTENT_TYPE: Final = "text/html; charset=utf-8"
TEXT_CONTENT_TYPE: Final = "text/plain; charset=utf-8"
PROBLEM_CONTENT_TYPE: Final = "application/problem+json"

#: The content type of each kind of output (the appended report takes the
#: body's: it has none of its own).
CONTENT_TYPES: Final[Mapping[str, str]] = {
    "debug page": HTML_CONTENT_TYPE,
    "safe page": HTML_CONTENT_TYPE,
    "fragment": HTML_CONTENT_TYPE,
    "static page": HTML_CONTENT_TYPE,
    "problem": PROBLEM_CONTENT_TYPE,
    "text": TEXT_CONTENT_TYPE,
    "redirect": TEXT_CONTENT_TYPE,
}

#: The longest ``X-Error-Id`` value, and the characters it keeps.
_MAX_ERROR_ID: Final = 100
_ID_CHARACTERS: Final = frozenset(string.ascii_letters + string.digits + "-_.")


def content_security_policy(nonce: str | None) -> str:
    """Return the strict policy of our pages: nothing but our own nonce'd style and script.

    :param nonce: the page's nonce, or ``None`` for a page without style or script
    """
    source = f"'nonce-{nonce}'" if nonce else "'none'"
    return (
        f"default-src 'none'; script-src {source}; style-src {source}; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def security_headers(nonce: str | None) -> tuple[tuple[str, str], ...]:
    """Return the security headers every response of ours carries, whatever its kind.

    The policy of :func:`content_security_policy` (JSON and text get it too:
    inert if a browser sniffs them), no sniffing, no caching (a report names
    the request), no referrer (the URL may hold what the report redacted).

    :param nonce: the page's nonce, or ``None``
    """
    return (
        ("Content-Security-Policy", content_security_policy(nonce)),
        ("X-Content-Type-Options", "nosniff"),
        ("Cache-Control", "no-store"),
        ("Referrer-Policy", "no-referrer"),
    )


def response_headers(
    content_type: str,
    length: int,
    *,
    nonce: str | None = None,
    error_id: str = "",
    more: Iterable[tuple[str, str]] = (),
) -> Headers:
    """Return the complete header list of a response, each name once.

    ``Content-Type``, ``Content-Length``, *more*, :func:`security_headers`
    and ``X-Error-Id`` (*error_id*, kept to ASCII letters, digits and ``-_.``,
    left out when nothing is left). A name of *more* that the list already
    holds is left out: the security headers cannot be replaced.

    :param content_type: one of :data:`CONTENT_TYPES` (or a page's own)
    :param length: the body's length in bytes
    :param nonce: the page's CSP nonce
    :param error_id: the occurrence id, for ``X-Error-Id``
    :param more: what the kind adds (a redirect's ``Location`` and ``Set-Cookie``)
    """
    fixed = (
        ("Content-Type", content_type),
        ("Content-Length", str(length)),
        *security_headers(nonce),
    )
    taken = {name.lower() for name, _value in fixed} | {"x-error-id"}
    headers: Headers = list(fixed[:2])
    for name, value in more:
        if name.lower() not in taken:
            taken.add(name.lower())
            headers.append((name, value))
    headers.extend(fixed[2:])
    clean_id = "".join(ch for ch in error_id if ch in _ID_CHARACTERS)[:_MAX_ERROR_ID]
    if clean_id:
        headers.append(("X-Error-Id", clean_id))
    return headers
