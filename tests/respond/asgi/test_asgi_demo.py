"""The demo's ASGI twin: the same routes and failures as the WSGI demo, in process.

``paste-exc demo --asgi`` serves it with uvicorn (tests/test_cli_asgi.py);
here it is called through ``httpx.ASGITransport`` beside the WSGI demo under
WebTest: every route answers with the same status and the same failure.
"""

from __future__ import annotations

import asyncio
import os
import re
import warnings

import httpx
import pytest
from asgi_helpers import TOKEN

from paste_exc.demo import ASGI_ROUTES, ROUTES, make_demo_app, make_demo_asgi_app
from paste_exc.testing import CapturingReporter, through_middleware

with warnings.catch_warnings():  # webob imports the deprecated cgi module (Python 3.11)
    warnings.simplefilter("ignore", DeprecationWarning)
    from webtest import TestApp

COOKIE = {"Cookie": f"paste_exc_debug={TOKEN}"}


def _asgi_get(app: object, paths: list[str]) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://demo.example") as http:
            return [await http.get(path, headers=COOKIE) for path in paths]

    return asyncio.run(run())


def test_the_twin_has_the_same_routes() -> None:
    assert sorted(ASGI_ROUTES) == sorted(ROUTES)


def test_every_route_fails_the_same_way_in_both_transports() -> None:
    paths = sorted(ROUTES)
    asgi_capture = CapturingReporter()
    asgi = make_demo_asgi_app(debug_token=TOKEN, reporters={"capture": asgi_capture})
    asgi_responses = []
    for path in paths:
        asgi_responses += _asgi_get(asgi, [path])
    wsgi_capture = CapturingReporter()
    wsgi = TestApp(
        through_middleware(make_demo_app(debug_token=TOKEN), capture=wsgi_capture),
        extra_environ={"REMOTE_ADDR": "127.0.0.1"},
    )
    wsgi.set_cookie("paste_exc_debug", TOKEN)
    for path, asgi_response in zip(paths, asgi_responses, strict=True):
        wsgi_response = wsgi.get(path, expect_errors=True)
        if path == "/after-start":
            # WSGI sends nothing before the first byte of the body: a 500 is still possible.
            # ASGI's http.response.start went to the server: the report is appended.
            assert wsgi_response.status_int == 500
            assert asgi_response.status_code == 200
            assert asgi_response.text.startswith('<div class="pe-appended">')
        else:
            assert asgi_response.status_code == wsgi_response.status_int, path
    # The same failures, in the same order (the WSGI close() and the ASGI after-body too).
    assert asgi_capture.exception_types == wsgi_capture.exception_types
    assert len(asgi_capture.exception_types) == len(ROUTES) - 2  # all but / and /healthy
    asgi_values = [report.exc_data.exception_value for report in asgi_capture.reports]
    wsgi_values = [report.exc_data.exception_value for report in wsgi_capture.reports]
    differ = [(a, w) for a, w in zip(asgi_values, wsgi_values, strict=True) if a != w]
    # Only where the transports' own words differ: start_response / http.response.start.
    assert [a for a, _ in differ] == [
        "failed after http.response.start, before any byte of the body"
    ]


def _frames_outside_runs(body: str) -> list[str]:
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


@pytest.mark.parametrize("path", ["/plain", "/chained-context", "/supplement"])
def test_the_asgi_demo_shows_its_own_frames_first(path: str) -> None:
    app = make_demo_asgi_app(error_log=os.devnull, debug_token=TOKEN)
    [response] = _asgi_get(app, [path])
    assert response.status_code == 500
    shown = _frames_outside_runs(response.text)
    assert shown
    assert set(shown) == {"paste_exc.demo"}


def test_the_asgi_json_client_route_gets_problem_json() -> None:
    [response] = _asgi_get(make_demo_asgi_app(error_log=os.devnull), ["/json-client"])
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 500
