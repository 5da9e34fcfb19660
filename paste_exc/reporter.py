"""Report: Paste's built-in reporters, and the wiring of Paste's options.

This module path is kept for code written against it; the names live in:

* :mod:`paste_exc.format.records`
* :mod:`paste_exc.report.builtin.base`
* :mod:`paste_exc.report.builtin.capture`
* :mod:`paste_exc.report.builtin.paste`
* :mod:`paste_exc.report.builtin.structured`
"""

from paste_exc.format.records import (
    ReportRecord as ReportRecord,
    parse_log_records as parse_log_records,
    read_log_records as read_log_records,
)
from paste_exc.report.builtin.base import (
    Reporter as Reporter,
)
from paste_exc.report.builtin.capture import (
    CapturedReport as CapturedReport,
    CapturingReporter as CapturingReporter,
)
from paste_exc.report.builtin.paste import (
    EmailReporter as EmailReporter,
    FileReporter as FileReporter,
    LogReporter as LogReporter,
    WSGIAppReporter as WSGIAppReporter,
    reporters_from_options as reporters_from_options,
    sslerror as sslerror,
)
from paste_exc.report.builtin.structured import (
    JSONLinesReporter as JSONLinesReporter,
    LoggingReporter as LoggingReporter,
)

__all__ = [
    "CapturedReport",
    "CapturingReporter",
    "EmailReporter",
    "FileReporter",
    "JSONLinesReporter",
    "LogReporter",
    "LoggingReporter",
    "ReportRecord",
    "Reporter",
    "WSGIAppReporter",
    "parse_log_records",
    "read_log_records",
    "reporters_from_options",
    "sslerror",
]
