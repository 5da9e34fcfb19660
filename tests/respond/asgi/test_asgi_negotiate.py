"""Negotiation and debug access over ASGI (httpx's ASGITransport), judged as WSGI judges them.

Each case runs the same failing request through the WSGI middleware (WebTest)
and the ASGI one: the same rendering (status, content type, the same security
headers, debug or safe), the same rule for who sees debug output (the token's
cookie; ``debug_allow`` only without a proxy's header), and the same unlock flow.
"""

from __future__ import annotations

import asyncio
import re
import warnings
from typing import Any

import httpx
import pytest
from asgi_helpers import TOKEN

from paste_exc import ASGIErrorMiddleware, CapturingReporter, ErrorMiddleware
from paste_exc.respond import access

with warnings.catch_warnings():  # webob imports the deprecated cgi module (Python 3.11)
    warnings.simplefilter("ignore", DeprecationWarning)
    from webtest import TestApp

MESSAGE = "the failure with a secret inside"
CLIENT = "192.0.2.7"


@pytest.fixture(autouse=True)
def fresh_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test may see the withheld notice (once a minute per process otherwise)."""
    monkeypatch.setattr(access, "_withheld", access._Throttle(access.WITHHELD_NOTICE_INTERVAL))


def failing_wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    raise RuntimeError(MESSAGE)


async def failing_asgi(scope: Any, receive: Any, send: Any) -> None:
    if scope["path"].endswith("/fine"):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"fine"})
        return
    raise RuntimeError(MESSAGE)


def asgi_get(
    app: Any,
    url: str,
    headers: dict[str, str] | None = None,
    *,
    client: tuple[str, int] = (CLIENT, 50123),
    root_path: str = "",
    base: str = "http://shop.example",
) -> httpx.Response:
    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=client, root_path=root_path)
        async with httpx.AsyncClient(transport=transport, base_url=base) as http:
            return await http.get(url, headers=headers or {})

    return asyncio.run(run())


def wsgi_get(app: Any, url: str, headers: dict[str, str] | None = None) -> Any:
    environ = {"REMOTE_ADDR": CLIENT, "HTTP_HOST": "shop.example", "paste.throw_errors": False}
    return TestApp(app).get(url, headers=headers or {}, extra_environ=environ, expect_errors=True)


#: Headers that differ by design between two responses: the length and the nonce'd policy.
_PER_RESPONSE = {"content-length", "x-error-id", "content-security-policy"}


def _comparable(headers: Any) -> dict[str, str]:
    return {
        name.lower(): value for name, value in headers.items() if name.lower() not in _PER_RESPONSE
    }


def _policy(value: str) -> str:
    return re.sub(r"'nonce-[^']+'", "'nonce-N'", value)


CASES = [
    ({"Accept": "text/html"}, "text/html"),
    ({"Accept": "application/json"}, "application/problem+json"),
    ({"Accept": "text/plain"}, "text/plain"),
    ({"Accept": "text/html", "X-Requested-With": "XMLHttpRequest"}, "text/html"),
    ({}, "text/html"),
]


@pytest.mark.parametrize(("headers", "media"), CASES)
@pytest.mark.parametrize("unlocked", [False, True], ids=["no-token", "token-cookie"])
def test_the_same_rendering_and_headers_as_wsgi(
    headers: dict[str, str], media: str, unlocked: bool
) -> None:
    options = {"debug": True, "debug_token": TOKEN}
    if unlocked:
        headers = {**headers, "Cookie": f"paste_exc_debug={TOKEN}"}
    wsgi = wsgi_get(ErrorMiddleware(failing_wsgi, **options), "/orders?page=2", headers)
    asgi = asgi_get(ASGIErrorMiddleware(failing_asgi, **options), "/orders?page=2", headers)
    assert (asgi.status_code, wsgi.status_int) == (500, 500)
    assert asgi.headers["content-type"].split(";")[0] == media
    assert _comparable(asgi.headers) == _comparable(wsgi.headers)
    assert _policy(asgi.headers["content-security-policy"]) == _policy(
        wsgi.headers["Content-Security-Policy"]
    )
    assert int(asgi.headers["content-length"]) == len(asgi.content)
    # Debug output (the message) exactly when WSGI shows it: with the token only.
    assert (MESSAGE in asgi.text) is unlocked
    assert (MESSAGE in wsgi.text) is unlocked


def test_a_loopback_client_without_the_token_gets_the_safe_page() -> None:
    app = ASGIErrorMiddleware(failing_asgi, debug=True, debug_token=TOKEN)
    response = asgi_get(app, "/", client=("127.0.0.1", 50123))
    assert MESSAGE not in response.text
    assert response.status_code == 500


def test_a_wrong_token_in_the_cookie_unlocks_nothing() -> None:
    app = ASGIErrorMiddleware(failing_asgi, debug=True, debug_token=TOKEN)
    wrong = "x" * len(TOKEN)
    response = asgi_get(app, "/", {"Cookie": f"a=1; paste_exc_debug={wrong}"})
    assert MESSAGE not in response.text


def test_debug_allow_admits_the_network_but_not_through_a_proxy() -> None:
    app = ASGIErrorMiddleware(failing_asgi, debug=True, debug_token=TOKEN, debug_allow=CLIENT)
    assert MESSAGE in asgi_get(app, "/").text
    forwarded = asgi_get(app, "/", {"X-Forwarded-For": "203.0.113.9"})
    assert MESSAGE not in forwarded.text
    # A proxy's header after a thousand others is still seen.
    many = [(f"x-filler-{n}", "1") for n in range(1200)] + [("x-real-ip", "203.0.113.9")]

    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(CLIENT, 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://shop.example") as http:
            return await http.get("/", headers=many)

    assert MESSAGE not in asyncio.run(run()).text


def test_a_scope_without_a_client_or_with_none_proves_nothing() -> None:
    """The ASGI spec: a missing ``client`` defaults to ``None``, a peer that is not known."""
    from asgi_helpers import drive, http_scope

    app = ASGIErrorMiddleware(failing_asgi, debug=True, debug_token=TOKEN)
    scope = http_scope()
    del scope["client"]
    assert MESSAGE.encode() not in drive(app, scope)[1]["body"]
    assert MESSAGE.encode() not in drive(app, http_scope(client=None))[1]["body"]


def test_the_unlock_flow_is_the_wsgi_one() -> None:
    app = ASGIErrorMiddleware(failing_asgi, debug=True, debug_token=TOKEN)
    url = f"/orders?page=2&paste_exc_debug={TOKEN}&sort=up"
    asgi = asgi_get(app, url)
    wsgi = wsgi_get(ErrorMiddleware(failing_wsgi, debug=True, debug_token=TOKEN), url)
    assert (asgi.status_code, wsgi.status_int) == (303, 303)
    assert asgi.headers["location"] == wsgi.headers["Location"] == "/orders?page=2&sort=up"
    assert asgi.headers["set-cookie"] == wsgi.headers["Set-Cookie"]
    assert asgi.content == b""
    # The cookie it sets unlocks the debug page.
    assert MESSAGE in asgi_get(app, "/orders", {"Cookie": asgi.headers["set-cookie"]}).text


def test_the_unlock_cookie_is_scoped_to_the_root_path_and_secure_over_https() -> None:
    app = ASGIErrorMiddleware(failing_asgi, debug=True, debug_token=TOKEN)
    response = asgi_get(
        app, f"/shop/fine?paste_exc_debug={TOKEN}", root_path="/shop", base="https://shop.example"
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/shop/fine"
    cookie = response.headers["set-cookie"]
    assert "Path=/shop;" in cookie
    assert cookie.endswith("; Secure")


def test_a_wrong_unlock_token_reaches_the_application_unchanged() -> None:
    app = ASGIErrorMiddleware(failing_asgi, debug=True, debug_token=TOKEN)
    response = asgi_get(app, "/fine?paste_exc_debug=" + "w" * 32)
    assert (response.status_code, response.text) == (200, "fine")
    assert "set-cookie" not in response.headers


def test_no_unlock_with_debug_off() -> None:
    capture = CapturingReporter()
    app = ASGIErrorMiddleware(failing_asgi, reporters={"capture": capture})
    response = asgi_get(app, f"/fine?paste_exc_debug={TOKEN}")
    assert (response.status_code, response.text) == (200, "fine")


def test_a_withheld_debug_page_tells_the_server_log_how_to_unlock(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = ASGIErrorMiddleware(failing_asgi, debug=True, debug_token=TOKEN)
    asgi_get(app, "/")
    err = capsys.readouterr().err
    assert f"/?paste_exc_debug={TOKEN}" in err
    assert "Error - <class 'RuntimeError'>" in err
