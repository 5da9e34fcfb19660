"""Paste parity in the respond stage: handle_exception's lines and names, the XHR fragment.

Paste 3.10.1's ``handle_exception`` runs in the same process as the oracle.
"""

from __future__ import annotations

import html
import io
import re
import sys
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from paste.exceptions import errormiddleware as paste_errormiddleware
from test_reporter_email import start_server

from paste_exc.errormiddleware import ErrorMiddleware, handle_exception
from paste_exc.errors import ConfigError
from paste_exc.report.delivery import get_dispatcher


class CustomError(Exception):
    pass


def raised(error: BaseException) -> tuple[Any, Any, Any]:
    try:
        raise error
    except BaseException:
        return sys.exc_info()


def first_line(stream: io.StringIO) -> str:
    return stream.getvalue().split("\n")[0]


@pytest.mark.parametrize(
    "error",
    [ValueError("message"), CustomError("a custom one"), KeyError("k"), RuntimeError("")],
)
def test_handle_exception_writes_pastes_line(error: BaseException, tmp_path: Any) -> None:
    exc_info = raised(error)
    ours, theirs = io.StringIO(), io.StringIO()
    handle_exception(exc_info, ours, html=False, error_log=str(tmp_path / "ours.log"))
    paste_errormiddleware.handle_exception(
        exc_info, theirs, html=False, error_log=str(tmp_path / "paste.log")
    )
    assert theirs.getvalue().startswith("Error - <class ")
    assert first_line(ours) == first_line(theirs)
    assert ours.getvalue().startswith(theirs.getvalue())  # Paste's line, to the letter


def test_the_exact_line_of_a_value_error(tmp_path: Any) -> None:
    stream = io.StringIO()
    handle_exception(raised(ValueError("message")), stream, html=False, error_log=str(tmp_path))
    assert first_line(stream) == "Error - <class 'ValueError'>: message"


def test_the_occurrence_id_is_on_its_own_line_after_pastes(tmp_path: Any) -> None:
    stream = io.StringIO()
    handle_exception(raised(ValueError("m")), stream, html=False, error_log=str(tmp_path / "l"))
    lines = stream.getvalue().split("\n")
    match = re.fullmatch(
        r"paste_exc: occurrence_id=([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}) "
        r"identification_code=(E-[0-9A-Z]{5})",
        lines[1],
    )
    assert match is not None
    assert match.group(1) in (tmp_path / "l").read_text()
    assert "(id " not in lines[0]


def test_the_line_comes_before_the_record_when_nothing_took_the_report() -> None:
    stream = io.StringIO()
    handle_exception(raised(ValueError("alone")), stream, html=False)
    lines = stream.getvalue().split("\n")
    assert lines[0] == "Error - <class 'ValueError'>: alone"
    assert lines[1].startswith("paste_exc: occurrence_id=")
    assert lines[2].startswith("=== paste_exc report ")


def test_a_message_cannot_forge_a_second_line(tmp_path: Any) -> None:
    stream = io.StringIO()
    forged = "boom\nError - <class 'ValueError'>: forged"
    log = str(tmp_path / "f.log")
    handle_exception(raised(ValueError(forged)), stream, html=False, error_log=log)
    lines = stream.getvalue().split("\n")
    assert lines[0] == "Error - <class 'ValueError'>: boom\\nError - <class 'ValueError'>: forged"
    assert lines[1].startswith("paste_exc: occurrence_id=")
    assert lines[2:] == [""]


def test_the_middleware_writes_the_same_line() -> None:
    def app(environ: Any, start_response: Any) -> Any:
        raise CustomError("in the app")

    errors = io.StringIO()
    environ: dict[str, Any] = {"wsgi.errors": errors}
    setup_testing_defaults(environ)
    b"".join(ErrorMiddleware(app)(environ, lambda *args: None))
    expected = f"Error - {CustomError!s}: in the app"
    assert errors.getvalue().split("\n")[0] == expected


def test_handle_exception_takes_from_address_beside_error_email_from() -> None:
    server = start_server()
    try:
        handle_exception(
            raised(ValueError("mail me")),
            io.StringIO(),
            html=False,
            error_email="ops@example.org",
            from_address="app@example.org",
            smtp_server=f"127.0.0.1:{server.port}",
        )
        get_dispatcher().flush(10)
        (message,) = server.mailbox.wait_for(1)
    finally:
        server.controller.stop()
    assert message["From"] == "app@example.org"


def test_handle_exception_takes_debug_beside_debug_mode() -> None:
    exc_info = raised(ValueError("visible-7K"))
    page = handle_exception(exc_info, io.StringIO(), debug=True)
    assert page is not None
    assert "visible-7K" in page
    safe = handle_exception(exc_info, io.StringIO(), debug="false")
    assert safe is not None
    assert "visible-7K" not in safe


def test_handle_exception_takes_the_middlewares_own_keywords(tmp_path: Any) -> None:
    exc_info = raised(ValueError("x"))
    log = tmp_path / "r.log"
    handle_exception(
        exc_info,
        io.StringIO(),
        html=False,
        reporters={"file": {"backend": "log", "filename": str(log)}},
    )
    assert "ValueError: x" in log.read_text()


def test_both_names_of_one_setting_must_agree() -> None:
    exc_info = raised(ValueError("x"))
    with pytest.raises(ConfigError, match="from_address"):
        handle_exception(
            exc_info, io.StringIO(), error_email_from="a@x.org", from_address="b@x.org"
        )
    with pytest.raises(ConfigError, match="debug"):
        handle_exception(exc_info, io.StringIO(), debug_mode=True, debug=False)
    # Agreeing values are fine.
    handle_exception(exc_info, io.StringIO(), html=False, debug_mode=True, debug="yes")


def test_an_unknown_keyword_is_refused_with_its_name() -> None:
    with pytest.raises(ConfigError, match="no_such_option"):
        handle_exception(raised(ValueError("x")), io.StringIO(), no_such_option=1)


# -- the XHR fragment carries no request data ------------------------------------------

SECRET_HEADER = "HEADER-VALUE-7Q3"
QUERY_VALUE = "QUERYVALUE9Z"
LOCAL_VALUE = "LOCALVALUE-K8"


def xhr_app(environ: Any, start_response: Any) -> Any:
    local_value = LOCAL_VALUE  # noqa: F841 (a local the fragment must not show)
    raise ValueError("the xhr failed")


def xhr_response(**options: Any) -> str:
    middleware = ErrorMiddleware(xhr_app, debug=True, show_locals=True, **options)
    environ: dict[str, Any] = {"wsgi.errors": io.StringIO()}
    setup_testing_defaults(environ)
    environ["QUERY_STRING"] = f"_=1&q={QUERY_VALUE}"
    environ["PATH_INFO"] = "/api/the-path"
    environ["HTTP_X_CUSTOM"] = SECRET_HEADER
    environ["HTTP_COOKIE"] = f"paste_exc_debug={middleware.debug_token}"
    statuses: list[str] = []
    body = b"".join(middleware(environ, lambda status, *rest: statuses.append(status)))
    assert statuses == ["500 Internal Server Error"]
    return body.decode("utf-8")


def test_the_xhr_fragment_is_the_fragment() -> None:
    body = xhr_response()
    assert "pe-fragment" in body
    assert "<html" not in body
    assert "the xhr failed" in body


@pytest.mark.parametrize(
    "request_data",
    [SECRET_HEADER, QUERY_VALUE, LOCAL_VALUE, "/api/the-path", "HTTP_X_CUSTOM", "wsgi.", "URL:"],
)
def test_the_xhr_fragment_has_no_request_data(request_data: str) -> None:
    body = xhr_response()
    text = html.unescape(body)
    # The source lines of the app are shown; nothing else may name the request.
    without_source = re.sub(r'<pre class="code[^"]*">.*?</pre>', "", text, flags=re.S)
    assert request_data not in without_source


def test_the_fragments_text_copy_has_no_request_data() -> None:
    body = xhr_response()
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", body, flags=re.S)
    assert textarea is not None
    copy = html.unescape(textarea.group(1))
    assert "ValueError: the xhr failed" in copy
    for request_data in (SECRET_HEADER, QUERY_VALUE, LOCAL_VALUE, "CGI Variables", "URL:"):
        assert request_data not in copy
    assert "local_value =" not in copy
    assert "environ =" not in copy


def test_handle_exception_simple_fragment_has_no_extra_data() -> None:
    def with_supplement() -> None:
        class Supp:
            source_url = "http://example.org/secret-path"

            def extraData(self) -> dict[Any, Any]:
                return {("extra", "CGI Variables"): {"HTTP_X": SECRET_HEADER}}

        __traceback_supplement__ = (Supp,)
        raise ValueError("scripted")

    try:
        with_supplement()
    except ValueError:
        exc_info = sys.exc_info()
    page = handle_exception(exc_info, io.StringIO(), debug_mode=True, simple_html_error=True)
    assert page is not None
    assert "scripted" in page
    assert SECRET_HEADER not in page
    assert "secret-path" not in page
