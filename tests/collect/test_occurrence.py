"""Each catch is its own occurrence: one report per catch, never reused for another.

The same exception object raised in two requests (a module-level singleton,
``Future.result()``, a cached failed initialisation) gets two reports, each
with its own occurrence id and only its own request's data, in every output.
Within one catch the exception is collected exactly once.
"""

from __future__ import annotations

import concurrent.futures
import io
import json
import threading
import warnings
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from test_reporter_email import Mailbox, SMTPServer, start_server

with warnings.catch_warnings():  # webob imports the deprecated cgi module (Python 3.11)
    warnings.simplefilter("ignore", DeprecationWarning)
    import webtest

from paste_exc import collector
from paste_exc.api import ExceptionReporter
from paste_exc.collector import CollectedException, collected_data
from paste_exc.errormiddleware import ErrorMiddleware, handle_exception
from paste_exc.report.delivery import synchronous_delivery
from paste_exc.report.dispatch import ReportingConfig, set_process_config
from paste_exc.respond.reporting import report_exception
from paste_exc.testing import CapturingReporter

SEPARATOR = "-" * 60

#: What each of the two requests sends, and must find only in its own outputs.
FIRST = {"path": "/first-page", "query": "item=apple-one", "tenant": "tenant-alpha"}
SECOND = {"path": "/second-page", "query": "item=banana-two", "tenant": "tenant-beta"}


def markers(request: dict[str, str]) -> list[str]:
    return [request["path"], request["query"].split("=")[1], request["tenant"]]


def catching(app: Callable[..., Any]) -> Callable[..., Any]:
    """WebTest sets ``paste.throw_errors``, which turns the middleware off: unset it."""

    def wrapper(environ: dict[str, Any], start_response: Any) -> Any:
        environ["paste.throw_errors"] = False
        return app(environ, start_response)

    return wrapper


@pytest.fixture(autouse=True)
def _forget_shared_exceptions() -> Iterator[None]:
    """The module-level exceptions keep their requests' frames alive: drop them after a test."""
    yield
    global _failed_future
    SINGLETON.__traceback__ = None
    _failed_future = None
    _init_error.clear()
    _stored.clear()


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    server = start_server(Mailbox())
    yield server
    server.controller.stop()


class Outputs:
    """One middleware with every output on, and what each request produced."""

    def __init__(
        self, app: Callable[..., Any], tmp_path: Path, smtp: SMTPServer, **options: Any
    ) -> None:
        self.log = tmp_path / "errors.log"
        self.smtp = smtp
        self.middleware = ErrorMiddleware(
            app,
            debug=True,
            show_locals=True,
            error_log=str(self.log),
            reporters={
                "capture": {"backend": "paste_exc.testing:CapturingReporter"},
                "mail": {
                    "backend": "email",
                    "to_addresses": "ops@example.com",
                    "from_address": "errors@example.com",
                    "smtp_server": f"127.0.0.1:{smtp.port}",
                    "flood_window": "0",
                },
            },
            **options,
        )
        self.client = webtest.TestApp(catching(self.middleware))

    def get(self, request: dict[str, str], accept: str = "text/html") -> webtest.TestResponse:
        return self.client.get(
            f"{request['path']}?{request['query']}",
            headers={"X-Tenant": request["tenant"], "Accept": accept},
            status=500,
            expect_errors=True,
        )

    @property
    def captured(self) -> CapturingReporter:
        reporter = self.middleware.reporting.reporters["capture"]
        assert isinstance(reporter, CapturingReporter)
        return reporter

    def log_entries(self) -> list[str]:
        return [entry for entry in self.log.read_text().split(SEPARATOR) if entry.strip()]

    def emails(self, count: int) -> list[EmailMessage]:
        messages = self.smtp.mailbox.wait_for(count)
        assert len(messages) == count
        return messages


def email_text(message: EmailMessage) -> str:
    return "\n".join(
        part.get_content() for part in message.walk() if part.get_content_maintype() == "text"
    )


def assert_only_its_own(text: str, own: dict[str, str], other: dict[str, str]) -> None:
    for marker in markers(own):
        assert marker in text
    for marker in markers(other):
        assert marker not in text


def run_twice(outputs: Outputs) -> list[webtest.TestResponse]:
    with synchronous_delivery():
        return [outputs.get(FIRST), outputs.get(SECOND)]


def assert_two_occurrences(outputs: Outputs, responses: list[webtest.TestResponse]) -> None:
    ids = [response.headers["X-Error-Id"] for response in responses]
    assert ids[0] != ids[1]
    reports = outputs.captured.reports
    assert [report.exc_data.occurrence_id for report in reports] == ids
    for response, own, other in zip(responses, (FIRST, SECOND), (SECOND, FIRST), strict=True):
        assert_only_its_own(response.text, own, other)
    for report, own, other in zip(reports, (FIRST, SECOND), (SECOND, FIRST), strict=True):
        assert report.exc_data.request_url is not None
        assert own["path"] in report.exc_data.request_url
        assert_only_its_own(json.dumps(report.exc_data.as_json_dict()), own, other)
    entries = outputs.log_entries()
    assert len(entries) == 2
    for entry, own, other in zip(entries, (FIRST, SECOND), (SECOND, FIRST), strict=True):
        assert_only_its_own(entry, own, other)
    for message, own, other, occurrence in zip(
        outputs.emails(2), (FIRST, SECOND), (SECOND, FIRST), ids, strict=True
    ):
        text = email_text(message)
        assert_only_its_own(text, own, other)
        assert occurrence in text


# -- the same exception object in two requests ---------------------------------------


SINGLETON = RuntimeError("the payment service is unavailable")


def singleton_app(environ: dict[str, Any], start_response: Any) -> Any:
    path = environ["PATH_INFO"]  # noqa: F841 - a local holding this request's data
    raise SINGLETON


def test_a_module_level_singleton_is_two_occurrences(tmp_path: Path, smtp: SMTPServer) -> None:
    outputs = Outputs(singleton_app, tmp_path, smtp)
    responses = run_twice(outputs)
    assert_two_occurrences(outputs, responses)
    # The second report says what it left out, and still shows where it was raised.
    second = outputs.captured.reports[1].exc_data
    assert any("raised before" in note for note in second.collection_notes)
    assert any(frame.name == "singleton_app" and frame.locals for frame in second.frames)


def test_the_identification_code_stays_the_same_from_one_raise_to_the_next(
    tmp_path: Path, smtp: SMTPServer
) -> None:
    outputs = Outputs(singleton_app, tmp_path, smtp)
    with synchronous_delivery():
        for _ in range(4):
            outputs.get(FIRST)
    codes = [report.identification_code for report in outputs.captured.reports]
    # The first raise has no earlier one; from the second on the traceback is the same.
    assert len(set(codes[1:])) == 1
    frame_counts = {len(report.exc_data.frames) for report in outputs.captured.reports[1:]}
    assert len(frame_counts) == 1  # earlier raises do not pile up in the report


_failed_future: concurrent.futures.Future[None] | None = None
_executor_lock = threading.Lock()


def failing_job(tag: str) -> None:
    job_tag = tag  # a local of the worker that holds the first request's data
    raise LookupError(f"job failed ({len(job_tag)} characters)")


def future_app(environ: dict[str, Any], start_response: Any) -> Any:
    """Every request waits for one shared job, submitted by the first request."""
    global _failed_future
    with _executor_lock:
        if _failed_future is None:
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                _failed_future = pool.submit(failing_job, environ["QUERY_STRING"])
            concurrent.futures.wait([_failed_future])
    _failed_future.result()
    raise AssertionError("unreachable")


def test_a_shared_future_result_is_two_occurrences(tmp_path: Path, smtp: SMTPServer) -> None:
    outputs = Outputs(future_app, tmp_path, smtp)
    responses = run_twice(outputs)
    assert_two_occurrences(outputs, responses)
    # The worker's frame is still shown (where the job failed), without its locals.
    second = outputs.captured.reports[1].exc_data
    job = [frame for frame in second.frames if frame.name == "failing_job"]
    assert job
    assert all(not frame.locals for frame in job)


def test_a_future_used_once_keeps_the_workers_locals() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(failing_job, "only-this-request").result()
        raise AssertionError("unreachable")

    middleware = ErrorMiddleware(
        app, show_locals=True, reporters={"c": {"backend": "paste_exc.testing:CapturingReporter"}}
    )
    client = webtest.TestApp(catching(middleware), extra_environ={"wsgi.errors": io.StringIO()})
    client.get("/", status=500, expect_errors=True)
    reporter = middleware.reporting.reporters["c"]
    assert isinstance(reporter, CapturingReporter)
    (job,) = [frame for frame in reporter.last.exc_data.frames if frame.name == "failing_job"]
    assert job.locals is not None
    assert "only-this-request" in {local.value.strip("'") for local in job.locals}


_init_error: list[BaseException] = []


def connect(dsn_hint: str) -> None:
    raise ConnectionError("the database refused the connection")


def cached_init_app(environ: dict[str, Any], start_response: Any) -> Any:
    """A failed initialisation, kept and raised again for every later request."""
    if not _init_error:
        try:
            connect(environ["QUERY_STRING"])
        except ConnectionError as error:
            _init_error.append(error)
    raise _init_error[0]


def test_a_cached_failed_initialisation_is_two_occurrences(
    tmp_path: Path, smtp: SMTPServer
) -> None:
    outputs = Outputs(cached_init_app, tmp_path, smtp)
    responses = run_twice(outputs)
    assert_two_occurrences(outputs, responses)
    second = outputs.captured.reports[1].exc_data
    assert any(frame.name == "connect" for frame in second.frames)


def test_the_debug_json_and_text_of_the_second_request_are_its_own(
    tmp_path: Path, smtp: SMTPServer
) -> None:
    outputs = Outputs(singleton_app, tmp_path, smtp)
    with synchronous_delivery():
        outputs.get(FIRST, accept="application/json")
        as_json = outputs.get(SECOND, accept="application/json")
        outputs.get(FIRST, accept="text/plain")
        as_text = outputs.get(SECOND, accept="text/plain")
    assert "json" in as_json.content_type
    assert_only_its_own(as_json.text, SECOND, FIRST)
    assert as_json.json["occurrence_id"] == as_json.headers["X-Error-Id"]
    assert as_text.content_type == "text/plain"
    assert_only_its_own(as_text.text, SECOND, FIRST)


def test_the_exception_carries_no_report_after_a_catch(tmp_path: Path, smtp: SMTPServer) -> None:
    outputs = Outputs(singleton_app, tmp_path, smtp)
    run_twice(outputs)
    assert not hasattr(collector, "CACHE_ATTRIBUTE")
    assert not [
        name for name in dir(SINGLETON) if "paste_exc" in name or "collected" in name.lower()
    ]


# -- report_exception(), called twice with one exception ------------------------------


_stored: list[BaseException] = []


def reporting_app(environ: dict[str, Any], start_response: Any) -> Any:
    """The application reports a stored exception itself, then answers 200."""
    if not _stored:
        try:
            raise ValueError("a stored failure")
        except ValueError as error:
            _stored.append(error)
    report_exception(environ, "the stored failure, again", _stored[0], logger=False)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"reported"]


def test_report_exception_twice_with_one_exception_is_two_occurrences(
    tmp_path: Path, smtp: SMTPServer
) -> None:
    outputs = Outputs(reporting_app, tmp_path, smtp)
    with synchronous_delivery():
        for request in (FIRST, SECOND):
            outputs.client.get(
                f"{request['path']}?{request['query']}", headers={"X-Tenant": request["tenant"]}
            )
    reports = outputs.captured.reports
    assert len(reports) == 2
    ids = [report.exc_data.occurrence_id for report in reports]
    assert ids[0] != ids[1]
    for report, own, other in zip(reports, (FIRST, SECOND), (SECOND, FIRST), strict=True):
        assert report.exc_data.request_url is not None
        assert own["path"] in report.exc_data.request_url
        assert_only_its_own(json.dumps(report.exc_data.as_json_dict()), own, other)
    entries = outputs.log_entries()
    assert len(entries) == 2
    for entry, own, other in zip(entries, (FIRST, SECOND), (SECOND, FIRST), strict=True):
        assert_only_its_own(entry, own, other)
    for message, own, other in zip(
        outputs.emails(2), (FIRST, SECOND), (SECOND, FIRST), strict=True
    ):
        assert_only_its_own(email_text(message), own, other)


def test_report_exception_without_a_request_collects_anew_each_time() -> None:
    reporter = CapturingReporter()
    previous = set_process_config(ReportingConfig({"capture": reporter}))
    try:
        error = _raised(KeyError("k"))
        with synchronous_delivery():
            report_exception(None, "once", error, logger=False)
            report_exception(None, "twice", error, logger=False)
    finally:
        set_process_config(previous)
    first, second = reporter.reports
    assert first.exc_data.occurrence_id != second.exc_data.occurrence_id
    assert first.exc_data.identification_code == second.exc_data.identification_code


def test_collected_data_outside_a_catch_is_a_new_occurrence_each_time() -> None:
    error = _raised(ValueError("v"))
    first = collected_data(error)
    second = collected_data(error)
    assert first.occurrence_id != second.occurrence_id
    assert first.identification_code == second.identification_code


def test_handle_exception_twice_is_two_occurrences(tmp_path: Path) -> None:
    error = _raised(OSError("disk"))
    lines = []
    for _ in range(2):
        stream = io.StringIO()
        exc_info = (type(error), error, error.__traceback__)
        handle_exception(exc_info, stream, html=False, error_log=str(tmp_path / "s.log"))
        lines.append(stream.getvalue())
    ids = [text.split("occurrence_id=", 1)[1].split()[0] for text in lines]
    assert ids[0] != ids[1]


def _raised(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as caught:
        return caught


# -- one catch, one collection ---------------------------------------------------------


class AskingReporter(ExceptionReporter):
    """A third-party reporter that asks for the collected report itself."""

    def __init__(self) -> None:
        self.seen: list[CollectedException] = []

    def report_exception(
        self, ctx: Any, exception: BaseException, message: str, extra: dict[str, Any]
    ) -> None:
        self.seen.append(collected_data(exception))
        self.seen.append(collected_data(exception))


@pytest.fixture
def collect_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = collector.ExceptionCollector.collect

    def counting(self: collector.ExceptionCollector, *args: Any, **kw: Any) -> CollectedException:
        calls.append(1)
        return original(self, *args, **kw)

    monkeypatch.setattr(collector.ExceptionCollector, "collect", counting)
    return calls


def boom_app(environ: dict[str, Any], start_response: Any) -> Any:
    raise ZeroDivisionError("once per catch")


@pytest.mark.parametrize("accept", ["text/html", "application/json", "text/plain"])
def test_one_catch_collects_once_for_every_reporter_and_format(
    accept: str, tmp_path: Path, smtp: SMTPServer, collect_calls: list[int]
) -> None:
    asking = AskingReporter()
    outputs = Outputs(boom_app, tmp_path, smtp, show_exceptions_in_wsgi_errors=True)
    outputs.middleware.reporting.reporters["asking"] = asking
    with synchronous_delivery():
        response = outputs.get(FIRST, accept=accept)
    assert collect_calls == [1]
    occurrence = response.headers["X-Error-Id"]
    assert [report.exc_data.occurrence_id for report in outputs.captured.reports] == [occurrence]
    assert {data.occurrence_id for data in asking.seen} == {occurrence}
    assert asking.seen[0] is asking.seen[1]
    assert len(outputs.log_entries()) == 1
    assert occurrence in email_text(outputs.emails(1)[0])
    assert "once per catch" in response.errors


def test_report_exception_collects_once_for_every_reporter(
    tmp_path: Path, collect_calls: list[int]
) -> None:
    asking = AskingReporter()
    capture = CapturingReporter()
    from paste_exc.reporter import LogReporter

    log = LogReporter(filename=str(tmp_path / "r.log"))
    previous = set_process_config(ReportingConfig({"a": asking, "c": capture, "log": log}))
    try:
        error = _raised(ValueError("several reporters"))
        with synchronous_delivery():
            report_exception(None, "m", error, logger=False)
    finally:
        set_process_config(previous)
    assert collect_calls == [1]
    assert asking.seen[0] is capture.last.exc_data
    assert "several reporters" in (tmp_path / "r.log").read_text()


def test_concurrent_catches_of_one_exception_stay_apart() -> None:
    """Two threads reporting the same exception object at once get their own reports."""
    error = _raised(RuntimeError("shared"))
    barrier = threading.Barrier(2)
    results: dict[str, list[str]] = {}

    class Slow(ExceptionReporter):
        def report_exception(
            self, ctx: Any, exception: BaseException, message: str, extra: dict[str, Any]
        ) -> None:
            first = collected_data(exception).occurrence_id
            barrier.wait(timeout=10)
            results[message] = [first, collected_data(exception).occurrence_id]

    previous = set_process_config(ReportingConfig({"slow": Slow()}))
    try:
        threads = [
            threading.Thread(
                target=report_exception, args=(None, name, error), kwargs={"logger": False}
            )
            for name in ("a", "b")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
    finally:
        set_process_config(previous)
    assert results["a"][0] == results["a"][1]
    assert results["b"][0] == results["b"][1]
    assert results["a"][0] != results["b"][0]
