"""Flood control: windows per identification code, digest, and the shared stores."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import catching, require_tool
from test_reporter_email import SMTPServer, free_port, start_server
from webtest import TestApp

from paste_exc.collector import CollectedException
from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.errors import ConfigError
from paste_exc.report.builtin.paste import EmailReporter
from paste_exc.report.delivery import Dispatcher, get_dispatcher, reset_dispatcher
from paste_exc.report.flood import (
    FloodControl,
    FloodDecision,
    MemoryFloodStore,
    RedisFloodStore,
    SQLiteFloodStore,
    describe_held_back,
    process_store,
    store_from_spec,
)

ROOT = Path(__file__).resolve().parents[2]


def data(code: str) -> CollectedException:
    return CollectedException(
        exception_type="ValueError", exception_value="x", identification_code=code
    )


def test_one_report_per_code_per_window() -> None:
    control = FloodControl(600, MemoryFloodStore())
    assert control.check(data("AAA"), now=1000).send
    assert not control.check(data("AAA"), now=1001).send
    assert control.check(data("BBB"), now=1002).send  # another code has its own window
    assert not control.check(data("AAA"), now=1500).send
    opened = control.check(data("AAA"), now=1600)
    assert opened == FloodDecision(True, 2, 1001, 1500, (("AAA", 2),))
    assert not control.check(data("AAA"), now=1601).send


def test_digest_mode_has_one_window_for_every_code() -> None:
    control = FloodControl(60, MemoryFloodStore(), digest=True)
    assert control.check(data("AAA"), now=0).send
    assert not control.check(data("BBB"), now=1).send
    assert not control.check(data("CCC"), now=2).send
    assert not control.check(data("BBB"), now=3).send
    opened = control.check(data("DDD"), now=60)
    assert opened.send
    assert opened.codes == (("BBB", 2), ("CCC", 1))
    note = describe_held_back(opened)
    assert note.startswith("3 more occurrences held back by flood control")
    assert "BBB (2), CCC (1)" in note


def test_window_zero_turns_it_off() -> None:
    control = FloodControl(0, MemoryFloodStore())
    assert all(control.check(data("AAA"), now=1).send for _ in range(3))


def test_negative_window_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as info:
        FloodControl(-1)
    assert info.value.option == "flood_window"


def test_annotate_adds_the_note_as_important_extra_data() -> None:
    decision = FloodDecision(True, 1, 10.0, 10.0, (("AAA", 1),))
    annotated = FloodControl.annotate(data("AAA"), decision)
    [note] = annotated.extra_data[("important", "Flood control")]
    assert note.startswith("1 more occurrence held back")
    assert data("AAA").extra_data == {}
    plain = data("AAA")
    assert FloodControl.annotate(plain, FloodDecision(True)) is plain


def test_the_note_reaches_the_text_report() -> None:
    from paste_exc.formatter import format_text

    decision = FloodDecision(True, 7, 10.0, 20.0, (("AAA", 7),))
    text = format_text(FloodControl.annotate(data("AAA"), decision))
    assert "7 more occurrences held back" in text


def test_store_from_spec(tmp_path: Path) -> None:
    assert store_from_spec(None) is process_store()
    assert store_from_spec("memory") is process_store()
    sqlite = store_from_spec(f"sqlite://{tmp_path}/f.db")  # sqlite:///tmp/...
    assert isinstance(sqlite, SQLiteFloodStore)
    assert sqlite.path == f"{tmp_path}/f.db"
    relative = store_from_spec("sqlite:flood.db")
    assert isinstance(relative, SQLiteFloodStore)
    assert relative.path == "flood.db"
    assert isinstance(store_from_spec("redis://127.0.0.1:1/0"), RedisFloodStore)
    own = MemoryFloodStore()
    assert store_from_spec(own) is own
    for bad in ("ftp://x", "sqlite:", "sqlite://"):
        with pytest.raises(ConfigError) as info:
            store_from_spec(bad)
        assert info.value.option == "flood_store"


def test_sqlite_store_keeps_windows_across_instances(tmp_path: Path) -> None:
    path = str(tmp_path / "flood.db")
    assert SQLiteFloodStore(path).hit("k", "AAA", 0, 60).send
    assert not SQLiteFloodStore(path).hit("k", "AAA", 1, 60).send
    assert not SQLiteFloodStore(path).hit("k", "BBB", 2, 60).send
    opened = SQLiteFloodStore(path).hit("k", "AAA", 61, 60)
    assert opened == FloodDecision(True, 2, 1, 2, (("AAA", 1), ("BBB", 1)))


def test_broken_store_never_loses_the_report(tmp_path: Path) -> None:
    import io

    from paste_exc.reporter import FileReporter

    stream = io.StringIO()
    rep = FileReporter(
        file=stream, flood_window=60, flood_store=f"redis://127.0.0.1:{free_port()}/0"
    )
    rep.report(dataclasses.replace(data("AAA"), frames=()))
    assert "ValueError" in stream.getvalue()


# -- several processes, one window --------------------------------------------------

SCRIPT = textwrap.dedent("""
    import sys
    from paste_exc.report.delivery import get_dispatcher
    from paste_exc.reporter import EmailReporter
    get_dispatcher().synchronous = True
    rep = EmailReporter(to_addresses="ops@example.com", from_address="e@example.com",
                        smtp_server="127.0.0.1", smtp_port=int(sys.argv[1]),
                        flood_store=sys.argv[2], flood_window=600)
    def fail():
        raise RuntimeError("the same bug everywhere")
    for _ in range(5):
        try:
            fail()
        except RuntimeError as exc:
            rep.report_exception(None, exc, "worker", {})
""")


def run_workers(tmp_path: Path, smtp: SMTPServer, store: str, count: int = 6) -> None:
    script = tmp_path / "worker.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen(
            [sys.executable, str(script), str(smtp.port), store],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    server = start_server()
    yield server
    server.controller.stop()


def test_sqlite_store_one_email_for_many_workers(tmp_path: Path, smtp: SMTPServer) -> None:
    run_workers(tmp_path, smtp, f"sqlite://{tmp_path}/flood.db")
    assert len(smtp.mailbox.messages) == 1


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    binary = require_tool("redis-server")
    import redis

    port = free_port()
    server = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)
    try:
        for _ in range(100):
            try:
                if client.ping():
                    break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=10)


def test_redis_store_windows(redis_url: str) -> None:
    store = RedisFloodStore(redis_url, prefix=f"t{time.monotonic_ns()}:")
    assert store.hit("k", "AAA", 100.0, 60).send
    assert not store.hit("k", "AAA", 101.5, 60).send
    assert not store.hit("k", "BBB", 102.0, 60).send
    opened = store.hit("k", "AAA", 161.0, 60)
    assert opened == FloodDecision(True, 2, 101.5, 102.0, (("AAA", 1), ("BBB", 1)))
    assert not store.hit("k", "AAA", 162.0, 60).send


def test_redis_store_one_email_for_many_workers(
    tmp_path: Path, smtp: SMTPServer, redis_url: str
) -> None:
    run_workers(tmp_path, smtp, redis_url)
    assert len(smtp.mailbox.messages) == 1


def test_a_storm_renders_one_email_and_counts_the_rest(
    smtp: SMTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Held-back reports cost no rendering (no email assembled, no text report), yet count."""
    rendered: list[str] = []
    assemble = EmailReporter.assemble_email

    def counting(self: EmailReporter, exc_data: CollectedException) -> object:
        rendered.append(exc_data.occurrence_id)
        return assemble(self, exc_data)

    monkeypatch.setattr(EmailReporter, "assemble_email", counting)

    def failing_app(environ: dict[str, object], start_response: object) -> list[bytes]:
        raise ConnectionError("the database is down")

    previous = reset_dispatcher(Dispatcher())
    try:
        middleware = ErrorMiddleware(
            failing_app,
            error_email=f"storm-{time.monotonic_ns()}@example.com",
            from_address="errors@example.com",
            smtp_server=f"127.0.0.1:{smtp.port}",
        )
        app = TestApp(catching(middleware))
        for _ in range(30):
            app.get("/orders", status=500, expect_errors=True)
        dispatcher = get_dispatcher()
        assert dispatcher.flush(10)
        assert len(smtp.mailbox.messages) == 1
        assert len(rendered) == 1
        assert dispatcher.stats().held_back == 29
    finally:
        reset_dispatcher(previous).shutdown(timeout=5)
