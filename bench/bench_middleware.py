"""How much does the error middleware cost when nothing fails (and when it does)?

Run with ``make bench`` (or ``python bench/bench_middleware.py [--quick]
[--no-server]``).

1. In one process, side by side: the per-request overhead over the bare
   application of paste_exc's ErrorMiddleware, Paste's ErrorMiddleware,
   WebError's ErrorMiddleware and werkzeug's DebuggedApplication, for an app
   returning a one-element list and for a generator app yielding 100 chunks.
   Medians of repeated timings; ratios against Paste.
2. Under a real server (waitress on 127.0.0.1, a bounded number of requests
   over keep-alive connections): requests per second, healthy and failing,
   paste_exc beside Paste.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import statistics
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any

warnings.simplefilter("ignore", DeprecationWarning)

App = Callable[[dict[str, Any], Any], Iterable[bytes]]
HEADERS = [("Content-Type", "text/plain"), ("Content-Length", "5")]
GEN_HEADERS = [("Content-Type", "text/plain")]


def list_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    start_response("200 OK", HEADERS)
    return [b"hello"]


def generator_app(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
    start_response("200 OK", GEN_HEADERS)
    for _ in range(100):
        yield b"chunk"


def failing_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    raise ValueError("benchmark failure")


def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return None


def base_environ() -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def wrappers(error_log: str | None = None) -> dict[str, Callable[[App], App] | str]:
    """Name → a function wrapping an app, or the reason it is unavailable.

    :param error_log: a file both paste_exc and Paste append reports to
    """
    from paste_exc.errormiddleware import ErrorMiddleware

    found: dict[str, Callable[[App], App] | str] = {
        "paste_exc": lambda app: ErrorMiddleware(app, {}, debug=False, error_log=error_log),
    }
    try:
        from paste.exceptions.errormiddleware import ErrorMiddleware as PasteMiddleware

        found["Paste"] = lambda app: PasteMiddleware(app, {}, debug=False, error_log=error_log)
    except Exception as exc:
        found["Paste"] = f"unavailable: {exc}"
    try:
        from weberror.errormiddleware import ErrorMiddleware as WebErrorMiddleware

        found["WebError"] = lambda app: WebErrorMiddleware(app, {}, debug=False)
    except Exception as exc:
        found["WebError"] = f"unavailable ({type(exc).__name__}: {exc}; WebError is Python 2 only)"
    try:
        from werkzeug.debug import DebuggedApplication

        found["werkzeug"] = lambda app: DebuggedApplication(app, evalex=False)
    except Exception as exc:
        found["werkzeug"] = f"unavailable: {exc}"
    return found


def time_per_request(app: App, number: int, repeat: int) -> float:
    """Median seconds per request: call, iterate the body, close."""
    environ = base_environ()
    results = []
    for _ in range(repeat):
        environ["wsgi.errors"] = io.StringIO()  # what the failing runs write stays small
        started = time.perf_counter()
        for _ in range(number):
            body = app(dict(environ), start_response)
            for _chunk in body:
                pass
            close = getattr(body, "close", None)
            if close is not None:
                close()
        results.append((time.perf_counter() - started) / number)
    return statistics.median(results)


def in_process(quick: bool) -> None:
    number, repeat = (2000, 5) if quick else (20000, 15)
    found = wrappers()
    print(f"In-process overhead per request (median of {repeat} x {number} requests)")
    for label, app, gen_number in (
        ("one-element list app", list_app, number),
        ("100-chunk generator app", generator_app, max(number // 20, 200)),
    ):
        bare = time_per_request(app, gen_number, repeat)
        print(f"\n  {label}: bare app {bare * 1e6:.3f} us/request")
        overheads: dict[str, float] = {}
        for name, wrap in found.items():
            if isinstance(wrap, str):
                print(f"    {name:<10} {wrap}")
                continue
            total = time_per_request(wrap(app), gen_number, repeat)
            overheads[name] = total - bare
        paste = overheads.get("Paste")
        for name, overhead in overheads.items():
            ratio = f"  ({overhead / paste:.2f} x Paste's)" if paste and name != "Paste" else ""
            print(f"    {name:<10} +{overhead * 1e6:7.3f} us{ratio}")


def failing_in_process(quick: bool) -> None:
    """Milliseconds one failing request costs, report written to a log file."""
    number, repeat = (200, 3) if quick else (1000, 7)
    with tempfile.NamedTemporaryFile(prefix="bench-errors-", suffix=".log", delete=False) as log:
        pass
    found = wrappers(error_log=log.name)
    print(f"\nIn-process cost of one failing request (error_log on; median of {repeat} x {number})")
    costs: dict[str, float] = {}
    saved, sys.stderr = sys.stderr, io.StringIO()
    try:
        for name in ("paste_exc", "Paste"):
            wrap = found.get(name)
            if callable(wrap):
                costs[name] = time_per_request(wrap(failing_app), number, repeat)
    finally:
        sys.stderr = saved
        os.unlink(log.name)
    for name, cost in costs.items():
        print(f"  {name:<10} {cost * 1e3:.3f} ms")


class Server:
    """waitress on 127.0.0.1, in a thread, on a free port."""

    def __init__(self, app: App) -> None:
        from webtest.http import StopableWSGIServer

        self.server = StopableWSGIServer.create(app, host="127.0.0.1", threads=4)
        self.port = int(self.server.adj.port)

    def close(self) -> None:
        self.server.shutdown()


def requests_per_second(
    port: int, path: str, count: int, clients: int, headers: dict[str, str] | None = None
) -> float:
    """Requests per second of *clients* threads sharing *count* GET requests of *path*.

    Each thread keeps one connection open, and opens it again when the server
    closes it (a sync gunicorn worker closes every connection).
    """

    def client(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            for _ in range(n):
                connection.request("GET", path, headers=headers or {})
                connection.getresponse().read()
        finally:
            connection.close()

    per_client = count // clients
    threads = [threading.Thread(target=client, args=(per_client,)) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return per_client * clients / (time.perf_counter() - started)


def dispatch(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    if environ["PATH_INFO"] == "/fail":
        return failing_app(environ, start_response)
    return list_app(environ, start_response)


def real_server(quick: bool) -> None:
    count = 400 if quick else 2000
    with tempfile.NamedTemporaryFile(prefix="bench-errors-", suffix=".log", delete=False) as log:
        pass
    found = wrappers(error_log=log.name)
    print(f"\nwaitress on 127.0.0.1 (4 threads, 4 keep-alive clients, {count} requests each run)")
    for name in ("bare", "paste_exc", "Paste"):
        wrap = found.get(name)
        if isinstance(wrap, str):
            print(f"  {name:<10} {wrap}")
            continue
        app = dispatch if wrap is None else wrap(dispatch)
        server = Server(app)
        # Both write one line per error to wsgi.errors (stderr): keep it off the terminal.
        saved, sys.stderr = sys.stderr, io.StringIO()
        try:
            requests_per_second(server.port, "/", 50, 1)  # warm up
            healthy = requests_per_second(server.port, "/", count, 4)
            failing = requests_per_second(server.port, "/fail", count // 4, 4)
        finally:
            server.close()
            sys.stderr = saved
        print(f"  {name:<10} healthy {healthy:8.0f} req/s   failing {failing:8.0f} req/s")
    os.unlink(log.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer iterations")
    parser.add_argument("--no-server", action="store_true", help="skip the waitress runs")
    args = parser.parse_args(argv)
    print(f"Python {sys.version.split()[0]}")
    in_process(args.quick)
    failing_in_process(args.quick)
    if not args.no_server:
        real_server(args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
