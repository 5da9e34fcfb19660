"""End to end: waitress on 127.0.0.1, a real HTTP client, many threads at once."""

from __future__ import annotations

import http.client
import json
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

with warnings.catch_warnings():  # webob imports the deprecated cgi module (Python 3.11)
    warnings.simplefilter("ignore", DeprecationWarning)
    from webtest.http import StopableWSGIServer

from paste_exc.errormiddleware import ErrorMiddleware

TOKEN = "server-test-token-0123456789"
#: The developer's browser: it holds the debug token's cookie (a loopback address is not enough).
DEV = {"Cookie": f"paste_exc_debug={TOKEN}"}


def app(environ: dict[str, Any], start_response: Any) -> Any:
    path = environ["PATH_INFO"]
    if path.startswith("/fail/"):
        raise ValueError(f"failure number {path.rsplit('/', 1)[1]}")
    if path.startswith("/stream-fail"):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return stream_then_fail()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"healthy {path.rsplit('/', 1)[1]}".encode()]


def stream_then_fail() -> Iterator[bytes]:
    yield b"partial body\n"
    raise RuntimeError("broke while streaming")


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    middleware = ErrorMiddleware(app, debug=True, debug_token=TOKEN)
    srv = StopableWSGIServer.create(middleware, host="127.0.0.1", threads=4)
    try:
        yield int(srv.adj.port)
    finally:
        srv.shutdown()


def get(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_failing_request_gets_the_debug_page(server: int) -> None:
    status, headers, body = get(server, "/fail/1", DEV)
    assert status == 500
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert int(headers["Content-Length"]) == len(body)
    assert b"failure number 1" in body
    assert "nonce-" in headers["Content-Security-Policy"]


def test_json_client_gets_a_problem_document(server: int) -> None:
    status, headers, body = get(server, "/fail/2", {"Accept": "application/json"})
    assert status == 500
    assert headers["Content-Type"].startswith("application/problem+json")
    document = json.loads(body)
    assert document["status"] == 500
    assert document["occurrence_id"] == headers["X-Error-Id"]


def test_forwarded_client_gets_the_safe_page(server: int) -> None:
    # The header a local reverse proxy (nginx) adds; waitress passes it through.
    status, _, body = get(server, "/fail/3", {"X-Real-IP": "198.51.100.4"})
    assert status == 500
    assert b"failure number 3" not in body


def test_loopback_client_without_the_token_gets_the_safe_page(server: int) -> None:
    # waitress removes X-Forwarded-For from an untrusted peer: the address proves nothing.
    status, _, body = get(server, "/fail/4", {"X-Forwarded-For": "8.8.8.8"})
    assert status == 500
    assert b"failure number 4" not in body


def test_streamed_failure_is_appended(server: int) -> None:
    status, _, body = get(server, "/stream-fail", DEV)
    assert status == 200
    assert body.startswith(b"partial body\n")
    assert b"broke while streaming" in body


def test_many_threads_each_get_their_own_response(server: int) -> None:
    def one(number: int) -> bool:
        if number % 2:
            status, _, body = get(server, f"/fail/{number}", DEV)
            return status == 500 and f"failure number {number}<".encode() in body
        status, _, body = get(server, f"/ok/{number}")
        return status == 200 and body == f"healthy {number}".encode()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, range(40)))
    assert results == [True] * 40
