"""Reporters and extras providers configured in a PasteDeploy ini file (loadapp)."""

from __future__ import annotations

import gzip
import io
import queue
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from paste.deploy import loadapp

from paste_exc.errors import ConfigError

APP_MODULE = """
from paste_exc.api import ExceptionReporter, ExtrasProvider
from paste_exc.respond.reporting import report_exception

RECORDED = []


class Recorder(ExceptionReporter):
    def __init__(self, *, label):
        self.label = label

    def report_exception(self, ctx, exception, message, extra):
        RECORDED.append((self.label, ctx.get("PATH_INFO"), message, str(exception), extra))


class UserExtras(ExtrasProvider):
    def get_extras(self, ctx, reporter):
        user = (ctx or {}).get("REMOTE_USER")
        return {"user": {"username": user}} if user else None


def make_app(global_conf, **local_conf):
    def app(environ, start_response):
        if environ["PATH_INFO"] == "/handled":
            try:
                {}["missing"]
            except KeyError:
                report_exception(environ, "handled in the app", logger=False)
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"recovered"]
        raise RuntimeError("unhandled in the app")

    return app
"""


def call(app: Any, path: str) -> tuple[str, bytes]:
    """Call a WSGI application as a server would; return the status and body."""
    environ: dict[str, Any] = {"PATH_INFO": path, "REMOTE_USER": "alice"}
    setup_testing_defaults(environ)
    environ["wsgi.errors"] = io.StringIO()
    answer: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answer.append(status)
        return lambda data: None

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return answer[-1], body


class Receiver:
    """Accepts Sentry envelopes; keeps the decoded bodies."""

    def __init__(self) -> None:
        self.bodies: queue.Queue[bytes] = queue.Queue()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                receiver.bodies.put(body)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def app_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    (tmp_path / "paste_exc_ini_app.py").write_text(APP_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    import paste_exc_ini_app  # type: ignore[import-not-found]

    yield paste_exc_ini_app
    monkeypatch.delitem(sys.modules, "paste_exc_ini_app")


def _write_ini(tmp_path: Path, filter_lines: str) -> str:
    ini = tmp_path / "site.ini"
    ini.write_text(
        textwrap.dedent(
            """
            [app:main]
            use = call:paste_exc_ini_app:make_app
            filter-with = errors

            [filter:errors]
            use = egg:paste_exc#error_catcher
            debug = false
            """
        )
        + textwrap.dedent(filter_lines)
    )
    return f"config:{ini}"


def test_ini_reporters_and_providers_serve_middleware_and_app(
    tmp_path: Path, app_module: Any, receiver: Receiver
) -> None:
    uri = _write_ini(
        tmp_path,
        f"""
        reporters.ops.backend = paste_exc_ini_app:Recorder
        reporters.ops.label = ops
        reporters.sentry.dsn = http://public@127.0.0.1:{receiver.port}/1
        reporters.sentry.default_integrations = false
        reporters.sentry.include_local_variables = false
        reporters.sentry.environment = staging
        extras_providers = paste_exc_ini_app:UserExtras
        """,
    )
    wsgi_app = loadapp(uri)
    sentry = wsgi_app.reporting.reporters["sentry"]
    assert sentry.client.options["default_integrations"] is False
    assert call(wsgi_app, "/handled") == ("200 OK", b"recovered")
    status, body = call(wsgi_app, "/boom")
    assert status.startswith("500")
    assert b"unhandled in the app" not in body  # debug is off

    recorded = [(label, path, msg, exc) for label, path, msg, exc, _ in app_module.RECORDED]
    assert recorded[0] == ("ops", "/handled", "handled in the app", "'missing'")
    assert recorded[1][:2] == ("ops", "/boom")
    assert recorded[1][3] == "unhandled in the app"
    assert [extra for *_, extra in app_module.RECORDED] == [{"user": {"username": "alice"}}] * 2

    sentry.flush(timeout=10)
    bodies = [receiver.bodies.get(timeout=10), receiver.bodies.get(timeout=10)]
    sentry.close(timeout=5)
    text = b"\n".join(bodies).decode()
    assert "unhandled in the app" in text
    assert '"username": "alice"' in text or '"username":"alice"' in text
    assert "staging" in text
    assert '"vars"' not in text


@pytest.mark.parametrize(
    ("lines", "option"),
    [
        (
            "reporters.ops.backend = paste_exc_ini_app:Recorder\n"
            "reporters.ops.label = ops\nreporters.ops.colour = red\n",
            "reporters.ops.colour",
        ),
        ("reporters.ops.backend = no_such_backend\n", "reporters.ops.backend"),
        ("reporters.s.backend = sentry\nreporters.s.debug = maybe\n", "reporters.s.debug"),
        ("extras_providers = paste_exc_ini_app:NoSuchProvider\n", "extras_providers"),
    ],
)
def test_ini_mistakes_fail_at_start_up_naming_the_key(
    tmp_path: Path, app_module: Any, lines: str, option: str
) -> None:
    with pytest.raises(ConfigError) as info:
        loadapp(_write_ini(tmp_path, lines))
    assert info.value.option == option
