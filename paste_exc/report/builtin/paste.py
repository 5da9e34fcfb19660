"""Report: Paste's built-in reporters, and the wiring of Paste's options.

Stage four of the pipeline (catch → collect → format → **report** → respond).
:class:`EmailReporter`, :class:`LogReporter`, :class:`FileReporter` and
:class:`WSGIAppReporter` keep Paste's names, options and ``report(exc_data)``
method; :class:`LoggingReporter`, :class:`JSONLinesReporter` and
:class:`CapturingReporter` are new. Every one is an
:class:`paste_exc.api.ExceptionReporter`. :func:`read_log_records` splits a
log file back into its reports (see docs/reporters.rst, "The record format").
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

from paste_exc.config.convert import asbool, aslist
from paste_exc.config.places import asserver
from paste_exc.config.reporters import (
    EMAIL_OPTIONS,
    FILE_OPTIONS,
    LOG_OPTIONS,
    PASTE_OPTION_NAMES,
    renamed,
)
from paste_exc.errors import ConfigError, PasteExcError
from paste_exc.format.headers import response_headers
from paste_exc.format.pages import render_debug_page
from paste_exc.format.records import (
    record_text,
    with_header,
)
from paste_exc.report.builtin.base import Reporter, append_bytes, given_options
from paste_exc.report.builtin.smtp import (
    OCCURRENCE_HEADER,
    build_message,
    clean_header,
    make_ssl_context,
    send_message,
)
from paste_exc.report.flood import DEFAULT_WINDOW

if TYPE_CHECKING:
    from collections.abc import Iterator
    from email.message import EmailMessage

    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from paste_exc.model.report import CollectedException

__all__ = [
    "EmailReporter",
    "FileReporter",
    "LogReporter",
    "WSGIAppReporter",
    "reporters_from_options",
    "sslerror",
]

#: Paste's name for ``socket.sslerror``, which Python 3 does not have: ``None``,
#: as in Paste on Python 3. TLS errors are :class:`ssl.SSLError` (an
#: :class:`OSError`); our email reporter handles those itself.
sslerror: None = None


class EmailReporter(Reporter):
    """Email each report: the text and the HTML report as ``multipart/alternative``.

    Paste's options (``to_addresses``, ``from_address``, ``smtp_server``,
    ``smtp_username``, ``smtp_password``, ``smtp_use_tls``,
    ``subject_prefix``) plus ``smtp_port``, ``smtp_use_ssl`` (implicit TLS),
    ``smtp_timeout`` (the deadline of the whole SMTP conversation in
    seconds, default 5; it is also the delivery's deadline),
    ``smtp_verify`` (check the server's certificate, default true),
    ``smtp_ca_file`` (trust these certificates instead of the system's),
    ``subject_max_length`` (default 200). ``smtp_server`` may say
    ``host:port``. Deliveries run on the background queue, and flood control
    is on (one email per identification code per 10 minutes).

    .. versionchanged:: 0.1
       ``to_addresses`` may be a comma or space separated string.
    """

    _options = EMAIL_OPTIONS

    # Required options keep Paste's class default, None: an instance always has
    # the typed value (the option table refuses a reporter without it).
    #: The recipients (an ini string is split on commas and blanks).
    to_addresses: list[str] = None  # type: ignore[assignment]
    from_address: str = None  # type: ignore[assignment]
    smtp_server: str = "localhost"
    smtp_port: int | None = None
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_use_tls: bool = False
    smtp_use_ssl: bool = False
    smtp_timeout: float = 5.0
    smtp_verify: bool = True
    smtp_ca_file: str | None = None
    subject_prefix: str = ""
    subject_max_length: int = 200
    flood_window: float = DEFAULT_WINDOW
    background: bool = True

    def __init__(
        self,
        to_addresses: str | Iterable[str] | None = None,
        from_address: str | None = None,
        smtp_server: str = "localhost",
        smtp_username: str | None = None,
        smtp_password: str | None = None,
        smtp_use_tls: bool | str = False,
        subject_prefix: str = "",
        *,
        smtp_port: int | str | None = None,
        smtp_use_ssl: bool | str = False,
        smtp_timeout: float | str = 5.0,
        smtp_verify: bool | str = True,
        smtp_ca_file: str | None = None,
        **conf: object,
    ) -> None:
        super().__init__(**given_options(EmailReporter.__init__, locals()), **conf)

    def check_params(self) -> None:
        # Each option is typed by EMAIL_OPTIONS; these checks span two options.
        self._host, found = asserver(self.smtp_server, "smtp_server")
        self._port = found if self.smtp_port is None else self.smtp_port  # an explicit port wins
        if self.smtp_use_tls and self.smtp_use_ssl:
            raise ConfigError("smtp_use_ssl", "choose STARTTLS (smtp_use_tls) or implicit TLS")
        if self.delivery_timeout is not None:
            raise ConfigError(
                "delivery_timeout",
                "an email's deadline is smtp_timeout (the whole conversation); set that",
            )
        if bool(self.smtp_username) != bool(self.smtp_password):
            raise ConfigError(
                "smtp_password", "give both smtp_username and smtp_password, or neither"
            )

    def flood_key(self) -> str:
        return "email:" + ",".join(sorted(self.to_addresses))

    def deadline(self) -> float:
        """``smtp_timeout``: the whole conversation, from connecting to the answer."""
        return self.smtp_timeout

    def subject(self, exc_data: CollectedException) -> str:
        """Return the one-line subject: prefix, ``Type: message``, ``[code]``."""
        code = f" [{exc_data.identification_code}]" if exc_data.identification_code else ""
        room = self.subject_max_length - len(code)
        head = clean_header(
            f"{self.subject_prefix}{exc_data.exception_type}: {exc_data.exception_value}", room
        )
        return head + code

    def assemble_email(self, exc_data: CollectedException) -> EmailMessage:
        """Return the message for *exc_data* (Paste's method).

        The text part is the header line (see :func:`read_log_records`), then
        the text report.
        """
        return build_message(
            text=with_header(exc_data, self.format_text(exc_data, show_hidden_frames=False)),
            html=self.format_html(exc_data),
            subject=self.subject(exc_data),
            from_address=self.from_address,
            to_addresses=self.to_addresses,
            code=exc_data.identification_code,
            timestamp=exc_data.timestamp or None,
            headers=_occurrence_header(exc_data),
        )

    def deliver(self, exc_data: CollectedException, message: str = "") -> None:
        context = None
        if self.smtp_use_tls or self.smtp_use_ssl:
            context = make_ssl_context(self.smtp_verify, self.smtp_ca_file)
        send_message(
            self.assemble_email(exc_data),
            host=self._host,
            port=self._port,
            from_address=self.from_address,
            to_addresses=self.to_addresses,
            timeout=self.smtp_timeout,
            use_tls=self.smtp_use_tls,
            use_ssl=self.smtp_use_ssl,
            username=self.smtp_username or None,
            password=self.smtp_password or None,
            context=context,
        )


def _occurrence_header(exc_data: CollectedException) -> dict[str, str]:
    occurrence = clean_header(str(exc_data.occurrence_id or ""), 100)
    return {OCCURRENCE_HEADER: occurrence} if occurrence else {}


def _report_text(reporter: Reporter, exc_data: CollectedException, hidden: bool) -> str:
    """One record: the header line, the escaped text report, the 60-dash separator."""
    return record_text(exc_data, reporter.format_text(exc_data, show_hidden_frames=hidden))


class LogReporter(Reporter):
    """Append each report to a file as one record, in UTF-8.

    A record is the header line (time, identification code, occurrence id,
    request), the text report with every line that could read as a record
    boundary escaped, and Paste's 60-dash separator;
    :func:`read_log_records` reads the file back.

    One report is one ``os.write`` on a file opened with ``O_APPEND``, so
    reports from many threads and processes never interleave. Rotation is the
    job of ``logrotate`` (``copytruncate`` is not needed: the file is opened
    for each report) or of :class:`LoggingReporter` with a rotating handler.
    """

    _options = LOG_OPTIONS

    #: The file's name (a path-like object is accepted); Paste's class default, None.
    filename: str = None  # type: ignore[assignment]
    show_hidden_frames: bool = True

    def __init__(
        self,
        filename: str | os.PathLike[str] | None = None,
        show_hidden_frames: bool | str = True,
        **conf: object,
    ) -> None:
        super().__init__(**given_options(LogReporter.__init__, locals()), **conf)

    def flood_key(self) -> str:
        return f"log:{self.filename}"

    def deliver(self, exc_data: CollectedException, message: str = "") -> None:
        text: str = _report_text(self, exc_data, self.show_hidden_frames)
        data = text.encode("utf-8", "backslashreplace")
        append_bytes(self.filename, data)


class FileReporter(Reporter):
    """Write each report to an open text stream as one record (see :class:`LogReporter`)."""

    _options = FILE_OPTIONS

    #: The stream; Paste's class default, None.
    file: IO[str] = None  # type: ignore[assignment]
    show_hidden_frames: bool = True

    def __init__(
        self, file: IO[str] | None = None, show_hidden_frames: bool | str = True, **conf: object
    ) -> None:
        super().__init__(**given_options(FileReporter.__init__, locals()), **conf)

    def flood_key(self) -> str:
        return f"file:{id(self.file)}"

    def deliver(self, exc_data: CollectedException, message: str = "") -> None:
        self.file.write(_report_text(self, exc_data, self.show_hidden_frames))
        flush = getattr(self.file, "flush", None)
        if callable(flush):
            flush()


class WSGIAppReporter(Reporter):
    """A WSGI application answering ``500`` with the HTML report of *exc_data*.

    .. versionchanged:: 0.1
       The body is bytes (Paste returned ``str``, which WSGI forbids).
    """

    def __init__(self, exc_data: CollectedException) -> None:
        self.exc_data = exc_data
        self._flood = None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterator[bytes]:
        page = render_debug_page(self.exc_data)
        body = page.body.encode("utf-8", "backslashreplace")
        headers = response_headers(page.content_type, len(body), nonce=page.nonce)
        start_response("500 Internal Server Error", headers)
        return iter([body])

    def deliver(self, exc_data: CollectedException, message: str = "") -> None:
        raise PasteExcError("WSGIAppReporter is a WSGI application, not a report destination")


def reporters_from_options(
    *,
    error_email: str | Iterable[str] | None = None,
    error_log: str | os.PathLike[str] | None = None,
    show_exceptions_in_wsgi_errors: bool | str = False,
    error_stream: IO[str] | None = None,
    from_address: str = "errors@localhost",
    smtp_server: str = "localhost",
    smtp_username: str | None = None,
    smtp_password: str | None = None,
    smtp_use_tls: bool | str = False,
    subject_prefix: str = "",
    **email_kw: object,
) -> list[Reporter]:
    """Build the reporters Paste's middleware options ask for.

    ``error_email`` → :class:`EmailReporter` (a list, or a string of
    addresses separated by commas or spaces); ``error_log`` →
    :class:`LogReporter`; ``show_exceptions_in_wsgi_errors`` →
    :class:`FileReporter` on *error_stream*. Strings from ini files are
    coerced (``"false"`` is false, which Paste got wrong). *email_kw* are
    further :class:`EmailReporter` options (``smtp_port``, ``smtp_timeout``,
    ``flood_window``, …).

    :raises ConfigError: for an invalid option, naming it
    """
    try:
        reporters: list[Reporter] = []
        addresses = aslist(error_email, "error_email")
        if addresses:
            reporters.append(
                EmailReporter(
                    to_addresses=addresses,
                    from_address=from_address or "errors@localhost",
                    smtp_server=smtp_server or "localhost",
                    smtp_username=smtp_username,
                    smtp_password=smtp_password,
                    smtp_use_tls=asbool(smtp_use_tls, "smtp_use_tls"),
                    subject_prefix=subject_prefix or "",
                    **email_kw,  # type: ignore[arg-type]  # typed by EMAIL_OPTIONS
                )
            )
        else:
            EmailReporter.check_option_names(sorted(email_kw))
        if error_log:
            reporters.append(LogReporter(filename=error_log))
        if asbool(show_exceptions_in_wsgi_errors, "show_exceptions_in_wsgi_errors"):
            if error_stream is None:
                raise ConfigError(
                    "show_exceptions_in_wsgi_errors", "needs a stream (wsgi.errors) to write to"
                )
            reporters.append(FileReporter(file=error_stream))
    except ConfigError as exc:  # name the option as the user wrote it
        raise renamed(exc, PASTE_OPTION_NAMES) from None
    return reporters
