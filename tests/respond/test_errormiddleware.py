"""ErrorMiddleware: the WSGI contract on every path (WebTest, validator on both sides)."""

from __future__ import annotations

import html
import io
import re
import sys
import warnings
from collections.abc import Callable
from typing import Any
from wsgiref.util import FileWrapper, setup_testing_defaults
from wsgiref.validate import validator

import pytest
from conftest import Closing

with warnings.catch_warnings():  # webob imports the deprecated cgi module (Python 3.11)
    warnings.simplefilter("ignore", DeprecationWarning)
    import webob  # noqa: F401
    import webtest

from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.testing import CapturingReporter

CAPTURE = {"capture": {"backend": "paste_exc.testing:CapturingReporter"}}


def strip_tags(text: str) -> str:
    return html.unescape(re.sub(r"<.*?>", "", text, flags=re.S))


def catching(app: Callable[..., Any]) -> Callable[..., Any]:
    """WebTest sets ``paste.throw_errors``, which turns the middleware off: unset it."""

    def wrapper(environ: dict[str, Any], start_response: Any) -> Any:
        environ["paste.throw_errors"] = False
        return app(environ, start_response)

    return wrapper


def make(app: Callable[..., Any], **options: Any) -> tuple[webtest.TestApp, ErrorMiddleware]:
    """The app under a validator, the middleware, and a validator outside."""
    middleware = ErrorMiddleware(validator(app), **options)
    return webtest.TestApp(catching(validator(middleware))), middleware


def captured(middleware: ErrorMiddleware) -> CapturingReporter:
    reporter = middleware.reporting.reporters["capture"]
    assert isinstance(reporter, CapturingReporter)
    return reporter


# -- applications ------------------------------------------------------------


def app_returning(body: Any, content_type: str = "text/plain") -> Callable[..., Any]:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        start_response("200 OK", [("Content-Type", content_type)])
        return body

    return app


def raise_before_start(environ: dict[str, Any], start_response: Any) -> Any:
    raise ValueError("before start")


def raise_after_start(environ: dict[str, Any], start_response: Any) -> Any:
    start_response("200 OK", [("Content-Type", "text/plain")])
    raise ValueError("after start")


# -- direct WSGI calls (what the server sees) ---------------------------------


class Server:
    """A minimal server: records start_response calls, iterates, closes."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[tuple[str, str]], Any]] = []
        self.errors = io.StringIO()

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Any:
        self.calls.append((status, headers, exc_info))
        return lambda data: None

    def environ(self, **extra: Any) -> dict[str, Any]:
        environ: dict[str, Any] = {"wsgi.errors": self.errors}
        setup_testing_defaults(environ)
        environ.setdefault("QUERY_STRING", "")
        environ["wsgi.errors"] = self.errors
        environ.update(extra)
        return environ

    def run(self, app: Any, **extra: Any) -> bytes:
        """Call *app* under ``wsgiref.validate.validator``, read the body, close."""
        result = validator(app)(self.environ(**extra), self.start_response)
        try:
            return b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()


def test_list_and_tuple_bodies_pass_through_unwrapped() -> None:
    body = [b"hello"]
    middleware = ErrorMiddleware(app_returning(body))
    server = Server()
    assert middleware(server.environ(), server.start_response) is body
    as_tuple = (b"a", b"b")
    middleware = ErrorMiddleware(app_returning(as_tuple))
    assert middleware(server.environ(), server.start_response) is as_tuple


def test_file_wrapper_passes_through_unwrapped() -> None:
    wrapped = FileWrapper(io.BytesIO(b"file body"))
    middleware = ErrorMiddleware(app_returning(wrapped))
    server = Server()
    environ = server.environ()
    environ["wsgi.file_wrapper"] = FileWrapper
    assert middleware(environ, server.start_response) is wrapped


def test_exc_info_not_passed_when_app_never_started() -> None:
    server = Server()
    body = server.run(ErrorMiddleware(validator(raise_before_start)))
    assert [call[0] for call in server.calls] == ["500 Internal Server Error"]
    assert server.calls[0][2] is None
    assert b"before start" not in body  # debug is off by default


def test_exc_info_passed_when_app_had_started() -> None:
    server = Server()
    server.run(ErrorMiddleware(validator(raise_after_start)))
    assert [call[0] for call in server.calls] == ["200 OK", "500 Internal Server Error"]
    exc_info = server.calls[1][2]
    assert isinstance(exc_info, tuple)
    assert isinstance(exc_info[1], ValueError)


def test_middleware_sets_throw_errors_for_inner_apps() -> None:
    seen: list[object] = []

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        seen.append(environ.get("paste.throw_errors"))
        return app_returning([b"ok"])(environ, start_response)

    Server().run(ErrorMiddleware(validator(app)))
    assert seen == [True]


def test_throw_errors_in_environ_lets_errors_through() -> None:
    server = Server()
    with pytest.raises(ValueError, match="before start"):
        server.run(ErrorMiddleware(validator(raise_before_start)), **{"paste.throw_errors": True})
    assert server.calls == []


@pytest.mark.parametrize("error", [KeyboardInterrupt, SystemExit, GeneratorExit])
def test_keyboard_interrupt_system_exit_generator_exit_are_never_caught(
    error: type[BaseException],
) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        raise error()

    def gen_app(environ: dict[str, Any], start_response: Any) -> Any:
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield b"x"
        raise error()

    server = Server()
    with pytest.raises(error):
        server.run(ErrorMiddleware(validator(app)))
    with pytest.raises(error):
        server.run(ErrorMiddleware(validator(gen_app)))
    assert "Error -" not in server.errors.getvalue()


def test_expected_exceptions_reraised_before_start_and_in_iteration() -> None:
    server = Server()
    expected = {"paste.expected_exceptions": [ValueError]}
    with pytest.raises(ValueError, match="before start"):
        server.run(ErrorMiddleware(validator(raise_before_start)), **expected)
    body = Closing([b"a", b"b"], fail_at=0)
    with pytest.raises(ValueError, match="failed at chunk 0"):
        server.run(ErrorMiddleware(validator(app_returning(body))), **expected)
    assert body.closed == 1


def test_expected_exception_after_body_started_is_appended() -> None:
    server = Server()
    body = Closing([b"a", b"b"], fail_at=1)
    out = server.run(
        ErrorMiddleware(validator(app_returning(body)), debug=True),
        **{"paste.expected_exceptions": [ValueError]},
    )
    assert out.startswith(b"a")
    assert b"failed at chunk 1" in out
    assert body.closed == 1


def test_client_disconnect_closes_app_iterable_once() -> None:
    server = Server()
    body = Closing([b"a", b"b", b"c"])
    result = validator(ErrorMiddleware(validator(app_returning(body))))(
        server.environ(), server.start_response
    )
    iterator = iter(result)
    assert next(iterator) == b"a"
    result.close()  # type: ignore[attr-defined]
    result.close()  # type: ignore[attr-defined]
    assert body.closed == 1


def test_error_in_close_after_disconnect_is_reported_not_raised() -> None:
    server = Server()
    body = Closing([b"a", b"b"], fail_close=True)
    result = validator(ErrorMiddleware(validator(app_returning(body))))(
        server.environ(), server.start_response
    )
    next(iter(result))
    result.close()  # type: ignore[attr-defined]
    assert body.closed == 1
    assert "OSError: close failed" in server.errors.getvalue()


# -- through WebTest with validators -----------------------------------------


SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Cache-Control",
    "Referrer-Policy",
    "X-Error-Id",
    "Content-Length",
)


def test_healthy_generator_body_and_single_close() -> None:
    body = Closing([b"one ", b"", b"two"])
    client, _ = make(app_returning(body))
    response = client.get("/")
    assert response.body == b"one two"
    assert body.closed == 1


def test_error_before_start_gives_500_with_every_header() -> None:
    client, _ = make(raise_before_start, debug=True)
    response = client.get("/", status=500, expect_errors=True)
    for name in SECURITY_HEADERS:
        assert response.headers.get(name), name
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert int(response.headers["Content-Length"]) == len(response.body)
    assert "ValueError: before start" in strip_tags(response.text)


def test_csp_names_the_page_nonce() -> None:
    client, _ = make(raise_before_start, debug=True)
    response = client.get("/", status=500, expect_errors=True)
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    assert nonce is not None
    assert f'nonce="{nonce.group(1)}"' in response.text


def test_error_id_header_matches_the_report() -> None:
    client, middleware = make(raise_before_start, reporters=CAPTURE)
    response = client.get("/", status=500, expect_errors=True)
    (report,) = captured(middleware).reports
    assert response.headers["X-Error-Id"] == report.exc_data.occurrence_id
    assert report.exc_data.occurrence_id in response.text


def test_error_after_start_before_body_replaces_status() -> None:
    client, _ = make(raise_after_start, debug=True)
    response = client.get("/", status=500, expect_errors=True)
    assert response.content_type == "text/html"
    assert "ValueError: after start" in strip_tags(response.text)


def test_error_in_iterator_before_first_chunk_gives_500() -> None:
    body = Closing([b"a"], fail_at=0)
    client, _ = make(app_returning(body), debug=True)
    response = client.get("/", status=500, expect_errors=True)
    assert "failed at chunk 0" in strip_tags(response.text)
    assert body.closed == 1


@pytest.mark.parametrize(
    ("content_type", "expect_report"),
    [("text/plain", True), ("text/html", True), ("application/octet-stream", False)],
)
def test_error_after_body_started_is_appended_as_bytes(
    content_type: str, expect_report: bool
) -> None:
    body = Closing([b"first ", b"second "], fail_at=2)
    client, _ = make(app_returning(body, content_type), debug=True)
    response = client.get("/", status=200, expect_errors=True)
    assert response.body.startswith(b"first second ")
    assert ("failed at chunk 2" in strip_tags(response.text)) is expect_report
    assert body.closed == 1
    assert "ValueError" in response.errors


def test_error_in_close_after_full_body_is_appended() -> None:
    body = Closing([b"complete body"], fail_close=True)
    client, _ = make(app_returning(body), debug=True)
    response = client.get("/", expect_errors=True)
    assert response.status_int == 200
    assert response.body.startswith(b"complete body")
    assert b"close failed" in response.body
    assert body.closed == 1


def test_error_in_close_of_empty_body_gives_500() -> None:
    body = Closing([], fail_close=True)
    client, _ = make(app_returning(body), debug=True)
    response = client.get("/", status=500, expect_errors=True)
    assert "close failed" in strip_tags(response.text)
    assert body.closed == 1


def test_error_in_iterator_and_close_both_reported() -> None:
    body = Closing([b"a"], fail_at=1, fail_close=True)
    client, middleware = make(app_returning(body), reporters=CAPTURE)
    client.get("/", expect_errors=True)
    assert captured(middleware).exception_types == ["ValueError", "OSError"]
    assert body.closed == 1


def test_debug_page_shows_the_middleware_frame_and_request() -> None:
    client, _ = make(raise_before_start, debug=True)
    response = client.get("/some/path?x=1", status=500, expect_errors=True)
    text = strip_tags(response.text)
    assert "paste_exc.errormiddleware" in text
    assert "raise_before_start" in text
    assert "http://localhost:80/some/path?x=1" in text or "/some/path?x=1" in text


def test_safe_page_when_debug_is_off_shows_no_details() -> None:
    client, _ = make(raise_before_start, error_message="Sorry, we broke it.")
    response = client.get("/", status=500, expect_errors=True)
    assert "Sorry, we broke it." in response.text
    assert "before start" not in response.text
    assert "Traceback" not in response.text
    assert re.search(r"E-[0-9A-Z]{5}", response.text)


def test_one_collection_for_page_and_every_reporter() -> None:
    reporters = {
        "first": {"backend": "paste_exc.testing:CapturingReporter"},
        "second": {"backend": "paste_exc.testing:CapturingReporter"},
    }
    client, middleware = make(raise_before_start, reporters=reporters)
    client.get("/", status=500, expect_errors=True)
    first = middleware.reporting.reporters["first"]
    second = middleware.reporting.reporters["second"]
    assert isinstance(first, CapturingReporter)
    assert isinstance(second, CapturingReporter)
    assert first.reports[0].exc_data is second.reports[0].exc_data


def test_report_exception_in_app_reaches_the_middleware_reporters() -> None:
    from paste_exc.respond.reporting import report_exception

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        try:
            raise LookupError("handled by the app")
        except LookupError:
            report_exception(environ, "the app handled it", logger=False)
        return app_returning([b"fine"])(environ, start_response)

    client, middleware = make(app, reporters=CAPTURE)
    assert client.get("/").body == b"fine"
    assert captured(middleware).exception_types == ["LookupError"]


def test_request_data_redacted_in_reports(tmp_path: Any) -> None:
    log = tmp_path / "errors.log"
    client, _ = make(raise_before_start, error_log=str(log))
    client.get(
        "/p?api_token=tok-123456789&page=2",
        headers={"Authorization": "Bearer abc.def.ghi", "Cookie": "session=s3cr3t"},
        status=500,
        expect_errors=True,
    )
    text = log.read_text()
    assert "page" in text
    for secret in ("tok-123456789", "abc.def.ghi", "s3cr3t"):
        assert secret not in text


def test_unread_request_body_is_not_consumed() -> None:
    consumed: list[bytes] = []

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        environ["test.input"] = environ["wsgi.input"]
        raise ValueError("did not read the body")

    def outer(environ: dict[str, Any], start_response: Any) -> Any:
        result = middleware(environ, start_response)
        consumed.append(environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"])))
        return result

    middleware = ErrorMiddleware(app, debug=True)
    client = webtest.TestApp(catching(validator(outer)))
    response = client.post("/", {"password": "hunter2", "q": "x"}, status=500, expect_errors=True)
    assert consumed == [b"password=hunter2&q=x"]
    assert "hunter2" not in response.text


def test_form_fields_the_app_parsed_are_shown_redacted() -> None:
    import webob

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        request = webob.Request(environ)
        assert request.POST["q"] == "visible"
        raise ValueError("after parsing the form")

    client, _ = make(app, debug=True)
    response = client.post(
        "/", {"password": "hunter2", "q": "visible"}, status=500, expect_errors=True
    )
    text = strip_tags(response.text)
    assert "visible" in text
    assert "hunter2" not in text


def test_wsgi_errors_gets_a_line_per_error() -> None:
    client, _ = make(raise_before_start, reporters=CAPTURE)
    response = client.get("/", status=500, expect_errors=True)
    notice = "Error - <class 'ValueError'>: before start\npaste_exc: occurrence_id="
    assert notice in response.errors


def test_whole_report_in_wsgi_errors_when_asked() -> None:
    client, _ = make(raise_before_start, show_exceptions_in_wsgi_errors="true")
    response = client.get("/", status=500, expect_errors=True)
    assert "raise_before_start" in response.errors
    assert "-" * 60 in response.errors


def test_unreported_error_writes_the_full_text_report() -> None:
    client, _ = make(raise_before_start)  # no reporter, no debug page
    response = client.get("/", status=500, expect_errors=True)
    assert "raise_before_start" in response.errors


def test_paste_attributes() -> None:
    middleware = ErrorMiddleware(
        raise_before_start, {"admin_email": "ops@example.org"}, debug="yes", xmlhttp_key="xhr"
    )
    assert middleware.debug_mode is True
    assert middleware.error_email == ["ops@example.org"]
    assert middleware.xmlhttp_key == "xhr"
    assert middleware.application is raise_before_start


def test_exception_handler_returns_the_page() -> None:
    middleware = ErrorMiddleware(raise_before_start, debug=True)
    environ = Server().environ()
    try:
        raise RuntimeError("handled here")
    except RuntimeError:
        page = middleware.exception_handler(sys.exc_info(), environ)  # type: ignore[arg-type]
    assert "RuntimeError: handled here" in strip_tags(page)


# -- a subclass overriding Paste's exception_handler ---------------------------


class CustomHandler(ErrorMiddleware):
    """Paste-style subclass: its string is the body."""

    def exception_handler(self, exc_info: Any, environ: Any) -> str:
        return f"<p>custom page for {exc_info[1]}</p>"


class WrappingHandler(ErrorMiddleware):
    """Reports through ``super()`` and wraps the page."""

    def exception_handler(self, exc_info: Any, environ: Any) -> str:
        return "<!-- wrapped -->" + super().exception_handler(exc_info, environ)


class PassThroughHandler(ErrorMiddleware):
    def exception_handler(self, exc_info: Any, environ: Any) -> str:
        return super().exception_handler(exc_info, environ)


class BrokenHandler(ErrorMiddleware):
    def exception_handler(self, exc_info: Any, environ: Any) -> str:
        raise RuntimeError("the override is broken")


def make_subclass(
    cls: type[ErrorMiddleware], app: Callable[..., Any], **options: Any
) -> tuple[webtest.TestApp, ErrorMiddleware]:
    middleware = cls(validator(app), **options)
    return webtest.TestApp(catching(validator(middleware))), middleware


def test_overridden_exception_handler_gives_the_body() -> None:
    client, _ = make_subclass(CustomHandler, raise_before_start, debug=True)
    response = client.get("/", status=500, expect_errors=True)
    assert response.body == b"<p>custom page for before start</p>"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert int(response.headers["Content-Length"]) == len(response.body)
    for name in SECURITY_HEADERS:
        assert response.headers.get(name), name


def test_overridden_exception_handler_serves_iteration_errors() -> None:
    body = Closing([b"a", b"b"], fail_at=0)
    client, _ = make_subclass(CustomHandler, app_returning(body))
    response = client.get("/", status=500, expect_errors=True)
    assert response.body == b"<p>custom page for failed at chunk 0</p>"
    assert body.closed == 1


def test_overridden_exception_handler_calling_super_reports_once() -> None:
    client, middleware = make_subclass(
        WrappingHandler, raise_before_start, debug=True, reporters=CAPTURE
    )
    response = client.get("/", status=500, expect_errors=True)
    assert response.text.startswith("<!-- wrapped -->")
    assert "ValueError: before start" in strip_tags(response.text)
    assert len(captured(middleware).reports) == 1
    assert response.headers["X-Error-Id"] == captured(middleware).reports[0].exc_data.occurrence_id


def test_override_returning_our_page_keeps_its_headers() -> None:
    client, _ = make_subclass(PassThroughHandler, raise_before_start, debug=True)
    response = client.get("/", status=500, expect_errors=True)
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    assert nonce is not None
    assert f'nonce="{nonce.group(1)}"' in response.text
    assert "paste_exc.errormiddleware.response" not in response.request.environ


def test_broken_override_gives_the_static_page() -> None:
    client, _ = make_subclass(BrokenHandler, raise_before_start)
    response = client.get("/", status=500, expect_errors=True)
    assert "another while reporting it" in response.text
    assert "the override is broken" in response.errors
    assert "ValueError: before start" in response.errors


def test_a_ready_made_reporter_object_is_used_as_given() -> None:
    def broken(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise LookupError("no such row")

    mine = CapturingReporter()
    app, middleware = make(broken, reporters={"mine": mine})
    app.get("/", status=500, expect_errors=True)
    assert middleware.reporting.reporters["mine"] is mine
    assert mine.exception_types == ["LookupError"]


def test_options_for_a_reporter_object_are_refused_naming_the_key() -> None:
    from paste_exc.errors import ConfigError

    with pytest.raises(ConfigError, match=r"reporters\.mine\.level"):
        ErrorMiddleware(
            lambda e, s: [],
            reporters={"mine": CapturingReporter()},
            **{"reporters.mine.level": "1"},
        )


def test_headers_already_sent_appends_and_reports_once() -> None:
    """The server refuses the 500 (it sent the headers via write()): one report, appended."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"written ")
        raise ValueError("after write")

    class SentServer(Server):
        def start_response(
            self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            if exc_info is not None:  # PEP 3333: headers sent, so re-raise
                raise exc_info[1].with_traceback(exc_info[2])
            return super().start_response(status, headers, exc_info)

    middleware = ErrorMiddleware(app, debug=True, reporters=CAPTURE)
    server = SentServer()
    body = b"".join(middleware(server.environ(), server.start_response))
    assert [call[0] for call in server.calls] == ["200 OK"]
    assert b"after write" in body
    assert len(captured(middleware).reports) == 1
