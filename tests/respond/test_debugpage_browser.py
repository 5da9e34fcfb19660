"""The debug page of a real Pyramid app and a real Flask app, in a real headless Chromium.

Each app fails four frames deep in its own code, under a dozen (Pyramid) or
half a dozen (Flask) framework frames and three of the standard library's.
Served by ``ErrorMiddleware`` from 127.0.0.1 under its strict CSP; the
browser holds the debug cookie.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ARTIFACTS, serving
from realapps import TOKEN, make_flask_app, make_pyramid_app

pytestmark = pytest.mark.browser

APPS = {"pyramid": make_pyramid_app, "flask": make_flask_app}


@pytest.fixture(scope="module", params=sorted(APPS))
def server(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    app = APPS[request.param](editor_url="vscode", error_log=os.devnull)
    with serving(app) as url:
        yield request.param, url


class Page:
    """One tab on the debug page, recording console errors and CSP violations."""

    def __init__(self, browser: Any, url: str, path: str = "/cart?user=ann", **options: Any):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
        self.context.add_cookies([{"name": "paste_exc_debug", "value": TOKEN, "url": url}])
        self.tab = self.context.new_page()
        self.problems: list[str] = []
        self.tab.on("console", self._console)
        self.tab.on("pageerror", lambda error: self.problems.append(str(error)))
        self.tab.add_init_script(
            "window.__csp = [];"
            "document.addEventListener('securitypolicyviolation',"
            " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
        response = self.tab.goto(url + path)
        assert response is not None
        assert response.status == 500

    def _console(self, msg: Any) -> None:
        # The page is a 500 response on purpose; Chromium logs that status as an error.
        if msg.type == "error" and "status of 500" not in msg.text:
            self.problems.append(msg.text)

    def clean(self) -> None:
        """No console error and no CSP violation happened."""
        if self.context.pages and self.tab.evaluate("document.querySelector('.pe-report.js')"):
            assert self.tab.evaluate("window.__csp") == []
        assert self.problems == []

    def in_view(self, selector: str) -> bool:
        return bool(
            self.tab.locator(selector).evaluate(
                "e => { const r = e.getBoundingClientRect();"
                " return r.height > 0 && r.top >= -1 && r.top < window.innerHeight; }"
            )
        )

    def focused_frame(self) -> str | None:
        return self.tab.evaluate(  # type: ignore[no-any-return]
            "(() => { const f = document.activeElement.closest('.frame[data-frame]');"
            " return f ? f.id : null; })()"
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def page(browser: Any, server: tuple[str, str]) -> Iterator[Page]:
    opened = Page(browser, server[1])
    try:
        yield opened
        opened.clean()
    finally:
        opened.close()


def test_the_index_links_land_on_their_frames(page: Page) -> None:
    tab = page.tab
    links = tab.locator("nav.frame-index li a")
    shown = [links.nth(i) for i in range(links.count()) if links.nth(i).is_visible()]
    assert len(shown) == 4  # my code only: the application's four frames
    for link in shown:
        target = link.get_attribute("href")
        assert target is not None
        assert target.startswith("#frame-")
        link.click()
        tab.wait_for_function(f"location.hash === '{target}'")
        assert page.in_view(target)
        assert page.focused_frame() == target[1:]
        assert "application" in tab.locator(target).locator(".frame-head").inner_text()
    # The failing frame (inside the folded json run) is one click away: its run opens.
    failing = tab.locator("nav.frame-index a.idx-failing")
    target = failing.get_attribute("href")
    assert target is not None
    assert not tab.locator(target).is_visible()
    failing.click()
    tab.wait_for_function(f"location.hash === '{target}'")
    assert tab.locator(target).is_visible()
    assert page.in_view(target)
    assert "json" in tab.locator(target).locator(".modname").inner_text()


def test_my_code_only_hides_and_shows_the_library_runs(page: Page) -> None:
    tab = page.tab
    toggle = tab.locator("input.my-code-only")
    assert toggle.is_visible()
    assert toggle.is_checked()
    runs = tab.locator("details.lib-run")
    assert runs.count() == 2  # the framework's run and the standard library's
    library = tab.locator("details.lib-run .frame")
    app = tab.locator(".frame:not(.lib)[data-frame]")
    assert library.count() > app.count() == 4
    assert all(not library.nth(i).is_visible() for i in range(library.count()))
    assert all(app.nth(i).is_visible() for i in range(app.count()))
    summary = runs.first.locator(":scope > summary")
    assert "library frames" in summary.inner_text()
    toggle.uncheck()
    assert all(library.nth(i).is_visible() for i in range(library.count()))
    assert tab.locator("nav.frame-index li.lib").first.is_visible()
    toggle.check()
    assert not library.first.is_visible()
    summary.click()  # one click unfolds one run
    assert library.first.is_visible()


def test_the_context_expands_in_place(page: Page) -> None:
    tab = page.tab
    frame = tab.locator(".frame:not(.lib)[data-frame]").first
    lines = frame.locator("pre.code .line")
    shown = [lines.nth(i).is_visible() for i in range(lines.count())]
    assert sum(shown) == 5  # two lines either side of the failing one
    button = frame.locator("button.more-context")
    more = int(button.get_attribute("data-more") or 0)
    assert more > 0
    assert lines.count() == 5 + more
    button.click()
    assert all(lines.nth(i).is_visible() for i in range(lines.count()))
    assert button.get_attribute("aria-expanded") == "true"
    assert frame.locator(".line.cur").is_visible()
    button.click()
    assert sum(lines.nth(i).is_visible() for i in range(lines.count())) == 5


def test_j_and_k_move_the_focus_between_frames(page: Page) -> None:
    tab = page.tab
    app = tab.locator(".frame:not(.lib)[data-frame]")
    ids = [app.nth(i).get_attribute("id") for i in range(app.count())]
    tab.locator("h2.exc").click()
    tab.keyboard.press("j")
    assert page.focused_frame() == ids[0]
    tab.keyboard.press("j")
    assert page.focused_frame() == ids[1]  # library frames folded away are skipped
    assert page.in_view(f"#{ids[1]}")
    tab.keyboard.press("j")
    tab.keyboard.press("k")
    assert page.focused_frame() == ids[1]
    tab.keyboard.press("k")
    tab.keyboard.press("k")
    assert page.focused_frame() == ids[0]
    # Typing in the text copy is typing, not moving.
    tab.locator("details.text-version > summary").click()
    tab.locator("textarea.text-report").focus()
    tab.keyboard.press("j")
    assert page.focused_frame() is None


def test_light_and_dark_screenshots(browser: Any, server: tuple[str, str]) -> None:
    name, url = server
    ARTIFACTS.mkdir(exist_ok=True)
    for scheme in ("light", "dark"):
        opened = Page(browser, url, color_scheme=scheme)
        try:
            background = opened.tab.evaluate(
                "getComputedStyle(document.querySelector('html')).backgroundColor"
            )
            assert background == ("rgb(13, 17, 23)" if scheme == "dark" else "rgb(255, 255, 255)")
            opened.tab.screenshot(path=str(ARTIFACTS / f"debug_page_{name}_{scheme}.png"))
            opened.tab.screenshot(
                path=str(ARTIFACTS / f"debug_page_{name}_{scheme}_full.png"), full_page=True
            )
            opened.clean()
        finally:
            opened.close()


def test_complete_and_readable_without_javascript(browser: Any, server: tuple[str, str]) -> None:
    opened = Page(browser, server[1], java_script_enabled=False)
    tab = opened.tab
    try:
        assert tab.locator("details[open]").count() == tab.locator("details").count()
        assert not tab.locator(".pe-controls").is_visible()  # the controls need JS
        assert not tab.locator("button.more-context").first.is_visible()
        lines = tab.locator(".frame pre.code .line")
        assert all(lines.nth(i).is_visible() for i in range(lines.count()))
        frames = tab.locator(".frame[data-frame]")
        assert all(frames.nth(i).is_visible() for i in range(frames.count()))
        text = tab.locator("body").inner_text()
        for expected in ("checkout", "load_basket", "Query parameters", "Environment"):
            assert expected in text
        opened.tab.screenshot(path=str(ARTIFACTS / f"debug_page_{server[0]}_nojs.png"))
    finally:
        opened.close()


def test_editor_links_open_the_application_files(page: Page) -> None:
    link = page.tab.locator(".frame:not(.lib)[data-frame] a.path.editor").first
    href = link.get_attribute("href")
    assert href is not None
    assert href.startswith("vscode://file//")
    assert href.endswith(
        "realapps.py:" + page.tab.locator(".frame:not(.lib) .lineno").first.inner_text()
    )


def test_j_and_k_work_after_toggling_my_code_only(page: Page) -> None:
    tab = page.tab
    toggle = tab.locator("input.my-code-only")
    toggle.uncheck()  # the checkbox has the focus now: j and k are still the frames' keys
    tab.keyboard.press("j")
    first = page.focused_frame()
    assert first is not None
    tab.keyboard.press("j")
    second = page.focused_frame()
    assert second is not None
    assert second != first
    assert tab.locator(f"#{second}").is_visible()
    tab.keyboard.press("k")
    assert page.focused_frame() == first


def test_a_same_as_link_opens_the_folded_frame_it_names(page: Page) -> None:
    tab = page.tab
    tab.evaluate("document.querySelectorAll('details.locals').forEach(d => { d.open = true; })")
    links = tab.locator("a.same-as")
    assert links.count() > 0
    shown = [links.nth(i) for i in range(links.count()) if links.nth(i).is_visible()]
    assert shown
    for link in shown[:3]:
        target = link.get_attribute("href")
        assert target is not None
        assert target.startswith("#frame-")
        link.click()
        tab.wait_for_function(f"location.hash === '{target}'")
        assert tab.locator(target).is_visible()
        assert page.in_view(target)


SCRIPTY = "<script>alert(1)</script>"
HOSTILE = '"><img src=x onerror=alert(1)>'


def make_hostile_app(directory: Path, **options: Any) -> Any:
    """Hostile names everywhere the debug page of issue 17 shows something new."""
    from paste_exc.errormiddleware import ErrorMiddleware

    path = directory / f"m{HOSTILE} #?.py"
    source = "def placeholder(environ, start_response):\n    raise ValueError('" + "v" + "')\n"
    path.write_text(source)
    namespace: dict[str, Any] = {"__name__": f"evil{SCRIPTY}mod"}
    exec(compile(source, str(path), "exec"), namespace)  # noqa: S102 - a hostile file name
    function = namespace["placeholder"]
    function.__code__ = function.__code__.replace(co_name=f"fn{SCRIPTY}", co_qualname=HOSTILE)

    def application(environ: dict[str, Any], start_response: Any) -> Any:
        environ[f"wsgi.{SCRIPTY}"] = HOSTILE
        threading.current_thread().name = f"t{SCRIPTY}"
        return function(environ, start_response)

    return ErrorMiddleware(application, debug=True, debug_token=TOKEN, **options)


@pytest.mark.parametrize("editor", ["vscode", "pycharm", 'myide:{path}"><b>:{line}'])
def test_hostile_values_run_nothing_in_the_browser(
    browser: Any, tmp_path: Path, editor: str
) -> None:
    app = make_hostile_app(tmp_path, editor_url=editor, error_log=os.devnull)
    with serving(app) as url:
        opened = None
        try:
            opened = Page(
                browser,
                url,
                path=f"/p?{SCRIPTY}={HOSTILE}&q={SCRIPTY}",
                extra_http_headers={"X-Evil": SCRIPTY, "Referer": HOSTILE},
            )
            dialogs: list[str] = []
            opened.tab.on(
                "dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss())
            )
            opened.context.add_cookies([{"name": "a<b>", "value": "1", "url": url}])
            opened.tab.reload()
            tab = opened.tab
            assert tab.locator("img, iframe, svg, object, embed").count() == 0
            assert tab.evaluate("document.scripts.length") == 1
            text = tab.locator("body").inner_text()
            assert f"fn{SCRIPTY}" in text  # the function's name, as text
            assert SCRIPTY in tab.locator("section.request-data").inner_text()
            # Every link, the editor links too, goes where a link should.
            hrefs = tab.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            for href in hrefs:
                assert not href.lower().startswith(("javascript:", "data:", "vbscript:")), href
            tab.locator("input.my-code-only").uncheck()
            for key in "jjkk":
                tab.keyboard.press(key)
            assert dialogs == []
            opened.clean()
        finally:
            if opened is not None:
                opened.close()
