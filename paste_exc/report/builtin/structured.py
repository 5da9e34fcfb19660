"""Report: reporters for log pipelines, through ``logging`` or as JSON lines.

.. versionadded:: 0.1
"""

from __future__ import annotations

import json
import logging
import os
from typing import IO, TYPE_CHECKING

from paste_exc.config.reporters import JSONLINES_OPTIONS, LOGGING_OPTIONS
from paste_exc.errors import ConfigError
from paste_exc.format.problem import problem_document
from paste_exc.format.records import escape_body, header_line, one_line
from paste_exc.model.values import report_fields
from paste_exc.report.builtin.base import Reporter, append_bytes, given_options

if TYPE_CHECKING:
    from paste_exc.model.report import CollectedException

__all__ = ["JSONLinesReporter", "LoggingReporter"]


class LoggingReporter(Reporter):
    """Send each report through the :mod:`logging` module.

    The record's message names the identification code, the exception type
    and message, on one line (line breaks and control characters escaped);
    the record's exception text (what handlers print under the message) is
    the header line and the text report, escaped as in a log record (see
    :func:`paste_exc.reporter.read_log_records`); the record also carries the
    fields ``time``, ``identification_code``, ``exception_type``,
    ``exception_value``, ``occurrence_id``, ``request_method``,
    ``request_url`` and ``report_message`` for structured handlers.

    :param logger: the logger's name (default ``paste_exc.report``)
    :param level: a level number or name (default ``ERROR``)
    :param show_hidden_frames: include hidden frames in the text report

    .. versionadded:: 0.1
    """

    _options = LOGGING_OPTIONS

    logger: str = "paste_exc.report"
    level: int = logging.ERROR
    show_hidden_frames: bool = False
    # Records keep the request's thread and context; a handler that can
    # block is the logging configuration's affair (use a QueueHandler).
    inline_delivery = True

    def __init__(
        self,
        logger: str = "paste_exc.report",
        level: int | str = logging.ERROR,
        show_hidden_frames: bool | str = False,
        **conf: object,
    ) -> None:
        super().__init__(**given_options(LoggingReporter.__init__, locals()), **conf)

    def flood_key(self) -> str:
        return f"logging:{self.logger}"

    def deliver(self, exc_data: CollectedException, message: str = "") -> None:
        log = logging.getLogger(self.logger)
        if not log.isEnabledFor(self.level):
            return
        fields: dict[str, object] = {
            **report_fields(exc_data),
            "exception_type": exc_data.exception_type,
            "exception_value": exc_data.exception_value,
            "report_message": message,
        }
        record = log.makeRecord(
            log.name,
            self.level,
            "(paste_exc)",
            0,
            "%s [%s] %s: %s",
            tuple(
                one_line(str(part))
                for part in (
                    message or "Exception",
                    exc_data.identification_code,
                    exc_data.exception_type,
                    exc_data.exception_value,
                )
            ),
            None,
            extra=fields,
        )
        text = self.format_text(exc_data, show_hidden_frames=self.show_hidden_frames)
        record.exc_text = header_line(exc_data) + "\n" + escape_body(text)
        log.handle(record)


class JSONLinesReporter(Reporter):
    """Write each report as one JSON object on one line, for log pipelines.

    The object is the problem document of :func:`paste_exc.format.documents.problem_document`
    (with ``report_message`` added when a message was given): it names the
    ``time``, ``identification_code``, ``occurrence_id``, ``request_method``
    and ``request_url`` as the header line of the text reports does. Give
    ``filename`` (appended with one ``O_APPEND`` write per report, UTF-8) or
    ``stream`` (an open text stream, flushed after each line).

    :param filename: the file to append to
    :param stream: the stream to write to
    :param debug: include the frames and details (default true: the file is
        for operators, not for clients)

    Like every reporter it takes ``size_budget`` (see :class:`~paste_exc.reporter.Reporter`):
    a line past it is folded, and says so in ``exception.folded``.

    .. versionadded:: 0.1
    """

    _options = JSONLINES_OPTIONS

    filename: str | None = None
    stream: IO[str] | None = None
    debug: bool = True

    def __init__(
        self,
        filename: str | os.PathLike[str] | None = None,
        stream: IO[str] | None = None,
        debug: bool | str = True,
        **conf: object,
    ) -> None:
        super().__init__(**given_options(JSONLinesReporter.__init__, locals()), **conf)

    def check_params(self) -> None:
        if (self.filename is None) == (self.stream is None):
            raise ConfigError("filename", "give either filename or stream")

    def flood_key(self) -> str:
        target = self.filename if self.filename is not None else id(self.stream)
        return f"jsonl:{target}"

    def line(self, exc_data: CollectedException, message: str = "") -> str:
        """Return the JSON line (with its newline) for *exc_data*.

        :param exc_data: the collected exception
        :param message: what was going on
        """

        def serialize(document: object) -> str:
            if message and isinstance(document, dict):
                document = {**document, "report_message": message}
            return json.dumps(document, ensure_ascii=False, default=str, separators=(",", ":"))

        document = problem_document(
            exc_data, debug=self.debug, size_budget=self.size_budget, serialize=serialize
        )
        return serialize(document) + "\n"

    def deliver(self, exc_data: CollectedException, message: str = "") -> None:
        text = self.line(exc_data, message)
        if self.filename is not None:
            append_bytes(self.filename, text.encode("utf-8", "backslashreplace"))
            return
        if self.stream is not None:
            self.stream.write(text)
            flush = getattr(self.stream, "flush", None)
            if callable(flush):
                flush()
