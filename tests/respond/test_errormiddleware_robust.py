"""A handler that cannot fail: inject a failure into each stage; hostile exceptions."""

from __future__ import annotations

import io
import sys
import warnings
from typing import Any
from wsgiref.validate import validator

import pytest

from paste_exc.api import ExceptionReporter
from paste_exc.errormiddleware import ErrorMiddleware, handle_exception
from paste_exc.respond import responder as _responses
from paste_exc.respond.fallback import STATIC_BODY

with warnings.catch_warnings():  # webob imports the deprecated cgi module (Python 3.11)
    warnings.simplefilter("ignore", DeprecationWarning)
    import webtest


def catching(app: Any) -> Any:
    def wrapper(environ: dict[str, Any], start_response: Any) -> Any:
        environ["paste.throw_errors"] = False
        return app(environ, start_response)

    return wrapper


def client_for(app: Any, **options: Any) -> webtest.TestApp:
    return webtest.TestApp(catching(validator(ErrorMiddleware(validator(app), **options))))


def failing(environ: dict[str, Any], start_response: Any) -> Any:
    raise ValueError("the original error")


def boom(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("injected failure")


def assert_static_500(response: Any) -> None:
    assert response.status_int == 500
    assert response.body == STATIC_BODY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert response.headers["X-Error-Id"]
    assert "ValueError: the original error" in response.errors
    assert "RuntimeError: injected failure" in response.errors


def test_collector_failure_gives_static_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_responses, "collected_data", boom)
    response = client_for(failing, debug=True).get("/", status=500, expect_errors=True)
    assert_static_500(response)


@pytest.mark.parametrize("renderer", ["render_debug_page", "render_safe_page"])
def test_renderer_failure_gives_static_page(monkeypatch: pytest.MonkeyPatch, renderer: str) -> None:
    monkeypatch.setattr(_responses, renderer, boom)
    response = client_for(failing, debug=renderer == "render_debug_page").get(
        "/", status=500, expect_errors=True
    )
    assert_static_500(response)


def test_text_formatter_failure_still_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_responses, "format_text", boom)
    response = client_for(failing).get("/", status=500, expect_errors=True)
    assert "E-" in response.text
    assert "RuntimeError: injected failure" in response.errors


def test_appended_render_failure_keeps_the_body(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_responses, "render_appended", boom)

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield b"partial"
        raise ValueError("the original error")

    response = client_for(app, debug=True).get("/", expect_errors=True)
    assert response.body == b"partial"
    assert "RuntimeError: injected failure" in response.errors


class RaisingReporter(ExceptionReporter):
    def report_exception(
        self, ctx: Any, exception: BaseException, message: str, extra: Any
    ) -> None:
        raise ConnectionError("reporter is down")


def test_reporter_failure_is_shown_and_logged() -> None:
    reporters = {"down": {"backend": f"{__name__}:RaisingReporter"}}
    response = client_for(failing, debug=True, reporters=reporters).get(
        "/", status=500, expect_errors=True
    )
    assert "reporter is down" in response.text
    assert "reporter is down" in response.errors
    assert "ValueError" in response.text


def test_reporter_failure_not_shown_on_the_safe_page() -> None:
    reporters = {"down": {"backend": f"{__name__}:RaisingReporter"}}
    response = client_for(failing, reporters=reporters).get("/", status=500, expect_errors=True)
    assert "reporter is down" not in response.text
    assert "reporter is down" in response.errors


def test_broken_template_at_request_time_gives_a_page(tmp_path: Any) -> None:
    template = tmp_path / "error.html"
    template.write_text("<p>{{ error_message }}</p>{{ identification_code.no_such_thing() }}")
    response = client_for(failing, error_template=str(template), error_message="Custom").get(
        "/", status=500, expect_errors=True
    )
    assert "Custom" in response.text
    assert "the original error" not in response.text


def test_unwritable_error_stream_still_answers() -> None:
    class Full(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(28, "No space left on device")

    middleware = ErrorMiddleware(failing, debug=True)
    calls: list[str] = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.errors": Full(),
        "wsgi.input": io.BytesIO(),
    }
    body = b"".join(
        middleware(environ, lambda status, headers, exc_info=None: calls.append(status))
    )
    assert calls == ["500 Internal Server Error"]
    assert b"the original error" in body


class Hostile(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no str for you")

    def __repr__(self) -> str:
        raise RuntimeError("no repr either")


def test_hostile_exception_gets_a_page() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        raise Hostile()

    response = client_for(app, debug=True).get("/", status=500, expect_errors=True)
    assert "Hostile" in response.text


def test_hostile_environ_value_gets_a_page() -> None:
    class Evil:
        def __repr__(self) -> str:
            raise RuntimeError("evil repr")

        def __bool__(self) -> bool:
            raise RuntimeError("evil bool")

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        environ["app.evil"] = Evil()
        raise ValueError("with evil in the environ")

    response = client_for(app, debug=True).get("/", status=500, expect_errors=True)
    assert "with evil in the environ" in response.text


def test_handle_exception_text_mode_writes_paste_lines(tmp_path: Any) -> None:
    stream = io.StringIO()
    try:
        raise KeyError("missing")
    except KeyError:
        result = handle_exception(sys.exc_info(), stream, html=False)
    assert result is None
    written = stream.getvalue()
    # Nothing else took the report: Paste's one line, then the whole text report.
    assert written.startswith("Error - <class 'KeyError'>: 'missing'\npaste_exc: occurrence_id=")
    assert "File '" in written
    assert "raise KeyError" in written
    assert written.endswith("-" * 60 + "\n")


def test_handle_exception_reported_elsewhere_writes_one_line(tmp_path: Any) -> None:
    stream = io.StringIO()
    try:
        raise KeyError("missing")
    except KeyError:
        handle_exception(sys.exc_info(), stream, html=False, error_log=str(tmp_path / "e.log"))
    written = stream.getvalue()
    assert written.startswith("Error - <class 'KeyError'>: 'missing'\npaste_exc: occurrence_id=")
    assert written.count("\n") == 2
    assert "raise KeyError" in (tmp_path / "e.log").read_text()


def test_handle_exception_reports_to_the_log_and_returns_pages(tmp_path: Any) -> None:
    log = tmp_path / "errors.log"
    stream = io.StringIO()
    try:
        raise KeyError("missing")
    except KeyError:
        debug_page = handle_exception(sys.exc_info(), stream, debug_mode=True, error_log=str(log))
        safe_page = handle_exception(sys.exc_info(), stream, error_message="Nope")
        fragment = handle_exception(sys.exc_info(), stream, debug_mode=True, simple_html_error=True)
    assert debug_page is not None
    assert "<html" in debug_page.lower()
    assert "missing" in debug_page
    assert safe_page is not None
    assert "Nope" in safe_page
    assert "missing" not in safe_page
    assert fragment is not None
    assert "<html" not in fragment.lower()
    assert "KeyError" in log.read_text()
    assert "Error - <class 'KeyError'>" in stream.getvalue()


def test_handle_exception_rejects_a_bad_exc_info() -> None:
    with pytest.raises(TypeError):
        handle_exception((None, None, None), io.StringIO())


def test_request_data_is_shown_once_as_reprs_and_redacted() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise ValueError("x")

    errors = io.StringIO()
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "SERVER_NAME": "example.org",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "QUERY_STRING": "page=2",
        "HTTP_COOKIE": "sessionid=c00kie",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": errors,
        "paste.config": {"db_password": "pa55", "nested": {"api_key": "k3y"}},
    }
    middleware = ErrorMiddleware(app, show_exceptions_in_wsgi_errors=True)
    b"".join(middleware(environ, lambda status, headers, exc_info=None: None))
    report = errors.getvalue()
    # Each value is one repr: not a repr of a repr.
    assert "  paste.throw_errors: True\n" in report
    assert "  page: '2'\n" in report
    assert "  SERVER_NAME: 'example.org'\n" in report
    assert "\"'" not in report
    for secret in ("c00kie", "pa55", "k3y"):
        assert secret not in report
