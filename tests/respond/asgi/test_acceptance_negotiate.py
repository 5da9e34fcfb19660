"""Acceptance (issue 16): an error before ``http.response.start`` gets WSGI's negotiated 500.

Black box. Each request is described once (method, path, query, headers,
client) and run through both middlewares: the WSGI one called with the environ
a server would build, the ASGI one through ``httpx.ASGITransport`` or asgiref's
``ApplicationCommunicator``. The status, the complete header set (the CSP
nonce, the length and the error id aside) and the kind of body must be the
same, and so must the debug-access rule, judged on the scope's client and
headers: the token cookie, ``debug_allow`` without a proxy's header, the unlock
flow (``303``, the cookie's attributes, a wrong token ignored).
"""

from __future__ import annotations

import asyncio
import io
import re
from typing import Any

import httpx
import pytest
from asgi_helpers import TOKEN, drive, http_scope

from paste_exc import ASGIErrorMiddleware, ErrorMiddleware
from paste_exc.respond import access

MESSAGE = "acceptance failure 7f3a"


@pytest.fixture(autouse=True)
def fresh_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(access, "_withheld", access._Throttle(access.WITHHELD_NOTICE_INTERVAL))


def failing_wsgi(environ: Any, start_response: Any) -> list[bytes]:
    raise RuntimeError(MESSAGE)


async def failing_asgi(scope: Any, receive: Any, send: Any) -> None:
    if scope["path"].endswith("/fine"):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"fine:" + scope["query_string"]})
        return
    raise RuntimeError(MESSAGE)


def run_wsgi(
    app: Any,
    path: str,
    query: str,
    headers: list[tuple[str, str]],
    client: str | None,
    *,
    scheme: str = "http",
    root: str = "",
) -> tuple[int, dict[str, str], bytes]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": root,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "shop.example",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if client is not None:
        environ["REMOTE_ADDR"] = client
    for name, value in headers:
        key = "HTTP_" + name.upper().replace("-", "_")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    started: list[Any] = []

    def start_response(status: str, response_headers: Any, exc_info: Any = None) -> None:
        started[:] = [status, response_headers]

    body = b"".join(app(environ, start_response))
    return int(started[0].split()[0]), {n.lower(): v for n, v in started[1]}, body


def run_asgi(
    app: Any,
    path: str,
    query: str,
    headers: list[tuple[str, str]],
    client: tuple[str, int] | None,
    *,
    scheme: str = "http",
    root: str = "",
) -> tuple[int, dict[str, str], bytes]:
    scope = http_scope(
        root + path,
        scheme=scheme,
        root_path=root,
        query_string=query.encode("latin-1"),
        headers=[(n.lower().encode(), v.encode()) for n, v in headers],
        client=client,
    )
    sent = drive(app, scope)
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    named = {n.decode("latin-1"): v.decode("latin-1") for n, v in sent[0]["headers"]}
    assert len(named) == len(sent[0]["headers"])  # each header once
    return sent[0]["status"], named, sent[1]["body"]


def _comparable(headers: dict[str, str]) -> dict[str, str]:
    kept = {k: v for k, v in headers.items() if k not in ("content-length", "x-error-id")}
    if "content-security-policy" in kept:
        kept["content-security-policy"] = re.sub(
            r"'nonce-[^']+'", "'nonce-N'", kept["content-security-policy"]
        )
    return kept


def _ids_out(body: bytes) -> bytes:
    body = re.sub(rb"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", b"ID", body)
    body = re.sub(rb"E-[A-Z0-9]{5}", b"CODE", body)
    body = re.sub(rb"\d{4}-\d\d-\d\d[T ][\d:.]+(Z|[+-]\d\d:\d\d)?( UTC)?", b"TIME", body)
    return re.sub(rb"nonce[-=\"']+[A-Za-z0-9_+/=-]+", b"NONCE", body)


ACCEPTS = [
    None,
    "text/html",
    "application/json",
    "application/problem+json",
    "text/plain",
    "*/*",
    "application/json;q=0.5, text/html",
    "text/html;q=0, application/json",
    "image/png",
    "application/xhtml+xml,text/html;q=0.9,*/*;q=0.8",
]
MODES = ["debug-off", "no-token", "token-cookie", "wrong-cookie", "allowed-net", "everyone"]


def _options(mode: str) -> dict[str, object]:
    options: dict[str, object] = {"debug": mode != "debug-off", "debug_token": TOKEN}
    if mode == "allowed-net":
        options["debug_allow"] = "192.0.2.0/24"
    if mode == "everyone":
        options["debug_allow"] = "*"
    return options


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("xhr", [False, True], ids=["page", "xhr"])
@pytest.mark.parametrize("query", ["", "_=1", "a=1&b=2"])
@pytest.mark.parametrize("mode", MODES)
def test_the_same_choice_and_headers_as_wsgi(
    accept: str | None, xhr: bool, query: str, mode: str
) -> None:
    headers = [("Host", "shop.example")]
    if accept is not None:
        headers.append(("Accept", accept))
    if xhr:
        headers.append(("X-Requested-With", "XMLHttpRequest"))
    if mode == "token-cookie":
        headers.append(("Cookie", f"theme=dark; paste_exc_debug={TOKEN}"))
    if mode == "wrong-cookie":
        headers.append(("Cookie", "paste_exc_debug=" + "w" * len(TOKEN)))
    options = _options(mode)
    wsgi = run_wsgi(
        ErrorMiddleware(failing_wsgi, **options), "/orders", query, headers, "192.0.2.7"
    )
    asgi = run_asgi(
        ASGIErrorMiddleware(failing_asgi, **options), "/orders", query, headers, ("192.0.2.7", 5)
    )
    assert asgi[0] == wsgi[0] == 500
    assert _comparable(asgi[1]) == _comparable(wsgi[1])
    assert int(asgi[1]["content-length"]) == len(asgi[2])
    for name in ("x-content-type-options", "cache-control", "referrer-policy"):
        assert name in asgi[1]
    shown = mode in ("token-cookie", "allowed-net", "everyone")
    assert (MESSAGE.encode() in asgi[2]) is shown
    assert (MESSAGE.encode() in wsgi[2]) is shown
    if not shown:  # the safe renderings hold nothing per request but the ids
        assert _ids_out(asgi[2]) == _ids_out(wsgi[2])


def _shown(app: Any, **scope: Any) -> bool:
    sent = drive(app, http_scope(**scope))
    assert sent[0]["status"] == 500
    return MESSAGE.encode() in sent[1]["body"]


def _allowing(networks: str) -> ASGIErrorMiddleware:
    return ASGIErrorMiddleware(failing_asgi, debug=True, debug_token=TOKEN, debug_allow=networks)


HTML = [(b"host", b"shop.example"), (b"accept", b"text/html")]


@pytest.mark.parametrize(
    "proxy",
    [
        (b"x-forwarded-for", b"203.0.113.9"),
        (b"X-Forwarded-For", b"203.0.113.9"),
        (b"forwarded", b"for=203.0.113.9"),
        (b"x-real-ip", b"203.0.113.9"),
        (b"via", b"1.1 proxy"),
        (b"cf-connecting-ip", b"203.0.113.9"),
        (b"x-forwarded-for", b""),
        (b"x-forwarded-for", b"127.0.0.1"),
    ],
    ids=lambda p: p[0].decode() + "=" + p[1].decode(),
)
def test_a_proxys_header_takes_away_what_the_address_grants(proxy: tuple[bytes, bytes]) -> None:
    app = _allowing("127.0.0.1")
    assert _shown(app, client=("127.0.0.1", 5), headers=HTML)
    assert not _shown(app, client=("127.0.0.1", 5), headers=[*HTML, proxy])
    # Buried after ten thousand other headers, it still counts.
    filler = [(f"x-f{i}".encode(), b"1") for i in range(10_000)]
    assert not _shown(app, client=("127.0.0.1", 5), headers=[*HTML, *filler, proxy])


def test_a_spoofed_forwarded_for_grants_nothing() -> None:
    # A remote client claiming to be the allowed address through the header.
    app = _allowing("127.0.0.1")
    spoof = [*HTML, (b"x-forwarded-for", b"127.0.0.1"), (b"x-real-ip", b"127.0.0.1")]
    assert not _shown(app, client=("203.0.113.9", 5), headers=spoof)


def test_the_address_judged_is_the_scopes_client() -> None:
    app = _allowing("192.0.2.0/24")
    assert _shown(app, client=("192.0.2.200", 1), headers=HTML)
    assert not _shown(app, client=("198.51.100.1", 1), headers=HTML)
    # The Host header or the server address never stand for the client.
    assert not _shown(
        app, client=("198.51.100.1", 1), headers=[(b"host", b"192.0.2.1")], server=("192.0.2.1", 80)
    )


@pytest.mark.parametrize(
    ("networks", "client", "shown"),
    [
        ("::1", ("::1", 5), True),
        ("2001:db8::/32", ("2001:db8::42", 5), True),
        ("2001:db8::/32", ("2001:db9::1", 5), False),
        # A dual-stack socket's IPv4-mapped loopback is the loopback.
        ("127.0.0.1", ("::ffff:127.0.0.1", 5), True),
        ("::1", ("127.0.0.1", 5), False),
        ("127.0.0.1", ("[::1]", 5), False),
        ("127.0.0.1", ("not-an-address", 5), False),
    ],
)
def test_ipv6_and_odd_clients(networks: str, client: tuple[str, int], shown: bool) -> None:
    assert _shown(_allowing(networks), client=client, headers=HTML) is shown
    wsgi = ErrorMiddleware(failing_wsgi, debug=True, debug_token=TOKEN, debug_allow=networks)
    page = run_wsgi(wsgi, "/", "", [("Host", "x"), ("Accept", "text/html")], client[0])[2]
    assert (MESSAGE.encode() in page) is shown


@pytest.mark.parametrize("client", [None, ["192.0.2.7"], "192.0.2.7", 5, ("", 0)])
def test_a_client_that_is_not_known_proves_nothing(client: object) -> None:
    app = ASGIErrorMiddleware(failing_asgi, debug=True, debug_token=TOKEN)
    assert not _shown(app, client=client, headers=HTML)
    assert not _shown(_allowing("192.0.2.0/24"), client=client, headers=HTML)


def test_a_scope_without_a_client_proves_nothing() -> None:
    """The ASGI spec: a missing ``client`` means ``None`` (an unknown peer), not in-process."""
    app = ASGIErrorMiddleware(failing_asgi, debug=True, debug_token=TOKEN)
    scope = http_scope(headers=HTML)
    del scope["client"]
    sent = drive(app, scope)
    assert sent[0]["status"] == 500
    assert MESSAGE.encode() not in sent[1]["body"]


@pytest.mark.parametrize(
    "cookies",
    [
        [(b"cookie", b"paste_exc_debug=" + TOKEN.encode())],
        [(b"cookie", b'a=1; paste_exc_debug="' + TOKEN.encode() + b'"; b=2')],
        # HTTP/2 sends one header per cookie.
        [(b"cookie", b"a=1"), (b"cookie", b"paste_exc_debug=" + TOKEN.encode())],
        [(b"Cookie", b"paste_exc_debug=" + TOKEN.encode())],
        [(b"cookie", b"paste_exc_debug=wrong"), (b"cookie", b"paste_exc_debug=" + TOKEN.encode())],
    ],
)
def test_the_token_cookie_unlocks_from_any_client(cookies: list[tuple[bytes, bytes]]) -> None:
    app = ASGIErrorMiddleware(failing_asgi, debug=True, debug_token=TOKEN)
    assert _shown(app, client=("203.0.113.9", 5), headers=[*HTML, *cookies])
    # Through a proxy too: a secret proves what an address cannot.
    proxied = [*HTML, (b"x-forwarded-for", b"198.51.100.1"), *cookies]
    assert _shown(app, client=("127.0.0.1", 5), headers=proxied)


@pytest.mark.parametrize(
    "cookie",
    [
        b"paste_exc_debug=" + TOKEN[:-1].encode(),
        b"paste_exc_debug=" + TOKEN.encode() + b"x",
        b"paste_exc_debug_x=" + TOKEN.encode(),
        b"x_paste_exc_debug=" + TOKEN.encode(),
        b"paste_exc_debug=" + TOKEN.upper().encode(),
        b"paste_exc_debug=",
        TOKEN.encode(),
    ],
)
def test_a_wrong_cookie_unlocks_nothing(cookie: bytes) -> None:
    app = ASGIErrorMiddleware(failing_asgi, debug=True, debug_token=TOKEN)
    assert not _shown(app, client=("203.0.113.9", 5), headers=[*HTML, (b"cookie", cookie)])


def test_with_debug_off_nothing_unlocks() -> None:
    app = ASGIErrorMiddleware(failing_asgi, debug_token=TOKEN, debug_allow="*")
    cookie = (b"cookie", b"paste_exc_debug=" + TOKEN.encode())
    assert not _shown(app, client=("127.0.0.1", 5), headers=[*HTML, cookie])


# -- the unlock flow -------------------------------------------------------------


def _get(
    app: Any, url: str, *, root_path: str = "", base: str = "http://shop.example", **headers: str
) -> httpx.Response:
    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5), root_path=root_path)
        async with httpx.AsyncClient(transport=transport, base_url=base) as http:
            return await http.get(url, headers=headers)

    return asyncio.run(run())


def _cookie_attributes(header: str) -> tuple[str, dict[str, str]]:
    first, *attributes = [part.strip() for part in header.split(";")]
    named = {}
    for attribute in attributes:
        name, _, value = attribute.partition("=")
        named[name.lower()] = value
    return first, named


def test_the_unlock_answers_303_with_a_strict_cookie_and_the_app_is_not_called() -> None:
    called: list[object] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        called.append(scope)
        raise RuntimeError(MESSAGE)

    middleware = ASGIErrorMiddleware(app, debug=True, debug_token=TOKEN)
    response = _get(middleware, f"/orders?a=1&paste_exc_debug={TOKEN}&b=2")
    assert response.status_code == 303
    assert called == []
    assert response.headers["location"] == "/orders?a=1&b=2"
    assert response.content == b""
    first, attributes = _cookie_attributes(response.headers["set-cookie"])
    assert first == f"paste_exc_debug={TOKEN}"
    assert attributes == {"path": "/", "httponly": "", "samesite": "Strict"}
    for name in ("x-content-type-options", "cache-control", "referrer-policy"):
        assert name in response.headers
    # The browser that follows it sees the debug page.
    unlocked = _get(middleware, "/orders?a=1&b=2", cookie=first, accept="text/html")
    assert unlocked.status_code == 500
    assert MESSAGE in unlocked.text


def test_the_unlock_is_the_same_as_wsgis() -> None:
    query = f"a=1&paste_exc_debug={TOKEN}&b=%20"
    wsgi = run_wsgi(
        ErrorMiddleware(failing_wsgi, debug=True, debug_token=TOKEN),
        "/orders",
        query,
        [("Host", "shop.example")],
        "203.0.113.9",
        scheme="https",
        root="/shop",
    )
    asgi = run_asgi(
        ASGIErrorMiddleware(failing_asgi, debug=True, debug_token=TOKEN),
        "/orders",
        query,
        [("Host", "shop.example")],
        ("203.0.113.9", 5),
        scheme="https",
        root="/shop",
    )
    assert asgi[0] == wsgi[0] == 303
    assert asgi[1] == wsgi[1]
    _, attributes = _cookie_attributes(asgi[1]["set-cookie"])
    assert attributes["path"] == "/shop"
    assert "secure" in attributes
    assert asgi[1]["location"] == "/shop/orders?a=1&b=%20"


@pytest.mark.parametrize(
    "query",
    [
        "paste_exc_debug=" + "w" * 32,
        "paste_exc_debug=" + TOKEN[:-1],
        "paste_exc_debug=",
        "paste_exc_debug",
        "xpaste_exc_debug=" + TOKEN,
        "paste_exc_debug[]=" + TOKEN,
    ],
)
def test_a_wrong_unlock_token_is_ignored(query: str) -> None:
    middleware = ASGIErrorMiddleware(failing_asgi, debug=True, debug_token=TOKEN)
    response = _get(middleware, "/fine?" + query)
    assert response.status_code == 200
    assert response.text == "fine:" + query
    assert "set-cookie" not in response.headers
    # And a failing request with it says nothing of a token.
    failing = _get(middleware, "/orders?" + query, accept="text/html")
    assert failing.status_code == 500
    assert "paste_exc_debug" not in failing.text
    assert "token" not in failing.text.lower()
    assert "set-cookie" not in failing.headers


def test_an_encoded_parameter_name_unlocks_too() -> None:
    middleware = ASGIErrorMiddleware(failing_asgi, debug=True, debug_token=TOKEN)
    response = _get(middleware, f"/fine?paste%5Fexc%5Fdebug={TOKEN}")
    assert response.status_code == 303
    assert response.headers["location"] == "/fine"


def test_the_unlock_location_stays_on_this_site() -> None:
    middleware = ASGIErrorMiddleware(failing_asgi, debug=True, debug_token=TOKEN)
    scope = http_scope(
        "//evil.example/x", query_string=f"paste_exc_debug={TOKEN}".encode(), headers=HTML
    )
    sent = drive(middleware, scope)
    assert sent[0]["status"] == 303
    location = dict(sent[0]["headers"])[b"location"]
    assert location.startswith(b"/")
    assert not location.startswith(b"//")
    assert b"\r" not in location
    assert b"\n" not in location
