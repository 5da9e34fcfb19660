"""The per-destination counters add up to the reports submitted, under load.

50 requests fail at once, each in its own thread, through the real
middleware, with four destinations: a slow one (email to a tarpitting SMTP
server, with a small queue), a failing one (a log that is a FIFO without a
reader), a healthy one (a log file) and a flood-controlled one.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from smtp_tarpit import Tarpit

from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.report import delivery
from paste_exc.report.delivery import DeliveryStats, Dispatcher, reset_dispatcher
from paste_exc.report.flood import MemoryFloodStore

REQUESTS = 50


@pytest.fixture
def dispatcher() -> Iterator[Dispatcher]:
    fresh = Dispatcher(fallback=io.StringIO(), flush_timeout=5.0)
    previous = reset_dispatcher(fresh)
    yield fresh
    reset_dispatcher(previous)
    fresh.shutdown(timeout=2.0)


def failing_app(environ: dict[str, Any], start_response: Any) -> Any:
    raise RuntimeError("under load")


def environ(errors: io.StringIO, number: int) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": f"/load/{number}",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.errors": errors,
        "wsgi.input": io.BytesIO(),
    }


def adds_up(stats: DeliveryStats) -> bool:
    return stats.submitted == (
        stats.delivered + stats.failed + stats.dropped + stats.held_back + stats.pending
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo")
def test_counts_add_up_under_50_concurrent_failing_requests(
    dispatcher: Dispatcher, tmp_path: Path
) -> None:
    fifo = tmp_path / "nobody-reads.fifo"
    os.mkfifo(fifo)
    healthy = tmp_path / "errors.log"
    errors = [io.StringIO() for _ in range(REQUESTS)]
    with Tarpit() as tarpit:
        app = ErrorMiddleware(
            failing_app,
            reporters={
                "slow": {
                    "backend": "email",
                    "to_addresses": "ops@example.com",
                    "from_address": "errors@example.com",
                    "smtp_server": f"127.0.0.1:{tarpit.port}",
                    "smtp_timeout": 0.5,
                    "flood_window": 0,
                    "queue_size": 3,
                },
                "failing": {"backend": "log", "filename": str(fifo)},
                "healthy": {"backend": "log", "filename": str(healthy)},
                "throttled": {
                    "backend": "jsonlines",
                    "filename": str(tmp_path / "errors.jsonl"),
                    "flood_window": 600,
                    "flood_store": MemoryFloodStore(),
                },
            },
        )
        start = threading.Barrier(REQUESTS)
        answered: list[int] = []

        def one(number: int) -> None:
            start.wait(10)

            def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
                answered.append(int(status[:3]))

            b"".join(app(environ(errors[number], number), start_response))

        threads = [threading.Thread(target=one, args=(n,)) for n in range(REQUESTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert answered == [500] * REQUESTS

        # While the slow destination is still busy, every count adds up.
        during = dispatcher.stats()
        assert all(adds_up(during[name]) for name in during)
        assert dispatcher.flush(30)

    stats = dispatcher.stats()
    assert set(stats) == {"slow", "failing", "healthy", "throttled"}
    for name in stats:
        assert stats[name].submitted == REQUESTS, name
        assert adds_up(stats[name]), name
        assert stats[name].pending == 0, name
    slow, failing = stats["slow"], stats["failing"]
    assert slow.delivered == 0
    assert slow.failed >= 1  # each accepted one failed at its deadline
    assert slow.dropped >= 1  # the queue holds 3: the others were written off at once
    assert slow.failed + slow.dropped == REQUESTS
    assert (failing.failed, failing.delivered) == (REQUESTS, 0)
    assert (stats["healthy"].delivered, stats["healthy"].failed) == (REQUESTS, 0)
    assert healthy.read_text().count("RuntimeError: under load") == REQUESTS
    assert (stats["throttled"].delivered, stats["throttled"].held_back) == (1, REQUESTS - 1)
    # The totals are the sums; the module-level stats() is the process-wide dispatcher's.
    assert stats.submitted == 4 * REQUESTS
    assert stats.delivered == sum(stats[name].delivered for name in stats)
    assert delivery.stats() == stats
    # Every report a destination did not take reached that request's wsgi.errors.
    for stream in errors:
        assert "RuntimeError: under load" in stream.getvalue()
