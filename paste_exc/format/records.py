"""Format: the text record of one report: its header line, its escaping, and its reader.

Part of the format stage (catch → collect → **format** → report → respond).
Every text report a destination writes starts with one *header line* naming
the time, the identification code, the occurrence id and the request, so that
the codes a user quotes find the report. Streams that hold many reports (the
log file, ``wsgi.errors``, the fallback stream) hold *records*: the header
line, the text report with each line that could end the record or start
another one escaped, and a line of 60 dashes. :func:`parse_log_records` and
:func:`read_log_records` split such a stream back into reports. The format is
described in docs/reporters.rst ("The record format"); it is decided here only.

:func:`paste_exc.formatter.format_text` keeps returning Paste's layout: the
destinations add the header line and the escaping.

.. versionadded:: 0.1
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Final

from paste_exc.model.values import FIELD_NAMES, report_fields, utc_time

if TYPE_CHECKING:
    from collections.abc import Mapping

    from paste_exc.model.report import CollectedException

__all__ = [
    "ENCODED_PREFIX",
    "FIELD_NAMES",
    "HEADER_PREFIX",
    "ReportRecord",
    "error_notice",
    "escape_body",
    "field_text",
    "header_line",
    "occurrence_line",
    "one_line",
    "parse_log_records",
    "read_log_records",
    "record_text",
    "report_fields",
    "unescape_line",
    "utc_time",
    "with_header",
]

#: How every header line starts (followed by a space and the fields).
HEADER_PREFIX: Final = "=== paste_exc report"
#: Paste's separator, 60 dashes: the last line of every record, and the line
#: between a body and the report appended to it. The one place it is spelled.
SEPARATOR: Final = "-" * 60
#: Starts a content line written with backslash escapes (see :func:`escape_body`).
ENCODED_PREFIX: Final = "\\ "
#: The longest field value kept in a header line (longer ones end with ``…``).
MAX_FIELD: Final = 2000

# Characters no content line may hold as they are: every line break of
# str.splitlines() but "\n" (\r \v \f \x1c-\x1e \x85 \u2028 \u2029), the
# other C0 and C1 controls but the tab (ESC would drive a terminal), the
# bidirectional controls (they reorder what a reader sees), lone surrogates.
_UNSAFE: Final = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
)
# A content line holding one of these is written encoded: an unsafe character,
# 60 dashes in a row (Paste's separator, also for readers that split the text at
# it), the words of the header line in any case.
_SPECIAL_RE: Final = re.compile(f"[{_UNSAFE}]|{re.escape(SEPARATOR)}|(?ai:paste_exc report)")
_UNSAFE_RE: Final = re.compile(f"[{_UNSAFE}]")
_ASCII_UNSAFE: Final = bytes(code for code in range(128) if _UNSAFE_RE.match(chr(code)))
_ENCODE_RE: Final = re.compile(f"[\\\\{_UNSAFE}]")
_DASH_RUN_RE: Final = re.compile(re.escape(SEPARATOR) + "-*")
_HEADER_WORDS_RE: Final = re.compile("paste_exc report", re.IGNORECASE | re.ASCII)
_ONE_LINE_RE: Final = re.compile(f"[\\n{_UNSAFE}]")
_DECODE_RE: Final = re.compile(r"\\(\\|x[0-9a-f]{2}|u[0-9a-f]{4})")
# What a header field may not hold: whitespace (it separates the fields), the
# unsafe characters above, the other invisible format characters.
_FIELD_RE: Final = re.compile(f"[\\s{_UNSAFE}\u200b-\u200d\u2060-\u2064\ufeff]")


# -- header fields ---------------------------------------------------------------


def field_text(value: str) -> str:
    """Return *value* as one header-line field value: one token, bounded.

    Whitespace and control characters are percent-encoded (UTF-8), every
    60th dash of a run is written ``%2D``, and a value longer than
    :data:`MAX_FIELD` is cut and ends with ``…``. Sentry tags use it too.

    :param value: the field's text
    """
    if len(value) > MAX_FIELD:
        value = value[:MAX_FIELD] + "…"
    value = _FIELD_RE.sub(
        lambda match: "".join(
            f"%{byte:02X}" for byte in match.group().encode("utf-8", "surrogatepass")
        ),
        value,
    )
    return _DASH_RUN_RE.sub(lambda match: _break_run(match, "%2D"), value)


def header_line(exc_data: CollectedException) -> str:
    """Return the header line of *exc_data*'s text report (no line break).

    ``=== paste_exc report time=… identification_code=… occurrence_id=…``,
    then ``request_method=… request_url=…`` when there was a request. In a
    value, whitespace and control characters are percent-encoded (UTF-8), so
    the line is one line and its fields are separated by single spaces, and
    every 60th dash of a run is written ``%2D``.

    :param exc_data: the collected exception
    """
    fields = report_fields(exc_data)
    if fields["time"] is None:
        fields["time"] = "unknown"
    parts = [HEADER_PREFIX]
    parts.extend(
        f"{name}={field_text(value)}" for name, value in fields.items() if value is not None
    )
    return " ".join(parts)


def with_header(exc_data: CollectedException, text: str) -> str:
    """Return *text* under the header line of *exc_data* (email, logging, responses).

    :param exc_data: the collected exception
    :param text: the report, as :func:`paste_exc.formatter.format_text` returns it
    """
    return header_line(exc_data) + "\n" + text


# -- escaping ---------------------------------------------------------------------


def _encode(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _break_run(match: re.Match[str], escape: str) -> str:
    """Write every 60th dash of a run as *escape*: no 60 dashes stay in a row."""
    run, width = match.group(), len(SEPARATOR)
    return "".join(escape if i % width == width - 1 else "-" for i in range(len(run)))


def _break_markers(text: str) -> str:
    """Escape every 60th dash of a run and the ``_`` of the header words."""
    text = _DASH_RUN_RE.sub(lambda match: _break_run(match, "\\x2d"), text)
    return _HEADER_WORDS_RE.sub(lambda match: match.group().replace("_", "\\x5f"), text)


def _encode_line(line: str) -> str:
    return _break_markers(_ENCODE_RE.sub(_encode, line))


def _encode_break(match: re.Match[str]) -> str:
    return "\\n" if match.group() == "\n" else _encode(match)


def _escape_line(line: str) -> str:
    if line.startswith(ENCODED_PREFIX) or _SPECIAL_RE.search(line):
        return ENCODED_PREFIX + _encode_line(line)
    return line


def _needs_escaping(text: str) -> bool:
    """Whether a line of *text* is to be encoded (a quick, conservative test)."""
    if text.startswith(ENCODED_PREFIX) or "\n" + ENCODED_PREFIX in text or SEPARATOR in text:
        return True
    if "paste_exc report" in text.lower():  # ASCII letters fold alike in lower() and the regex
        return True
    if text.isascii():  # the usual case: delete the ASCII controls in C, compare
        raw = text.encode("ascii")
        return len(raw.translate(None, _ASCII_UNSAFE)) != len(raw)
    return _UNSAFE_RE.search(text) is not None


def escape_body(text: str) -> str:
    """Escape the lines of *text* so that none can end a record or start another.

    A line is written as it is unless it holds a control character or line
    break other than ``\\n`` and the tab, 60 dashes in a row, the words
    ``paste_exc report`` in any case, or starts with :data:`ENCODED_PREFIX`.
    Such a line is written as :data:`ENCODED_PREFIX` followed by the line
    with backslash escapes: ``\\\\`` for a backslash, ``\\xHH`` or
    ``\\uHHHH`` for those characters, for every 60th dash of a run and for
    the ``_`` of ``paste_exc report``. :func:`unescape_line` undoes it.

    :param text: the report (lines separated by ``\\n``)
    """
    if not _needs_escaping(text):
        return text  # the usual case: a few fast scans, nothing to escape
    return "\n".join(_escape_line(line) for line in text.split("\n"))


def _decode(match: re.Match[str]) -> str:
    escape = match.group(1)
    return "\\" if escape == "\\" else chr(int(escape[1:], 16))


def unescape_line(line: str) -> str:
    """Return the content line that :func:`escape_body` wrote as *line*.

    :param line: one line of a record between its header and end lines
    """
    if line.startswith(ENCODED_PREFIX):
        return _DECODE_RE.sub(_decode, line[len(ENCODED_PREFIX) :])
    return line


def record_text(exc_data: CollectedException, text: str) -> str:
    """Return the record of one report: header line, escaped report, end line, newline.

    :param exc_data: the collected exception
    :param text: the report, as :func:`paste_exc.formatter.format_text` returns it
    """
    return f"{header_line(exc_data)}\n{escape_body(text)}\n{SEPARATOR}\n"


def occurrence_line(exc_data: CollectedException) -> str:
    """Return the line that follows Paste's ``Error - …`` notice: the codes to quote.

    ``paste_exc: occurrence_id=… identification_code=…`` (no line break),
    the values written as in the header line.

    :param exc_data: the collected exception
    """
    fields = report_fields(exc_data)
    codes = (f"{name}={field_text(fields[name] or 'unknown')}" for name in _CODE_FIELDS)
    return "paste_exc: " + " ".join(codes)


_CODE_FIELDS: Final = ("occurrence_id", "identification_code")


def error_notice(type_text: str, exc_data: CollectedException) -> str:
    """Return the two lines written beside a report: Paste's notice, then the codes.

    Paste's ``Error - <class 'ValueError'>: message`` to the letter (log
    parsers match it), as :func:`one_line`, then :func:`occurrence_line`.

    :param type_text: the exception's type as text (``str(type(exc))``)
    :param exc_data: the collected exception
    """
    notice = one_line(f"Error - {type_text}: {exc_data.exception_value}")
    return notice + "\n" + occurrence_line(exc_data)


def one_line(text: str) -> str:
    """Return *text* as one line: line breaks and control characters backslash-escaped.

    For the one-line notices written beside records (``Error - Type: value``),
    which must never become two lines nor hold what marks a record: every
    60th dash of a run is written ``\\x2d``, the ``_`` of ``paste_exc
    report`` ``\\x5f``. Backslashes are kept as they are (the result is for
    reading, not for decoding).

    :param text: any text
    """
    text = _ONE_LINE_RE.sub(_encode_break, text)
    return _break_markers(text)


# -- reading ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportRecord:
    """One report read back from a log file by :func:`parse_log_records`.

    :param header: the header line as written
    :param fields: its fields, as written (percent-encoding kept)
    :param lines: the content lines, unescaped: Paste's text report, line by line
    :param complete: whether the end line was found (false for a cut-off record)

    .. versionadded:: 0.1
    """

    header: str
    fields: Mapping[str, str] = field(default_factory=dict)
    lines: tuple[str, ...] = ()
    complete: bool = True

    @property
    def text(self) -> str:
        """The text report, as :func:`paste_exc.formatter.format_text` returned it."""
        return "\n".join(self.lines)

    @property
    def occurrence_id(self) -> str | None:
        """The ``occurrence_id`` field."""
        return self.fields.get("occurrence_id")

    @property
    def identification_code(self) -> str | None:
        """The ``identification_code`` field."""
        return self.fields.get("identification_code")

    @property
    def time(self) -> str | None:
        """The ``time`` field (UTC, ISO 8601)."""
        return self.fields.get("time")

    @property
    def request_method(self) -> str | None:
        """The ``request_method`` field, if the report had a request."""
        return self.fields.get("request_method")

    @property
    def request_url(self) -> str | None:
        """The ``request_url`` field, if the report had a request."""
        return self.fields.get("request_url")


def _header_fields(line: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for token in line[len(HEADER_PREFIX) :].split(" "):
        name, equals, value = token.partition("=")
        if equals and name not in fields:
            fields[name] = value
    return fields


def _is_header(line: str) -> bool:
    return line == HEADER_PREFIX or line.startswith(HEADER_PREFIX + " ")


def parse_log_records(text: str) -> list[ReportRecord]:
    """Split the text of a log file into its records, in order.

    Lines end at ``\\n`` only (a ``\\r`` before it is dropped: records never
    hold one, so it came from a CRLF conversion, e.g. in an email). A header
    line starts a record, which ends at the next end line (60 dashes, nothing
    else); a header line met before it ends the record as incomplete. Lines
    outside records (what other writers put on a shared stream) are skipped.

    :param text: what :class:`~paste_exc.reporter.LogReporter` (or
        :class:`~paste_exc.reporter.FileReporter`, or ``wsgi.errors``) holds
    """
    records: list[ReportRecord] = []
    header: str | None = None
    lines: list[str] = []
    for raw in text.split("\n"):
        line = raw[:-1] if raw.endswith("\r") else raw
        if _is_header(line):
            if header is not None:
                records.append(ReportRecord(header, _header_fields(header), tuple(lines), False))
            header, lines = line, []
        elif header is None:
            continue
        elif line == SEPARATOR:
            records.append(ReportRecord(header, _header_fields(header), tuple(lines), True))
            header, lines = None, []
        else:
            lines.append(unescape_line(line))
    if header is not None:
        if lines and lines[-1] == "":  # the newline after the last line written
            lines.pop()
        records.append(ReportRecord(header, _header_fields(header), tuple(lines), False))
    return records


def read_log_records(source: str | os.PathLike[str] | bytes | IO[str]) -> list[ReportRecord]:
    """Read the records of a log file: a path, the file's text or bytes, or an open stream.

    A :class:`str` is taken as text when it holds a line break or starts
    with a header line (or is empty), otherwise as a path; bytes are decoded
    as UTF-8 (undecodable bytes become U+FFFD). See :func:`parse_log_records`.

    :param source: the file name, its content, or a text stream to read
    """
    if isinstance(source, bytes):
        return parse_log_records(source.decode("utf-8", "replace"))
    if isinstance(source, str):
        if not source or "\n" in source or _is_header(source.split("\n", 1)[0]):
            return parse_log_records(source)
        source = os.fspath(source)
    if isinstance(source, os.PathLike | str):
        with open(source, "rb") as file:
            return parse_log_records(file.read().decode("utf-8", "replace"))
    return parse_log_records(source.read())
