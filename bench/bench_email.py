"""Latency of an error response when the email reporter's SMTP server is slow.

Runs Paste's ``ErrorMiddleware`` and ours side by side, once, against an
aiosmtpd server on 127.0.0.1 that takes 2 seconds to answer the message
(``DATA``), and prints the time each 500 response took. Paste sends the
email inside the request; ours hands it to the background queue, so the
response must not wait for the server.

Run: ``.venv/bin/python bench/bench_email.py``
"""

from __future__ import annotations

import asyncio
import io
import socket
import statistics
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.util import setup_testing_defaults

from aiosmtpd.controller import Controller

DELAY = 2.0
REQUESTS = 3


class SlowMailbox:
    """Accepts every message, 2 seconds after it was sent."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(DELAY)
        self.received += 1
        return "250 OK"


def broken_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    raise RuntimeError("the database went away")


def one_request(app: Callable[..., Iterable[bytes]]) -> tuple[float, str]:
    environ: dict[str, Any] = {"wsgi.errors": io.StringIO()}
    setup_testing_defaults(environ)
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        statuses.append(status)
        return lambda data: None

    began = time.perf_counter()
    body = b"".join(app(environ, start_response))
    elapsed = time.perf_counter() - began
    assert body
    return elapsed, statuses[-1]


def measure(name: str, app: Callable[..., Iterable[bytes]]) -> list[float]:
    times = []
    for _ in range(REQUESTS):
        elapsed, status = one_request(app)
        times.append(elapsed)
        print(f"  {name:<9} {status:<28} {elapsed * 1000:9.1f} ms")
    return times


def main() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    mailbox = SlowMailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, server_hostname="localhost")
    controller.start()
    options = {
        "error_email": "ops@example.com",
        "from_address": "errors@example.com",
        "smtp_server": f"127.0.0.1:{port}",
    }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            from paste.exceptions.errormiddleware import ErrorMiddleware as PasteErrorMiddleware

        from paste_exc.errormiddleware import ErrorMiddleware
        from paste_exc.report.delivery import get_dispatcher

        print(f"SMTP server on 127.0.0.1:{port} answers DATA after {DELAY:g} s")
        print(f"{REQUESTS} error responses each (debug off, email reporter on):")
        paste_times = measure("Paste", PasteErrorMiddleware(broken_app, **options))
        paste_mails = mailbox.received
        ours_times = measure("paste_exc", ErrorMiddleware(broken_app, **options))
        began = time.perf_counter()
        flushed = get_dispatcher().flush(timeout=30)
        drain = time.perf_counter() - began
        stats = get_dispatcher().stats()
        ours_mails = mailbox.received - paste_mails
        print()
        print(
            f"Paste     median {statistics.median(paste_times) * 1000:9.1f} ms, "
            f"max {max(paste_times) * 1000:9.1f} ms, emails sent {paste_mails}"
        )
        print(
            f"paste_exc median {statistics.median(ours_times) * 1000:9.1f} ms, "
            f"max {max(ours_times) * 1000:9.1f} ms, emails sent {ours_mails} "
            f"(flood control held back {stats.held_back}; background queue drained "
            f"in {drain:.2f} s, flushed={flushed})"
        )
        ratio = statistics.median(paste_times) / statistics.median(ours_times)
        print(f"speed-up of the error response: {ratio:.0f}x")
        if max(ours_times) >= DELAY:
            raise SystemExit("paste_exc waited for the SMTP server")
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
