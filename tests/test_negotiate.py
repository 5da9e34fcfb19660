"""Choosing the error response: a table of real Accept headers and client addresses."""

from __future__ import annotations

import ipaddress

import pytest

from paste_exc.negotiate import Rendering, choose_rendering, debug_allowed, preferred_media

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


LOCAL = {"REMOTE_ADDR": "127.0.0.1"}
REMOTE = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.mark.parametrize(
    ("environ", "debug", "expected"),
    [
        ({**LOCAL, "HTTP_ACCEPT": FIREFOX}, True, Rendering.DEBUG_PAGE),
        ({**LOCAL, "HTTP_ACCEPT": FIREFOX}, False, Rendering.SAFE_PAGE),
        ({**REMOTE, "HTTP_ACCEPT": FIREFOX}, True, Rendering.SAFE_PAGE),
        ({**LOCAL, "HTTP_ACCEPT": AXIOS}, True, Rendering.PROBLEM_DEBUG),
        ({**REMOTE, "HTTP_ACCEPT": AXIOS}, True, Rendering.PROBLEM),
        ({**LOCAL, "HTTP_ACCEPT": AXIOS}, False, Rendering.PROBLEM),
        ({**LOCAL, "HTTP_ACCEPT": CURL}, True, Rendering.DEBUG_PAGE),
        ({**LOCAL, "HTTP_ACCEPT": "text/plain"}, True, Rendering.TEXT_DEBUG),
        ({**REMOTE, "HTTP_ACCEPT": "text/plain"}, True, Rendering.TEXT),
        ({**LOCAL, "QUERY_STRING": "_=1"}, True, Rendering.FRAGMENT),
        ({**LOCAL, "QUERY_STRING": "_="}, True, Rendering.DEBUG_PAGE),
        ({**REMOTE, "QUERY_STRING": "a=2&_=1"}, True, Rendering.SAFE_PAGE),
        ({**LOCAL, "HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}, True, Rendering.FRAGMENT),
        ({}, True, Rendering.DEBUG_PAGE),
    ],
)
def test_choose_rendering(environ: dict[str, str], debug: bool, expected: Rendering) -> None:
    assert choose_rendering(environ, debug=debug) is expected


def test_xmlhttp_key_is_configurable_and_can_be_off() -> None:
    environ = {"QUERY_STRING": "ajax=1"}
    assert choose_rendering(environ, debug=True, xmlhttp_key="ajax") is Rendering.FRAGMENT
    assert choose_rendering(environ, debug=True, xmlhttp_key="") is Rendering.DEBUG_PAGE


@pytest.mark.parametrize(
    ("remote", "allowed"),
    [
        (None, True),
        ("", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("10.0.0.5", False),
        ("203.0.113.9", False),
        ("2001:db8::1", False),
        ("not-an-address", False),
    ],
)
def test_debug_allowed_for_local_clients_only(remote: str | None, allowed: bool) -> None:
    environ = {} if remote is None else {"REMOTE_ADDR": remote}
    assert debug_allowed(environ) is allowed


@pytest.mark.parametrize("header", ["HTTP_FORWARDED", "HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP"])
def test_forwarded_requests_are_not_local(header: str) -> None:
    assert debug_allowed({"REMOTE_ADDR": "127.0.0.1", header: "198.51.100.7"}) is False


def test_allowlisted_networks_and_everyone() -> None:
    networks = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8::/32")]
    assert debug_allowed({"REMOTE_ADDR": "10.1.2.3"}, networks) is True
    assert debug_allowed({"REMOTE_ADDR": "2001:db8::5"}, networks) is True
    assert debug_allowed({"REMOTE_ADDR": "192.0.2.1"}, networks) is False
    assert debug_allowed({"REMOTE_ADDR": "192.0.2.1", "HTTP_X_REAL_IP": "x"}, everyone=True)
