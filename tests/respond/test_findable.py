"""What a user quotes from the page finds the report in every built-in destination."""

from __future__ import annotations

import email
import email.policy
import io
import json
import logging
import re
import socket
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from aiosmtpd.controller import Controller

from paste_exc.errormiddleware import ErrorMiddleware
from paste_exc.report.delivery import synchronous_delivery
from paste_exc.reporter import ReportRecord, parse_log_records, read_log_records

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
SECRET = "s3cr3t-value"


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    controller.stop()


def checkout(environ: Any, start_response: Any) -> list[bytes]:
    raise LookupError("no such cart")


def shown_occurrence(accept: str, body: bytes) -> str:
    text = body.decode("utf-8")
    if accept == "application/json":
        return str(json.loads(text)["occurrence_id"])
    if accept == "text/plain":
        found = re.search(r"occurrence (\S+)\.$", text, re.MULTILINE)
    else:
        found = re.search(r'<code class="occurrence">([^<]+)</code>', text)
    assert found is not None, text
    return found.group(1)


def check_header(record: ReportRecord, occurrence_id: str, code: str) -> str:
    assert record.occurrence_id == occurrence_id
    assert record.identification_code == code
    assert record.time is not None
    assert ISO_UTC.match(record.time)
    assert record.request_method == "POST"
    assert record.request_url is not None
    assert record.request_url.startswith("http://127.0.0.1/shop/cart?item=3&token=")
    assert SECRET not in record.header
    return record.time


@pytest.mark.parametrize("accept", ["text/html", "text/plain", "application/json"])
def test_the_quoted_occurrence_id_is_in_every_destination(
    accept: str,
    tmp_path: Path,
    smtp: tuple[Mailbox, int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    mailbox, port = smtp
    log, jsonl = tmp_path / "errors.log", tmp_path / "errors.jsonl"
    middleware = ErrorMiddleware(
        checkout,
        error_log=str(log),
        show_exceptions_in_wsgi_errors=True,
        # an address of its own: flood control keeps one window per recipient list
        error_email=f"ops-{accept.replace('/', '-')}@example.com",
        smtp_server=f"127.0.0.1:{port}",
        reporters={
            "logging": {"backend": "logging"},
            "jsonl": {"backend": "jsonlines", "filename": str(jsonl)},
        },
    )
    errors = io.StringIO()
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/shop/cart",
        "QUERY_STRING": f"item=3&token={SECRET}",
        "HTTP_ACCEPT": accept,
        "wsgi.errors": errors,
    }
    setup_testing_defaults(environ)
    response: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *exc: object) -> None:
        response.update(status=status, headers=dict(headers))

    with caplog.at_level(logging.ERROR, logger="paste_exc.report"), synchronous_delivery():
        body = b"".join(middleware(environ, start_response))
    assert response["status"].startswith("500")
    quoted = shown_occurrence(accept, body)
    assert response["headers"]["X-Error-Id"] == quoted

    # The log file and wsgi.errors: one record each, found by its header.
    (logged,) = read_log_records(log)
    code = logged.identification_code
    assert code
    moment = check_header(logged, quoted, code)
    (streamed,) = parse_log_records(errors.getvalue())
    assert check_header(streamed, quoted, code) == moment
    assert "LookupError: no such cart" in logged.lines
    assert streamed.text == logged.text

    # The email: the text part starts with the header line.
    (message,) = mailbox.messages
    assert message["X-Paste-Exc-Occurrence-Id"] == quoted
    text_part, html_part = message.get_payload()  # type: ignore[misc]
    (mailed,) = read_log_records(text_part.get_content())
    assert check_header(mailed, quoted, code) == moment
    assert "LookupError: no such cart" in mailed.lines
    assert quoted in html_part.get_content()

    # logging: the record's fields, and its text under the header line.
    (record,) = (r for r in caplog.records if r.name == "paste_exc.report")
    assert record.occurrence_id == quoted  # type: ignore[attr-defined]
    assert record.time == moment  # type: ignore[attr-defined]
    assert record.exc_text is not None
    (logged_text,) = read_log_records(record.exc_text)
    assert check_header(logged_text, quoted, code) == moment

    # JSON lines: the same fields under the same names.
    (line,) = jsonl.read_text(encoding="utf-8").splitlines()
    doc = json.loads(line)
    assert doc["occurrence_id"] == quoted
    assert doc["identification_code"] == code
    assert doc["time"] == moment
    assert doc["request_method"] == "POST"
    assert doc["request_url"] == logged.request_url
    assert SECRET not in line

    # The response itself.
    if accept == "text/plain":
        (answered,) = read_log_records(body.decode("utf-8"))
        assert check_header(answered, quoted, code) == moment
    if accept == "application/json":
        problem = json.loads(body)
        assert problem["time"] == moment
        assert problem["identification_code"] == code
        assert problem["request_method"] == "POST"
        assert problem["request_url"] == logged.request_url


def test_debug_text_response_starts_with_the_header_line() -> None:
    middleware = ErrorMiddleware(checkout, debug=True)
    environ: dict[str, Any] = {"HTTP_ACCEPT": "text/plain", "wsgi.errors": io.StringIO()}
    setup_testing_defaults(environ)
    headers: dict[str, str] = {}
    body = b"".join(
        middleware(environ, lambda status, response_headers, *exc: headers.update(response_headers))
    ).decode("utf-8")
    first, second = body.split("\n")[:2]
    assert first.startswith("=== paste_exc report time=")
    (record,) = read_log_records(body)
    assert record.occurrence_id == headers["X-Error-Id"]
    assert record.request_method == "GET"
    assert second.startswith("File '")  # then Paste's layout, as format_text() returns it
    assert "LookupError: no such cart" in record.lines
