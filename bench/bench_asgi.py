"""How much does the ASGI middleware cost when nothing fails (and when it does)?

Run with ``make bench`` (or ``python bench/bench_asgi.py [--quick]``).

In one process and one event loop, with no server: each ASGI application is
awaited directly with a minimal ``receive`` (one empty ``http.request``) and
``send`` (appends to a list), N times per round; the rounds interleave the
variants (so a slow moment of the machine hits them all alike) and the
figure is the median per-call time over the rounds.

Happy path: the bare application, paste_exc's ``ASGIErrorMiddleware``
(debug off) and Starlette's ``ServerErrorMiddleware`` (debug off) around it;
the overhead is the difference to the bare app. Error path: an application
that raises before its response starts, behind each: Starlette's answers the
plain 500 and re-raises (the driver catches it); ours collects the traceback,
reports it (a log file in a temporary directory) and answers the negotiated
safe page, its rendering in a thread.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.middleware.errors import ServerErrorMiddleware

from paste_exc import ASGIErrorMiddleware
from paste_exc.report.delivery import get_dispatcher

App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"text/plain"), (b"content-length", b"5")],
}
BODY = {"type": "http.response.body", "body": b"hello", "more_body": False}
REQUEST = {"type": "http.request", "body": b"", "more_body": False}


async def healthy_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send(START)
    await send(BODY)


async def failing_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    raise ValueError("benchmark failure")


def scope() -> dict[str, Any]:
    """An http scope as uvicorn makes one: a browser on the network asking for HTML."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/orders",
        "raw_path": b"/orders",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"shop.example"), (b"accept", b"text/html")],
        "client": ("192.0.2.7", 50123),
        "server": ("shop.example", 80),
    }


async def receive() -> dict[str, Any]:
    return REQUEST


def variants(app: App, error_log: str) -> dict[str, App]:
    return {
        "bare": app,
        "paste_exc": ASGIErrorMiddleware(app, debug=False, error_log=error_log),
        "starlette": ServerErrorMiddleware(app, debug=False),  # type: ignore[arg-type]
    }


async def time_calls(app: App, count: int) -> float:
    """Microseconds per call of *app*, over *count* calls; an error escaping is caught."""
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    started = time.perf_counter()
    for _ in range(count):
        # Starlette's middleware re-raises after answering: that is its design.
        with contextlib.suppress(Exception):
            await app(scope(), receive, send)
        sent.clear()
    return (time.perf_counter() - started) / count * 1e6


async def rounds(apps: dict[str, App], count: int, repeat: int) -> dict[str, float]:
    """The median µs per call of each app, over *repeat* interleaved rounds."""
    timings: dict[str, list[float]] = {name: [] for name in apps}
    for app in apps.values():  # warm-up: imports, caches, the thread pool
        await time_calls(app, max(1, count // 10))
    for _ in range(repeat):
        for name, app in apps.items():
            timings[name].append(await time_calls(app, count))
    return {name: statistics.median(values) for name, values in timings.items()}


def check_answers(error_log: str) -> None:
    """Each variant gives the answer the figures are about (a wrong one is no figure)."""

    async def answer(app: App) -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        with contextlib.suppress(ValueError):
            await app(scope(), receive, send)
        return sent

    for name, app in variants(healthy_app, error_log).items():
        sent = asyncio.run(answer(app))
        assert [m.get("status") for m in sent[:1]] == [200], name
    for name, app in variants(failing_app, error_log).items():
        if name == "bare":
            continue
        sent = asyncio.run(answer(app))
        assert sent[0]["status"] == 500, name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls and rounds")
    args = parser.parse_args(argv)
    happy_count, error_count, repeat = (500, 50, 5) if args.quick else (5000, 300, 9)
    with tempfile.TemporaryDirectory() as directory:
        error_log = os.path.join(directory, "errors.log")
        happy = asyncio.run(rounds(variants(healthy_app, error_log), happy_count, repeat))
        # Ours writes Paste's "Error - ..." line per error to sys.stderr: not to the terminal.
        with contextlib.redirect_stderr(io.StringIO()):
            check_answers(error_log)
            failing = variants(failing_app, error_log)
            del failing["bare"]
            errors = asyncio.run(rounds(failing, error_count, repeat))
            get_dispatcher().flush(30)
    bare = happy["bare"]
    print(f"ASGI middleware, in process (Python {sys.version.split()[0]}), medians of {repeat}")
    print(f"happy path, {happy_count} calls a round: bare app {bare:.2f} µs per call")
    overhead = {name: happy[name] - bare for name in ("paste_exc", "starlette")}
    for name in ("paste_exc", "starlette"):
        print(f"  {name:10} {happy[name]:8.2f} µs   overhead {overhead[name]:6.2f} µs")
    if overhead["starlette"] > 0:
        ratio = overhead["paste_exc"] / overhead["starlette"]
        print(f"  overhead ratio paste_exc / starlette: {ratio:.2f}")
    print(f"error path, {error_count} calls a round (raises before the response starts):")
    for name in ("paste_exc", "starlette"):
        print(f"  {name:10} {errors[name]:8.1f} µs per error")
    print(f"  ratio paste_exc / starlette: {errors['paste_exc'] / errors['starlette']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
