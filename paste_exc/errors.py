"""The exceptions paste_exc itself raises, and how its own failures are logged.

Beneath every stage: every module may import it; it imports none of ours.
"""

from __future__ import annotations

import logging
import sys
import traceback

__all__ = ["ConfigError", "PasteExcError", "log_failure"]

__all__ = ["ConfigError", "PasteExcError"]


class PasteExcError(Exception):
    """Base class of every exception paste_exc raises on purpose."""


class ConfigError(PasteExcError, ValueError):
    """A configuration value is missing, unknown or invalid.

    The message always names the option. It is a :class:`ValueError`, so code
    written against Paste that caught ``ValueError`` keeps working.
    """

    def __init__(self, option: str, message: str) -> None:
        self.option = option
        super().__init__(f"{option}: {message}")


# Beneath every stage. Collecting, reporting and rendering run while the
# reported exception is being handled, so an error raised meanwhile has that
# exception as its ``__context__``: :meth:`logging.Logger.exception` would
# print the whole chain, the reported exception's message and traceback
# included, unredacted and unescaped, to whatever handles the ``paste_exc``
# loggers. :func:`log_failure` logs the failure with its own traceback only;
# the reported exception reaches the outputs through the report, redacted.
def log_failure(
    logger: logging.Logger, message: str, *args: object, level: int = logging.ERROR
) -> None:
    """Log *message* % *args* with the traceback of the exception being handled, unchained.

    Use it in an ``except`` block, like :meth:`logging.Logger.exception`.

    :param logger: where to log
    :param message: the message, with ``%`` placeholders for *args*
    :param level: the record's level
    """
    if not logger.isEnabledFor(level):
        return
    error = sys.exc_info()[1]
    record = logger.makeRecord(logger.name, level, "(paste_exc)", 0, message, args, None)
    if error is not None:
        try:
            record.exc_text = "".join(traceback.format_exception(error, chain=False)).rstrip("\n")
        except Exception:  # noqa: BLE001 (a hostile exception: its type is enough)
            record.exc_text = f"{type(error).__name__} (its traceback could not be formatted)"
    logger.handle(record)
