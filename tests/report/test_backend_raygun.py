"""paste_exc.report.sdk.raygun with the real raygun4py, sending to a receiver on 127.0.0.1."""

from __future__ import annotations

import io
import json
import os
import queue
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sdk_leaks

from paste_exc.api import ExtrasProvider
from paste_exc.collector import collected_data
from paste_exc.errors import ConfigError
from paste_exc.format.records import utc_time
from paste_exc.model.occurrence import catch
from paste_exc.redact import REDACTED, Redactor
from paste_exc.report.building import build_reporters
from paste_exc.report.delivery import Dispatcher, reset_dispatcher
from paste_exc.report.dispatch import ENVIRON_KEY, ReportingConfig
from paste_exc.report.sdk.raygun import RaygunReporter
from paste_exc.respond.reporting import report_exception
from paste_exc.respond.wsgi.environ import request_info

SECRET_ENV = "PASTE_EXC_TEST_SECRET_TOKEN"


class Receiver:
    """Raygun's /entries endpoint; can hold responses until released."""

    def __init__(self) -> None:
        self.entries: queue.Queue[tuple[dict[str, str], dict[str, Any]]] = queue.Queue()
        #: Every request body as it arrived.
        self.bodies: list[str] = []
        self.received = threading.Event()
        self.release = threading.Event()
        self.release.set()
        self.status = 202
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.bodies.append(body.decode("utf-8", "replace"))
                receiver.entries.put((dict(self.headers), json.loads(body)))
                receiver.received.set()
                receiver.release.wait(30)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def options(self) -> dict[str, Any]:
        return {
            "endpointprotocol": "http://",
            "endpointhost": f"127.0.0.1:{self.port}",
            "endpointpath": "/entries",
            "http_timeout": 10,
        }


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    receiver.thread.start()
    yield receiver
    receiver.release.set()
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def plain_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A module with simple globals (one secret) whose function raises."""
    (tmp_path / "paste_exc_rg_module.py").write_text(
        "API_SECRET = 'global-secret-' + 'value'\n"
        "PLAIN_SETTING = 'plain-global'\n"
        "class Settings:\n"
        "    def __init__(self):\n"
        "        self.host = 'db.example'\n"
        "        self.password = 'object-' + 'held-pw'\n"
        "        self.url = 'postgres://app:' + 'obj-url-pw' + '@db/x'\n"
        "SETTINGS = Settings()\n"
        "def fail():\n"
        "    raise LookupError('from a plain module')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import paste_exc_rg_module  # type: ignore[import-not-found]

    monkeypatch.delitem(sys.modules, "paste_exc_rg_module")
    return paste_exc_rg_module


def _raise_in(module: Any) -> BaseException:
    try:
        module.fail()
    except LookupError as exc:
        return exc
    raise AssertionError("unreachable")


@pytest.fixture
def dispatcher() -> Iterator[Dispatcher]:
    fallback = io.StringIO()
    dispatcher = Dispatcher(fallback=fallback)
    previous = reset_dispatcher(dispatcher)
    yield dispatcher
    dispatcher.shutdown(timeout=10)
    reset_dispatcher(previous)


def failing_checkout() -> None:
    password = "hun" + "ter2"  # redacted on the way (not in the source)
    quantity = 3
    raise ZeroDivisionError(f"{quantity} items / 0 {len(password)}")


def _raise() -> BaseException:
    try:
        failing_checkout()
    except ZeroDivisionError as exc:
        return exc
    raise AssertionError("unreachable")


def test_report_arrives_redacted_without_environment_or_globals(
    receiver: Receiver, dispatcher: Dispatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, "env-secret-value")
    reporter = RaygunReporter("test-api-key", **receiver.options())
    error = _raise()
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/cart",
        "QUERY_STRING": "a=1",
        "HTTP_HOST": "shop.example",
        "HTTP_COOKIE": "sessionid=s3cr3t",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b"must not be read"),
        "CONTENT_LENGTH": "16",
    }
    extra = {"tags": ["web"], "userCustomData": {"cart": 3}, "user_override": "alice"}
    # One catch, holding the request as the respond stage reads it (report_exception and
    # the middleware do this): the report the reporter got is asked for again below.
    with catch(error, request=request_info(environ), source=environ):
        reporter.report_exception(environ, error, "checkout failed", extra)
        exc_data = collected_data(error)
    assert dispatcher.flush(timeout=15)
    headers, entry = receiver.entries.get(timeout=5)

    assert headers["X-ApiKey"] == "test-api-key"
    details = entry["details"]
    error_json = details["error"]
    assert error_json["className"] == "ZeroDivisionError"
    assert "3 items / 0" in error_json["message"]
    frame = error_json["stackTrace"][-1]
    assert frame["methodName"] == "failing_checkout" or frame["className"] == "failing_checkout"
    assert frame["localVariables"]["password"] == REDACTED
    assert frame["localVariables"]["quantity"] == "3"
    assert details["environment"]["environmentVariables"] is None

    assert details["tags"] == ["web", f"paste_exc:{exc_data.identification_code}"]
    assert details["userCustomData"]["cart"] == 3
    assert details["userCustomData"]["paste_exc"] == {
        "message": "checkout failed",
        "identification_code": exc_data.identification_code,
        "occurrence_id": exc_data.occurrence_id,
        "time": utc_time(exc_data),
        "request_method": None,  # reported outside the middleware: no supplement
        "request_url": None,
    }
    assert details["user"] == "alice"
    request = details["request"]
    assert request["httpMethod"] == "GET"
    assert request["url"] == "/cart"
    assert request["headers"]["Cookie"] == REDACTED
    assert environ["wsgi.input"].read() == b"must not be read"  # type: ignore[attr-defined]

    text = json.dumps(entry)
    for secret in ("hunter2", "s3cr3t", "env-secret-value"):
        assert secret not in text
    assert dispatcher.stats().sent == 1


def test_globals_are_not_sent_by_default(
    receiver: Receiver, dispatcher: Dispatcher, plain_module: Any
) -> None:
    reporter = RaygunReporter("k", **receiver.options())
    reporter.report_exception(None, _raise_in(plain_module), "m", {})
    assert dispatcher.flush(timeout=15)
    _, entry = receiver.entries.get(timeout=5)
    assert entry["details"]["error"]["globalVariables"] is None
    assert "plain-global" not in json.dumps(entry)


def test_environment_and_globals_only_when_asked(
    receiver: Receiver, dispatcher: Dispatcher, monkeypatch: pytest.MonkeyPatch, plain_module: Any
) -> None:
    monkeypatch.setenv(SECRET_ENV, "env-value")
    monkeypatch.setenv("PASTE_EXC_TEST_PLAIN", "plain-value")
    reporter = RaygunReporter(
        "k", transmitEnvironmentVariables=True, transmit_global_variables=True, **receiver.options()
    )
    reporter.report_exception(None, _raise_in(plain_module), "m", {})
    assert dispatcher.flush(timeout=15)
    _, entry = receiver.entries.get(timeout=5)
    env = entry["details"]["environment"]["environmentVariables"]
    assert env["PASTE_EXC_TEST_PLAIN"] == "plain-value"
    assert env[SECRET_ENV] == REDACTED
    global_vars = entry["details"]["error"]["globalVariables"]
    assert global_vars["PLAIN_SETTING"] == "plain-global"
    assert global_vars["API_SECRET"] == REDACTED
    # An object is sent as raygun4py encodes it, its attributes redacted.
    assert global_vars["SETTINGS"]["host"] == "db.example"
    assert global_vars["SETTINGS"]["password"] == REDACTED
    assert global_vars["SETTINGS"]["url"] == f"postgres://app:{REDACTED}@db/x"
    assert sdk_leaks.find_secrets(entry, ["object-held-pw", "obj-url-pw", "env-value"]) == []


def test_sending_never_blocks_the_caller(receiver: Receiver, dispatcher: Dispatcher) -> None:
    receiver.release.clear()  # the receiver holds its answer
    reporter = RaygunReporter("k", **receiver.options())
    reporter.report_exception(None, _raise(), "m", {})
    # report_exception returned while Raygun has not answered yet:
    assert receiver.received.wait(15)
    stats = dispatcher.stats()
    assert stats.pending == 1
    assert stats.sent == 0
    receiver.release.set()
    assert dispatcher.flush(timeout=15)
    assert dispatcher.stats().sent == 1


def test_failed_delivery_goes_to_the_fallback_stream(
    receiver: Receiver, dispatcher: Dispatcher
) -> None:
    receiver.status = 500
    stream = io.StringIO()
    reporter = RaygunReporter("k", **receiver.options())
    reporter.report_exception({"wsgi.errors": stream}, _raise(), "checkout failed", {})
    assert dispatcher.flush(timeout=15)
    assert dispatcher.stats().failed == 1
    written = stream.getvalue()
    assert "Raygun answered 500" in written
    assert "checkout failed" in written
    assert "ZeroDivisionError" in written


before_send_seen: list[dict[str, Any]] = []


def keep_and_mark(details: dict[str, Any]) -> dict[str, Any]:
    before_send_seen.append(details)
    details["tags"] = [*details.get("tags", []), "marked"]
    return details


def test_options_by_reference_through_build_reporters(
    receiver: Receiver, dispatcher: Dispatcher
) -> None:
    before_send_seen.clear()
    built = build_reporters(
        {
            "rg": {
                "backend": "raygun",
                "api_key": "k",
                "before_send_callback": f"{__name__}:keep_and_mark",
                "ignored_exceptions": ["builtins:KeyError"],
                **receiver.options(),
            }
        }
    )
    reporter = built["rg"]
    reporter.report_exception(None, KeyError("ignored"), "m", {})
    reporter.report_exception(None, _raise(), "m", {})
    assert dispatcher.flush(timeout=15)
    _, entry = receiver.entries.get(timeout=5)
    assert receiver.entries.empty()
    assert entry["details"]["error"]["className"] == "ZeroDivisionError"
    assert "marked" in entry["details"]["tags"]
    assert len(before_send_seen) == 1


@pytest.mark.parametrize(
    ("options", "option", "fragment"),
    [
        ({"api_key": "k", "endpoint": "x"}, "endpoint", "not a RaygunSender option"),
        ({"api_key": ""}, "api_key", "non-empty string"),
        ({"api_key": "k", "http_timeout": "soon"}, "http_timeout", "number of seconds"),
        ({"api_key": "k", "before_send_callback": "os:sep"}, "before_send_callback", "callable"),
    ],
)
def test_bad_options_fail_at_configuration(
    options: dict[str, Any], option: str, fragment: str
) -> None:
    with pytest.raises(ConfigError, match=fragment) as info:
        build_reporters({"rg": {"backend": "raygun", **options}})
    assert info.value.option == f"reporters.rg.{option}"


def test_missing_sdk_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "raygun4py", None)
    monkeypatch.setitem(sys.modules, "raygun4py.raygunprovider", None)
    with pytest.raises(ConfigError, match=r"pip install 'paste_exc\[raygun\]'"):
        build_reporters({"rg": {"backend": "raygun", "api_key": "k"}})


def test_environment_is_untouched() -> None:
    assert SECRET_ENV not in os.environ


# -- no secret leaves: the whole payload through the shared redactor -----------


class SecretExtras(ExtrasProvider):
    """Extras that carry secrets in every field Raygun sends."""

    def get_extras(self, ctx: Any, reporter: Any) -> dict[str, Any] | None:
        return {
            "tags": [f"db:{sdk_leaks.DB_URL}", "web"],
            "userCustomData": {
                "connection": sdk_leaks.DB_URL,
                "api_key": sdk_leaks.API_KEY,
                "nested": {"credentials": {"user": "app", "pw": sdk_leaks.LOCAL_PASSWORD}},
            },
            "user_override": {"identifier": "alice", "password": sdk_leaks.LOCAL_PASSWORD},
            "extra_environment_data": {"DATABASE_URL": sdk_leaks.DB_URL},
        }


def test_middleware_report_carries_no_secret_anywhere(
    receiver: Receiver, dispatcher: Dispatcher
) -> None:
    import webtest

    from paste_exc.errormiddleware import ErrorMiddleware

    app = ErrorMiddleware(
        sdk_leaks.application,
        debug=False,
        reporters={"rg": {"backend": "raygun", "api_key": "k", **receiver.options()}},
        extras_providers=[SecretExtras()],
    )
    webtest.TestApp(sdk_leaks.catching(app)).get(
        f"/checkout?page=2&token={sdk_leaks.QUERY_TOKEN}",
        headers={
            "Authorization": f"Bearer {sdk_leaks.BEARER}",
            "Cookie": f"sessionid={sdk_leaks.COOKIE}",
            "X-Api-Key": sdk_leaks.API_KEY,
            "Referer": f"http://shop.example/login?token={sdk_leaks.QUERY_TOKEN}",
        },
        status=500,
        expect_errors=True,
    )
    assert dispatcher.flush(timeout=15)
    _, entry = receiver.entries.get(timeout=5)

    assert sdk_leaks.find_secrets(entry) == []
    assert sdk_leaks.find_secrets(receiver.bodies) == []
    error = entry["details"]["error"]
    assert error["message"] == f"RuntimeError: checkout failed: Authorization: Bearer {REDACTED}"
    inner = error["innerError"]
    assert inner["message"].startswith(
        f"ConnectionError: could not connect to postgres://app:{REDACTED}@db/x"
    )
    (frame,) = [f for f in error["stackTrace"] if f["className"] == "checkout"]
    local = frame["localVariables"]
    assert local["password"] == REDACTED
    assert local["api_key"] == REDACTED
    assert local["tokens"] == REDACTED
    assert local["dsn"] == f"postgres://app:{REDACTED}@db/x"
    assert "Bearer" not in local["headers"] or REDACTED in local["headers"]
    assert local["plain"] == "nothing to hide here"
    (inner_frame,) = [f for f in inner["stackTrace"] if f["className"] == "connect"]
    assert inner_frame["localVariables"]["password"] == REDACTED
    request = entry["details"]["request"]
    assert request["queryString"] == {"page": "2", "token": REDACTED}
    assert request["headers"]["Authorization"] == REDACTED
    assert request["headers"]["Cookie"] == REDACTED
    assert request["headers"]["X-Api-Key"] == REDACTED
    assert request["headers"]["Referer"] == f"http://shop.example/login?token={REDACTED}"
    details = entry["details"]
    assert f"db:postgres://app:{REDACTED}@db/x" in details["tags"]
    custom = details["userCustomData"]
    assert custom["connection"] == f"postgres://app:{REDACTED}@db/x"
    assert custom["api_key"] == REDACTED
    assert custom["nested"]["credentials"] == REDACTED
    assert details["user"] == {"identifier": "alice", "password": REDACTED}
    assert details["environment"]["DATABASE_URL"] == f"postgres://app:{REDACTED}@db/x"


class RequestExtras(ExtrasProvider):
    """A request described by the application, body and all."""

    def get_extras(self, ctx: Any, reporter: Any) -> dict[str, Any] | None:
        return {
            "httpRequest": {
                "httpMethod": "POST",
                "url": f"/login?token={sdk_leaks.QUERY_TOKEN}",
                "queryString": {"token": sdk_leaks.QUERY_TOKEN, "next": "/home"},
                "headers": {"Authorization": f"Bearer {sdk_leaks.BEARER}"},
                "form": {"user": "ann", "password": sdk_leaks.FORM_PASSWORD},
                "rawData": f"user=ann&password={sdk_leaks.FORM_PASSWORD}",
            }
        }


def test_report_exception_redacts_group_message_form_and_raw_body(
    receiver: Receiver, dispatcher: Dispatcher
) -> None:
    reporter = RaygunReporter("k", **receiver.options())
    environ = {ENVIRON_KEY: ReportingConfig({"rg": reporter}, [RequestExtras()])}
    try:
        sdk_leaks.grouped()
    except ExceptionGroup as exc:
        report_exception(environ, f"import failed on {sdk_leaks.DB_URL}", exc, logger=False)
    assert dispatcher.flush(timeout=15)
    _, entry = receiver.entries.get(timeout=5)

    assert sdk_leaks.find_secrets(entry) == []
    details = entry["details"]
    assert details["error"]["message"].startswith(
        f"ExceptionGroup: two failures, one on postgres://app:{REDACTED}@db/x"
    )
    assert details["userCustomData"]["paste_exc"]["message"] == (
        f"import failed on postgres://app:{REDACTED}@db/x"
    )
    request = details["request"]
    assert request["url"] == f"/login?token={REDACTED}"
    assert request["queryString"] == {"token": REDACTED, "next": "/home"}
    assert request["headers"] == {"Authorization": REDACTED}
    assert request["form"] == {"user": "ann", "password": REDACTED}
    assert request["rawData"] == f"user=ann&password={REDACTED}"


callback_saw: list[str] = []


def callback_adds_secrets(details: dict[str, Any]) -> dict[str, Any]:
    """A user's callback: it sees the payload redacted, and adds secrets of its own."""
    callback_saw.append(json.dumps({k: v for k, v in details.items() if k != "error"}))
    callback_saw.append(details["error"].message)
    details["userCustomData"]["added"] = f"postgres://app:{sdk_leaks.URL_PASSWORD}@h/d"
    details["userCustomData"]["session_token"] = sdk_leaks.BEARER
    details["tags"].append(f"Bearer {sdk_leaks.BEARER}")
    return details


def test_user_callback_sees_redacted_data_and_what_it_adds_is_redacted(
    receiver: Receiver, dispatcher: Dispatcher
) -> None:
    callback_saw.clear()
    reporter = RaygunReporter(
        "k", before_send_callback=f"{__name__}:callback_adds_secrets", **receiver.options()
    )
    try:
        sdk_leaks.checkout({})
    except RuntimeError as exc:
        reporter.report_exception(None, exc, f"failed on {sdk_leaks.DB_URL}", {})
    assert dispatcher.flush(timeout=15)
    _, entry = receiver.entries.get(timeout=5)
    assert len(callback_saw) == 2
    assert sdk_leaks.find_secrets(callback_saw) == []
    assert sdk_leaks.find_secrets(entry) == []
    custom = entry["details"]["userCustomData"]
    assert custom["added"] == f"postgres://app:{REDACTED}@h/d"
    assert custom["session_token"] == REDACTED
    assert f"Bearer {REDACTED}" in entry["details"]["tags"]


class BrokenRedactor(Redactor):
    def redact_text(self, text: str) -> str:
        raise RuntimeError("redactor broke")


def test_a_payload_that_cannot_be_redacted_is_not_sent(
    receiver: Receiver, dispatcher: Dispatcher
) -> None:
    stream = io.StringIO()
    reporter = RaygunReporter("k", redactor=BrokenRedactor(), **receiver.options())
    try:
        sdk_leaks.checkout({})
    except RuntimeError as exc:
        reporter.report_exception({"wsgi.errors": stream}, exc, "checkout failed", {})
    assert dispatcher.flush(timeout=15)
    assert receiver.entries.empty()
    assert dispatcher.stats().failed == 1
    written = stream.getvalue()
    assert "could not redact the Raygun payload" in written
    assert "checkout failed" in written  # our own text report instead, redacted by the collector
    assert f"Bearer {REDACTED}" in written
    assert sdk_leaks.BEARER not in written


def test_an_unreachable_raygun_never_breaks_the_request(dispatcher: Dispatcher) -> None:
    import socket

    import webtest

    from paste_exc.errormiddleware import ErrorMiddleware

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = ErrorMiddleware(
        sdk_leaks.application,
        debug=False,
        reporters={
            "rg": {
                "backend": "raygun",
                "api_key": "k",
                "endpointprotocol": "http://",
                "endpointhost": f"127.0.0.1:{port}",
                "http_timeout": 2,
            }
        },
    )
    response = webtest.TestApp(sdk_leaks.catching(app)).get(
        "/checkout", status=500, expect_errors=True
    )
    assert response.content_type == "text/html"  # the error page, as without Raygun
    assert dispatcher.flush(timeout=15)
    assert dispatcher.stats().failed == 1  # counted, and written to the request's wsgi.errors
