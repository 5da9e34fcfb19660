"""The debug page of real Pyramid and Flask applications, through ErrorMiddleware (WebTest)."""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import re
import sys
from typing import Any

import pytest
import webtest
from realapps import TOKEN, make_flask_app, make_pyramid_app

from paste_exc.demo import make_demo_app

HERE = os.path.dirname(os.path.abspath(__file__))
COOKIES = f"paste_exc_debug={TOKEN}; theme=cookie-value-dark; sessionid=cookie-value-sess"


def catching(app: Any) -> Any:
    """WebTest sets ``paste.throw_errors``, which turns the middleware off: unset it."""

    def wrapper(environ: dict[str, Any], start_response: Any) -> Any:
        environ["paste.throw_errors"] = False
        return app(environ, start_response)

    return wrapper


def client(make: Any, **options: Any) -> webtest.TestApp:
    return webtest.TestApp(catching(make(error_log=os.devnull, **options)))


def page(make: Any, path: str = "/cart?user=ann&page=2", **options: Any) -> str:
    response = client(make, **options).get(
        path, headers={"Cookie": COOKIES, "User-Agent": "UA/1"}, status=500, expect_errors=True
    )
    return str(response.text)


def table(body: str, css: str) -> str:
    start = body.index(f'<table class="data {css}"')
    return body[start : body.index("</table>", start)]


@pytest.mark.parametrize("make", [make_pyramid_app, make_flask_app])
def test_the_request_tables(make: Any) -> None:
    body = page(make)
    assert '<p class="request-line"><code class="method">GET</code>' in body
    query = table(body, "query")
    assert '<th scope="row">user</th><td>ann</td>' in query
    assert '<th scope="row">page</th><td>2</td>' in query
    cookies = table(body, "cookies")
    for name in ("paste_exc_debug", "theme", "sessionid"):
        assert f'<th scope="row">{name}</th><td><span class="redacted">[REDACTED]</span>' in cookies
    assert "cookie-value" not in body
    assert TOKEN not in body
    assert '<th scope="row">User-Agent</th><td>UA/1</td>' in table(body, "headers")
    assert '<details class="request-vars js-collapse" open>' in body
    assert "WSGI and CGI variables (" in body
    assert "<caption>CGI Variables</caption>" not in body  # shown once, in the request block


def test_form_fields_only_when_the_application_read_the_body() -> None:
    pyramid = client(make_pyramid_app).post(
        "/cart",
        {"quantity": "3", "password": "pw-secret-123"},
        headers={"Cookie": COOKIES},
        status=500,
        expect_errors=True,
    )
    form = table(pyramid.text, "form")
    assert '<th scope="row">quantity</th><td>&#39;3&#39;</td>' in form or "quantity" in form
    assert "pw-secret-123" not in pyramid.text
    flask = client(make_flask_app).post(
        "/cart",
        {"quantity": "3", "note": "unread-body-value"},
        headers={"Cookie": COOKIES},
        status=500,
        expect_errors=True,
    )
    assert 'class="data form"' not in flask.text
    assert "the application left no parsed form fields" in flask.text
    assert "unread-body-value" not in flask.text


@pytest.mark.parametrize("make", [make_pyramid_app, make_flask_app])
def test_the_applications_frames_come_first(make: Any) -> None:
    body = page(make)
    main = body[body.index('<div class="traceback">') :]
    first_app = main.index('<span class="badge app">application</span>')
    before = main[:first_app]
    # Every frame before the application's first is inside a folded run (depth > 0).
    depth, unfolded = 0, 0
    for token in re.findall(r'<details|</details>|<div class="frame[ "]', before):
        if token == "<details":
            depth += 1
        elif token == "</details>":
            depth -= 1
        elif depth == 0:
            unfolded += 1
    assert unfolded == 1  # the application's frame itself
    assert 'class="my-code-only" checked' in body
    assert re.search(r"<summary>\d+ library frames", before)


def test_pyramids_exception_view_says_while_handling_http_not_found() -> None:
    body = page(make_pyramid_app, "/no-such-page")
    found = re.search(r'<p class="root-cause">(.*?)</p>', body)
    assert found is not None
    assert found[1].startswith("While handling ")
    assert "HTTPNotFound" in found[1]
    assert "Started with" not in found[1]


def test_app_packages_library_paths_and_context_lines_through_the_middleware() -> None:
    body = page(make_pyramid_app, app_packages=["pyramid"])
    assert '<span class="modname">pyramid.router</span>' in body
    router = body[body.index('<span class="modname">pyramid.router</span>') - 400 :]
    assert 'class="frame-head"' in router
    assert "badge app" in router[:1200]
    as_library = page(make_pyramid_app, library_paths=[HERE])
    assert 'class="my-code-only">' in as_library  # nothing left of the application's
    one_line = page(make_flask_app, context_lines=0)
    assert 'class="more-context"' not in one_line


def test_editor_links_never_on_the_safe_page() -> None:
    safe = client(make_pyramid_app, editor_url="vscode").get(
        "/cart", extra_environ={"REMOTE_ADDR": "203.0.113.9"}, status=500, expect_errors=True
    )
    assert "vscode://" not in safe.text
    assert "realapps.py" not in safe.text
    debug = page(make_pyramid_app, editor_url="vscode")
    assert "vscode://file/" in debug


def test_the_debug_text_and_json_have_the_request_and_the_environment() -> None:
    app = client(make_flask_app)
    text = app.get(
        "/cart?user=ann",
        headers={"Cookie": COOKIES, "Accept": "text/plain"},
        status=500,
        expect_errors=True,
    )
    assert "\nRequest\n-------\n  GET http://" in text.text
    assert "    user: ann" in text.text
    assert "\nEnvironment\n-----------\n  Python: " in text.text
    assert "cookie-value" not in text.text
    problem = app.get(
        "/cart?user=ann",
        headers={"Cookie": COOKIES, "Accept": "application/json"},
        status=500,
        expect_errors=True,
    )
    document = json.loads(problem.text)
    assert document["request"]["query"] == [["user", "ann"]]
    assert document["request"]["cookies"] == ["paste_exc_debug", "theme", "sessionid"]
    assert document["exception"]["environment"]["pid"] == os.getpid()
    names = {d["name"].lower() for d in document["exception"]["environment"]["distributions"]}
    assert "flask" in names
    assert "cookie-value" not in problem.text


def frames_outside_runs(body: str) -> list[str]:
    """The module names of the frames shown unfolded, in page order."""
    main = body[body.index('<div class="traceback">') :]
    depth, shown = 0, []
    for match in re.finditer(r'<details|</details>|<span class="modname">([^<]+)</span>', main):
        if match[0] == "<details":
            depth += 1
        elif match[0] == "</details>":
            depth -= 1
        elif depth == 0:
            shown.append(match[1])
    return shown


def test_the_demo_shows_its_own_frames_first() -> None:
    app = webtest.TestApp(catching(make_demo_app(error_log=os.devnull)))
    for path in ("/plain", "/chained-context", "/supplement"):
        body = app.get(path, status=500, expect_errors=True).text
        shown = frames_outside_runs(body)
        assert shown, path
        assert set(shown) == {"paste_exc.demo"}, path


def test_library_frames_name_their_distributions_version() -> None:
    version = importlib.metadata.version("pyramid")
    body = page(make_pyramid_app)
    assert f'<span class="badge">library · pyramid {version}</span>' in body
    assert f'<tr><th scope="row">pyramid</th><td>{version}</td></tr>' in body


def test_the_environment_block_names_the_process() -> None:
    body = page(make_flask_app)
    env = body[body.index('<section class="environment">') :]
    assert f"<td>pid {os.getpid()}, thread MainThread</td>" in env
    assert f"<td>{platform.python_version()} ({platform.python_implementation()})</td>" in env
    assert f"<td>{sys.executable}</td>" in env
    assert re.search(r"Server time \(UTC\)</th><td>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ</td>", env)
    assert re.search(r"Server time \(local\)</th><td>[\d:T-]+[+-]\d\d:\d\d</td>", env)
    assert "<summary>sys.path (" in env
    assert f'<tr><th scope="row">Flask</th><td>{importlib.metadata.version("flask")}</td>' in env
