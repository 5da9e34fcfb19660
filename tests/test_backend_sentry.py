"""paste_exc.backends.sentry with the real sentry_sdk, sending to a receiver on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import queue
import sys
import threading
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sentry_sdk.scrubber import EventScrubber

from paste_exc._records import utc_time
from paste_exc.api import ExtrasProvider
from paste_exc.backends.sentry import (
    TAG_CODE,
    TAG_METHOD,
    TAG_OCCURRENCE,
    TAG_TIME,
    TAG_URL,
    SentryReporter,
)
from paste_exc.collector import collected_data
from paste_exc.errors import ConfigError
from paste_exc.redact import REDACTED
from paste_exc.reporting import ENVIRON_KEY, ReportingConfig, build_reporters, report_exception


class Receiver:
    """A Sentry ingest endpoint: decodes each envelope into its items."""

    def __init__(self) -> None:
        self.items: queue.Queue[tuple[dict[str, Any], Any]] = queue.Queue()
        self.paths: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                encoding = self.headers.get("Content-Encoding", "")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "br":
                    import brotli  # type: ignore[import-not-found]

                    body = brotli.decompress(body)
                receiver.paths.append(self.path)
                receiver.parse(body)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def parse(self, body: bytes) -> None:
        pos = body.index(b"\n") + 1  # skip the envelope header
        while pos < len(body):
            end = body.find(b"\n", pos)
            end = len(body) if end == -1 else end
            line = body[pos:end]
            pos = end + 1
            if not line.strip():
                continue
            header = json.loads(line)
            length = header.get("length")
            if length is None:
                end = body.find(b"\n", pos)
                end = len(body) if end == -1 else end
            else:
                end = pos + length
            payload = body[pos:end]
            pos = end + 1
            self.items.put((header, json.loads(payload)))

    def event(self, timeout: float = 10.0) -> dict[str, Any]:
        while True:
            header, payload = self.items.get(timeout=timeout)
            if header.get("type") == "event":
                return payload  # type: ignore[no-any-return]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def reporter(receiver: Receiver) -> Iterator[SentryReporter]:
    reporter = SentryReporter(
        dsn=f"http://public@127.0.0.1:{receiver.port}/1",
        default_integrations=False,
        # Sentry's own scrubber off, so the test sees what paste_exc's redaction did.
        event_scrubber=EventScrubber(denylist=[], pii_denylist=[]),
        release="test-1.0",
    )
    yield reporter
    reporter.close(timeout=5)


def failing_view(environ: Mapping[str, Any]) -> None:
    password = "hun" + "ter2"  # a local our redaction must hide (not in the source)
    harmless = "visible value"
    raise RuntimeError(f"boom for {environ['PATH_INFO']} {len(password)} {harmless}")


class RequestExtras(ExtrasProvider):
    def get_extras(self, ctx: Any, reporter: Any) -> dict[str, Any] | None:
        if not isinstance(reporter, SentryReporter):
            return None
        return {
            "tags": {"team": "payments"},
            "user": {"username": ctx["REMOTE_USER"]},
            "extras": {"api_token": "tok-123", "cart_size": 3},
        }


def test_event_arrives_with_frames_tags_extras_and_redaction(
    receiver: Receiver, reporter: SentryReporter
) -> None:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/checkout",
        "QUERY_STRING": "step=2",
        "SERVER_NAME": "shop.example",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "HTTP_HOST": "shop.example",
        "HTTP_COOKIE": "sessionid=s3cr3t; theme=dark",
        "HTTP_USER_AGENT": "pytest",
        "REMOTE_USER": "alice",
    }
    environ[ENVIRON_KEY] = ReportingConfig({"sentry": reporter}, [RequestExtras()])
    try:
        failing_view(environ)
    except RuntimeError as exc:
        error = exc
    report_exception(environ, "checkout failed", error, logger=False)
    reporter.flush(timeout=10)
    event = receiver.event()

    assert receiver.paths == ["/api/1/envelope/"]
    (value,) = event["exception"]["values"]
    assert value["type"] == "RuntimeError"
    assert value["value"].startswith("boom for /checkout")
    frames = value["stacktrace"]["frames"]
    assert frames[-1]["function"] == "failing_view"
    assert frames[-1]["vars"]["password"] == REDACTED
    assert "visible value" in frames[-1]["vars"]["harmless"]

    exc_data = collected_data(error)
    assert event["tags"][TAG_CODE] == exc_data.identification_code
    assert event["tags"][TAG_OCCURRENCE] == exc_data.occurrence_id
    assert event["tags"][TAG_TIME] == utc_time(exc_data)
    assert TAG_URL not in event["tags"]  # reported outside the middleware: no request
    assert event["contexts"]["paste_exc"]["time"] == utc_time(exc_data)
    assert event["tags"]["team"] == "payments"
    assert event["contexts"]["paste_exc"]["message"] == "checkout failed"
    assert "checkout failed" in json.dumps(event.get("message") or event.get("logentry"))
    assert event["user"] == {"username": "alice"}
    assert event["extra"]["cart_size"] == 3
    assert event["extra"]["api_token"] == REDACTED
    assert event["release"] == "test-1.0"
    assert event["environment"] == ("development" if __debug__ else "production")

    request = event["request"]
    assert request["method"] == "POST"
    assert request["url"] == "http://shop.example/checkout"
    assert request["cookies"] == {"sessionid": REDACTED, "theme": REDACTED}
    assert request["headers"]["Cookie"] == REDACTED
    assert request["headers"]["User-Agent"] == "pytest"
    assert "s3cr3t" not in json.dumps(event)
    text = json.dumps(event)
    assert "hunter2" not in text


hooked_events: list[dict[str, Any]] = []


def user_before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Configured by reference; sees the event after paste_exc's redaction."""
    hooked_events.append(event)
    event.setdefault("tags", {})["hooked"] = "yes"
    return event


def drop_everything(event: dict[str, Any], hint: dict[str, Any]) -> None:
    return None


def test_user_before_send_by_reference_runs_after_redaction(receiver: Receiver) -> None:
    hooked_events.clear()
    built = build_reporters(
        {
            "errors": {
                "backend": "sentry",
                "dsn": f"http://public@127.0.0.1:{receiver.port}/1",
                "default_integrations": False,
                "before_send": f"{__name__}:user_before_send",
                "integrations": [
                    {
                        "type": "sentry_sdk.integrations.dedupe:DedupeIntegration",
                        "args": [],
                        "kwargs": {},
                    },
                    "sentry_sdk.integrations.modules:ModulesIntegration",
                ],
            }
        }
    )
    reporter = built["errors"]
    assert isinstance(reporter, SentryReporter)
    try:
        try:
            failing_view({"PATH_INFO": "/x"})
        except RuntimeError as exc:
            reporter.report_exception(None, exc, "no request", {})
        reporter.flush(timeout=10)
        event = receiver.event()
    finally:
        reporter.close(timeout=5)
    assert event["tags"]["hooked"] == "yes"
    (seen,) = hooked_events
    assert seen["exception"]["values"][0]["stacktrace"]["frames"][-1]["vars"]["password"] == (
        REDACTED
    )
    assert "request" not in event
    assert set(reporter.client.integrations) >= {"dedupe", "modules"}


def test_user_before_send_can_drop_the_event(receiver: Receiver) -> None:
    reporter = SentryReporter(
        dsn=f"http://public@127.0.0.1:{receiver.port}/1",
        default_integrations=False,
        before_send=drop_everything,
    )
    reporter.report_exception(None, ValueError("dropped"), "m", {})
    reporter.close(timeout=5)
    items = []
    while not receiver.items.empty():
        items.append(receiver.items.get())
    assert "event" not in [header.get("type") for header, _ in items]
    # The SDK's own client report says why: our chained hook dropped it.
    reasons = [
        entry["reason"]
        for header, payload in items
        if header.get("type") == "client_report"
        for entry in payload.get("discarded_events", ())
    ]
    assert "before_send" in reasons


def test_unknown_extras_are_ignored_with_a_warning(
    receiver: Receiver, reporter: SentryReporter, caplog: pytest.LogCaptureFixture
) -> None:
    reporter.report_exception(None, ValueError("x"), "m", {"colour": "red", "level": "warning"})
    reporter.flush(timeout=10)
    assert receiver.event()["level"] == "warning"
    assert any("ignoring the extra 'colour'" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("options", "option", "fragment"),
    [
        ({"dsn": "http://public@127.0.0.1:1/1", "no_such_option": 1}, "no_such_option", "not an"),
        ({"dsn": "not a dsn"}, "dsn", "not a valid Sentry DSN"),
        ({"before_send": "os:no_such_hook"}, "before_send", "has no attribute"),
        ({"before_send": "os:sep"}, "before_send", "is not callable"),
        ({"integrations": ["os.path:join"]}, "integrations[0]", "not a Sentry integration"),
        ({"integrations": [{"kind": "x"}]}, "integrations[0]", "expected"),
    ],
)
def test_bad_options_fail_at_configuration(
    options: dict[str, Any], option: str, fragment: str
) -> None:
    with pytest.raises(ConfigError, match=fragment) as info:
        build_reporters({"s": {"backend": "sentry", "default_integrations": False, **options}})
    assert info.value.option == f"reporters.s.{option}"


def test_missing_sdk_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)
    with pytest.raises(ConfigError, match=r"pip install 'paste_exc\[sentry\]'") as info:
        build_reporters({"s": {"backend": "sentry", "dsn": "http://k@127.0.0.1:1/1"}})
    assert info.value.option == "reporters.s.backend"


seen_crumbs: list[dict[str, Any]] = []


def user_before_breadcrumb(crumb: dict[str, Any], hint: Any) -> dict[str, Any] | None:
    seen_crumbs.append(dict(crumb, data=dict(crumb.get("data") or {})))
    if crumb.get("category") == "noise":
        return None
    crumb.setdefault("data", {})["hooked"] = "yes"
    return crumb


def test_user_before_breadcrumb_by_reference_runs_after_redaction(receiver: Receiver) -> None:
    import sentry_sdk

    seen_crumbs.clear()
    secret = "s3c" + "r3t"  # not in the source lines the event carries
    reporter = SentryReporter(
        dsn=f"http://public@127.0.0.1:{receiver.port}/1",
        default_integrations=False,
        event_scrubber=EventScrubber(denylist=[], pii_denylist=[]),
        before_breadcrumb=f"{__name__}:user_before_breadcrumb",
    )
    try:
        with sentry_sdk.new_scope() as scope:
            scope.set_client(reporter.client)
            scope.add_breadcrumb(
                category="auth", message="login", data={"password": secret, "user": "ann"}
            )
            scope.add_breadcrumb(category="noise", message="dropped by the user's hook")
            try:
                failing_view({"PATH_INFO": "/crumbs"})
            except RuntimeError as exc:
                reporter.report_exception(None, exc, "with breadcrumbs", {})
        reporter.flush(timeout=10)
        event = receiver.event()
    finally:
        reporter.close(timeout=5)
    assert [crumb["category"] for crumb in seen_crumbs] == ["auth", "noise"]
    assert seen_crumbs[0]["data"]["password"] == REDACTED  # ours ran first
    (crumb,) = event["breadcrumbs"]["values"]
    assert crumb["data"] == {"password": REDACTED, "user": "ann", "hooked": "yes"}
    assert secret not in json.dumps(event)


def test_tags_carry_the_header_line_fields_of_a_request(
    receiver: Receiver, reporter: SentryReporter
) -> None:
    import io
    from wsgiref.util import setup_testing_defaults

    from paste_exc.errormiddleware import ErrorMiddleware
    from paste_exc.reporter import parse_log_records

    def app(environ: Any, start_response: Any) -> list[bytes]:
        raise RuntimeError("in a request")

    errors = io.StringIO()
    environ: dict[str, Any] = {
        "wsgi.errors": errors,
        "REQUEST_METHOD": "DELETE",
        "PATH_INFO": "/cart/7",
        "QUERY_STRING": "password=hunter2",
    }
    setup_testing_defaults(environ)
    middleware = ErrorMiddleware(
        app, show_exceptions_in_wsgi_errors=True, reporters={"sentry": reporter}
    )
    b"".join(middleware(environ, lambda status, headers, *exc: None))
    reporter.flush(timeout=10)
    event = receiver.event()
    (record,) = parse_log_records(errors.getvalue())
    tags = event["tags"]
    assert tags[TAG_OCCURRENCE] == record.occurrence_id
    assert tags[TAG_CODE] == record.identification_code
    assert tags[TAG_TIME] == record.time
    assert tags[TAG_METHOD] == "DELETE" == record.request_method
    assert tags[TAG_URL] == record.request_url
    assert tags[TAG_URL].startswith("http://127.0.0.1/cart/7?password=")
    assert "hunter2" not in json.dumps(event["tags"])
    assert event["contexts"]["paste_exc"]["request_url"] == tags[TAG_URL]
