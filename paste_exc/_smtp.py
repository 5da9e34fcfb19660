"""Report: assemble an error email and send it over SMTP, always with a timeout.

Used by :class:`paste_exc.reporter.EmailReporter`. Plain SMTP, STARTTLS and
implicit TLS; certificates are verified unless told otherwise.

.. versionadded:: 0.1
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

__all__ = [
    "CODE_HEADER",
    "OCCURRENCE_HEADER",
    "build_message",
    "clean_header",
    "make_ssl_context",
    "parse_server",
    "send_message",
]

#: The header holding the identification code, for mail filters.
CODE_HEADER = "X-Paste-Exc-Identification-Code"
#: The header holding the occurrence id (what the user quotes from the page).
OCCURRENCE_HEADER = "X-Paste-Exc-Occurrence-Id"

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def clean_header(text: str, limit: int = 200) -> str:
    """Make *text* one header line: control characters become spaces, bounded.

    :param text: any text
    :param limit: the most characters kept (an ellipsis marks a cut)
    """
    line = " ".join(_CONTROL.sub(" ", text).split())
    if len(line) > limit:
        line = line[: max(limit - 1, 0)].rstrip() + "…"
    return line


def parse_server(server: str, port: int | None) -> tuple[str, int | None]:
    """Split Paste's ``host:port`` spelling; an explicit *port* wins.

    :param server: ``host``, ``host:port``, ``[v6addr]`` or ``[v6addr]:port``
    :param port: the ``smtp_port`` option, or ``None``
    """
    host, found = server.strip(), None
    if host.startswith("["):
        end = host.find("]")
        if end == -1:
            raise ValueError(f"unclosed '[' in {server!r}")
        rest = host[end + 1 :]
        host = host[1:end]
        if rest.startswith(":"):
            found = rest[1:]
        elif rest:
            raise ValueError(f"unexpected {rest!r} after the address in {server!r}")
    elif host.count(":") == 1:
        host, found = host.split(":")
    if not host:
        raise ValueError(f"no host in {server!r}")
    if found is not None:
        if not found.isdigit() or not 0 < int(found) < 65536:
            raise ValueError(f"bad port in {server!r}")
        if port is None:
            port = int(found)
    return host, port


def check_address(address: str) -> str:
    """Return *address* when it is one plausible mail address, else raise ValueError.

    :param address: ``user@host`` or ``Name <user@host>``
    """
    if _CONTROL.search(address):
        raise ValueError(f"control characters in address {address!r}")
    _name, addr = parseaddr(address)
    if not addr or "@" not in addr or " " in addr:
        raise ValueError(f"not a mail address: {address!r}")
    return address


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
    """Send *msg*; every socket operation is bounded by *timeout* seconds.

    :param msg: the message
    :param host: the server
    :param port: its port (``None``: 25, or 465 with *use_ssl*)
    :param from_address: the envelope sender
    :param to_addresses: the envelope recipients
    :param timeout: seconds each connect, read and write may take
    :param use_tls: upgrade with STARTTLS
    :param use_ssl: connect with implicit TLS
    :param username: log in as this user (with *password*)
    :param password: the password
    :param context: the TLS context (default: :func:`make_ssl_context`)
    """
    if (use_tls or use_ssl) and context is None:
        context = make_ssl_context()
    port = port or (465 if use_ssl else 25)
    try:
        _converse(
            msg,
            host,
            port,
            from_address,
            to_addresses,
            timeout,
            use_tls,
            use_ssl,
            username,
            password,
            context,
        )
    except smtplib.SMTPServerDisconnected as exc:
        # smtplib reports a read timeout as a disconnection: say what happened.
        if isinstance(exc.__context__, TimeoutError):
            raise TimeoutError(
                f"the SMTP server {host}:{port} did not answer within {timeout:g} s"
            ) from exc
        raise


def _converse(
    msg: EmailMessage,
    host: str,
    port: int,
    from_address: str,
    to_addresses: list[str],
    timeout: float,
    use_tls: bool,
    use_ssl: bool,
    username: str | None,
    password: str | None,
    context: ssl.SSLContext | None,
) -> None:
    server: smtplib.SMTP
    if use_ssl:
        server = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        server = smtplib.SMTP(host, port, timeout=timeout)
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
    # The message is accepted: a failing QUIT (some servers drop TLS early)
    # does not make it a failure.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        server.quit()
    server.close()
