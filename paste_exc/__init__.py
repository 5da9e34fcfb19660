"""paste_exc: catch, show and report the exceptions of WSGI apps and scripts.

The modern successor of Paste's ``paste.exceptions``: change the imports from
``paste.exceptions`` to ``paste_exc`` and nothing else. The stages live in their
own modules (``collector``, ``formatter``, ``reporter``, ``errormiddleware``);
the names most programs need are re-exported here.
"""

from __future__ import annotations

from paste_exc.api import ExceptionReporter, ExtrasProvider
from paste_exc.collector import (
    CollectedException,
    ExceptionCollector,
    ExceptionFrame,
    LocalVariable,
    SupplementaryData,
    SyntaxErrorDetails,
    collect_exception,
    collected_data,
)
from paste_exc.delivery import get_dispatcher
from paste_exc.documents import RenderedPage
from paste_exc.errormiddleware import ErrorMiddleware, handle_exception, make_error_middleware
from paste_exc.errors import ConfigError, PasteExcError
from paste_exc.formatter import HTMLFormatter, TextFormatter, format_html, format_text
from paste_exc.handlers import (
    install_asyncio_handler,
    install_excepthook,
    install_threading_excepthook,
    remove_asyncio_handler,
    remove_excepthook,
    remove_threading_excepthook,
)
from paste_exc.redact import REDACTED, Redactor
from paste_exc.reporter import (
    CapturingReporter,
    EmailReporter,
    FileReporter,
    JSONLinesReporter,
    LoggingReporter,
    LogReporter,
    Reporter,
    WSGIAppReporter,
)
from paste_exc.reporting import ReportingConfig, configure_reporters, report_exception

__version__ = "0.1.0"

__all__ = [
    "REDACTED",
    "CapturingReporter",
    "CollectedException",
    "ConfigError",
    "EmailReporter",
    "ErrorMiddleware",
    "ExceptionCollector",
    "ExceptionFrame",
    "ExceptionReporter",
    "ExtrasProvider",
    "FileReporter",
    "HTMLFormatter",
    "JSONLinesReporter",
    "LocalVariable",
    "LogReporter",
    "LoggingReporter",
    "PasteExcError",
    "Redactor",
    "RenderedPage",
    "Reporter",
    "ReportingConfig",
    "SupplementaryData",
    "SyntaxErrorDetails",
    "TextFormatter",
    "WSGIAppReporter",
    "__version__",
    "collect_exception",
    "collected_data",
    "configure_reporters",
    "format_html",
    "format_text",
    "get_dispatcher",
    "handle_exception",
    "install_asyncio_handler",
    "install_excepthook",
    "install_threading_excepthook",
    "make_error_middleware",
    "remove_asyncio_handler",
    "remove_excepthook",
    "remove_threading_excepthook",
    "report_exception",
]
