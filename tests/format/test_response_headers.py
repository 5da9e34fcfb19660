"""Every response kind carries the full set of security headers, each once.

The set is decided in one place (paste_exc.format.headers); these tests read the
header lists as sent (duplicates would show), through the middleware, the
documents, the Paste WSGI reporter and the debug unlock redirect.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import pytest

with warnings.catch_warnings():  # webob imports the deprecated cgi module (Python 3.11)
    warnings.simplefilter("ignore", DeprecationWarning)
    import webtest

from paste_exc.collector import CollectedException
from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.format.documents import (
    render_debug_page,
    render_fragment,
    render_problem,
    render_safe_page,
    render_short_text,
)
from paste_exc.format.headers import CONTENT_TYPES, response_headers
from paste_exc.reporter import WSGIAppReporter
from paste_exc.respond import responder as _responses
from paste_exc.respond.access import unlock_response
from paste_exc.respond.fallback import STATIC_BODY

HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
PROBLEM = "application/problem+json"
#: What every error response carries, with the value (CSP: its start).
SECURITY = {
    "content-security-policy": "default-src 'none'",
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
}
RESPONSE = {"content-type", "content-length", "x-error-id", *SECURITY}


def assert_full_set(headers: list[tuple[str, str]], expected: set[str]) -> dict[str, str]:
    """*headers* name each of *expected* exactly once and nothing else; by lower name."""
    names = [name.lower() for name, _value in headers]
    assert len(names) == len(set(names)), names  # no header twice
    assert set(names) == expected
    values = {name.lower(): value for name, value in headers}
    for name, start in SECURITY.items():
        if name in expected:
            assert values[name].startswith(start), name
    return values


def fail(environ: dict[str, Any], start_response: Any) -> Any:
    raise ValueError("the view failed")


def fail_after_setting_headers(environ: dict[str, Any], start_response: Any) -> Any:
    start_response(
        "200 OK",
        [
            ("Content-Type", "application/json"),
            ("Cache-Control", "public, max-age=3600"),
            ("X-Content-Type-Options", "sniff-away"),
            ("Content-Security-Policy", "default-src *"),
            ("Referrer-Policy", "unsafe-url"),
            ("Set-Cookie", "session=abc"),
            ("X-App", "mine"),
        ],
    )
    raise ValueError("after the headers")


class Overriding(ErrorMiddleware):
    def exception_handler(self, exc_info: Any, environ: Any) -> str:
        return "<p>our own page</p>"


def client(
    app: Callable[..., Any], cls: type[ErrorMiddleware] = ErrorMiddleware, **options: Any
) -> webtest.TestApp:
    middleware = cls(app, **options)

    def unthrown(environ: dict[str, Any], start_response: Any) -> Any:
        environ["paste.throw_errors"] = False
        return middleware(environ, start_response)

    return webtest.TestApp(unthrown)


KINDS = {
    # name: (options, query, Accept, the content type expected)
    "debug page": ({"debug": True}, "", "text/html", HTML),
    "safe page": ({}, "", "text/html", HTML),
    "fragment": ({"debug": True}, "_=1", "text/html", HTML),
    "problem": ({}, "", "application/problem+json", PROBLEM),
    "debug problem": ({"debug": True}, "", "application/json", PROBLEM),
    "text": ({}, "", "text/plain", TEXT),
    "debug text": ({"debug": True}, "", "text/plain", TEXT),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("app", [fail, fail_after_setting_headers], ids=["bare", "app-headers"])
def test_every_response_kind_carries_the_full_set_once(kind: str, app: Any) -> None:
    options, query, accept, content_type = KINDS[kind]
    response = client(app, **options).get(
        "/" + ("?" + query if query else ""),
        headers={"Accept": accept},
        status=500,
        expect_errors=True,
    )
    values = assert_full_set(response.headerlist, RESPONSE)
    assert values["content-type"] == content_type
    assert int(values["content-length"]) == len(response.body)


def test_the_debug_page_policy_names_its_nonce() -> None:
    response = client(fail, debug=True).get("/", status=500, expect_errors=True)
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None
    assert f'nonce="{nonce.group(1)}"' in response.text


def test_the_static_page_carries_the_full_set(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("the renderer broke")

    monkeypatch.setattr(_responses, "render_safe_page", broken)
    response = client(fail_after_setting_headers).get("/", status=500, expect_errors=True)
    values = assert_full_set(response.headerlist, RESPONSE)
    assert values["content-type"] == HTML
    assert response.body == STATIC_BODY


def test_an_overridden_exception_handler_page_carries_the_full_set() -> None:
    response = client(fail_after_setting_headers, Overriding).get(
        "/", status=500, expect_errors=True
    )
    values = assert_full_set(response.headerlist, RESPONSE)
    assert values["content-type"] == HTML
    assert response.text == "<p>our own page</p>"


def test_the_app_headers_are_gone_from_the_error_response() -> None:
    response = client(fail_after_setting_headers).get("/", status=500, expect_errors=True)
    assert "X-App" not in response.headers
    assert "Set-Cookie" not in response.headers


RENDERERS: dict[str, Callable[[CollectedException], Any]] = {
    "debug page": render_debug_page,
    "safe page": render_safe_page,
    "fragment": render_fragment,
    "problem": lambda data: render_problem(data, debug=False),
    "debug problem": lambda data: render_problem(data, debug=True),
    "text": render_short_text,
}


@pytest.mark.parametrize("kind", sorted(RENDERERS))
def test_every_document_holds_the_security_set(kind: str) -> None:
    page = RENDERERS[kind](CollectedException(exception_type="ValueError"))
    assert_full_set(list(page.headers), set(SECURITY))


def test_the_paste_wsgi_reporter_sends_the_full_set() -> None:
    app = WSGIAppReporter(CollectedException(exception_type="ValueError"))
    response = webtest.TestApp(app).get("/", status=500, expect_errors=True)
    values = assert_full_set(response.headerlist, RESPONSE - {"x-error-id"})
    assert values["content-type"] == HTML


def test_the_unlock_redirect_carries_the_full_set() -> None:
    environ = {
        "QUERY_STRING": "paste_exc_debug=tok&a=1",
        "PATH_INFO": "/x",
        "SCRIPT_NAME": "",
        "wsgi.url_scheme": "http",
        "HTTP_HOST": "example.com",
    }
    result = unlock_response(environ, "tok")
    assert result is not None
    status, headers, body = result
    assert status == "303 See Other"
    expected = {"location", "set-cookie", "content-type", "content-length", *SECURITY}
    values = assert_full_set(headers, expected)
    assert values["content-length"] == "0"
    assert body == b""


def test_an_appended_report_leaves_the_application_headers_as_sent() -> None:
    def fail_in_body(environ: dict[str, Any], start_response: Any) -> Any:
        start_response("200 OK", [("Content-Type", "text/plain"), ("X-App", "mine")])
        yield b"first chunk\n"
        raise ValueError("in the body")

    response = client(fail_in_body).get("/", status=200, expect_errors=True)
    names = [name.lower() for name, _value in response.headerlist]
    assert names.count("content-type") == 1
    assert response.headers["X-App"] == "mine"
    assert response.body.startswith(b"first chunk\n")
    assert len(response.body) > len(b"first chunk\n")  # the notice was appended


def test_what_a_kind_adds_cannot_replace_a_security_header() -> None:
    headers = response_headers(
        CONTENT_TYPES["redirect"],
        0,
        more=(("Content-Security-Policy", "default-src *"), ("cache-control", "public")),
    )
    values = assert_full_set(headers, {"content-type", "content-length", *SECURITY})
    assert values["cache-control"] == "no-store"


def test_the_error_id_header_keeps_only_ascii_letters_digits_and_dashes() -> None:
    headers = dict(response_headers(HTML, 1, error_id="ab\u0661\u00e9-1\r\nX-Evil: 1"))
    assert headers["X-Error-Id"] == "ab-1X-Evil1"
    assert "X-Error-Id" not in dict(response_headers(HTML, 1, error_id="\u00e9\u0661"))
