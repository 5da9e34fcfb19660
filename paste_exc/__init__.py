"""paste_exc: catch, show and report the exceptions of WSGI and ASGI apps and scripts.

The modern successor of Paste's ``paste.exceptions``: change the imports from
``paste.exceptions`` to ``paste_exc`` and nothing else. The stages live in their
own modules (``collector``, ``formatter``, ``reporter``, ``errormiddleware``);
the names most programs need are re-exported here.
"""

from __future__ import annotations

from paste_exc.api import ExceptionReporter, ExtrasProvider
from paste_exc.collect.collector import ExceptionCollector, collect_exception
from paste_exc.collect.occurrence import collected_data
from paste_exc.errors import ConfigError, PasteExcError
from paste_exc.format.documents import RenderedPage
from paste_exc.format.formatter import TextFormatter, format_text
from paste_exc.format.html.formatter import HTMLFormatter, format_html
from paste_exc.model.report import (
    CollectedException,
    ExceptionFrame,
    LocalVariable,
    SupplementaryData,
    SyntaxErrorDetails,
)
from paste_exc.process import (
    configure_reporters,
    install_asyncio_handler,
    install_excepthook,
    install_threading_excepthook,
    remove_asyncio_handler,
    remove_excepthook,
    remove_threading_excepthook,
)
from paste_exc.redact.engine import REDACTED, Redactor
from paste_exc.report.builtin.base import Reporter
from paste_exc.report.builtin.capture import CapturingReporter
from paste_exc.report.builtin.paste import EmailReporter, FileReporter, LogReporter, WSGIAppReporter
from paste_exc.report.builtin.structured import JSONLinesReporter, LoggingReporter
from paste_exc.report.delivery import get_dispatcher
from paste_exc.report.dispatch import ReportingConfig
from paste_exc.respond.asgi.middleware import ASGIErrorMiddleware
from paste_exc.respond.deploy import make_error_middleware
from paste_exc.respond.reporting import report_exception
from paste_exc.respond.script import handle_exception
from paste_exc.respond.wsgi.middleware import ErrorMiddleware

__version__ = "0.1.0"

__all__ = [  # noqa: RUF022 (plain sorted() order, as tests/test_package_all.py checks)
    "ASGIErrorMiddleware",
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
    "REDACTED",
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
