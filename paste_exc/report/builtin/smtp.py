"""Report: assemble an error email and send it over SMTP, within one deadline.

Used by :class:`paste_exc.reporter.EmailReporter`. Plain SMTP, STARTTLS and
implicit TLS; certificates are verified unless told otherwise.

The timeout is the deadline of the whole conversation, not of each read: a
server that sends its greeting one byte at a time (a tarpit) is cut off when
the deadline comes. Two mechanisms enforce it:

* before each operation (connect, each command sent, each chunk read) the
  socket's timeout is set to the time remaining, and replies are read by a
  line reader that does so before every ``recv``;
* a watchdog timer shuts the connection down at the deadline, for what the
  first cannot reach (a TLS write sent in many records, a host name with
  several addresses, each tried in turn).

.. versionadded:: 0.1
"""

from __future__ import annotations

import contextlib
import os
import re
import smtplib
import socket
import ssl
import threading
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = [
    "CODE_HEADER",
    "OCCURRENCE_HEADER",
    "Deadline",
    "build_message",
    "clean_header",
    "make_ssl_context",
    "send_message",
]

#: The header holding the identification code, for mail filters.
CODE_HEADER = "X-Paste-Exc-Identification-Code"
#: The header holding the occurrence id (what the user quotes from the page).
OCCURRENCE_HEADER = "X-Paste-Exc-Occurrence-Id"

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
#: The bidirectional controls (embeddings, overrides, isolates, and the marks): in a
#: subject they reorder what the reader sees ("Trojan Source"), so they go.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]+")


def clean_header(text: str, limit: int = 200) -> str:
    """Make *text* one header line: control characters become spaces, bounded.

    Bidirectional controls (U+202A to U+202E, U+2066 to U+2069, and the marks
    U+200E, U+200F, U+061C) are removed.

    :param text: any text
    :param limit: the most characters kept (an ellipsis marks a cut)
    """
    line = " ".join(_CONTROL.sub(" ", _BIDI.sub("", text)).split())
    if len(line) > limit:
        line = line[: max(limit - 1, 0)].rstrip() + "…"
    return line


def build_message(
    *,
    text: str,
    html: str,
    subject: str,
    from_address: str,
    to_addresses: list[str],
    code: str,
    timestamp: float | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """Return a ``multipart/alternative`` message: the text then the HTML, UTF-8.

    :param text: the text report
    :param html: the HTML report
    :param subject: the subject, already one line
    :param from_address: the sender
    :param to_addresses: the recipients
    :param code: the identification code (header :data:`CODE_HEADER`)
    :param timestamp: the ``Date`` (default: now)
    :param headers: more headers, already one line each
    """
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = from_address
    msg["To"] = ", ".join(to_addresses)
    msg["Date"] = formatdate(time.time() if timestamp is None else timestamp, localtime=True)
    domain = parseaddr(from_address)[1].rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid("paste_exc", domain=domain)
    if code:
        msg[CODE_HEADER] = clean_header(code, 100)
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg


def make_ssl_context(verify: bool = True, ca_file: str | None = None) -> ssl.SSLContext:
    """Return a client context: verifying (against *ca_file* or the system's) or not.

    :param verify: check the server's certificate and host name
    :param ca_file: a PEM file of trusted certificates, instead of the system's
    """
    context = ssl.create_default_context(cafile=ca_file)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def send_message(
    msg: EmailMessage,
    *,
    host: str,
    port: int | None,
    from_address: str,
    to_addresses: list[str],
    timeout: float,
    use_tls: bool = False,
    use_ssl: bool = False,
    username: str | None = None,
    password: str | None = None,
    context: ssl.SSLContext | None = None,
) -> None:
    """Send *msg*; the whole conversation must end within *timeout* seconds.

    :param msg: the message
    :param host: the server
    :param port: its port (``None``: 25, or 465 with *use_ssl*)
    :param from_address: the envelope sender
    :param to_addresses: the envelope recipients
    :param timeout: seconds the whole conversation may take, from connecting
        to the server's answer to the message
    :param use_tls: upgrade with STARTTLS
    :param use_ssl: connect with implicit TLS
    :param username: log in as this user (with *password*)
    :param password: the password
    :param context: the TLS context (default: :func:`make_ssl_context`)
    :raises TimeoutError: the deadline passed
    """
    if (use_tls or use_ssl) and context is None:
        context = make_ssl_context()
    port = port or (465 if use_ssl else 25)
    deadline = Deadline(timeout)
    try:
        _converse(
            msg,
            host,
            port,
            from_address,
            to_addresses,
            deadline,
            use_tls,
            use_ssl,
            username,
            password,
            context,
        )
    except (smtplib.SMTPException, OSError) as exc:
        # smtplib reports a read timeout or a watchdog shutdown as a
        # disconnection: say what happened.
        if deadline.expired() or isinstance(exc.__context__, TimeoutError):
            raise TimeoutError(
                f"the SMTP conversation with {host}:{port} did not finish within "
                f"{timeout:g} s (smtp_timeout: the deadline of the whole conversation)"
            ) from exc
        raise
    finally:
        deadline.release()


class Deadline:
    """The moment a conversation must end by, and the watchdog that enforces it.

    :param seconds: how long the conversation may take from now
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.until = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._timer: threading.Timer | None = None

    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return time.monotonic() >= self.until

    def remaining(self) -> float:
        """Seconds left; :class:`TimeoutError` when none are."""
        left = self.until - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"the deadline of {self.seconds:g} s has passed")
        return left

    def watch(self, sock: socket.socket) -> None:
        """Shut *sock*'s connection down when the deadline comes.

        A duplicate of its descriptor is kept until :meth:`release`, so the
        watchdog can never reach another connection that reused the number.
        """
        with self._lock:
            if self._fd is not None:
                return
            self._fd = os.dup(sock.fileno())
        timer = threading.Timer(max(self.until - time.monotonic(), 0.0), self._fire)
        timer.daemon = True
        self._timer = timer
        timer.start()

    def _fire(self) -> None:
        with self._lock:
            if self._fd is None:
                return
            sock = socket.socket(fileno=self._fd)
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked read or write
            except OSError:
                pass
            finally:
                sock.detach()

    def release(self) -> None:
        """The conversation is over: stop the watchdog, close the duplicate."""
        timer = self._timer
        if timer is not None:
            timer.cancel()
        with self._lock:
            fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


class _LineReader:
    """``readline()`` over a socket, its timeout set to the time left before each read."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self._sock = sock
        self._deadline = deadline
        self._buffer = bytearray()

    def readline(self, limit: int = -1) -> bytes:
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0 and (limit < 0 or end < limit):
                return self._take(end + 1)
            if 0 <= limit <= len(self._buffer):
                return self._take(limit)
            self._sock.settimeout(self._deadline.remaining())
            chunk = self._sock.recv(4096)
            if not chunk:
                return self._take(len(self._buffer))
            self._buffer += chunk

    def _take(self, size: int) -> bytes:
        line = bytes(self._buffer[:size])
        del self._buffer[:size]
        return line

    def close(self) -> None:
        self._buffer.clear()


class _DeadlineMixin(smtplib.SMTP):
    """What both client classes share: every operation bounded by the deadline."""

    deadline: Deadline

    def send(self, s: ReadableBuffer | str) -> None:
        if self.sock is not None:
            self.sock.settimeout(self.deadline.remaining())
        super().send(s)

    def getreply(self) -> tuple[int, bytes]:
        if self.file is None and self.sock is not None:
            self.file = _LineReader(self.sock, self.deadline)
        return super().getreply()


class _Client(_DeadlineMixin, smtplib.SMTP):
    def __init__(self, host: str, port: int, deadline: Deadline) -> None:
        self.deadline = deadline
        super().__init__(host, port, timeout=deadline.seconds)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = socket.create_connection(
            (host, port), self.deadline.remaining(), self.source_address
        )
        self.deadline.watch(sock)
        return sock


class _TLSClient(_DeadlineMixin, smtplib.SMTP_SSL):
    def __init__(
        self, host: str, port: int, deadline: Deadline, context: ssl.SSLContext | None
    ) -> None:
        self.deadline = deadline
        super().__init__(host, port, timeout=deadline.seconds, context=context)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = socket.create_connection(
            (host, port), self.deadline.remaining(), self.source_address
        )
        self.deadline.watch(sock)
        return self.context.wrap_socket(sock, server_hostname=host)


def _converse(
    msg: EmailMessage,
    host: str,
    port: int,
    from_address: str,
    to_addresses: list[str],
    deadline: Deadline,
    use_tls: bool,
    use_ssl: bool,
    username: str | None,
    password: str | None,
    context: ssl.SSLContext | None,
) -> None:
    server: smtplib.SMTP = (
        _TLSClient(host, port, deadline, context) if use_ssl else _Client(host, port, deadline)
    )
    try:
        if use_tls:
            server.ehlo()
            server.starttls(context=context)
            server.ehlo()
        if username:
            server.login(username, password or "")
        server.send_message(msg, from_address, to_addresses)
    except BaseException:
        server.close()
        raise
    # The message is accepted: a failing QUIT (some servers drop TLS early,
    # the deadline passed) does not make it a failure.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        server.quit()
    server.close()
