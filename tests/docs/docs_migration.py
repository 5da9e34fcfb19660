"""The runner of the migration guide: the same app and ini under Paste 3.10.1 and paste_exc.

Both pipelines are loaded by PasteDeploy's ``loadapp`` in this process and get
the same requests; what must be equal is compared, and each difference the
page names is shown to exist (and the option that brings Paste's behaviour
back to work).
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

from docs_runner import Scenario, mail_server, runner

Response = tuple[str, dict[str, str], bytes, str]


def _load(ini: Path) -> Any:
    from paste.deploy import loadapp

    with warnings.catch_warnings():  # Paste imports the deprecated cgi module (Python 3.11)
        warnings.simplefilter("ignore", DeprecationWarning)
        return loadapp(f"config:{ini}")


def _call(app: Callable[..., Any], path: str, **environ: str) -> Response:
    """One request as a server makes it: status, headers, body, what went to wsgi.errors."""
    errors = io.StringIO()
    env: dict[str, Any] = {"PATH_INFO": path, "REMOTE_ADDR": "203.0.113.5", **environ}
    setup_testing_defaults(env)
    env["wsgi.errors"] = errors
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started["status"], started["headers"] = status, {k.lower(): v for k, v in headers}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        body = b"".join(app(env, start_response))
    return started["status"], started["headers"], body, errors.getvalue()


def _records(path: Path) -> list[list[str]]:
    """The reports of a log file as lines: Paste's ``text, 60 dashes``; ours read back."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("=== paste_exc report"):
        from paste_exc.reporter import read_log_records

        return [list(record.lines) for record in read_log_records(str(path))]
    return [chunk.strip("\n").splitlines() for chunk in text.split("-" * 60 + "\n") if chunk]


def _without_middleware_frame(lines: list[str]) -> list[str]:
    """The report's lines without the middleware's own frame (Paste's, or ours)."""
    kept: list[str] = []
    skipping = False
    for line in lines:
        if line.startswith("File "):
            skipping = "/paste/exceptions/" in line or "/paste_exc/" in line
        elif not line.startswith("  "):
            skipping = False
        if not skipping:
            kept.append(line)
    return kept


@runner("migration")
def _migration(scenario: Scenario) -> None:
    directory = scenario.write()
    before_ini = scenario.file("before.ini")
    after_ini = scenario.file("after.ini")
    # The one line that changes.
    changed = [
        (old, new)
        for old, new in zip(before_ini.splitlines(), after_ini.splitlines(), strict=True)
        if old != new
    ]
    assert changed == [("use = egg:Paste#error_catcher", "use = egg:paste_exc#error_catcher")]

    for name in ("before", "after"):  # a log file each
        (directory / f"{name}.ini").write_text(
            scenario.file(f"{name}.ini").replace("errors.log", f"{name}-errors.log")
        )
    paste = _load(directory / "before.ini")
    ours = _load(directory / "after.ini")
    from paste.exceptions.errormiddleware import ErrorMiddleware as PasteMiddleware

    from paste_exc.errormiddleware import ErrorMiddleware

    assert isinstance(paste, PasteMiddleware)
    assert isinstance(ours, ErrorMiddleware)
    for attribute in ("debug_mode", "error_email", "xmlhttp_key", "error_message"):
        assert getattr(ours, attribute) == getattr(paste, attribute), attribute

    # Equal: the healthy response, byte for byte.
    assert _call(paste, "/")[0::2] == _call(ours, "/")[0::2]
    # Equal: the failing request's status and message; the report's lines.
    cookie = {"HTTP_COOKIE": "session=s3cr3t-cookie"}
    paste_status, paste_headers, paste_body, paste_errors = _call(paste, "/buy", **cookie)
    our_status, our_headers, our_body, our_errors = _call(ours, "/buy", **cookie)
    assert paste_status == our_status == "500 Internal Server Error"
    message = "Sorry, the shop is closed for a moment."
    assert message in paste_body.decode()
    assert message in our_body.decode()
    [paste_report] = _records(directory / "before-errors.log")
    [our_report] = _records(directory / "after-errors.log")
    expected = [
        line.replace("'session=s3cr3t-cookie'", "[REDACTED]")
        for line in _without_middleware_frame(paste_report)
    ]
    assert _without_middleware_frame(our_report) == expected
    assert "OutOfStock: no more umbrellas" in our_report
    assert any(line.startswith("URL: http://127.0.0.1/buy") for line in our_report)

    # Different: the content type and headers.
    assert paste_headers["content-type"] == "text/html"
    assert our_headers["content-type"] == "text/html; charset=utf-8"
    assert our_headers["x-error-id"] in our_body.decode()
    # Different: show_exceptions_in_wsgi_errors = false was true for Paste: the whole report.
    assert paste_errors.endswith("\n" + "-" * 60 + "\n")
    assert _without_middleware_frame(paste_errors.splitlines()[:-1]) == _without_middleware_frame(
        paste_report
    )
    # Ours: the one Error line (with the occurrence id), not the report.
    first, codes = our_errors.splitlines()[:2]
    assert re.fullmatch(r"Error - <class '(\w+\.)*OutOfStock'>: no more umbrellas", first)
    assert codes.startswith("paste_exc: occurrence_id=")
    assert our_headers["x-error-id"] in our_errors
    assert "URL: " not in our_errors
    # Different: redaction.
    assert "s3cr3t-cookie" in (directory / "before-errors.log").read_text()
    assert "s3cr3t-cookie" not in (directory / "after-errors.log").read_text()

    _debug_access(directory, before_ini, after_ini)
    _json(paste, ours)
    _email(directory)


def _debug_access(directory: Path, before_ini: str, after_ini: str) -> None:
    """debug = true: Paste shows everyone the debug page; paste_exc only with debug_allow = *."""
    for name, text in (
        ("paste-debug", before_ini),
        ("ours-debug", after_ini),
        ("ours-everyone", after_ini.replace("debug = false", "debug = false\ndebug_allow = *")),
    ):
        (directory / f"{name}.ini").write_text(text.replace("debug = false", "debug = true"))
    visitor = "/buy"
    paste_page = _call(_load(directory / "paste-debug.ini"), visitor)[2].decode()
    our_page = _call(_load(directory / "ours-debug.ini"), visitor)[2].decode()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        everyone_page = _call(_load(directory / "ours-everyone.ini"), visitor)[2].decode()
    assert "raise OutOfStock" in paste_page  # the source, to a visitor at 203.0.113.5
    assert "raise OutOfStock" not in our_page
    assert "Sorry, the shop is closed for a moment." in our_page
    assert "raise OutOfStock" in everyone_page  # debug_allow = *: Paste's behaviour


def _json(paste: Any, ours: Any) -> None:
    """A client preferring JSON: Paste's HTML page, our problem document."""
    import json

    accept = {"HTTP_ACCEPT": "application/json"}
    assert _call(paste, "/buy", **accept)[1]["content-type"] == "text/html"
    _, headers, body, _ = _call(ours, "/buy", **accept)
    assert headers["content-type"].startswith("application/problem+json")
    assert json.loads(body)["status"] == 500


def _email(directory: Path) -> None:
    """Two failures: Paste sends two emails, paste_exc one; the page's ini two, in the request."""

    with mail_server() as mail:
        _email_counts(directory, mail.port, mail.received)


def _email_counts(directory: Path, port: int, received: list[bytes]) -> None:
    from paste_exc.report.delivery import Dispatcher, get_dispatcher, reset_dispatcher

    previous = reset_dispatcher(Dispatcher())
    try:
        addresses = (
            f"error_email = ops@example.org\nfrom_address = errors@example.org\n"
            f"smtp_server = 127.0.0.1:{port}\n"
        )
        for name, use in (("paste-email", "Paste"), ("ours-email", "paste_exc")):
            (directory / f"{name}.ini").write_text(
                "[app:shop]\nuse = call:shop:make_app\n\n[filter:errors]\n"
                f"use = egg:{use}#error_catcher\n{addresses}\n"
                "[pipeline:main]\npipeline = errors shop\n"
            )
        paste = _load(directory / "paste-email.ini")
        for _ in range(2):
            _call(paste, "/buy")
        assert len(received) == 2  # Paste: one email per request, sent in the request
        ours = _load(directory / "ours-email.ini")
        for _ in range(2):
            _call(ours, "/buy")
        get_dispatcher().flush(20)
        assert len(received) == 3  # flood control: one more, for the same bug
        assert get_dispatcher().stats()["email"].held_back == 1

        page_ini = (
            (directory / "email.ini").read_text().replace("127.0.0.1:8025", f"127.0.0.1:{port}")
        )
        (directory / "email-pipeline.ini").write_text(
            "[app:shop]\nuse = call:shop:make_app\n\n"
            + page_ini
            + "\n[pipeline:main]\npipeline = errors shop\n"
        )
        as_paste = _load(directory / "email-pipeline.ini")
        for count in (4, 5):
            _call(as_paste, "/buy")
            assert len(received) == count  # sent before the request returned
    finally:
        reset_dispatcher(previous)
