"""paste_exc.report.sdk.sentry with the real sentry_sdk, sending to a receiver on 127.0.0.1."""

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
import sdk_leaks
from counting_environ import counting_environ, reread
from sentry_sdk.scrubber import EventScrubber

from paste_exc.api import ExtrasProvider
from paste_exc.collector import collected_data
from paste_exc.errors import ConfigError
from paste_exc.format.records import utc_time
from paste_exc.model.occurrence import catch
from paste_exc.redact import REDACTED, Redactor
from paste_exc.report.building import build_reporters
from paste_exc.report.dispatch import ENVIRON_KEY, ReportingConfig, get_process_config
from paste_exc.report.sdk.sentry import (
    TAG_CODE,
    TAG_METHOD,
    TAG_OCCURRENCE,
    TAG_TIME,
    TAG_URL,
    SentryReporter,
)
from paste_exc.respond.reporting import report_exception


class Receiver:
    """A Sentry ingest endpoint: decodes each envelope into its items."""

    def __init__(self) -> None:
        self.items: queue.Queue[tuple[dict[str, Any], Any]] = queue.Queue()
        self.paths: list[str] = []
        #: Every request body, decompressed and decoded (the envelope headers too).
        self.bodies: list[str] = []
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
                receiver.bodies.append(body.decode("utf-8", "replace"))
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
    with catch(error):  # one catch: the report the reporter got, asked for again below
        report_exception(environ, "checkout failed", error, logger=False)
        exc_data = collected_data(error)
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


# -- no secret leaves: the whole payload through the shared redactor -----------


class SecretExtras(ExtrasProvider):
    """Extras that carry secrets in every field Sentry sends."""

    def get_extras(self, ctx: Any, reporter: Any) -> dict[str, Any] | None:
        return {
            "tags": {"db": sdk_leaks.DB_URL, "api_key": sdk_leaks.API_KEY, "team": "payments"},
            "extras": {"connection": sdk_leaks.DB_URL, "auth_header": f"Bearer {sdk_leaks.BEARER}"},
            "contexts": {"database": {"url": sdk_leaks.DB_URL, "password": sdk_leaks.API_KEY}},
            "user": {"username": "alice", "password": sdk_leaks.LOCAL_PASSWORD},
        }


def add_request_body(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """What a framework integration adds: the form body, with a password."""
    event.setdefault("request", {})["data"] = {
        "password": sdk_leaks.FORM_PASSWORD,
        "comment": f"see {sdk_leaks.DB_URL}",
    }
    return event


def unscrubbed(receiver: Receiver, **options: Any) -> dict[str, Any]:
    """Reporter options with Sentry's own scrubber off: what arrives is our redaction alone."""
    return {
        "backend": "sentry",
        "dsn": f"http://public@127.0.0.1:{receiver.port}/1",
        "default_integrations": False,
        "event_scrubber": EventScrubber(denylist=[], pii_denylist=[]),
        **options,
    }


@pytest.fixture
def sentry_isolated() -> Iterator[None]:
    """Breadcrumbs and processors stay in this test; the global client is reset after it."""
    import sentry_sdk

    with sentry_sdk.isolation_scope():
        yield
    sentry_sdk.get_global_scope().set_client(None)


def frame_vars(value: dict[str, Any], function: str) -> dict[str, Any]:
    (frame,) = [f for f in value["stacktrace"]["frames"] if f["function"] == function]
    return frame["vars"]  # type: ignore[no-any-return]


def test_middleware_event_carries_no_secret_anywhere(
    receiver: Receiver, sentry_isolated: None
) -> None:
    import logging

    import sentry_sdk
    import webtest
    from sentry_sdk.integrations.logging import LoggingIntegration

    from paste_exc.errormiddleware import ErrorMiddleware

    app = ErrorMiddleware(
        sdk_leaks.application,
        debug=False,
        reporters={
            "s": unscrubbed(
                receiver,
                integrations=[LoggingIntegration(level=logging.INFO, event_level=None)],
                global_client=True,
            )
        },
        extras_providers=[SecretExtras()],
    )
    sentry_sdk.get_isolation_scope().add_event_processor(add_request_body)
    response = webtest.TestApp(sdk_leaks.catching(app)).get(
        f"/checkout?page=2&token={sdk_leaks.QUERY_TOKEN}",
        headers={
            "Authorization": f"Bearer {sdk_leaks.BEARER}",
            "Cookie": f"sessionid={sdk_leaks.COOKIE}; theme=dark",
            "X-Api-Key": sdk_leaks.API_KEY,
            "Referer": f"http://shop.example/login?token={sdk_leaks.QUERY_TOKEN}",
        },
        extra_environ={"REMOTE_ADDR": "10.1.2.3"},
        status=500,
        expect_errors=True,
    )
    assert "Traceback" not in response.text
    reporter = app.reporting.reporters["s"]
    assert isinstance(reporter, SentryReporter)
    reporter.flush(timeout=10)
    event = receiver.event()
    reporter.close(timeout=5)

    assert sdk_leaks.find_secrets(event) == []
    assert sdk_leaks.find_secrets(receiver.bodies) == []
    # The chain: the outer RuntimeError and its cause, with their notes.
    values = {value["type"]: value for value in event["exception"]["values"]}
    assert set(values) >= {"RuntimeError", "ConnectionError"}
    assert values["ConnectionError"]["value"].startswith(
        f"could not connect to postgres://app:{REDACTED}@db/x"
    )
    assert f"dsn was postgres://app:{REDACTED}@db/x" in values["ConnectionError"]["value"]
    assert f"Bearer {REDACTED}" in values["RuntimeError"]["value"]
    assert f"retry with password={REDACTED}" in values["RuntimeError"]["value"]
    local = frame_vars(values["RuntimeError"], "checkout")
    assert local["password"] == REDACTED
    assert local["api_key"] == REDACTED
    assert local["tokens"] == REDACTED
    assert REDACTED in local["dsn"]
    assert "postgres://app:" in local["dsn"]
    assert local["headers"]["Authorization"] == REDACTED
    assert "nothing to hide here" in local["plain"]
    assert frame_vars(values["ConnectionError"], "connect")["password"] == REDACTED
    # The logging breadcrumb keeps its text, not its secrets.
    (crumb,) = [c for c in event["breadcrumbs"]["values"] if c.get("category") == "shop.checkout"]
    assert (
        crumb["message"] == f"connecting to postgres://app:{REDACTED}@db/x with Bearer {REDACTED}"
    )
    request = event["request"]
    assert request["url"].startswith("http://localhost")
    assert request["url"].endswith("/checkout")  # the query string apart
    assert request["query_string"] == f"page=2&token={REDACTED}"
    assert request["headers"]["Authorization"] == REDACTED
    assert request["headers"]["X-Api-Key"] == REDACTED
    assert request["headers"]["Cookie"] == REDACTED
    assert request["cookies"] == {"sessionid": REDACTED, "theme": REDACTED}
    assert request["data"] == {
        "password": REDACTED,
        "comment": f"see postgres://app:{REDACTED}@db/x",
    }
    assert event["tags"]["db"] == f"postgres://app:{REDACTED}@db/x"
    assert event["tags"]["api_key"] == REDACTED
    assert event["tags"]["team"] == "payments"
    assert event["extra"]["auth_header"] == REDACTED
    assert event["extra"]["connection"] == f"postgres://app:{REDACTED}@db/x"
    assert event["contexts"]["database"] == {
        "url": f"postgres://app:{REDACTED}@db/x",
        "password": REDACTED,
    }
    assert event["user"] == {"username": "alice", "password": REDACTED}


def test_report_exception_redacts_message_and_every_group_member(
    receiver: Receiver, sentry_isolated: None
) -> None:
    from paste_exc.process import configure_reporters
    from paste_exc.report.dispatch import set_process_config

    previous = get_process_config()
    config = configure_reporters({"s": unscrubbed(receiver)}, install_default_handler=False)
    try:
        try:
            sdk_leaks.grouped()
        except ExceptionGroup as exc:
            report_exception(None, f"import failed on {sdk_leaks.DB_URL}", exc, logger=False)
        reporter = config.reporters["s"]
        assert isinstance(reporter, SentryReporter)
        reporter.flush(timeout=10)
        event = receiver.event()
        reporter.close(timeout=5)
    finally:
        set_process_config(previous)

    assert sdk_leaks.find_secrets(event) == []
    assert sdk_leaks.find_secrets(receiver.bodies) == []
    values = event["exception"]["values"]
    assert len(values) == 3  # the group and its two members
    texts = sorted(value["value"] for value in values)
    assert f"bad url postgres://app:{REDACTED}@db/x\ntoken was Bearer {REDACTED}" in texts
    assert any(
        text.startswith("two failures, one on postgres://app:[REDACTED]@db/x") for text in texts
    )
    assert any(f"password={REDACTED}" in text for text in texts)
    message = json.dumps([event.get("message"), event.get("logentry")])
    assert f"import failed on postgres://app:{REDACTED}@db/x" in message
    assert (
        event["contexts"]["paste_exc"]["message"]
        == f"import failed on postgres://app:{REDACTED}@db/x"
    )


def adds_secrets(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """A user's before_send: it sees the event redacted, and adds secrets of its own."""
    hooked_events.append(json.loads(json.dumps(event)))
    event.setdefault("extra", {})["added_by_hook"] = f"postgres://app:{sdk_leaks.URL_PASSWORD}@h/d"
    event["extra"]["session_token"] = sdk_leaks.BEARER
    event["tags"]["hooked"] = "yes"
    return event


def crumb_adds_secret(crumb: dict[str, Any], hint: Any) -> dict[str, Any]:
    seen_crumbs.append(json.loads(json.dumps(crumb, default=str)))
    crumb["message"] = f"{crumb.get('message')} Bearer {sdk_leaks.BEARER}"
    return crumb


def test_user_hooks_see_redacted_data_and_what_they_add_is_redacted(
    receiver: Receiver, sentry_isolated: None
) -> None:
    import sentry_sdk

    hooked_events.clear()
    seen_crumbs.clear()
    reporter = SentryReporter(
        **{key: value for key, value in unscrubbed(receiver).items() if key != "backend"},
        before_send=f"{__name__}:adds_secrets",
        before_breadcrumb=crumb_adds_secret,
    )
    with sentry_sdk.new_scope() as scope:
        scope.set_client(reporter.client)
        scope.add_breadcrumb(category="db", message=f"open {sdk_leaks.DB_URL}")
        try:
            sdk_leaks.checkout({})
        except RuntimeError as exc:
            reporter.report_exception(None, exc, "m", {})
    reporter.flush(timeout=10)
    event = receiver.event()
    reporter.close(timeout=5)

    (seen,) = hooked_events
    assert sdk_leaks.find_secrets(seen) == []  # the user's hook got it redacted
    assert seen_crumbs[0]["message"] == f"open postgres://app:{REDACTED}@db/x"
    assert sdk_leaks.find_secrets(event) == []  # and nothing it added left unredacted
    assert event["tags"]["hooked"] == "yes"
    assert event["extra"]["added_by_hook"] == f"postgres://app:{REDACTED}@h/d"
    assert event["extra"]["session_token"] == REDACTED
    (crumb,) = event["breadcrumbs"]["values"]
    assert crumb["message"] == f"open postgres://app:{REDACTED}@db/x Bearer {REDACTED}"


def test_breadcrumbs_recorded_by_another_client_are_redacted_on_send(
    receiver: Receiver, sentry_isolated: None
) -> None:
    """A breadcrumb our before_breadcrumb never saw (another client's) is redacted too."""
    import sentry_sdk

    other = sentry_sdk.Client(
        dsn=f"http://other@127.0.0.1:{receiver.port}/2", default_integrations=False
    )
    sentry_sdk.get_isolation_scope().set_client(other)
    sentry_sdk.add_breadcrumb(
        category="http",
        message=f"GET /api Authorization: Bearer {sdk_leaks.BEARER}",
        data={"url": f"/x?token={sdk_leaks.QUERY_TOKEN}", "api_key": sdk_leaks.API_KEY},
    )
    reporter = SentryReporter(**{k: v for k, v in unscrubbed(receiver).items() if k != "backend"})
    reporter.report_exception(None, ValueError("plain"), "m", {})
    reporter.flush(timeout=10)
    event = receiver.event()
    reporter.close(timeout=5)
    other.close(timeout=1)
    (crumb,) = event["breadcrumbs"]["values"]
    assert crumb["message"] == f"GET /api Authorization: Bearer {REDACTED}"
    assert crumb["data"] == {"url": f"/x?token={REDACTED}", "api_key": REDACTED}
    assert sdk_leaks.find_secrets(event) == []


class BrokenRedactor(Redactor):
    def redact_text(self, text: str) -> str:
        raise RuntimeError("redactor broke")


def test_an_event_that_cannot_be_redacted_is_not_sent(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    reporter = SentryReporter(
        dsn=f"http://public@127.0.0.1:{receiver.port}/1",
        default_integrations=False,
        redactor=BrokenRedactor(),
    )
    try:
        sdk_leaks.checkout({})
    except RuntimeError as exc:
        reporter.report_exception(None, exc, "m", {})
    reporter.close(timeout=5)
    kinds = []
    while not receiver.items.empty():
        kinds.append(receiver.items.get()[0].get("type"))
    assert "event" not in kinds
    assert any("could not redact a Sentry event" in r.getMessage() for r in caplog.records)
    assert sdk_leaks.find_secrets(receiver.bodies) == []


#: A redactor with a name of the application's own, configured by reference.
SSN_REDACTOR = Redactor(extra_names=["ssn"])


def test_the_redactor_option_takes_a_reference(receiver: Receiver) -> None:
    built = build_reporters(
        {"s": unscrubbed(receiver, redactor=f"{__name__}:SSN_REDACTOR", global_client="false")}
    )
    reporter = built["s"]
    assert isinstance(reporter, SentryReporter)
    assert reporter.redactor is SSN_REDACTOR
    import sentry_sdk

    assert sentry_sdk.get_global_scope().client is not reporter.client  # "false" is false
    reporter.report_exception(None, ValueError("x"), "m", {"extras": {"ssn": "078-05-1120"}})
    reporter.flush(timeout=10)
    event = receiver.event()
    reporter.close(timeout=5)
    assert event["extra"]["ssn"] == REDACTED


@pytest.mark.parametrize("value", ["os:sep", "no.such.module:x", 42])
def test_a_bad_redactor_option_fails_at_configuration(value: object) -> None:
    with pytest.raises(ConfigError) as info:
        build_reporters(
            {"s": {"backend": "sentry", "dsn": "http://k@127.0.0.1:1/1", "redactor": value}}
        )
    assert info.value.option == "reporters.s.redactor"


def test_a_long_text_is_cut_after_redaction_not_before(receiver: Receiver) -> None:
    from paste_exc.report.sdk.scrub import TEXT_LIMIT

    # The URL lies across the cut: cut first, its password would leave half.
    text = "x" * (TEXT_LIMIT - 20) + f" {sdk_leaks.DB_URL} " + "y" * 50_000
    reporter = SentryReporter(**{k: v for k, v in unscrubbed(receiver).items() if k != "backend"})
    reporter.report_exception(None, ValueError(text), "m", {})
    reporter.flush(timeout=10)
    event = receiver.event()
    reporter.close(timeout=5)
    (value,) = event["exception"]["values"]
    assert len(value["value"]) < TEXT_LIMIT + 100
    assert "characters]" in value["value"]
    assert sdk_leaks.URL_PASSWORD[:5] not in json.dumps(event)


def test_transactions_and_logs_are_redacted_too(receiver: Receiver, sentry_isolated: None) -> None:
    import sentry_sdk
    from sentry_sdk import logger as sentry_logger

    reporter = SentryReporter(
        **{k: v for k, v in unscrubbed(receiver).items() if k != "backend"},
        traces_sample_rate=1.0,
        enable_logs=True,
    )
    with sentry_sdk.new_scope() as scope:
        scope.set_client(reporter.client)
        with (
            sentry_sdk.start_transaction(name=f"GET /login?token={sdk_leaks.QUERY_TOKEN}"),
            sentry_sdk.start_span(op="db", name=f"connect {sdk_leaks.DB_URL}"),
        ):
            pass
        sentry_logger.warning(
            "connecting to {dsn}", dsn=sdk_leaks.DB_URL, api_key=sdk_leaks.API_KEY
        )
    reporter.flush(timeout=10)
    reporter.close(timeout=5)
    payloads = {}
    while not receiver.items.empty():
        header, payload = receiver.items.get()
        payloads[header.get("type")] = payload
    assert {"transaction", "log"} <= set(payloads)
    assert sdk_leaks.find_secrets(payloads) == []
    assert sdk_leaks.find_secrets(receiver.bodies) == []
    (span,) = payloads["transaction"]["spans"]
    assert span["description"] == f"connect postgres://app:{REDACTED}@db/x"
    assert payloads["transaction"]["transaction"] == f"GET /login?token={REDACTED}"
    (item,) = payloads["log"]["items"]
    assert item["body"] == f"connecting to postgres://app:{REDACTED}@db/x"


def test_an_unreachable_sentry_never_breaks_the_request() -> None:
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
            "s": {
                "backend": "sentry",
                "dsn": f"http://k@127.0.0.1:{port}/1",
                "default_integrations": False,
            }
        },
    )
    response = webtest.TestApp(sdk_leaks.catching(app)).get(
        "/checkout", status=500, expect_errors=True
    )
    assert response.content_type == "text/html"  # the error page, as without Sentry
    reporter = app.reporting.reporters["s"]
    assert isinstance(reporter, SentryReporter)
    reporter.close(timeout=5)  # the SDK gives up in its own thread


def test_a_failing_request_is_read_once_for_the_page_and_the_sentry_event(
    receiver: Receiver, reporter: SentryReporter
) -> None:
    from paste_exc.errormiddleware import ErrorMiddleware

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise RuntimeError("the order service is down")

    middleware = ErrorMiddleware(app, debug=False, reporters={"sentry": reporter})
    environ = counting_environ(QUERY_STRING="page=2&api_token=qtok-1")
    body = b"".join(middleware(environ, lambda status, headers, exc_info=None: None))
    assert b"Internal Server Error" in body
    reporter.flush(timeout=10)
    request = receiver.event()["request"]
    assert request["method"] == "GET"
    assert request["url"] == "http://shop.example/orders"
    assert request["query_string"] == f"page=2&api_token={REDACTED}"
    assert request["cookies"] == {"sessionid": REDACTED}
    assert request["env"]["REMOTE_ADDR"] == "192.0.2.1"
    again = reread(environ)
    assert max(again.values()) == 1, again
