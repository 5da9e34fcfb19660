"""Choose the error response: debug page, safe page, fragment, problem JSON or text.

Part of the respond stage (catch → collect → format → report → **respond**).
:func:`choose_rendering` is a pure function of the request's
:class:`~paste_exc.model.request.RequestInfo` (built once per failing request,
whatever the transport) and three settings, so the whole decision is tested
with a table. A WSGI environ is accepted too: it is read into its
``RequestInfo`` first (and the debug cookie checked on it).

The rules, in order:

1. The debug renderings (debug page, fragment, detailed problem document,
   text report) are only for clients :func:`debug_allowed` accepts (the
   debug token, not an address, is what proves a developer); everyone else
   gets the safe forms.
2. A client whose ``Accept`` header prefers JSON (``application/json``,
   ``application/problem+json`` or any ``+json`` type) over HTML gets the
   problem document (RFC 9457), with the details only for debug clients.
3. An XMLHttpRequest (a non-empty ``xmlhttp_key`` query parameter, as in Paste,
   or ``X-Requested-With: XMLHttpRequest``) gets the HTML fragment (debug) or
   the safe page.
4. A client that prefers ``text/plain`` gets the text report (debug) or two
   lines of text with the codes to quote.
5. Anything else gets HTML: the debug page or the safe page.

.. versionadded:: 0.1
"""

from __future__ import annotations

import enum
import functools
import ipaddress
from collections.abc import Iterable, Mapping
from typing import Final

from paste_exc.config.convert import Network
from paste_exc.model.bounds import ACCEPT_LIMIT
from paste_exc.model.request import RequestInfo
from paste_exc.respond.access import Request, as_request, carries_token

__all__ = [
    "Rendering",
    "choose_rendering",
    "debug_allowed",
    "is_xmlhttp",
    "preferred_media",
    "was_forwarded",
]


class Rendering(enum.Enum):
    """The forms an error response can take."""

    DEBUG_PAGE = "debug-page"
    SAFE_PAGE = "safe-page"
    FRAGMENT = "fragment"
    PROBLEM = "problem"
    PROBLEM_DEBUG = "problem-debug"
    TEXT = "text"
    TEXT_DEBUG = "text-debug"


_HTML: Final = "html"
_JSON: Final = "json"
_TEXT: Final = "text"
# Ties go to the earlier kind: HTML for "*/*", JSON over text for axios.
_KINDS: Final = (_HTML, _JSON, _TEXT)


def _kind_of(media_type: str) -> str | None:
    if media_type in ("text/html", "application/xhtml+xml"):
        return _HTML
    if media_type in ("application/json", "application/problem+json") or (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        return _JSON
    if media_type == "text/plain":
        return _TEXT
    return None


def _parse_accept(header: str) -> list[tuple[str, float]]:
    ranges: list[tuple[str, float]] = []
    for part in header[:ACCEPT_LIMIT].split(",", 64)[:64]:
        media, *params = (piece.strip() for piece in part.split(";"))
        media = media.lower()
        if "/" not in media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality))
    return ranges


def preferred_media(accept: str | None) -> str:
    """Return ``"html"``, ``"json"`` or ``"text"``: what the client prefers.

    Each kind scores (quality, specificity) from the most specific matching
    range of *accept* (exact type 2, ``type/*`` 1, ``*/*`` 0); the best score
    wins, ties going to HTML, then JSON. A missing or empty header means HTML.

    :param accept: the ``Accept`` header, or ``None``
    """
    if not accept:
        return _HTML
    if type(accept) is str:
        # Browsers and clients send a handful of headers: each is weighed once.
        return _preferred_media(accept[:ACCEPT_LIMIT])
    return _preferred_media.__wrapped__(accept)


#: How many distinct ``Accept`` headers keep their answer.
CACHED_ACCEPT_HEADERS: Final = 256


@functools.lru_cache(maxsize=CACHED_ACCEPT_HEADERS)
def _preferred_media(accept: str) -> str:
    ranges = _parse_accept(accept)
    best_kind = _HTML
    best_score: tuple[float, int] = (-1.0, -1)
    for kind in _KINDS:
        score: tuple[float, int] | None = None
        for media, quality in ranges:
            major = media.split("/", 1)[0]
            if media == "*/*":
                specificity = 0
            elif media.endswith("/*"):
                if not any(sample.startswith(major + "/") for sample in _SAMPLES[kind]):
                    continue
                specificity = 1
            elif _kind_of(media) == kind:
                specificity = 2
            else:
                continue
            if score is None or specificity > score[1]:
                score = (quality, specificity)
        if score is not None and score[0] > 0 and score > best_score:
            best_kind, best_score = kind, score
    return best_kind


_SAMPLES: Final[Mapping[str, tuple[str, ...]]] = {
    _HTML: ("text/html",),
    _JSON: ("application/json",),
    _TEXT: ("text/plain",),
}


def is_xmlhttp(request: Request, xmlhttp_key: str) -> bool:
    """Whether the request is an XMLHttpRequest.

    Paste's rule (a non-empty value of the ``xmlhttp_key`` query parameter; the
    body is never read) or the ``X-Requested-With: XMLHttpRequest`` header.

    :param request: the request (or its environ)
    :param xmlhttp_key: Paste's XHR query parameter name (empty: off)
    """
    info = as_request(request)
    requested_with = info.requested_with
    if requested_with is not None and requested_with[:32].lower() == "xmlhttprequest":
        return True
    if not xmlhttp_key or xmlhttp_key not in info.query_string:
        return False
    return any(name == xmlhttp_key and value for name, value in info.query)


def was_forwarded(request: Request) -> bool:
    """Whether a proxy's forwarding header came with the request, even empty.

    The headers are :data:`~paste_exc.model.bounds.FORWARDING_HEADERS`.

    A key in another spelling (``http_x_forwarded_for``, ``HTTP_X-Real-IP``:
    a server or framework of its own making) counts as the header.

    :param request: the request (or its environ)
    """
    return as_request(request).forwarded


def debug_allowed(
    request: Request,
    networks: Iterable[Network] = (),
    *,
    everyone: bool = False,
    token: str | None = None,
    holds_token: bool = False,
) -> bool:
    """Whether this client may see debug output (with ``debug`` on).

    Allowed, and nothing else is:

    * *everyone* (``debug_allow = *``);
    * a request without ``REMOTE_ADDR`` at all: an in-process test client
      (WebTest, Paste's fixtures), no network peer exists (unless one of
      :data:`~paste_exc.model.bounds.FORWARDING_HEADERS` is there, in any spelling of its key, even
      empty: then a proxy sent it);
    * a request whose cookie ``paste_exc_debug`` holds *token*;
    * a ``REMOTE_ADDR`` inside one of *networks* (``debug_allow``, given
      explicitly) with none of :data:`~paste_exc.model.bounds.FORWARDING_HEADERS` present (see
      :func:`was_forwarded`).

    A loopback address by itself proves nothing: behind a reverse proxy on
    the same host every client is ``127.0.0.1``, and some servers (waitress)
    remove the proxy's forwarding headers before the application sees them.

    The cookie is a secret, so it is not in a :class:`RequestInfo`: given an
    environ, the cookie is checked on it; given a ``RequestInfo``, the caller
    checked it on the live request and says so with *holds_token*.

    :param request: the request (or its environ)
    :param networks: the ``debug_allow`` networks
    :param everyone: allow every client (``debug_allow = *``)
    :param token: the debug token (``None``: no cookie unlocks)
    :param holds_token: the live request's cookie holds the token (with a ``RequestInfo``)
    """
    if not isinstance(request, RequestInfo) and token is not None:
        holds_token = carries_token(request, token)
    if everyone or holds_token:
        return True
    info = as_request(request)
    if info.client_address is None:
        return not info.forwarded
    networks = tuple(networks)
    if info.forwarded or not networks or not info.client_address:
        return False
    try:
        address = ipaddress.ip_address(info.client_address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address.version == net.version and address in net for net in networks)


def choose_rendering(
    request: Request,
    *,
    debug: bool,
    xmlhttp_key: str = "_",
    networks: Iterable[Network] = (),
    everyone: bool = False,
    token: str | None = None,
    holds_token: bool = False,
) -> Rendering:
    """Pick the rendering for an error response (the rules are in the module docstring).

    :param request: the request's data, or its environ (read only; the body is never touched)
    :param debug: the middleware's ``debug`` setting
    :param xmlhttp_key: Paste's XHR query parameter name (empty: off)
    :param networks: the ``debug_allow`` networks (see :func:`debug_allowed`)
    :param everyone: every client may see debug output
    :param token: the debug token a client's cookie must hold
    :param holds_token: with a ``RequestInfo``: the live request's cookie holds the token
    """
    if not isinstance(request, RequestInfo) and token is not None:
        holds_token = carries_token(request, token)
    info = as_request(request)
    show_debug = debug and debug_allowed(
        info, networks, everyone=everyone, token=token, holds_token=holds_token
    )
    media = preferred_media(info.accept)
    if media == _JSON:
        return Rendering.PROBLEM_DEBUG if show_debug else Rendering.PROBLEM
    if is_xmlhttp(info, xmlhttp_key):
        return Rendering.FRAGMENT if show_debug else Rendering.SAFE_PAGE
    if media == _TEXT:
        return Rendering.TEXT_DEBUG if show_debug else Rendering.TEXT
    return Rendering.DEBUG_PAGE if show_debug else Rendering.SAFE_PAGE
