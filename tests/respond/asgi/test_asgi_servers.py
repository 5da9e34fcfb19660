"""End to end: uvicorn and hypercorn on 127.0.0.1, serving Starlette, FastAPI and Django.

Each framework's application is behind :class:`~paste_exc.ASGIErrorMiddleware`
(Starlette and FastAPI through ``app.add_middleware``, Django's
``get_asgi_application()`` wrapped), served by a real server in a process of
its own. Failing and healthy requests go at once, over many connections: each
gets its own answer (a healthy one its own body, a failing one the safe page
with its own occurrence id), and each failure is reported once, under the id
its client was given. A websocket that fails after its accept is closed with
1011 through the server; one that Django refuses is denied (403) and reported.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator

import httpx
import pytest
from asgi_servers import Served, serving, write_apps
from websockets.exceptions import ConnectionClosedError, InvalidStatus
from websockets.sync.client import connect

pytestmark = pytest.mark.slow

COUNT = 20
SERVERS = ["uvicorn", "hypercorn"]
FRAMEWORKS = ["starlette_app", "fastapi_app", "django_app"]


@pytest.fixture(
    scope="module",
    params=[(server, app) for server in SERVERS for app in FRAMEWORKS],
    ids=lambda pair: f"{pair[0]}-{pair[1]}",
)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Served]]:
    server, module = request.param
    directory = tmp_path_factory.mktemp(f"{server}-{module}")
    write_apps(directory)
    with serving(server, module, directory) as running:
        yield module, running


async def _all_at_once(port: int) -> dict[str, httpx.Response]:
    """COUNT healthy and COUNT failing requests at once, each on a connection of its own."""
    paths = [f"/{kind}/{n}" for n in range(COUNT) for kind in ("healthy", "fail")]
    limits = httpx.Limits(max_connections=len(paths), max_keepalive_connections=0)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", timeout=60, limits=limits
    ) as client:
        responses = await asyncio.gather(
            *(client.get(path, headers={"Accept": "text/html"}) for path in paths)
        )
    return dict(zip(paths, responses, strict=True))


def test_concurrent_requests_each_get_their_own_answer(served: tuple[str, Served]) -> None:
    _, running = served
    responses = asyncio.run(_all_at_once(running.port))
    ids: dict[int, str] = {}
    for n in range(COUNT):
        healthy = responses[f"/healthy/{n}"]
        assert (healthy.status_code, healthy.text) == (200, f"healthy {n}")
        assert "x-error-id" not in healthy.headers
        failing = responses[f"/fail/{n}"]
        assert failing.status_code == 500
        assert failing.headers["content-type"].startswith("text/html")
        occurrence = failing.headers["x-error-id"]
        assert occurrence in failing.text  # the safe page quotes its own occurrence
        assert "failure number" not in failing.text  # debug is off: nothing of the error
        ids[n] = occurrence
    assert len(set(ids.values())) == COUNT
    # Each failure reported once, under the id its own client was given.
    records = running.records(COUNT)
    reported: dict[int, str] = {}
    for record in records:
        found = re.search(r"LookupError: failure number (\d+)", record.text)
        if found:
            assert int(found.group(1)) not in reported
            reported[int(found.group(1))] = record.occurrence_id
    assert reported == ids
    # Ours answered: the server logged no traceback of its own.
    assert "Traceback" not in running.printed()


def test_a_websocket_failing_after_accept_is_closed_with_1011(
    served: tuple[str, Served],
) -> None:
    module, running = served
    url = f"ws://127.0.0.1:{running.port}/ws"
    if module == "django_app":
        # Django's handler refuses a websocket scope before any accept: the handshake is denied.
        with pytest.raises(InvalidStatus) as denied:
            connect(url, open_timeout=30, close_timeout=10)
        assert denied.value.response.status_code == 403
        expected = "Django can only handle ASGI/HTTP connections"
    else:
        with connect(url, open_timeout=30, close_timeout=10) as websocket:
            assert websocket.recv(timeout=30) == "hello"
            with pytest.raises(ConnectionClosedError) as closed:
                websocket.recv(timeout=30)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1011
        expected = "LookupError: failure in the websocket"
    assert _wait_for_report(running, expected) == 1
    assert "Traceback" not in running.printed()


def _wait_for_report(running: Served, text: str) -> int:
    """How many reports hold *text*, once there is at least one."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if running.error_log.exists():
            found = [r for r in running.records(0) if text in r.text]
            if found:
                return len(found)
        time.sleep(0.1)
    raise AssertionError(f"no report with {text!r} in {running.error_log}")
