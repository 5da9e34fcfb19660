"""Nothing of the middleware's own configuration appears in a report.

The middleware stores a handle in the environ (``paste_exc.reporting``) so that
``report_exception(environ, ...)`` finds its reporters; every frame with
``environ`` among its locals then shows that handle. It shows nothing: no file
name, address, SMTP user or password, no reporter option, in any output.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
import warnings
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from test_reporter_email import Mailbox, SMTPServer, start_server

with warnings.catch_warnings():  # webob imports the deprecated cgi module (Python 3.11)
    warnings.simplefilter("ignore", DeprecationWarning)
    import webtest

from paste_exc.config import MiddlewareSettings
from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.redact.saferepr import safe_repr
from paste_exc.report.caught import config_for
from paste_exc.report.delivery import synchronous_delivery
from paste_exc.report.dispatch import ENVIRON_KEY, HANDLE_REPR, ReportingConfig, ReportingHandle
from paste_exc.reporter import EmailReporter, LogReporter
from paste_exc.respond.reporting import report_exception
from paste_exc.testing import CapturingReporter

#: Configuration values, each distinctive enough to be searched for in every output.
SMTP_USER = "smtp-user-xyzzy"
SMTP_PASSWORD = "smtp-pass-plugh"
ADDRESS = "ops-team-frobozz@example.org"
OTHER_ADDRESS = "oncall-zorkmid@example.org"
LOG_NAME = "errors-log-quendor.log"
REPORTER_LOG_NAME = "reporter-file-borphee.log"
TOKEN = "debug-token-grue-5a6b7c8d9e"

SECRETS = (SMTP_USER, SMTP_PASSWORD, ADDRESS, OTHER_ADDRESS, LOG_NAME, REPORTER_LOG_NAME, TOKEN)


def catching(app: Any) -> Any:
    def wrapper(environ: dict[str, Any], start_response: Any) -> Any:
        environ["paste.throw_errors"] = False
        return app(environ, start_response)

    return wrapper


def app(environ: dict[str, Any], start_response: Any) -> Any:
    """Frames that hold the environ, the handle and the configuration as locals."""
    handle = environ[ENVIRON_KEY]  # noqa: F841 - shown as a local
    reporting = config_for(environ)
    reporters = dict(reporting.reporters)  # noqa: F841 - shown as a local
    return view(environ)


def view(environ: dict[str, Any]) -> Any:
    request_environ = dict(environ)  # noqa: F841 - a copy, shown as a local
    raise RuntimeError("the view failed")


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    server = start_server(Mailbox())
    yield server
    server.controller.stop()


def debug_token_option() -> dict[str, str]:
    """``debug_token``, if the middleware has that option (issue 11, part 1)."""
    names = {field.name for field in dataclasses.fields(MiddlewareSettings)}
    return {"debug_token": TOKEN} if "debug_token" in names else {}


@pytest.fixture
def middleware(tmp_path: Path, smtp: SMTPServer) -> ErrorMiddleware:
    return ErrorMiddleware(
        app,
        debug=True,
        show_locals=True,
        show_hidden_frames=True,
        error_log=str(tmp_path / LOG_NAME),
        reporters={
            "capture": {"backend": "paste_exc.testing:CapturingReporter"},
            # The SMTP user and password are configured but this server does not
            # ask for them: the delivery works, and the values must appear nowhere.
            "mail": {
                "backend": "email",
                "to_addresses": f"{ADDRESS}, {OTHER_ADDRESS}",
                "from_address": "errors@example.com",
                "smtp_server": f"127.0.0.1:{smtp.port}",
                "flood_window": "0",
            },
            "file": {"backend": "log", "filename": str(tmp_path / REPORTER_LOG_NAME)},
        },
        **debug_token_option(),
    )


def email_bodies(smtp: SMTPServer) -> str:
    (message,) = smtp.mailbox.wait_for(1)
    assert isinstance(message, EmailMessage)
    parts = [part.get_content() for part in message.walk() if part.get_content_maintype() == "text"]
    assert len(parts) == 2  # the text and the HTML report
    return "\n".join(parts)


def assert_no_configuration(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_no_output_shows_the_configuration(
    middleware: ErrorMiddleware, smtp: SMTPServer, tmp_path: Path
) -> None:
    # The SMTP user and password of a Paste-style email reporter too.
    middleware.reporting.reporters["paste_mail"] = EmailReporter(
        to_addresses=[ADDRESS],
        from_address="errors@example.com",
        smtp_server="127.0.0.1:1",
        smtp_username=SMTP_USER,
        smtp_password=SMTP_PASSWORD,
        flood_window=0,
    )
    client = webtest.TestApp(catching(middleware))
    with synchronous_delivery():
        page = client.get("/", status=500, expect_errors=True)
        del middleware.reporting.reporters["mail"]  # one email is enough
        text = client.get("/", headers={"Accept": "text/plain"}, status=500, expect_errors=True)
        problem = client.get(
            "/", headers={"Accept": "application/json"}, status=500, expect_errors=True
        )
    # The locals are there, and the handle is shown as its marker.
    assert "request_environ" in page.text
    assert "handle" in page.text
    assert HANDLE_REPR in json.dumps(problem.json) or HANDLE_REPR in text.text
    for output in (page.text, text.text, problem.text, page.errors, text.errors):
        assert_no_configuration(output)
    assert_no_configuration(email_bodies(smtp))
    assert_no_configuration((tmp_path / LOG_NAME).read_text())
    assert_no_configuration((tmp_path / REPORTER_LOG_NAME).read_text())
    reporter = middleware.reporting.reporters["capture"]
    assert isinstance(reporter, CapturingReporter)
    for report in reporter.reports:
        assert_no_configuration(json.dumps(report.exc_data.as_json_dict()))


def test_the_handle_shows_nothing(middleware: ErrorMiddleware) -> None:
    seen: dict[str, Any] = {}

    def spy(environ: dict[str, Any], start_response: Any) -> Any:
        seen.update(environ)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    middleware.application = spy
    webtest.TestApp(catching(middleware)).get("/")
    handle = seen[ENVIRON_KEY]
    assert isinstance(handle, ReportingHandle)
    assert repr(handle) == str(handle) == HANDLE_REPR
    assert f"{handle}" == format(handle, "") == HANDLE_REPR
    assert copy.deepcopy(handle) is handle
    assert copy.deepcopy(seen)[ENVIRON_KEY] is handle
    whole = safe_repr(seen, 100_000)
    assert HANDLE_REPR in whole
    assert_no_configuration(whole)
    assert_no_configuration(repr(config_for(seen)))
    assert copy.copy(handle) is handle
    with pytest.raises(TypeError):
        pickle.dumps(handle)


def test_reporters_and_their_configuration_have_a_repr_without_options(
    tmp_path: Path,
) -> None:
    mail = EmailReporter(
        to_addresses=[ADDRESS],
        from_address="errors@example.com",
        smtp_username=SMTP_USER,
        smtp_password=SMTP_PASSWORD,
    )
    log = LogReporter(filename=str(tmp_path / REPORTER_LOG_NAME))
    config = ReportingConfig({"mail": mail, "log": log})
    for shown in (repr(mail), repr(log), repr(config), str(config)):
        assert_no_configuration(shown)
    assert "EmailReporter" in repr(config)
    assert "'mail'" in repr(config)


def test_report_exception_with_the_environ_still_reaches_the_middlewares_reporters(
    middleware: ErrorMiddleware,
) -> None:
    def reporting_app(environ: dict[str, Any], start_response: Any) -> Any:
        try:
            raise ValueError("handled by the application")
        except ValueError as error:
            report_exception(environ, "the application reported it", error, logger=False)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    middleware.application = reporting_app
    del middleware.reporting.reporters["mail"]  # the email output is tested above
    with synchronous_delivery():
        webtest.TestApp(catching(middleware)).get("/reported?x=1")
    reporter = middleware.reporting.reporters["capture"]
    assert isinstance(reporter, CapturingReporter)
    assert reporter.last.message == "the application reported it"
    assert reporter.last.exc_data.request_url == "http://localhost/reported?x=1"


def test_replacing_the_reporting_configuration_takes_effect(middleware: ErrorMiddleware) -> None:
    replacement = CapturingReporter()
    middleware.reporting = ReportingConfig({"new": replacement})
    seen: dict[str, Any] = {}

    def spy(environ: dict[str, Any], start_response: Any) -> Any:
        seen.update(environ)
        start_response("200 OK", [])
        return [b""]

    middleware.application = spy
    webtest.TestApp(catching(middleware)).get("/")
    assert config_for(seen) is middleware.reporting
    duplicate = copy.copy(middleware)
    duplicate.reporting = ReportingConfig()
    assert duplicate.reporting_handle is not middleware.reporting_handle
    assert duplicate.reporting_handle.config is duplicate.reporting
    assert middleware.reporting_handle.config is middleware.reporting
