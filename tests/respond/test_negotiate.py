"""Choosing the error response: a table of real Accept headers and client addresses."""

from __future__ import annotations

import ipaddress

import pytest

from paste_exc.model.bounds import FORWARDING_HEADERS
from paste_exc.respond.negotiate import (
    Rendering,
    choose_rendering,
    debug_allowed,
    preferred_media,
)

FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
AXIOS = "application/json, text/plain, */*"
CURL = "*/*"
FETCH = "*/*"
REQUESTS = "*/*"
HTTPIE_JSON = "application/json, */*;q=0.5"


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (FIREFOX, "html"),
        (CHROME, "html"),
        (SAFARI, "html"),
        (AXIOS, "json"),
        (CURL, "html"),
        (FETCH, "html"),
        (REQUESTS, "html"),
        (HTTPIE_JSON, "json"),
        (None, "html"),
        ("", "html"),
        ("application/problem+json", "json"),
        ("application/vnd.api+json", "json"),
        ("text/plain", "text"),
        ("text/plain, text/html;q=0.5", "text"),
        ("text/html;q=0.1, application/json;q=0.9", "json"),
        ("application/json;q=0, text/html", "html"),
        ("text/*", "html"),
        ("garbage;;;q=x, ,", "html"),
    ],
)
def test_preferred_media(accept: str | None, media: str) -> None:
    assert preferred_media(accept) == media


TOKEN = "dev-token-0123456789abcdef"
#: A developer's browser: it holds the debug token's cookie.
DEV = {"REMOTE_ADDR": "127.0.0.1", "HTTP_COOKIE": f"paste_exc_debug={TOKEN}"}
LOCAL = {"REMOTE_ADDR": "127.0.0.1"}
REMOTE = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.mark.parametrize(
    ("environ", "debug", "expected"),
    [
        ({**DEV, "HTTP_ACCEPT": FIREFOX}, True, Rendering.DEBUG_PAGE),
        ({**DEV, "HTTP_ACCEPT": FIREFOX}, False, Rendering.SAFE_PAGE),
        ({**REMOTE, "HTTP_ACCEPT": FIREFOX}, True, Rendering.SAFE_PAGE),
        ({**DEV, "HTTP_ACCEPT": AXIOS}, True, Rendering.PROBLEM_DEBUG),
        ({**REMOTE, "HTTP_ACCEPT": AXIOS}, True, Rendering.PROBLEM),
        ({**DEV, "HTTP_ACCEPT": AXIOS}, False, Rendering.PROBLEM),
        ({**DEV, "HTTP_ACCEPT": CURL}, True, Rendering.DEBUG_PAGE),
        ({**DEV, "HTTP_ACCEPT": "text/plain"}, True, Rendering.TEXT_DEBUG),
        ({**REMOTE, "HTTP_ACCEPT": "text/plain"}, True, Rendering.TEXT),
        ({**DEV, "QUERY_STRING": "_=1"}, True, Rendering.FRAGMENT),
        ({**DEV, "QUERY_STRING": "_="}, True, Rendering.DEBUG_PAGE),
        ({**REMOTE, "QUERY_STRING": "a=2&_=1"}, True, Rendering.SAFE_PAGE),
        ({**DEV, "HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}, True, Rendering.FRAGMENT),
        ({**LOCAL, "HTTP_ACCEPT": FIREFOX}, True, Rendering.SAFE_PAGE),
        ({**LOCAL, "HTTP_ACCEPT": AXIOS}, True, Rendering.PROBLEM),
        ({**LOCAL, "HTTP_ACCEPT": "text/plain"}, True, Rendering.TEXT),
        ({**LOCAL, "QUERY_STRING": "_=1"}, True, Rendering.SAFE_PAGE),
        ({}, True, Rendering.DEBUG_PAGE),
    ],
)
def test_choose_rendering(environ: dict[str, str], debug: bool, expected: Rendering) -> None:
    assert choose_rendering(environ, debug=debug, token=TOKEN) is expected


def test_xmlhttp_key_is_configurable_and_can_be_off() -> None:
    environ = {"QUERY_STRING": "ajax=1"}
    assert choose_rendering(environ, debug=True, xmlhttp_key="ajax") is Rendering.FRAGMENT
    assert choose_rendering(environ, debug=True, xmlhttp_key="") is Rendering.DEBUG_PAGE


LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1"))


@pytest.mark.parametrize(
    ("remote", "allowed"),
    [
        (None, True),
        ("", False),
        ("127.0.0.1", False),
        ("127.8.9.10", False),
        ("::1", False),
        ("::ffff:127.0.0.1", False),
        ("10.0.0.5", False),
        ("172.17.0.1", False),
        ("not-an-address", False),
    ],
)
def test_an_address_alone_never_unlocks(remote: str | None, allowed: bool) -> None:
    environ = {} if remote is None else {"REMOTE_ADDR": remote}
    assert debug_allowed(environ) is allowed
    assert debug_allowed(environ, token=TOKEN) is allowed


@pytest.mark.parametrize(
    ("remote", "allowed"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("", False),
        ("10.0.0.5", False),
        ("203.0.113.9", False),
        ("2001:db8::1", False),
        ("not-an-address", False),
    ],
)
def test_debug_allow_loopback_restores_the_local_rule(remote: str, allowed: bool) -> None:
    assert debug_allowed({"REMOTE_ADDR": remote}, LOOPBACK) is allowed


FORWARDING = [
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_VIA",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_X_CLIENT_IP",
]


@pytest.mark.parametrize("header", FORWARDING)
def test_forwarded_requests_are_not_in_debug_allow(header: str) -> None:
    assert header in FORWARDING_HEADERS
    assert debug_allowed({"REMOTE_ADDR": "127.0.0.1", header: "198.51.100.7"}, LOOPBACK) is False
    # Present, even empty, is enough: the peer is a proxy.
    assert debug_allowed({"REMOTE_ADDR": "127.0.0.1", header: ""}, LOOPBACK) is False
    # A proxy that sends no REMOTE_ADDR is no in-process test client either.
    assert debug_allowed({header: "198.51.100.7"}) is False


@pytest.mark.parametrize("header", FORWARDING)
def test_the_token_unlocks_through_a_proxy(header: str) -> None:
    environ = {**DEV, "REMOTE_ADDR": "172.17.0.1", header: "198.51.100.7"}
    assert debug_allowed(environ, token=TOKEN) is True
    assert debug_allowed(environ, token="another-token-0123456789") is False
    assert debug_allowed(environ) is False


@pytest.mark.parametrize(
    "cookie",
    [
        f"paste_exc_debug={TOKEN}",
        f"a=1; paste_exc_debug={TOKEN}; b=2",
        f'paste_exc_debug="{TOKEN}"',
        f"paste_exc_debug=stale-token-0123456789; paste_exc_debug={TOKEN}",
        f"  paste_exc_debug = {TOKEN} ",
    ],
)
def test_cookie_forms_that_carry_the_token(cookie: str) -> None:
    assert debug_allowed({"REMOTE_ADDR": "203.0.113.9", "HTTP_COOKIE": cookie}, token=TOKEN)


@pytest.mark.parametrize(
    "cookie",
    [
        "",
        f"paste_exc_debug={TOKEN[:-1]}",
        f"paste_exc_debug={TOKEN}x",
        f"xpaste_exc_debug={TOKEN}",
        f"other={TOKEN}",
        f"paste_exc_debug_x={TOKEN}",
        "paste_exc_debug=",
        "paste_exc_debug",
        f"paste_exc_debug={TOKEN.upper()}",
        "paste_exc_debug=\u00e9\u00e9\u00e9",
        "paste_exc_debug=\u20ac\u20ac",
    ],
)
def test_cookie_forms_that_do_not(cookie: str) -> None:
    assert not debug_allowed({"REMOTE_ADDR": "203.0.113.9", "HTTP_COOKIE": cookie}, token=TOKEN)


def test_allowlisted_networks_and_everyone() -> None:
    networks = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8::/32")]
    assert debug_allowed({"REMOTE_ADDR": "10.1.2.3"}, networks) is True
    assert debug_allowed({"REMOTE_ADDR": "2001:db8::5"}, networks) is True
    assert debug_allowed({"REMOTE_ADDR": "192.0.2.1"}, networks) is False
    assert debug_allowed({"REMOTE_ADDR": "10.1.2.3", "HTTP_VIA": "1.1 nginx"}, networks) is False
    assert debug_allowed({"REMOTE_ADDR": "192.0.2.1", "HTTP_X_REAL_IP": "x"}, everyone=True)
