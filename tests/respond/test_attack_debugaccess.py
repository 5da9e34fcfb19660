"""Attack: debug access through the odd forms a request can take.

Forwarding headers under environ keys that are not the server's usual
spelling, the unlock parameter under a percent-encoded name, https told by
the ``HTTPS`` variable rather than ``wsgi.url_scheme``.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_debugaccess import (
    COOKIE,
    MESSAGE,
    TOKEN,
    Recording,
    call,
    environ,
    failing,
    path,  # noqa: F401 (the fixture)
)

from paste_exc.errormiddleware import ErrorMiddleware


@pytest.mark.parametrize(
    "extra",
    [
        {"http_x_forwarded_for": "8.8.8.8"},
        {"HTTP_X-FORWARDED-FOR": "8.8.8.8"},
        {"Http_Forwarded": "for=8.8.8.8"},
        {"HTTP_X_REAL-IP": "8.8.8.8"},
        {"http_via": "1.1 proxy"},
        {"HTTP_FORWARDED": ""},
        {"HTTP_X_FORWARDED_FOR": ""},
    ],
)
def test_a_forwarding_header_in_any_spelling_closes_debug_allow(
    path: type[ErrorMiddleware],  # noqa: F811
    extra: dict[str, Any],
) -> None:
    middleware = path(failing, debug=True, debug_token=TOKEN, debug_allow="127.0.0.0/8")
    assert MESSAGE.encode() in call(middleware, environ())[1]
    assert MESSAGE.encode() not in call(middleware, environ(**extra))[1]
    env = environ(**extra)
    del env["REMOTE_ADDR"]  # an in-process client does not forward
    assert MESSAGE.encode() not in call(middleware, env)[1]
    # The token still unlocks behind a proxy.
    assert MESSAGE.encode() in call(middleware, environ(HTTP_COOKIE=COOKIE, **extra))[1]


@pytest.mark.parametrize(
    "query",
    [
        f"paste%5Fexc%5Fdebug={TOKEN}",
        f"paste_exc%5fdebug={TOKEN}",
        f"a=1&%70aste_exc_debug={TOKEN}&b=2",
    ],
)
def test_a_percent_encoded_parameter_name_unlocks_and_is_removed(
    path: type[ErrorMiddleware],  # noqa: F811
    query: str,
) -> None:
    app = Recording()
    middleware = path(app, debug=True, debug_token=TOKEN)
    server, _ = call(middleware, environ(QUERY_STRING=query))
    assert app.seen == []
    assert server.status == "303 See Other"
    assert TOKEN not in server.headers["Location"]
    assert server.headers["Location"] in ("/page", "/page?a=1&b=2")
    assert server.headers["Set-Cookie"].startswith(f"paste_exc_debug={TOKEN};")


@pytest.mark.parametrize(
    ("extra", "secure"),
    [
        ({"wsgi.url_scheme": "https"}, True),
        ({"wsgi.url_scheme": "HTTPS"}, True),
        ({"HTTPS": "on"}, True),
        ({"HTTPS": "1"}, True),
        ({"HTTPS": "off"}, False),
        ({}, False),
    ],
)
def test_the_cookie_is_secure_whenever_the_request_came_over_https(
    path: type[ErrorMiddleware],  # noqa: F811
    extra: dict[str, Any],
    secure: bool,
) -> None:
    middleware = path(Recording(), debug=True, debug_token=TOKEN)
    server, _ = call(middleware, environ(QUERY_STRING=f"paste_exc_debug={TOKEN}", **extra))
    assert ("; Secure" in server.headers["Set-Cookie"]) is secure
