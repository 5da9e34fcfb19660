"""The debug page in a real headless Chromium, served with its strict CSP from 127.0.0.1."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import ARTIFACTS, serving

from paste_exc.collector import CollectedException, collect_exception
from paste_exc.format.documents import RenderedPage, render_debug_page

pytestmark = pytest.mark.browser


def hidden_helper(inner: Any) -> None:
    __traceback_hide__ = True
    inner()


def view() -> None:
    def handler() -> None:
        items = {"answer": 42}
        total = items["answer"] / (items["answer"] - 42)
        print(total)

    try:
        hidden_helper(handler)
    except ZeroDivisionError as exc:
        exc.add_note("while rendering the account page")
        raise RuntimeError("could not render the page") from exc


@pytest.fixture(scope="module")
def data() -> CollectedException:
    try:
        view()
    except RuntimeError:
        return collect_exception(*sys.exc_info(), collect_locals=True)
    raise AssertionError("did not raise")


@pytest.fixture(scope="module")
def page(data: CollectedException) -> RenderedPage:
    return render_debug_page(data)


@pytest.fixture(scope="module")
def server(page: RenderedPage) -> Iterator[str]:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = page.body.encode("utf-8")
        headers = [("Content-Type", page.content_type), ("Content-Length", str(len(body)))]
        start_response("500 Internal Server Error", headers + list(page.headers))
        return [body]

    with serving(app) as url:
        yield url + "/"


def open_page(browser: Any, url: str, **options: Any) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(**options)
    tab = context.new_page()
    problems: list[str] = []

    def on_console(msg: Any) -> None:
        # The page is a 500 response on purpose; Chromium logs that status as an error.
        if msg.type == "error" and "status of 500" not in msg.text:
            problems.append(msg.text)

    tab.on("console", on_console)
    tab.on("pageerror", lambda err: problems.append(str(err)))
    tab.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    response = tab.goto(url)
    assert response is not None
    assert response.status == 500
    return context, tab, problems


def test_no_console_errors_and_no_csp_violations(browser: Any, server: str) -> None:
    context, tab, problems = open_page(browser, server)
    try:
        assert tab.evaluate("window.__csp") == []
        assert problems == []
        # the script ran under the CSP: it marked the report and collapsed the secondary parts
        assert tab.locator(".pe-report.js").count() == 1
        assert tab.locator("details.hidden-frames").evaluate("d => d.open") is False
        # the styles applied too
        color = tab.locator(".headline").evaluate("e => getComputedStyle(e).borderLeftStyle")
        assert color == "solid"
        # the failing expression is underlined in place: the line's text shows once
        line = tab.locator(".frame.current .line.cur").first
        assert line.inner_text().count('items["answer"] / (items["answer"] - 42)') == 1
        mark = line.locator(".mark")
        assert mark.inner_text() == 'items["answer"] / (items["answer"] - 42)'
        assert mark.evaluate("e => getComputedStyle(e).textDecorationStyle") == "wavy"
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / "debug_page.png"), full_page=True)
    finally:
        context.close()


def test_hidden_frames_toggle(browser: Any, server: str) -> None:
    context, tab, _ = open_page(browser, server)
    try:
        details = tab.locator("details.hidden-frames").first
        summary = details.locator(":scope > summary")
        assert "1 hidden frame" in summary.inner_text()
        frame = details.locator(".frame").first
        assert not frame.is_visible()
        summary.click()
        assert details.evaluate("d => d.open") is True
        assert frame.is_visible()
        assert "hidden_helper" in frame.inner_text()
        summary.click()
        assert not frame.is_visible()
    finally:
        context.close()


def test_copy_button(browser: Any, server: str) -> None:
    context, tab, problems = open_page(browser, server)
    try:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.rstrip("/"))
        button = tab.locator("button.copy-text")
        assert button.is_visible()
        button.click()
        tab.wait_for_function(
            "document.querySelector('button.copy-text').getAttribute('data-copied') !== null"
        )
        assert button.get_attribute("data-copied") == "yes"
        copied = tab.evaluate("navigator.clipboard.readText()")
        assert "ZeroDivisionError: division by zero" in copied
        assert copied == tab.locator("textarea.text-report").input_value()
        assert problems == []
    finally:
        context.close()


def test_complete_without_javascript(browser: Any, server: str) -> None:
    context, tab, _ = open_page(browser, server, java_script_enabled=False)
    try:
        text = tab.locator("body").inner_text()
        assert "RuntimeError: could not render the page" in text
        assert "ZeroDivisionError" in text
        assert "while rendering the account page" in text
        assert "hidden_helper" in text  # hidden frames stay expanded without JS
        assert "Local variables" in text
        assert tab.locator("details[open]").count() == tab.locator("details").count()
        assert not tab.locator("button.copy-text").is_visible()  # it needs JS
        assert tab.locator("textarea.text-report").is_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / "debug_page_nojs.png"), full_page=True)
    finally:
        context.close()


def test_phone_width_and_dark_scheme(browser: Any, server: str) -> None:
    context, tab, problems = open_page(
        browser, server, viewport={"width": 390, "height": 844}, color_scheme="dark"
    )
    try:
        overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1
        background = tab.evaluate(
            "getComputedStyle(document.querySelector('html')).backgroundColor"
        )
        assert background == "rgb(13, 17, 23)"
        assert problems == []
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / "debug_page_phone_dark.png"), full_page=True)
    finally:
        context.close()


# -- unlocking debug pages in a real browser -----------------------------------

UNLOCK_TOKEN = "browser-test-token-0123456789"


@pytest.fixture(scope="module")
def middleware_server() -> Iterator[str]:
    """``ErrorMiddleware(debug=True)`` itself, served from 127.0.0.1."""
    from paste_exc.errormiddleware import ErrorMiddleware

    def failing(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise LookupError("only the developer may read this")

    app = ErrorMiddleware(failing, debug=True, debug_token=UNLOCK_TOKEN)
    with serving(app) as url:
        yield url


def test_the_unlock_url_unlocks_this_browser_only(browser: Any, middleware_server: str) -> None:
    locked = browser.new_context()
    unlocked = browser.new_context()
    try:
        tab = locked.new_page()
        response = tab.goto(f"{middleware_server}/account?tab=2")
        assert response is not None
        assert response.status == 500
        assert "only the developer may read this" not in tab.content()

        tab = unlocked.new_page()
        response = tab.goto(f"{middleware_server}/account?tab=2&paste_exc_debug={UNLOCK_TOKEN}")
        assert response is not None
        # The browser followed the 303 to the same page without the token...
        assert tab.url == f"{middleware_server}/account?tab=2"
        assert response.status == 500
        assert "only the developer may read this" in tab.content()
        # ...kept the cookie out of reach of scripts, and sends it on reload.
        assert "paste_exc_debug" not in tab.evaluate("document.cookie")
        [cookie] = unlocked.cookies()
        assert (cookie["name"], cookie["value"]) == ("paste_exc_debug", UNLOCK_TOKEN)
        assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Strict", "/")
        assert cookie["secure"] is False  # plain http (a VM, a container): it must still work
        tab.reload()
        assert "only the developer may read this" in tab.content()

        # The other browser is still locked.
        tab = locked.new_page()
        tab.goto(f"{middleware_server}/account")
        assert "only the developer may read this" not in tab.content()
    finally:
        locked.close()
        unlocked.close()
