"""EmailReporter against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import io
import os
import socket
import ssl
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from conftest import require_tool

from paste_exc.collector import CollectedException, collect_exception
from paste_exc.errors import ConfigError
from paste_exc.report.delivery import Dispatcher, reset_dispatcher
from paste_exc.reporter import EmailReporter

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Mailbox:
    """An aiosmtpd handler keeping what it receives, optionally slow."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.messages: list[tuple[str, list[str], EmailMessage, bool]] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.arrived:
            self.messages.append(
                (envelope.mail_from, list(envelope.rcpt_tos), msg, session.ssl is not None)
            )
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
            return [m[2] for m in self.messages]


class SMTPServer:
    def __init__(self, mailbox: Mailbox, port: int, controller: Controller) -> None:
        self.mailbox = mailbox
        self.port = port
        self.controller = controller


def start_server(mailbox: Mailbox | None = None, **kw: Any) -> SMTPServer:
    mailbox = mailbox or Mailbox()
    port = free_port()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, server_hostname="localhost", **kw
    )
    controller.start()
    return SMTPServer(mailbox, port, controller)


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    server = start_server()
    yield server
    server.controller.stop()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 and localhost, made with openssl."""
    folder = tmp_path_factory.mktemp("cert")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            require_tool("openssl"),
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return str(cert), str(key)


def server_context(certificate: tuple[str, str]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def sync_dispatcher() -> Iterator[Dispatcher]:
    dispatcher = Dispatcher(synchronous=True, fallback=io.StringIO())
    previous = reset_dispatcher(dispatcher)
    yield dispatcher
    reset_dispatcher(previous)


@pytest.fixture
def bg_dispatcher() -> Iterator[Dispatcher]:
    dispatcher = Dispatcher(fallback=io.StringIO())
    previous = reset_dispatcher(dispatcher)
    yield dispatcher
    dispatcher.shutdown(timeout=5.0)
    reset_dispatcher(previous)


def exc_data_of(exc: BaseException) -> CollectedException:
    return collect_exception(type(exc), exc, exc.__traceback__)


def failing(
    value: str = "invalid literal", kind: type[Exception] = ValueError
) -> CollectedException:
    try:
        raise kind(value)
    except Exception as exc:
        return exc_data_of(exc)


def reporter(port: int, **kw: Any) -> EmailReporter:
    options: dict[str, Any] = {
        "to_addresses": "ops@example.com, dev@example.com",
        "from_address": "errors@example.com",
        "smtp_server": f"127.0.0.1:{port}",
        "smtp_timeout": 5,
        "flood_window": 0,
    }
    options.update(kw)
    return EmailReporter(**options)


@pytest.mark.usefixtures("sync_dispatcher")
def test_message_parts_and_headers(smtp: SMTPServer) -> None:
    data = failing("naïve café ✓")
    reporter(smtp.port, subject_prefix="[site] ").report(data)
    mail_from, rcpt, msg, _ = smtp.mailbox.messages[0]
    assert mail_from == "errors@example.com"
    assert rcpt == ["ops@example.com", "dev@example.com"]
    assert msg.get_content_type() == "multipart/alternative"
    text, html = msg.get_payload()
    assert text.get_content_type() == "text/plain"
    assert text.get_content_charset() == "utf-8"
    assert "naïve café ✓" in text.get_content()
    assert "ValueError" in text.get_content()
    assert html.get_content_type() == "text/html"
    assert html.get_content_charset() == "utf-8"
    assert "naïve café ✓" in html.get_content()
    subject = str(msg["Subject"])
    assert subject.startswith("[site] ValueError: naïve café ✓")
    assert subject.endswith(f"[{data.identification_code}]")
    assert msg["X-Paste-Exc-Identification-Code"] == data.identification_code
    assert msg["From"] == "errors@example.com"
    assert msg["To"] == "ops@example.com, dev@example.com"
    assert msg["Date"] is not None
    assert msg["Message-ID"].endswith("@example.com>")


@pytest.mark.usefixtures("sync_dispatcher")
def test_subject_is_one_bounded_line(smtp: SMTPServer) -> None:
    data = failing("first\r\nBcc: victim@example.com\x00\x1b[31m" + "x" * 1000)
    reporter(smtp.port).report(data)
    _, rcpt, msg, _ = smtp.mailbox.messages[0]
    subject = str(msg["Subject"])
    assert "\n" not in subject
    assert "\r" not in subject
    assert "\x00" not in subject
    assert "\x1b" not in subject
    assert len(subject) <= 200
    assert msg["Bcc"] is None
    assert "victim@example.com" not in rcpt


@pytest.mark.usefixtures("sync_dispatcher")
def test_starttls_with_the_test_ca(certificate: tuple[str, str]) -> None:
    server = start_server(tls_context=server_context(certificate), require_starttls=True)
    try:
        reporter(
            server.port,
            smtp_use_tls=True,
            smtp_ca_file=certificate[0],
            smtp_server="localhost",
            smtp_port=server.port,
        ).report(failing())
        assert len(server.mailbox.messages) == 1
        assert server.mailbox.messages[0][3]  # the session was encrypted
    finally:
        server.controller.stop()


@pytest.mark.usefixtures("sync_dispatcher")
def test_starttls_verifies_certificates_by_default(certificate: tuple[str, str]) -> None:
    server = start_server(tls_context=server_context(certificate), require_starttls=True)
    try:
        with pytest.raises(ssl.SSLCertVerificationError):
            reporter(server.port, smtp_use_tls=True).report(failing())
        reporter(server.port, smtp_use_tls="true", smtp_verify="false").report(failing())
        assert len(server.mailbox.messages) == 1
    finally:
        server.controller.stop()


@pytest.mark.usefixtures("sync_dispatcher")
def test_implicit_tls(certificate: tuple[str, str]) -> None:
    server = start_server(ssl_context=server_context(certificate))
    try:
        reporter(server.port, smtp_use_ssl=True, smtp_ca_file=certificate[0]).report(failing())
        assert len(server.mailbox.messages) == 1
    finally:
        server.controller.stop()


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"mailer",
        b"s3cret",
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def auth_server(certificate: tuple[str, str]) -> Iterator[SMTPServer]:
    """A server that requires STARTTLS, then AUTH as mailer / s3cret."""
    server = start_server(
        tls_context=server_context(certificate),
        require_starttls=True,
        authenticator=_authenticator,
        auth_required=True,
        auth_exclude_mechanism=["LOGIN"],
    )
    yield server
    server.controller.stop()


def auth_reporter(server: SMTPServer, ca_file: str, password: str) -> EmailReporter:
    return reporter(
        server.port,
        smtp_use_tls=True,
        smtp_ca_file=ca_file,
        smtp_username="mailer",
        smtp_password=password,
    )


@pytest.mark.usefixtures("sync_dispatcher")
def test_auth_accepted_over_starttls(auth_server: SMTPServer, certificate: tuple[str, str]) -> None:
    auth_reporter(auth_server, certificate[0], "s3cret").report(failing())
    assert len(auth_server.mailbox.messages) == 1


@pytest.mark.usefixtures("sync_dispatcher")
def test_auth_refused(auth_server: SMTPServer, certificate: tuple[str, str]) -> None:
    import smtplib

    with pytest.raises(smtplib.SMTPAuthenticationError):
        auth_reporter(auth_server, certificate[0], "wrong").report(failing())
    assert auth_server.mailbox.messages == []


@pytest.mark.usefixtures("sync_dispatcher")
def test_server_down_raises_connection_refused() -> None:
    with pytest.raises(ConnectionRefusedError):
        reporter(free_port()).report(failing())


@pytest.fixture
def hanging_port() -> Iterator[int]:
    """A server that accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    yield listener.getsockname()[1]
    listener.close()


@pytest.mark.usefixtures("sync_dispatcher")
def test_hanging_server_times_out(hanging_port: int) -> None:
    with pytest.raises(TimeoutError):
        reporter(hanging_port, smtp_timeout=0.3).report(failing())


def test_background_failure_goes_to_wsgi_errors(
    bg_dispatcher: Dispatcher, hanging_port: int
) -> None:
    errors = io.StringIO()
    try:
        raise KeyError("lost-key")
    except KeyError as exc:
        reporter(hanging_port, smtp_timeout=0.3).report_exception(
            {"wsgi.errors": errors}, exc, "request failed", {}
        )
    assert bg_dispatcher.flush(10)
    written = errors.getvalue()
    assert "EmailReporter report could not be delivered" in written
    assert "lost-key" in written
    assert bg_dispatcher.stats().failed == 1


def test_background_delivery_does_not_wait(bg_dispatcher: Dispatcher) -> None:
    server = start_server(Mailbox(delay=1.0))
    try:
        reporter(server.port).report(failing())
        assert server.mailbox.messages == []  # the server is still answering
        assert bg_dispatcher.flush(10)
        assert len(server.mailbox.messages) == 1
        assert bg_dispatcher.stats().sent == 1
    finally:
        server.controller.stop()


def test_run_once_environ_delivers_synchronously(
    bg_dispatcher: Dispatcher, smtp: SMTPServer
) -> None:
    try:
        raise OSError("cgi")
    except OSError as exc:
        reporter(smtp.port).report_exception({"wsgi.run_once": True}, exc, "", {})
    assert len(smtp.mailbox.messages) == 1
    assert bg_dispatcher.stats().queued == 0


def test_email_flood_control_is_on_by_default(bg_dispatcher: Dispatcher, smtp: SMTPServer) -> None:
    now = [1_000_000.0]
    options = {
        "to_addresses": f"flood-{time.monotonic_ns()}@example.com",
        "from_address": "errors@example.com",
        "smtp_server": f"127.0.0.1:{smtp.port}",
    }
    first = EmailReporter(**options)
    assert first.flood_window == 600
    data = failing("same bug")
    for _ in range(5):
        # reporters built per request (as Paste's middleware does) share one window
        rep = EmailReporter(**options)
        rep._flood.clock = lambda: now[0]  # type: ignore[union-attr]
        rep.report(data)
        now[0] += 1
    assert bg_dispatcher.flush(10)
    assert len(smtp.mailbox.messages) == 1
    assert bg_dispatcher.stats().held_back == 4
    now[0] += 600
    rep = EmailReporter(**options)
    rep._flood.clock = lambda: now[0]  # type: ignore[union-attr]
    rep.report(data)
    messages = smtp.mailbox.wait_for(2)
    text = messages[1].get_payload()[0].get_content()
    assert "4 more occurrences held back" in text


def test_subprocess_that_exits_at_once_still_sends(smtp: SMTPServer, tmp_path: Path) -> None:
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(f"""
        from paste_exc.reporter import EmailReporter
        rep = EmailReporter(to_addresses="ops@example.com", from_address="e@example.com",
                            smtp_server="127.0.0.1", smtp_port={smtp.port})
        try:
            {{}}["missing"]
        except KeyError as exc:
            rep.report_exception(None, exc, "script failed", {{}})
        print("exiting")
    """)
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "exiting"
    messages = smtp.mailbox.wait_for(1)
    assert len(messages) == 1
    assert "KeyError" in str(messages[0]["Subject"])


@pytest.mark.parametrize(
    ("options", "option"),
    [
        ({"from_address": "e@example.com"}, "to_addresses"),
        ({"to_addresses": "a@example.com"}, "from_address"),
        (
            {
                "to_addresses": "a@example.com",
                "from_address": "e@x.org",
                "smtp_use_tls": True,
                "smtp_use_ssl": True,
            },
            "smtp_use_ssl",
        ),
        (
            {"to_addresses": "a@example.com", "from_address": "e@x.org", "smtp_port": "http"},
            "smtp_port",
        ),
        (
            {"to_addresses": "a@example.com", "from_address": "e@x.org", "smtp_timeout": "-1"},
            "smtp_timeout",
        ),
        (
            {"to_addresses": "a@example.com", "from_address": "e@x.org", "smtp_use_tls": "perhaps"},
            "smtp_use_tls",
        ),
        ({"to_addresses": "a@example.com\r\nBcc: x@y", "from_address": "e@x.org"}, "to_addresses"),
        (
            {"to_addresses": "a@example.com", "from_address": "e@x.org", "smtp_username": "u"},
            "smtp_password",
        ),
        (
            {"to_addresses": "a@example.com", "from_address": "e@x.org", "smtp_server": "h:99999"},
            "smtp_server",
        ),
        (
            {"to_addresses": "a@example.com", "from_address": "e@x.org", "smtp_ca_file": "/nope"},
            "smtp_ca_file",
        ),
    ],
)
def test_invalid_options_name_the_option(options: dict[str, Any], option: str) -> None:
    with pytest.raises(ConfigError) as info:
        EmailReporter(**options)
    assert info.value.option == option
    assert isinstance(info.value, ValueError)


def test_unknown_keyword_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="smtp_sever"):
        EmailReporter(to_addresses="a@example.com", from_address="e@x.org", smtp_sever="h")


def test_options_from_ini_strings() -> None:
    rep = EmailReporter(
        to_addresses="a@example.com b@example.com,c@example.com",
        from_address="e@x.org",
        smtp_server="mail.example.com:2525",
        smtp_use_tls="no",
        smtp_timeout="2.5",
        flood_window="60",
        smtp_password="hunter2",
        smtp_username="me",
    )
    assert rep.to_addresses == ["a@example.com", "b@example.com", "c@example.com"]
    assert rep.smtp_use_tls is False
    assert rep.smtp_timeout == 2.5
    assert rep.flood_window == 60.0
    assert "hunter2" not in repr(rep)
