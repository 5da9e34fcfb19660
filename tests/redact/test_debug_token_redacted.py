"""The debug token never shows, whatever text carries it (a Referer, a cookie, a local)."""

from __future__ import annotations

import webtest

from paste_exc import ErrorMiddleware
from paste_exc.redact import default_redactor

TOKEN = "Kx9-unlock-token-7f3a2b1c9d8e"


def test_a_referer_with_the_token_is_redacted_in_text() -> None:
    text = f"HTTP_REFERER: http://shop.example/cart?paste_exc_debug={TOKEN}&page=2"
    assert TOKEN not in default_redactor.redact_text(text)


def test_the_debug_page_shows_no_token_in_any_local() -> None:
    def app(environ: dict[str, object], start_response: object) -> list[bytes]:
        referer = environ.get("HTTP_REFERER")  # a local holding it too
        raise ValueError(f"failed after {referer!r}")

    middleware = ErrorMiddleware(app, debug=True, debug_token=TOKEN, show_locals=True)
    client = webtest.TestApp(middleware)
    response = client.get(
        "/cart",
        headers={
            "Referer": f"http://shop.example/cart?paste_exc_debug={TOKEN}",
            "Cookie": f"paste_exc_debug={TOKEN}",
        },
        extra_environ={"paste.throw_errors": False},
        expect_errors=True,
        status=500,
    )
    assert "ValueError" in response.text
    assert TOKEN not in response.text
