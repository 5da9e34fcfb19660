"""No secret leaves through any output (issue 11, section 2).

Each test makes one failing request through a middleware with every output
on (the debug page, debug text, debug problem+json, ``wsgi.errors``, the
error log, a log reporter's file, an email with its text and HTML parts, and
a capturing reporter's JSON), then looks for the planted secrets in all of
them. Every secret is distinctive, so that finding it anywhere is a leak.
"""

from __future__ import annotations

import json
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

from conftest import catching

from paste_exc.collector import CollectedException
from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.redact import REDACTED
from paste_exc.report.builtin.smtp import clean_header
from paste_exc.report.delivery import synchronous_delivery
from paste_exc.reporter import EmailReporter
from paste_exc.testing import CapturingReporter

App = Callable[[dict[str, Any], Any], Any]


def secret(*parts: str) -> str:
    """A secret joined from *parts*: no source line a report shows holds it whole."""
    return "-".join(parts)


@pytest.fixture(scope="module")
def smtp() -> Iterator[SMTPServer]:
    server = start_server(Mailbox())
    yield server
    server.controller.stop()


def every_output(
    app: App,
    smtp: SMTPServer,
    tmp_path: Path,
    url: str = "/",
    headers: dict[str, str] | None = None,
    extra_environ: dict[str, str] | None = None,
) -> dict[str, str]:
    """Run *app* failing through a middleware with every output on; name → output text."""
    before = len(smtp.mailbox.messages)
    middleware = ErrorMiddleware(
        app,
        debug=True,
        show_locals=True,
        error_log=str(tmp_path / "errors.log"),
        reporters={
            "capture": {"backend": "paste_exc.testing:CapturingReporter"},
            "mail": {
                "backend": "email",
                "to_addresses": "ops@example.org",
                "from_address": "errors@example.org",
                "smtp_server": f"127.0.0.1:{smtp.port}",
                "flood_window": "0",
            },
            "file": {"backend": "log", "filename": str(tmp_path / "reporter.log")},
        },
    )
    client = webtest.TestApp(catching(middleware), extra_environ=extra_environ or {})
    outputs: dict[str, str] = {}
    with synchronous_delivery():
        for name, accept in (
            ("page", "text/html"),
            ("text", "text/plain"),
            ("problem", "application/json"),
        ):
            response = client.get(
                url, headers={**(headers or {}), "Accept": accept}, status=500, expect_errors=True
            )
            outputs[name] = response.text
            outputs[f"{name} wsgi.errors"] = response.errors
    messages = smtp.mailbox.wait_for(before + 3)[before:]
    assert len(messages) == 3
    for number, message in enumerate(messages):
        assert isinstance(message, EmailMessage)
        parts = [p for p in message.walk() if p.get_content_maintype() == "text"]
        assert {p.get_content_subtype() for p in parts} == {"plain", "html"}
        for part in parts:
            outputs[f"email {number} {part.get_content_subtype()}"] = part.get_content()
        outputs[f"email {number} subject"] = str(message["Subject"])
    outputs["error log"] = (tmp_path / "errors.log").read_text()
    outputs["reporter log"] = (tmp_path / "reporter.log").read_text()
    reporter = middleware.reporting.reporters["capture"]
    assert isinstance(reporter, CapturingReporter)
    for number, report in enumerate(reporter.reports):
        outputs[f"report {number} json"] = json.dumps(report.exc_data.as_json_dict())
    return outputs


def problem_frames(document: str) -> list[dict[str, Any]]:
    """The frames of a debug problem+json document."""
    problem = json.loads(document)
    frames = problem.get("frames") or problem["exception"]["frames"]
    assert isinstance(frames, list)
    return frames


def assert_nowhere(outputs: dict[str, str], secrets: tuple[str, ...]) -> None:
    leaks = [
        (name, secret) for name, text in outputs.items() for secret in secrets if secret in text
    ]
    assert not leaks


# -- query-string secrets -------------------------------------------------------------

QUERY_SECRETS = {
    "session": secret("qs", "session", "a1b2c3"),
    "auth": secret("qs", "auth", "d4e5f6"),
    "csrf": secret("qs", "csrf", "g7h8i9"),
    "cookie": secret("qs", "cookie", "j1k2l3"),
    "pass": secret("qs", "pass", "m4n5o6"),
    "X-Amz-Signature": secret("qs", "amzsig", "p7q8r9"),
    "sig": secret("qs", "sig", "s1t2u3"),
    "user[password]": secret("qs", "formpw", "v4w5x6"),
    "user%5Bpassword%5D": secret("qs", "encodedpw", "y7z8a9"),
}
QUERY = "&".join(f"{name}={value}" for name, value in QUERY_SECRETS.items()) + "&page=2"


def url_app(environ: dict[str, Any], start_response: Any) -> Any:
    from paste_exc.respond.bounds import request_url

    full_url = request_url(environ)  # noqa: F841 - a local holding the URL string
    query_string = environ["QUERY_STRING"]  # noqa: F841 - and one holding the query string
    raise RuntimeError("the view failed")


def test_query_string_secrets_leave_no_output(smtp: SMTPServer, tmp_path: Path) -> None:
    referer = f"https://shop.example.org/cart?{QUERY}"
    outputs = every_output(
        url_app,
        smtp,
        tmp_path,
        f"/orders?{QUERY}",
        headers={"Referer": referer},
        extra_environ={"REQUEST_URI": f"/orders?{QUERY}", "RAW_URI": f"/orders?{QUERY}"},
    )
    assert_nowhere(outputs, tuple(QUERY_SECRETS.values()))
    # The places the query string appears are all there, redacted, not dropped.
    page, text = outputs["page"], outputs["text"]
    assert "page=2" in text
    for name in ("QUERY_STRING", "REQUEST_URI", "RAW_URI", "HTTP_REFERER", "full_url"):
        assert name in text
        assert name in page
    assert f"X-Amz-Signature={REDACTED}" in text
    assert f"user%5Bpassword%5D={REDACTED}" in text


# -- exception notes ------------------------------------------------------------------


NOTE_SECRETS = (
    secret("note", "pw", "b3c4d5"),
    secret("note", "bearer", "e6f7g8h9i0"),
    secret("note", "assigned", "j1k2l3"),
)


def notes_app(environ: dict[str, Any], start_response: Any) -> Any:
    url_password, bearer, assigned = NOTE_SECRETS
    error = RuntimeError("connecting failed")
    error.add_note(f"while connecting to postgres://app:{url_password}@db.internal/app")
    error.add_note(f"sent Authorization: Bearer {bearer}")
    error.add_note(f"password={assigned}")
    del url_password, bearer, assigned  # the notes alone hold them
    raise error


def test_exception_notes_are_redacted_as_messages_are(smtp: SMTPServer, tmp_path: Path) -> None:
    outputs = every_output(notes_app, smtp, tmp_path)
    assert_nowhere(outputs, NOTE_SECRETS)
    assert "while connecting to postgres://app:[REDACTED]@db.internal/app" in outputs["text"]


# -- containers under a secret-looking key --------------------------------------------


class Settings:
    def __init__(self, **fields: object) -> None:
        self.fields = fields

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={value!r}" for name, value in self.fields.items())
        return f"Settings({inner})"


CONTAINER_SECRETS = (
    secret("bytes", "pw", "k9l8m7"),
    secret("tuple", "pw", "n6o5p4"),
    secret("list", "token", "q3r2s1"),
    secret("nested", "key", "t0u9v8"),
    secret("kw", "bytes", "w7x6y5"),
    secret("kw", "tuple", "z4a3b2"),
)


def containers_app(environ: dict[str, Any], start_response: Any) -> Any:
    in_bytes, in_tuple, in_list, nested, kw_bytes, kw_tuple = CONTAINER_SECRETS
    config = {  # noqa: F841 - shown as a local
        "password": in_bytes.encode(),
        "auth": ("bob", in_tuple),
        "tokens": [in_list],
        "credentials": {"user": "bob", "key": nested},
        "region": "eu-west-1",
    }
    settings = Settings(password=kw_bytes.encode(), auth=("bob", kw_tuple), port=5432)  # noqa: F841
    del in_bytes, in_tuple, in_list, nested, kw_bytes, kw_tuple
    raise RuntimeError("configuration rejected")


def test_the_whole_value_under_a_secret_key_is_replaced(smtp: SMTPServer, tmp_path: Path) -> None:
    outputs = every_output(containers_app, smtp, tmp_path)
    assert_nowhere(outputs, CONTAINER_SECRETS)
    frame = next(f for f in problem_frames(outputs["problem"]) if "config" in f.get("locals", {}))
    shown = frame["locals"]["config"]
    assert shown == (
        f"{{'auth': {REDACTED}, 'credentials': {REDACTED}, 'password': {REDACTED}, "
        f"'region': 'eu-west-1', 'tokens': {REDACTED}}}"
    )
    assert frame["locals"]["settings"] == (
        f"Settings(password={REDACTED}, auth={REDACTED}, port=5432)"
    )
    # Every output shows the same value (the text report once showed the whole local
    # as [REDACTED] while the HTML showed the secret).
    assert f"config = {shown}" in outputs["text"]
    for name in ("email 0 plain", "error log", "reporter log"):
        assert shown in outputs[name]
    for name in ("page", "email 0 html"):
        assert "&#39;region&#39;: &#39;eu-west-1&#39;" in outputs[name]
        assert f"&#39;credentials&#39;: {REDACTED}" in outputs[name]


# -- URL passwords holding / or @ -----------------------------------------------------


URL_PASSWORDS = (
    secret("abc/def", "pw1"),
    secret("p@ss", "pw2"),
    secret("pw/with@at", "pw3"),
    secret("se/cr@t", "pw4"),
)


def url_password_app(environ: dict[str, Any], start_response: Any) -> Any:
    first, second, third, fourth = URL_PASSWORDS
    slash = f"postgresql://app:{first}@db/x"  # noqa: F841
    at = f"postgresql://app:{second}@db/x"  # noqa: F841
    both = f"redis://:{third}@cache:6379/0"  # noqa: F841
    message = f"cannot reach mysql://root:{fourth}@db.internal:3306/app"
    del first, second, third, fourth
    raise RuntimeError(message)


def test_url_passwords_run_to_the_last_at_before_the_host(smtp: SMTPServer, tmp_path: Path) -> None:
    outputs = every_output(url_password_app, smtp, tmp_path)
    assert_nowhere(outputs, URL_PASSWORDS)
    assert_nowhere(outputs, tuple(password.split("-")[0] for password in URL_PASSWORDS))
    text = outputs["text"]
    assert "postgresql://app:[REDACTED]@db/x" in text
    assert "redis://:[REDACTED]@cache:6379/0" in text
    assert "mysql://root:[REDACTED]@db.internal:3306/app" in text


# -- source lines -----------------------------------------------------------------------


def fail() -> str:
    raise RuntimeError("the code failed")


def source_app(environ: dict[str, Any], start_response: Any) -> Any:
    return fail() or (
        "postgresql://app:src-pw-c5d6e7@db.internal/app",
        "AKIAIOSFODNN7SRCKEY1",
        "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB",
        "4111 1111 1111 1111",
    )


def test_value_patterns_apply_to_the_source_lines(smtp: SMTPServer, tmp_path: Path) -> None:
    outputs = every_output(source_app, smtp, tmp_path)
    assert_nowhere(
        outputs,
        (
            secret("src", "pw", "c5d6e7"),
            "AKIAIOSFODNN7" + "SRCKEY1",
            "ghp_0123456789" + "abcdefghijklmnopqrstuvwxyzAB",
            " ".join(["4111"] * 4),
        ),
    )
    # The lines are shown, redacted, not dropped.
    assert "return fail() or (" in outputs["text"]
    frame = next(f for f in problem_frames(outputs["problem"]) if f["name"] == "source_app")
    assert '        "postgresql://app:[REDACTED]@db.internal/app",' in frame["context_lines"]
    assert f'        "{REDACTED}",' in frame["context_lines"]
    assert "postgresql://app:[REDACTED]@db.internal/app" in outputs["page"]


def test_a_hard_coded_password_on_the_failing_line_is_redacted() -> None:
    from conftest import capture

    def login() -> None:
        password = "hunter2-literal-x9"
        raise RuntimeError(f"denied {len(password)}")

    def failing_line() -> None:
        db_password = "hunter2-literal-y8"; raise RuntimeError("denied")  # noqa: E702, F841 # fmt: skip

    for func in (login, failing_line):
        report = capture(func)
        lines = "\n".join(line for frame in report.frames for line in frame.context_lines)
        assert secret("hunter2", "literal") not in lines
        assert 'password = "[REDACTED]"' in lines
    # The columns of a changed failing line are not kept (they were of the code before).
    frame = report.frames[-1]
    assert frame.colno is None
    assert frame.end_colno is None


def test_a_syntax_errors_source_line_is_redacted() -> None:
    from conftest import capture

    def compile_it() -> None:
        compile('dsn = "postgresql://app:syntax-pw-q1@db/x" +\n', "<config>", "exec")

    report = capture(compile_it)
    assert report.syntax_error is not None
    assert report.syntax_error.text is not None
    assert secret("syntax", "pw") not in report.syntax_error.text
    assert secret("syntax", "pw") not in report.exception_formatted


# -- email subjects ---------------------------------------------------------------------

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_bidi_controls_are_removed_from_the_subject(smtp: SMTPServer) -> None:
    report = CollectedException(
        exception_type="ValueError",
        exception_value=f"invoice {BIDI}fdp.exe\u202e{BIDI}\r\nBcc: x@example.org",
        identification_code="E-1",
    )
    reporter = EmailReporter(
        to_addresses=["ops@example.org"],
        from_address="errors@example.org",
        smtp_server=f"127.0.0.1:{smtp.port}",
        subject_prefix=f"[app{BIDI}] ",
    )
    subject = reporter.subject(report)
    assert not set(subject) & set(BIDI)
    assert "\r" not in subject
    assert "\n" not in subject
    assert subject.startswith("[app] ValueError: invoice fdp.exe")
    message = reporter.assemble_email(report)
    assert not set(str(message["Subject"])) & set(BIDI)
    assert clean_header(f"a{BIDI}b") == "ab"
