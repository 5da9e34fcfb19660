"""Acceptance (issue 16), as an attacker: hostile scopes, messages, exceptions and plug-ins.

Whatever the client sends or the application does, the middleware answers
(a 500 with the security headers before the start), reports once, keeps every
report bounded in size (sizes are asserted, never times), lets
``BaseException`` subclasses through, and is not broken by its own plug-ins.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import types
from typing import Any

import pytest
from asgi_helpers import TOKEN, body, drive, drive_async, http_scope, start

from paste_exc import (
    ASGIErrorMiddleware,
    CapturingReporter,
    ExceptionReporter,
    ExtrasProvider,
    format_text,
)

MESSAGE = "attack failure 5d1f"
#: What a report of one small failure may weigh, whatever the request: generous, but bounded.
REPORT_LIMIT = 300_000
SECURITY = {b"content-security-policy", b"x-content-type-options", b"cache-control"}


async def failing(scope: Any, receive: Any, send: Any) -> None:
    raise RuntimeError(MESSAGE)


def run(app: Any, scope: Any, **options: Any) -> tuple[list[Any], CapturingReporter]:
    capture = CapturingReporter()
    options.setdefault("reporters", {})
    options["reporters"] = {"capture": capture, **options["reporters"]}
    return drive(ASGIErrorMiddleware(app, **options), scope), capture


def assert_answered(sent: list[Any], capture: CapturingReporter) -> None:
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 500
    names = {name for name, _ in sent[0]["headers"]}
    assert names >= SECURITY
    assert len(capture.reports) == 1
    collected = capture.reports[0].exc_data
    assert len(json.dumps(collected.as_json_dict(), default=repr)) < REPORT_LIMIT
    assert len(format_text(collected, show_hidden_frames=True)) < REPORT_LIMIT


HTML = [(b"host", b"shop.example"), (b"accept", b"text/html")]
KB = b"v" * 1024

HOSTILE_SCOPES = {
    "10k headers of 1 KB": http_scope(
        headers=[*HTML, *[(f"x-h{i}".encode(), KB) for i in range(10_000)]]
    ),
    "1 MB path": http_scope("/" + "p" * 1_000_000),
    "1 MB query": http_scope(query_string=b"q=" + b"b" * 1_000_000),
    "1 MB of escapes": http_scope(query_string=b"%41" * 350_000),
    "1 MB wrong unlock": http_scope(query_string=b"paste_exc_debug=" + b"w" * 1_000_000),
    "1 MB header": http_scope(headers=[*HTML, (b"x-big", b"z" * 1_000_000)]),
    "1 MB cookie": http_scope(headers=[*HTML, (b"cookie", b"a=" + b"c" * 1_000_000)]),
    "1 MB accept": http_scope(headers=[(b"accept", b"text/html;q=0.1," * 70_000)]),
    "1 MB accept parameters": http_scope(headers=[(b"accept", b"text/html" + b";a=b" * 250_000)]),
    "100k cookies": http_scope(
        headers=[(b"cookie", b"; ".join(b"paste_exc_debug=%d" % i for i in range(100_000)))]
    ),
    "1 MB host": http_scope(headers=[(b"host", b"h" * 1_000_000)]),
    "10k proxy headers": http_scope(headers=[(b"x-forwarded-for", b"1.2.3.4")] * 10_000),
    "100k scope keys": {**http_scope(), **{f"k{i}": "v" * 100 for i in range(100_000)}},
    "str names and values": http_scope(headers=[("host", "shop.example"), ("accept", "text/html")]),
    "int names": http_scope(headers=[(1, b"x"), (None, None), (b"accept", 5)]),
    "not latin-1 nor utf-8": http_scope(
        headers=[(b"host", b"\xff\xfe\x00"), (b"\xff\xc3\x28", b"\x80\x81\xc0")],
        query_string=b"\xff=\xfe&%ff=%c3%28",
    ),
    "surrogates in path": {**http_scope(), "path": "/\udcff\ud800", "raw_path": b"\xff"},
    "headers not a list": http_scope(headers=5),
    "header triples": http_scope(headers=[(b"a", b"b", b"c")]),
    "headers a generator": http_scope(headers=(h for h in HTML)),
    "client of three": http_scope(client=("::1", "x", 3)),
    "client a string": http_scope(client="127.0.0.1"),
    "server an int": http_scope(server=5),
    "path bytes": {**http_scope(), "path": b"/x"},
    "method int": http_scope(method=5),
    "root_path int": http_scope(root_path=5),
    "query str": http_scope(query_string="paste_exc_debug=" + TOKEN),
    "no keys but type": {"type": "http"},
}


@pytest.mark.parametrize("name", list(HOSTILE_SCOPES))
@pytest.mark.parametrize("debug", [False, True], ids=["safe", "debug-everyone"])
def test_a_hostile_scope_gets_a_bounded_answer_and_report(name: str, debug: bool) -> None:
    options: dict[str, Any] = {"debug": debug, "debug_token": TOKEN}
    if debug:
        options["debug_allow"] = "*"
    sent, capture = run(failing, HOSTILE_SCOPES[name], **options)
    assert_answered(sent, capture)
    assert len(sent[1]["body"]) < 2_000_000  # the page's own budget: max_page_size


def test_a_hostile_scope_never_unlocks_debug_output() -> None:
    options = {"debug": True, "debug_token": TOKEN, "debug_allow": "127.0.0.1"}
    for name, scope in HOSTILE_SCOPES.items():
        headers = scope.get("headers")
        if name == "headers a generator":
            continue  # spent by the test above; a fresh one is a plain list
        if isinstance(headers, list):
            scope = {**scope, "headers": [*headers, (b"x-forwarded-for", b"1.2.3.4")]}
        elif "headers" in scope:
            pass  # unreadable headers: counted as forwarded
        else:
            scope = {**scope, "headers": [(b"x-forwarded-for", b"1.2.3.4")]}
        sent, _ = run(failing, {**scope, "client": ("127.0.0.1", 5)}, **options)
        assert MESSAGE.encode() not in sent[1]["body"], name


def test_a_page_size_budget_is_kept_under_huge_headers() -> None:
    scope = HOSTILE_SCOPES["10k headers of 1 KB"]
    sent, _ = run(failing, scope, debug=True, debug_allow="*", max_page_size=100_000)
    assert len(sent[1]["body"].decode()) <= 110_000


def test_a_read_only_scope_is_answered() -> None:
    capture = CapturingReporter()
    middleware = ASGIErrorMiddleware(failing, reporters={"c": capture})
    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        raise AssertionError

    scope = types.MappingProxyType(http_scope())
    asyncio.run(middleware(scope, receive, send))  # type: ignore[arg-type]
    assert sent[0]["status"] == 500
    assert len(capture.reports) == 1


# -- exceptions --------------------------------------------------------------------


class Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no str")

    def __repr__(self) -> str:
        raise RuntimeError("no repr")


class HostileLocal:
    def __repr__(self) -> str:
        raise LookupError("a repr that fails")


@pytest.mark.parametrize("debug", [False, True])
def test_an_exception_whose_str_and_repr_raise_is_answered(debug: bool) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        hostile = HostileLocal()
        raise Unprintable(hostile)

    sent, capture = run(app, http_scope(headers=HTML), debug=debug, debug_allow="*")
    assert_answered(sent, capture)
    if debug:
        assert b"Unprintable" in sent[1]["body"]


def test_a_huge_message_and_a_deep_recursion_stay_bounded() -> None:
    async def huge(scope: Any, receive: Any, send: Any) -> None:
        raise ValueError("m" * 5_000_000)

    sent, capture = run(huge, http_scope(headers=HTML), debug=True, debug_allow="*")
    assert_answered(sent, capture)

    def recurse(n: int) -> int:
        return recurse(n + 1)

    async def deep(scope: Any, receive: Any, send: Any) -> None:
        recurse(0)

    sent, capture = run(deep, http_scope(headers=HTML), debug=True, debug_allow="*")
    assert_answered(sent, capture)


@pytest.mark.parametrize("error", [SystemExit, KeyboardInterrupt, GeneratorExit])
@pytest.mark.parametrize("started", [False, True])
def test_base_exceptions_propagate(error: type[BaseException], started: bool) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if started:
            await send(start())
        raise error

    capture = CapturingReporter()
    middleware = ASGIErrorMiddleware(app, reporters={"c": capture}, reraise=False)
    with pytest.raises(error):
        drive(middleware, http_scope())
    assert len(drive_async.last_sent) == int(started)  # type: ignore[attr-defined]
    assert capture.reports == []


def test_a_base_exception_from_a_websocket_propagates() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        raise KeyboardInterrupt

    scope = http_scope(type="websocket")
    middleware = ASGIErrorMiddleware(app, reporters={"c": CapturingReporter()})
    with pytest.raises(KeyboardInterrupt):
        drive(middleware, scope, [{"type": "websocket.connect"}])


# -- what the application sends ------------------------------------------------------

MALFORMED: list[Any] = [
    None,
    5,
    "http.response.start",
    {},
    {"type": 5},
    {"type": "http.response.start", "status": "x", "headers": 5},
    {"type": "http.response.start", "status": 200, "headers": [(1, 2, 3)]},
    {"type": "http.response.start", "status": 200, "headers": [(b"content-type", 5)]},
    {"type": "http.response.body", "body": "not bytes", "more_body": True},
    {"type": "no.such.message"},
]


@pytest.mark.parametrize("message", MALFORMED, ids=[repr(m)[:40] for m in MALFORMED])
def test_an_app_sending_a_malformed_message_then_failing_is_answered(message: Any) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        with contextlib.suppress(Exception):  # a server may refuse it: the app goes on
            await send(message)
        raise RuntimeError(MESSAGE)

    capture = CapturingReporter()
    middleware = ASGIErrorMiddleware(app, reporters={"c": capture})
    sent = drive(middleware, http_scope())  # the middleware never raises
    assert len(capture.reports) == 1
    assert str(capture.reports[0].exception) == MESSAGE
    ours = [m for m in sent if m is not message and m != message]
    assert all(isinstance(m, dict) for m in ours)
    if ours and ours[-1].get("type") == "http.response.body":
        assert ours[-1]["more_body"] is False


@pytest.mark.parametrize("when", ["start", "body", "ours"])
def test_a_send_that_raises_never_breaks_the_middleware(when: str) -> None:
    class Refused(Exception):
        pass

    calls: list[Any] = []

    async def refusing_send(message: Any) -> None:
        calls.append(message)
        if (
            when == "ours"
            or (when == "start" and message["type"] == "http.response.start")
            or (when == "body" and message["type"] == "http.response.body")
        ):
            raise Refused("the server refused it")

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if when != "ours":
            await send(start())
            await send(body(b"x", more=True))
        raise RuntimeError(MESSAGE)

    async def receive() -> Any:
        raise AssertionError

    capture = CapturingReporter()
    middleware = ASGIErrorMiddleware(app, reporters={"c": capture})
    asyncio.run(middleware(http_scope(), receive, refusing_send))
    assert len(capture.reports) == 1


# -- plug-ins --------------------------------------------------------------------


class BrokenReporter(ExceptionReporter):
    def report_exception(self, *args: Any) -> None:
        raise RuntimeError("the reporter broke")


class BrokenProvider(ExtrasProvider):
    def get_extras(self, ctx: Any, reporter: Any) -> dict[str, object] | None:
        raise RuntimeError("the provider broke")


class UnrepresentableProvider(ExtrasProvider):
    def get_extras(self, ctx: Any, reporter: Any) -> dict[str, object] | None:
        return {"bad": HostileLocal(), 1: object()}  # type: ignore[dict-item]


class WrongShapeProvider(ExtrasProvider):
    def get_extras(self, ctx: Any, reporter: Any) -> Any:
        return ["not", "a", "dict"]


@pytest.mark.parametrize("stage", ["before-start", "in-body", "after-complete", "websocket"])
@pytest.mark.parametrize("debug", [False, True])
def test_broken_reporters_and_providers_never_break_the_response(stage: str, debug: bool) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if stage == "websocket":
            await receive()
            await send({"type": "websocket.accept"})
        elif stage != "before-start":
            await send(start(b"text/plain"))
            await send(body(b"x", more=stage == "in-body"))
        raise RuntimeError(MESSAGE)

    capture = CapturingReporter()
    middleware = ASGIErrorMiddleware(
        app,
        debug=debug,
        debug_allow="*",
        reporters={"broken": BrokenReporter(), "capture": capture},
        extras_providers=[BrokenProvider(), UnrepresentableProvider(), WrongShapeProvider()],
    )
    if stage == "websocket":
        sent = drive(middleware, http_scope(type="websocket"), [{"type": "websocket.connect"}])
        assert sent[-1] == {"type": "websocket.close", "code": 1011}
    else:
        sent = drive(middleware, http_scope(headers=HTML))
        assert sent[-1]["type"] == "http.response.body"
        assert sent[-1]["more_body"] is False
        if stage == "before-start":
            assert sent[0]["status"] == 500
    assert len(capture.reports) == 1  # the others still got it


# -- injection -----------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


def test_markup_in_the_request_and_the_error_is_escaped_on_every_page() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"].endswith("/started"):
            await send(start(b"text/html"))
            await send(body(b"<p>", more=True))
        raise ValueError(SCRIPT)

    headers = [(b"host", SCRIPT.encode()), (b"accept", b"text/html"), (b"x-evil", SCRIPT.encode())]
    for path in ("/" + SCRIPT, "/" + SCRIPT + "/started"):
        scope = http_scope(path, query_string=("q=" + SCRIPT).encode(), headers=headers)
        scope["custom_key"] = SCRIPT
        for debug in (False, True):
            sent, _ = run(app, scope, debug=debug, debug_allow="*")
            assert b"<script>alert" not in sent[-1]["body"]


@pytest.mark.parametrize(
    "root", ["/a;Domain=evil.example", "/a\r\nSet-Cookie: x=1", "/a b,c", "/\u00e9t\u00e9"]
)
def test_a_root_path_cannot_inject_into_the_unlock_headers(root: str) -> None:
    scope = http_scope(
        root + "/x", root_path=root, query_string=b"paste_exc_debug=" + TOKEN.encode()
    )
    sent, _ = run(failing, scope, debug=True, debug_token=TOKEN)
    assert sent[0]["status"] == 303
    headers = dict(sent[0]["headers"])
    cookie = headers[b"set-cookie"].decode("latin-1")
    assert [part.split("=")[0].strip() for part in cookie.split(";")] == [
        "paste_exc_debug",
        "Path",
        "HttpOnly",
        "SameSite",
    ]
    for value in (headers[b"set-cookie"], headers[b"location"]):
        assert not set(value) & {ord("\r"), ord("\n")}
        assert all(byte < 128 for byte in value)
    assert b" " not in headers[b"location"]
